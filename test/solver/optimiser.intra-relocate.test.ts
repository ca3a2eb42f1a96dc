/**
 * Intra-route relocate on arc-cost instances gains in O(1) and checks time over the reordered stretch
 * only; it must make exactly the move that building and costing every whole sequence makes (the first
 * of: after v, then before v, for strings of 1, 2, 3 visits from u that costs less and keeps every
 * window). Random routes of 12 visits with windows built around a feasible schedule (some tight, some
 * wide), every pair (u, v) of each route.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { compileInstance, type Instance } from '../../solver/optimiser/instance.js';
import { tryIntraRelocate } from '../../solver/optimiser/localSearch.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { Solution } from '../../solver/optimiser/solution.js';
import type { Problem, TravelModel } from '../../solver/problem.js';

const euclid: TravelModel = {
  time: (a, b) => Math.hypot(a.lon - b.lon, a.lat - b.lat),
  distance: (a, b) => Math.hypot(a.lon - b.lon, a.lat - b.lat),
};

/** One technician, n visits in a random order with windows around the times of that order. */
function randomRoute(seed: number, n: number) {
  const rng = new Random(seed);
  const depot = { key: 0, lat: 50, lon: 50 };
  const places = Array.from({ length: n }, (_, i) => ({
    key: i + 1,
    lat: rng.next() * 100,
    lon: rng.next() * 100,
  }));
  const durations = places.map(() => rng.int(10));
  // Arrival times of the visits in index order (the route as built), then windows around them.
  let t = 0;
  let prev = depot;
  const windows = places.map((p, i) => {
    t += euclid.time(prev, p);
    const tight = rng.next() < 0.6;
    const before = tight ? rng.next() * 15 : rng.next() * 400;
    const after = tight ? rng.next() * 15 : rng.next() * 400;
    const w = { start: Math.max(0, t - before), end: t + after };
    t += durations[i]!;
    prev = p;
    return w;
  });
  const problem: Problem = {
    technicians: [
      {
        id: 'T',
        skills: [],
        start: depot,
        end: depot,
        shifts: [{ id: 'day', interval: { start: 0, end: t + euclid.time(prev, depot) + 30 } }],
      },
    ],
    visits: places.map((place, i) => ({
      id: `v${i}`,
      place,
      duration: durations[i]!,
      window: windows[i]!,
      skills: [],
    })),
    travel: euclid,
  };
  const inst = compileInstance(problem);
  const sol = new Solution(inst);
  sol.setRoute(
    0,
    places.map((_, i) => i),
  );
  sol.syncUnassigned();
  return { problem, inst, sol };
}

/** Travel of seq for vehicle 0, Infinity when a window or the shift end breaks. */
function sequenceCost(inst: Instance, seq: number[]): number {
  const veh = inst.vehicles[0]!;
  const M = inst.nodeCount;
  let t = veh.shiftStart;
  let prev = veh.startNode;
  let c = 0;
  for (const u of seq) {
    t = Math.max(t + inst.time[prev * M + u]!, inst.windowStart[u]!);
    if (t > inst.windowEnd[u]!) return Infinity;
    c += inst.time[prev * M + u]!;
    t += inst.duration[u]!;
    prev = u;
  }
  if (t + inst.time[prev * M + veh.endNode]! > veh.endLimit) return Infinity;
  return c + inst.time[prev * M + veh.endNode]!;
}

/** The reference: every whole sequence built and costed, the first that costs less. */
function referenceMove(inst: Instance, visits: number[], u: number, v: number): number[] | undefined {
  const before = sequenceCost(inst, visits);
  for (let len = 1; len <= 3; len++) {
    const s = visits.indexOf(u);
    if (s + len > visits.length) break;
    const seg = visits.slice(s, s + len);
    if (seg.includes(v)) break;
    const rest = [...visits.slice(0, s), ...visits.slice(s + len)];
    const at = rest.indexOf(v);
    for (const p of [at + 1, at]) {
      const seq = [...rest.slice(0, p), ...seg, ...rest.slice(p)];
      if (sequenceCost(inst, seq) < before - 1e-7) return seq;
    }
  }
  return undefined;
}

describe('intra-route relocate (arc-cost)', () => {
  it('makes the same move as costing every whole sequence, and keeps the route valid', () => {
    let moved = 0;
    let kept = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { problem, inst, sol } = randomRoute(seed, 12);
      expect(inst.arcCost).toBe(true);
      const visits = sol.routes[0]!.visits.slice();
      expect(sequenceCost(inst, visits)).toBeLessThan(Infinity);
      for (const u of visits) {
        for (const v of visits) {
          if (u === v) continue;
          const expected = referenceMove(inst, visits, u, v);
          const trial = sol.clone();
          const did = tryIntraRelocate(trial, u, v);
          expect(did).toBe(expected !== undefined);
          if (expected === undefined) {
            expect(trial.routes[0]!.visits).toEqual(visits);
            kept++;
            continue;
          }
          moved++;
          expect(trial.routes[0]!.visits).toEqual(expected);
          expect(trial.cost()).toBeCloseTo(sequenceCost(inst, expected), 6);
          expect(checkPlan(problem, toPlan(inst, trial).plan, { requireAll: true })).toEqual([]);
        }
      }
    }
    // Both outcomes are exercised (an improving move found, and none: windows or no gain).
    expect(moved).toBeGreaterThan(100);
    expect(kept).toBeGreaterThan(100);
  });
});
