/**
 * Route floor of the ALNS (alns.ts SearchLimits.routeFloor), the search a route-count probe runs
 * (trajectory.ts): held at two routes or more on a line (travel = |x_a − x_b|, depot at 0) where one
 * route is cheapest, it ends with the cheapest two-route plan; without the floor, with the one route.
 * With a least route size (SearchLimits.routeFloorMinVisits), a route below it does not count.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { improveSolution } from '../../solver/optimiser/alns.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { Solution } from '../../solver/optimiser/solution.js';
import { oneRouteOnALine } from './optimiserFixtures.js';

describe('ALNS route floor', () => {
  // T1 serves a, b, c: 0→10→20→30→0 = 60, the cheapest plan.
  const { problem, names, inst, oneRoute } = oneRouteOnALine({ a: 10, b: 20, c: 30 }, 3);
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

  it('counts only routes of routeFloorMinVisits visits towards the floor', () => {
    // a, b, c, d at 10..40, one route 0→…→40→0 = 80. Two routes, any size: a alone (20) and b, c, d (80).
    // Two routes of two visits or more: a, b (40) and c, d (80) = 120; the other splits cost 140.
    const four = oneRouteOnALine({ a: 10, b: 20, c: 30, d: 40 }, 3);
    const fourInst = four.inst;
    const start = four.oneRoute();
    const routes = (sol: Solution): string[][] =>
      sol.routes
        .filter((r) => r.visits.length > 0)
        // Orders within a route tie on the line (0→20→40→30→0 = 0→20→30→40→0): compare the sets.
        .map((r) => r.visits.map((u) => four.names[u]!).sort())
        .sort((x, y) => x.length - y.length || x.join().localeCompare(y.join()));
    const anySize = improveSolution(start, new Random(3), limits(2), undefined).best;
    expect(routes(anySize)).toEqual([['a'], ['b', 'c', 'd']]);
    expect(anySize.cost()).toBe(100);
    const twoEach = improveSolution(
      start,
      new Random(3),
      { ...limits(2), maxIterations: 2000, routeFloorMinVisits: 2 },
      undefined,
    ).best;
    expect(routes(twoEach)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(twoEach.cost()).toBe(120);
    expect(checkPlan(four.problem, toPlan(fourInst, twoEach).plan, { requireAll: true })).toEqual([]);
  });
});
