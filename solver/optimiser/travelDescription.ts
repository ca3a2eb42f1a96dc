/**
 * Travel models as data, so a problem can cross a thread boundary: a
 * TravelModel is an object with methods, which structured clone cannot
 * carry. A worker rebuilds the model from its description.
 *
 * - haversine: the options of HaversineTravel, with the zone of each place
 *   given per Place.key instead of as a function;
 * - matrix: time (and distance) matrices indexed by Place.key, 0..n-1.
 *
 * tabulateTravel works for any TravelModel (even one with no description):
 * it measures every pair of the problem's places once and re-keys the
 * places 0..n-1 so the matrix can be indexed. Plans only name visits and
 * technicians by id, so the re-keying is invisible in the result.
 */
import type { Place, Problem, TravelModel } from '../problem.js';
import { HaversineTravel, MatrixTravel, type ZoneType } from '../travel.js';

export type SerializableTravel =
  | {
      kind: 'haversine';
      detourFactor?: number;
      speedsKmh?: Partial<Record<ZoneType, number>>;
      defaultZone?: ZoneType;
      /** Zone type per Place.key; places not listed use defaultZone. */
      zoneByKey?: Record<number, ZoneType>;
    }
  | {
      kind: 'matrix';
      /** time[i][j] in seconds from the place with key i to the place with key j. */
      time: number[][];
      /** Defaults to time. */
      distance?: number[][];
    };

export function travelFromDescription(description: SerializableTravel): TravelModel {
  switch (description.kind) {
    case 'haversine': {
      const zones = description.zoneByKey;
      return new HaversineTravel({
        ...(description.detourFactor !== undefined ? { detourFactor: description.detourFactor } : {}),
        ...(description.speedsKmh !== undefined ? { speedsKmh: description.speedsKmh } : {}),
        ...(description.defaultZone !== undefined ? { defaultZone: description.defaultZone } : {}),
        ...(zones !== undefined
          ? { zoneOf: (p: Place) => zones[p.key] ?? description.defaultZone ?? 'periurban' }
          : {}),
      });
    }
    case 'matrix':
      return new MatrixTravel(description.time, description.distance);
  }
}

/** A problem without its travel model: what structured clone can carry. */
export type ProblemData = Omit<Problem, 'travel'>;

/** Splits a problem into plain data and a travel description (given, or tabulated). */
export function serialiseProblem(
  problem: Problem,
  travel?: SerializableTravel,
): { problem: ProblemData; travel: SerializableTravel } {
  if (travel !== undefined) {
    const { travel: _model, ...data } = problem;
    return { problem: structuredClone(data), travel };
  }
  return tabulateTravel(problem);
}

/** Measures the problem's travel model between all its places; the places get keys 0..n-1. */
export function tabulateTravel(problem: Problem): { problem: ProblemData; travel: SerializableTravel } {
  const places: Place[] = [];
  const keyOf = new Map<Place, number>();
  const rekey = (p: Place): Place => {
    let key = keyOf.get(p);
    if (key === undefined) {
      key = places.length;
      keyOf.set(p, key);
      places.push(p);
    }
    return { key, lat: p.lat, lon: p.lon };
  };
  const data: ProblemData = {
    technicians: problem.technicians.map((t) => ({
      ...structuredClone(t),
      start: rekey(t.start),
      end: rekey(t.end),
    })),
    visits: problem.visits.map((v) => ({ ...structuredClone(v), place: rekey(v.place) })),
  };
  const time = places.map((a) => places.map((b) => (a === b ? 0 : problem.travel.time(a, b))));
  const distance = places.map((a) => places.map((b) => (a === b ? 0 : problem.travel.distance(a, b))));
  return { problem: data, travel: { kind: 'matrix', time, distance } };
}

export function deserialiseProblem(problem: ProblemData, travel: SerializableTravel): Problem {
  return { ...problem, travel: travelFromDescription(travel) };
}
