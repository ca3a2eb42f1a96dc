/**
 * Broken input on the large-instance path (granular insertion, neighbour-list ruins, decomposition into
 * subproblems; technicians from one depot sharing its node): the same rules as on small days
 * (optimiser-badinput.test.ts, optimiser.input.test.ts). Broken visits come back unassigned with their
 * reason, technicians who cannot work (NaN home, zero-length shift) serve nothing, the rest is planned
 * and checked; never a hang. Iteration caps bound the search, so the run repeats.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { DECOMPOSE_FROM } from '../../solver/optimiser/decomposition.js';
import { planRoutes } from '../../solver/optimiser/index.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { Random } from '../../solver/optimiser/prng.js';
import type { Place, Problem, Technician, TravelModel, Visit } from '../../solver/problem.js';

const plane: TravelModel = {
  time: (a, b) => Math.hypot(a.lon - b.lon, a.lat - b.lat),
  distance: (a, b) => Math.hypot(a.lon - b.lon, a.lat - b.lat),
};
let key = 0;
const at = (x: number, y: number): Place => ({ key: key++, lat: y, lon: x });
const depot = at(0, 0);

function technician(id: string, over: Partial<Technician> = {}): Technician {
  return {
    id,
    skills: [],
    start: depot,
    end: depot,
    shifts: [{ id: 'day', interval: { start: 0, end: 2000 } }],
    ...over,
  };
}

/** DECOMPOSE_FROM good visits in a 200 × 200 square around the depot, 10 units on site, 300-unit windows. */
function goodVisits(seed: number): Visit[] {
  const rng = new Random(seed);
  return Array.from({ length: DECOMPOSE_FROM }, (_, i) => {
    const start = rng.int(1400);
    return {
      id: `v${i}`,
      place: at(rng.int(201) - 100, rng.int(201) - 100),
      duration: 10,
      window: { start, end: start + 300 },
      skills: [],
      demand: 1,
    };
  });
}

describe('planRoutes on broken input, large instances', () => {
  it('decomposes, keeps every good visit, reports each broken one with its reason', async () => {
    const good = goodVisits(7);
    const broken: Visit[] = [
      { id: 'nan-place', place: at(Number.NaN, 3), duration: 10, window: { start: 0, end: 900 }, skills: [] },
      { id: 'needs-gas', place: at(5, 5), duration: 10, window: { start: 0, end: 900 }, skills: ['gas'] },
      { id: 'nan-window', place: at(5, 5), duration: 10, window: { start: 0, end: Number.NaN }, skills: [] },
    ];
    const technicians = [
      technician('lost', { start: at(Number.NaN, Number.NaN), end: at(Number.NaN, Number.NaN) }),
      technician('zero', { shifts: [{ id: 'day', interval: { start: 100, end: 100 } }] }),
      ...Array.from({ length: 40 }, (_, i) => technician(`T${i}`, { capacity: 25 })),
    ];
    const problem: Problem = { technicians, visits: [...good, ...broken], travel: plane };
    const inst = compileInstance(problem);
    // The 40 technicians leaving from the depot share one node (plus lost's two NaN places).
    expect(inst.nodeCount).toBe(problem.visits.length + 3);
    expect(inst.visitCount).toBeGreaterThanOrEqual(DECOMPOSE_FROM);

    const options = { timeLimitMs: 600_000, maxIterations: 40, seed: 5, threads: 1 };
    const result = await planRoutes(problem, options);
    expect(result.stats.decomposition?.rounds).toBeGreaterThan(0);
    expect(checkPlan(problem, result.plan)).toEqual([]);
    expect(result.unassignedReasons).toEqual({
      'nan-place': 'invalid-visit',
      'needs-gas': 'no-technician-can-serve',
      'nan-window': 'invalid-visit',
    });
    const served = result.plan.routes.flatMap((r) => r.stops.map((s) => s.visitId));
    expect(served.sort()).toEqual(good.map((v) => v.id).sort());
    const working = new Set(result.plan.routes.map((r) => r.technicianId));
    expect(working.has('lost')).toBe(false);
    expect(working.has('zero')).toBe(false);
  }, 120_000);
});
