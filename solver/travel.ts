/**
 * Travel models for the solver.
 *
 * - HaversineTravel: no road network, no I/O. Great-circle distance times a
 *   road-detour factor, driven at a speed that depends on the kind of area
 *   (urban / periurban / rural). Good enough to rank insertions and to keep
 *   promises with a margin; the service can swap in a matrix from a routing
 *   engine later without touching the solver.
 * - MatrixTravel: precomputed time and distance matrices indexed by
 *   Place.key (the Solomon benchmark builds one from Euclidean distances).
 */
import type { Place, Seconds, TravelModel } from './problem.js';

/** The kind of area a place lies in; it sets the average driving speed there. */
export type ZoneType = 'urban' | 'periurban' | 'rural';

/** Average door-to-door driving speeds in km/h, parking and traffic lights included. */
export const DEFAULT_SPEEDS_KMH: Readonly<Record<ZoneType, number>> = {
  urban: 22,
  periurban: 40,
  rural: 60,
};

const EARTH_RADIUS_M = 6_371_000;
const RAD = Math.PI / 180;

/** Great-circle distance in metres between two lat/lon points. */
export function greatCircleMetres(a: Place, b: Place): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const s =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

export interface HaversineTravelOptions {
  /** Road distance / straight-line distance. 1.3 is the usual figure for French road networks. */
  detourFactor?: number;
  /** Average speeds per zone type, km/h. */
  speedsKmh?: Partial<Record<ZoneType, number>>;
  /**
   * The zone type of a place, chosen by the caller (e.g. from the postal code's
   * population density). Default: every place is `defaultZone`.
   */
  zoneOf?: (place: Place) => ZoneType;
  defaultZone?: ZoneType;
  /** Maximum memoised pairs; the oldest are evicted first. Default 200,000. */
  cacheSize?: number;
}

/**
 * Haversine distance × detour factor, at a zone-dependent speed.
 *
 * A trip is assumed to run half in the origin's kind of area and half in the
 * destination's: time = d/2 / v(from) + d/2 / v(to). This is symmetric, gives
 * time(a, a) = 0 and makes a trip from a rural base into a city centre
 * slower than a trip between two villages the same distance apart.
 *
 * Results are memoised per ordered pair of Place.key in a bounded FIFO cache:
 * slot offering asks for the same depot→visit legs many times. Places with the
 * same key must therefore have the same coordinates (the key is the identity).
 */
export class HaversineTravel implements TravelModel {
  private readonly detour: number;
  /** Seconds per metre, per zone type (inverse speeds; multiplication is cheaper than division). */
  private readonly pace: Record<ZoneType, number>;
  private readonly zoneOf: (place: Place) => ZoneType;
  private readonly cacheSize: number;
  /** pair key → [time, distance]; Map keeps insertion order, which gives FIFO eviction for free. */
  private readonly cache = new Map<number | string, readonly [Seconds, number]>();

  constructor(options: HaversineTravelOptions = {}) {
    this.detour = options.detourFactor ?? 1.3;
    if (!(this.detour >= 1)) throw new RangeError('detourFactor must be >= 1');
    const speeds = { ...DEFAULT_SPEEDS_KMH, ...options.speedsKmh };
    const pace = (kmh: number): number => {
      if (!(kmh > 0)) throw new RangeError(`speed must be > 0 km/h, got ${kmh}`);
      return 3.6 / kmh; // s per metre
    };
    this.pace = { urban: pace(speeds.urban), periurban: pace(speeds.periurban), rural: pace(speeds.rural) };
    const fallback = options.defaultZone ?? 'periurban';
    this.zoneOf = options.zoneOf ?? (() => fallback);
    this.cacheSize = Math.max(0, options.cacheSize ?? 200_000);
  }

  time(from: Place, to: Place): Seconds {
    return this.lookup(from, to)[0];
  }

  distance(from: Place, to: Place): number {
    return this.lookup(from, to)[1];
  }

  private lookup(from: Place, to: Place): readonly [Seconds, number] {
    if (from.key === to.key) return ZERO;
    const key = pairKey(from.key, to.key);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const d = greatCircleMetres(from, to) * this.detour;
    const t = (d / 2) * this.pace[this.zoneOf(from)] + (d / 2) * this.pace[this.zoneOf(to)];
    const entry = [t, d] as const;
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
      this.cache.set(key, entry);
    }
    return entry;
  }
}

const ZERO = [0, 0] as const;
const PAIR_SHIFT = 2 ** 26;

/** A number when both keys are small non-negative integers (the common case, and much faster than strings). */
function pairKey(a: number, b: number): number | string {
  if (Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < PAIR_SHIFT && b < PAIR_SHIFT) {
    return a * PAIR_SHIFT + b;
  }
  return `${a}:${b}`;
}

/**
 * Precomputed matrices: time[i][j] and distance[i][j] for places with key i
 * and j. Keys must be integers 0..n-1. Distance defaults to time (Solomon).
 */
export class MatrixTravel implements TravelModel {
  private readonly n: number;
  private readonly times: Float64Array;
  private readonly distances: Float64Array;

  constructor(times: ArrayLike<ArrayLike<number>>, distances?: ArrayLike<ArrayLike<number>>) {
    this.n = times.length;
    this.times = flatten(times, this.n, 'times');
    this.distances = distances === undefined ? this.times : flatten(distances, this.n, 'distances');
  }

  /**
   * Euclidean matrix over `places` (indexed by their key), as in the Solomon
   * benchmark: unrounded distance, time = distance / speed (speed 1 = time equals distance).
   * Coordinates are read from lon (x) and lat (y).
   */
  static euclidean(places: readonly Place[], speed = 1): MatrixTravel {
    const n = places.reduce((m, p) => Math.max(m, p.key + 1), 0);
    const dist: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(Number.NaN));
    for (const a of places) {
      const row = dist[a.key];
      if (row === undefined) throw new RangeError(`bad place key ${a.key}`);
      for (const b of places) row[b.key] = Math.hypot(a.lon - b.lon, a.lat - b.lat);
    }
    const time = speed === 1 ? dist : dist.map((row) => row.map((d) => d / speed));
    return new MatrixTravel(time, dist);
  }

  time(from: Place, to: Place): Seconds {
    return this.times[this.index(from.key, to.key)]!;
  }

  distance(from: Place, to: Place): number {
    return this.distances[this.index(from.key, to.key)]!;
  }

  private index(a: number, b: number): number {
    if (!(a >= 0 && a < this.n && b >= 0 && b < this.n && Number.isInteger(a) && Number.isInteger(b))) {
      throw new RangeError(`place key out of matrix range: ${a} → ${b} (size ${this.n})`);
    }
    return a * this.n + b;
  }
}

function flatten(m: ArrayLike<ArrayLike<number>>, n: number, what: string): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = m[i];
    if (row === undefined || row.length !== n) throw new RangeError(`${what} matrix must be ${n}×${n}`);
    for (let j = 0; j < n; j++) out[i * n + j] = i === j ? 0 : row[j]!;
  }
  return out;
}
