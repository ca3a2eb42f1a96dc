/**
 * New-route repair (insertion.ts newRouteInsert): the visit it draws goes alone into an empty vehicle, and
 * the others follow where they are cheapest, the new route included. A hand-built case on a line (travel
 * = |x_a − x_b|, depot at 0) where greedy insertion keeps every visit in the one open route and the
 * repair opens the second.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { greedyInsert, newRouteInsert } from '../../solver/optimiser/insertion.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { Solution } from '../../solver/optimiser/solution.js';
import { lineProblem } from './optimiserFixtures.js';

describe('new-route repair', () => {
  const { problem, names } = lineProblem({
    xs: { a: 10, b: 20, c: 30, d: 100 },
    technicians: [
      { id: 'T1', skills: [] },
      { id: 'T2', skills: [] },
    ],
  });
  const inst = compileInstance(problem);
  const index = (n: string) => names.indexOf(n);
  const start = (): Solution => {
    // T1 serves a, b, c (0→10→20→30→0 = 60); d (at 100) is still to be placed.
    const sol = new Solution(inst);
    sol.setRoute(0, ['a', 'b', 'c'].map(index));
    sol.syncUnassigned();
    return sol;
  };

  it('greedy insertion alone keeps one route', () => {
    const sol = start();
    greedyInsert(sol, [index('d')]);
    // d after c costs 140 more (any order beyond b is as long on a line), T2 for d alone 200.
    expect(sol.routes[0]!.visits).toHaveLength(4);
    expect(sol.routes[1]!.visits).toEqual([]);
    expect(sol.cost()).toBe(200);
  });

  it('opens an empty vehicle for the visit it draws and puts the others at their cheapest places', () => {
    const sol = start();
    // With d alone pending, d is the one drawn: it opens T2 (0→100→0); the rest of T1 is unchanged.
    newRouteInsert(sol, [index('d')], new Random(1));
    expect(sol.routes.map((r) => r.visits.map((u) => names[u]!))).toEqual([['a', 'b', 'c'], ['d']]);
    expect(sol.unassigned).toEqual([]);
    expect(sol.cost()).toBe(60 + 200);
    expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
  });

  it('follows with greedy insertion, the new route included', () => {
    const sol = new Solution(inst);
    sol.setRoute(0, ['a', 'b'].map(index));
    sol.syncUnassigned();
    // Draw c or d to open T2; the other then goes beside it in T2 (never into T1, which costs more).
    newRouteInsert(sol, [index('c'), index('d')], new Random(7));
    expect(sol.routes[0]!.visits.map((u) => names[u]!)).toEqual(['a', 'b']);
    expect(sol.routes[1]!.visits.map((u) => names[u]!).sort()).toEqual(['c', 'd']);
    expect(sol.cost()).toBe(40 + 200);
    expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
  });
});
