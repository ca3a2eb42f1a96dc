/**
 * Route floor of the ALNS (alns.ts SearchLimits.routeFloor), the search a route-count probe runs
 * (trajectory.ts): held at two routes or more on a line (travel = |x_a − x_b|, depot at 0) where one
 * route is cheapest, it ends with the cheapest two-route plan; without the floor, with the one route.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { improveSolution } from '../../solver/optimiser/alns.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { Solution } from '../../solver/optimiser/solution.js';
import { lineProblem } from './optimiserFixtures.js';

describe('ALNS route floor', () => {
  const { problem, names } = lineProblem({
    xs: { a: 10, b: 20, c: 30 },
    technicians: [
      { id: 'T1', skills: [] },
      { id: 'T2', skills: [] },
      { id: 'T3', skills: [] },
    ],
  });
  const inst = compileInstance(problem);
  const oneRoute = (): Solution => {
    // T1 serves a, b, c: 0→10→20→30→0 = 60, the cheapest plan.
    const sol = new Solution(inst);
    sol.setRoute(
      0,
      ['a', 'b', 'c'].map((n) => names.indexOf(n)),
    );
    sol.syncUnassigned();
    return sol;
  };
  const limits = (routeFloor?: number) => ({
    deadline: Infinity,
    startedAt: 0,
    maxIterations: 300,
    now: () => 0,
    ...(routeFloor !== undefined ? { routeFloor } : {}),
  });
  const routesOf = (sol: Solution): string[][] =>
    sol.routes
      .filter((r) => r.visits.length > 0)
      .map((r) => r.visits.map((u) => names[u]!))
      .sort((x, y) => x.length - y.length || x.join().localeCompare(y.join()));

  it('without a floor keeps the one route', () => {
    const { best } = improveSolution(oneRoute(), new Random(3), limits(), undefined);
    expect(best.usedVehicles()).toBe(1);
    expect(best.cost()).toBe(60);
  });

  it('held at two routes, ends with the cheapest two-route plan', () => {
    // Two routes: a alone (20) and b, c (60) = 80; every other split costs 100. The polish of a new best
    // would move a into the other route (−20) and is undone there, since that falls below the floor.
    const { best } = improveSolution(oneRoute(), new Random(3), limits(2), undefined);
    expect(best.usedVehicles()).toBe(2);
    expect(routesOf(best)).toEqual([['a'], ['b', 'c']]);
    expect(best.cost()).toBe(80);
    expect(best.unassigned).toEqual([]);
    expect(checkPlan(problem, toPlan(inst, best).plan, { requireAll: true })).toEqual([]);
  });
});
