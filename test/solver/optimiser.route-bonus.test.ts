/**
 * Route bonus of the ALNS (alns.ts SearchLimits.routeBonusArcs), which long-route trajectories run
 * with (trajectory.ts): the annealing compares candidates with a bonus per used route, but the best is
 * always measured by the plan's true cost. On a line (travel = |x_a − x_b|, depot at 0) one route is the
 * cheapest plan; a bonus large enough to make three routes look cheapest to the annealing for the whole
 * search still returns that one route, and random small problems keep valid plans no dearer than the start.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { improveSolution, type SearchLimits } from '../../solver/optimiser/alns.js';
import { currentPlanSolution } from '../../solver/optimiser/initial.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { RoutePool } from '../../solver/optimiser/routePool.js';
import { Solution } from '../../solver/optimiser/solution.js';
import { oneRouteOnALine, randomProblem } from './optimiserFixtures.js';

const limits = (routeBonusArcs: number, routeBonusUntil = 1): SearchLimits => ({
  deadline: Infinity,
  startedAt: 0,
  maxIterations: 300,
  now: () => 0,
  routeBonusArcs,
  routeBonusUntil,
});

describe('ALNS route bonus', () => {
  // T1 serves a, b, c: 0→10→20→30→0 = 60. Three routes cost 20 + 40 + 60 = 120, but with a bonus of
  // 50 typical arcs (15 each here: 60 over 4 arcs) per route the annealing sees them at 120 − 2,250.
  const { problem, inst, oneRoute } = oneRouteOnALine({ a: 10, b: 20, c: 30 }, 3);

  it('never counts the bonus in the best', () => {
    const { best } = improveSolution(oneRoute(), new Random(3), limits(50), undefined);
    expect(best.usedVehicles()).toBe(1);
    expect(best.cost()).toBe(60);
    expect(checkPlan(problem, toPlan(inst, best).plan, { requireAll: true })).toEqual([]);
  });

  it('lets the annealing take a dearer plan with more routes while the bonus lasts', () => {
    // a at 10, b at 1000, c at 1010: one route 0→10→1000→1010→0 = 2,020; a alone and b, c = 20 + 2,020 =
    // 2,040, close enough to the best (2 %) for the pool to keep the routes of any plan the annealing takes.
    // Nearly cold (a thousandth of an arc), the annealing never takes the two-route plan (+20); with a
    // bonus of one typical arc (505) per route it does, and a's lone route reaches the pool. The best
    // stays the one route either way.
    const far = oneRouteOnALine({ a: 10, b: 1000, c: 1010 }, 2);
    const a = far.names.indexOf('a');
    const run = (arcs: number): { best: Solution; loneA: boolean } => {
      const start = far.oneRoute();
      const pool = new RoutePool();
      const cold = { ...limits(arcs), startTemperatureArcs: 0.001 };
      const { best } = improveSolution(start, new Random(7), cold, pool);
      const loneA = pool.best(100).some((r) => r.visits.length === 1 && r.visits[0] === a);
      return { best, loneA };
    };
    const without = run(0);
    expect(without.loneA).toBe(false);
    expect(without.best.cost()).toBe(2020);
    const withBonus = run(1);
    expect(withBonus.loneA).toBe(true);
    expect(withBonus.best.cost()).toBe(2020);
    expect(withBonus.best.usedVehicles()).toBe(1);
  });

  it('keeps plans valid and no dearer than the start on random small problems', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 8 }), (seed, arcs) => {
        const p = randomProblem(seed);
        const pInst = compileInstance(p);
        const start = currentPlanSolution(pInst);
        const { best } = improveSolution(start, new Random(seed), limits(arcs, 0.5), undefined);
        expect(best.cost()).toBeLessThanOrEqual(start.cost() + 1e-9);
        expect(checkPlan(p, toPlan(pInst, best).plan)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
