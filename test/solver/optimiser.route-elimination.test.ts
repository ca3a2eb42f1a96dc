/**
 * Route elimination (routeElimination.ts): one route emptied, its visits squeezed into the others through
 * infeasible space, never into an empty vehicle. Hand-built cases on a line (travel = |x_a − x_b|, depot
 * at 0) where what capacity and windows allow is known.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { capacityRoutes, eliminateRoute } from '../../solver/optimiser/routeElimination.js';
import { Solution } from '../../solver/optimiser/solution.js';
import { lineProblem } from './optimiserFixtures.js';

const technicians = (n: number, capacity?: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `T${i + 1}`, skills: [], ...(capacity ? { capacity } : {}) }));

function alone(problem: ReturnType<typeof lineProblem>['problem']): Solution {
  const inst = compileInstance(problem);
  const sol = new Solution(inst);
  // Each visit in a route of its own.
  problem.visits.forEach((_, u) => sol.setRoute(u, [u]));
  sol.syncUnassigned();
  return sol;
}

const routesOf = (sol: Solution, names: string[]) =>
  sol.routes
    .filter((r) => r.visits.length > 0)
    .map((r) => r.visits.map((u) => names[u]!).join(''))
    .sort();

describe('route elimination', () => {
  it('takes routes away down to what capacity allows, each plan feasible, then says it cannot', () => {
    const { problem, names } = lineProblem({
      xs: { a: 10, b: 20, c: 30, d: 40 },
      technicians: technicians(4, 2),
      visitDefaults: { demand: 1 },
    });
    let sol = alone(problem);
    expect(capacityRoutes(sol.inst)).toBe(2);
    expect(sol.cost()).toBe(200);
    const rng = new Random(3);
    // At least one route fewer each time (the squeeze may empty another on the way, as it did here).
    while (sol.usedVehicles() > 2) {
      const fewer = eliminateRoute(sol, rng)!;
      expect(fewer.usedVehicles()).toBeLessThan(sol.usedVehicles());
      expect(fewer.unassigned).toEqual([]);
      expect(checkPlan(problem, toPlan(fewer.inst, fewer).plan, { requireAll: true })).toEqual([]);
      sol = fewer;
    }
    // Two routes of two: the near pair and the far pair (0→10→20→0 and 0→30→40→0, either way round).
    expect(routesOf(sol, names).map((r) => [...r].sort().join(''))).toEqual(['ab', 'cd']);
    expect(sol.cost()).toBe(40 + 80);
    // One route would carry 4 for a capacity of 2.
    expect(eliminateRoute(sol, rng)).toBeUndefined();
    expect(sol.usedVehicles()).toBe(2);
  });

  it('leaves alone visits whose windows need a technician each', () => {
    // All four at the same moment, far apart: no route can hold two.
    const { problem } = lineProblem({
      xs: { a: 10, b: 20, c: 30, d: 40 },
      technicians: technicians(4),
      visitDefaults: { window: { start: 100, end: 105 }, duration: 60 },
    });
    const sol = alone(problem);
    expect(capacityRoutes(sol.inst)).toBeUndefined();
    const before = sol.cost();
    for (let seed = 1; seed <= 5; seed++) expect(eliminateRoute(sol, new Random(seed))).toBeUndefined();
    expect(sol.cost()).toBe(before);
    expect(sol.usedVehicles()).toBe(4);
  });

  it('squeezes the emptied route’s visit between two others once their windows make room', () => {
    // b fits between a and c only in order a, b, c; alone it costs its own trip.
    const { problem, names } = lineProblem({
      xs: { a: 10, b: 20, c: 30 },
      technicians: technicians(2),
      over: {
        a: { window: { start: 0, end: 15 } },
        b: { window: { start: 15, end: 25 } },
        c: { window: { start: 25, end: 40 } },
      },
    });
    const inst = compileInstance(problem);
    const sol = new Solution(inst);
    sol.setRoute(0, [0, 2]);
    sol.setRoute(1, [1]);
    sol.syncUnassigned();
    const fewer = eliminateRoute(sol, new Random(1))!;
    expect(routesOf(fewer, names)).toEqual(['abc']);
    expect(fewer.cost()).toBe(60);
    expect(checkPlan(problem, toPlan(inst, fewer).plan, { requireAll: true })).toEqual([]);
  });
});
