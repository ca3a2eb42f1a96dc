/**
 * Relocate to the best place of a route (penalisedSearch.ts): a visit moves to the cheapest position of a
 * route holding one of its neighbours, wherever that is, not only beside the neighbour. A hand-built case
 * where it is the only improving move: places on a line, travel = |x_a − x_b|, one neighbour per visit,
 * v, w and z need a skill only T2 has, and their windows leave u room only at the end of T2's day.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { educate, PenalisedSearch, PenaltyWeights } from '../../solver/optimiser/penalisedSearch.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { Solution } from '../../solver/optimiser/solution.js';
import type { Visit } from '../../solver/problem.js';
import { lineProblem } from './optimiserFixtures.js';

describe('relocate to the best place of a route', () => {
  it('moves a visit to the far end of the route of its nearest neighbour', () => {
    const xs: Record<string, number> = { u: 52, v: 50, w: 60, z: 70 };
    const over: Record<string, Partial<Visit>> = {
      u: { window: { start: 200, end: 300 } },
      v: { skills: ['hv'], window: { start: 50, end: 50 } },
      w: { skills: ['hv'], window: { start: 60, end: 65 } },
      z: { skills: ['hv'], window: { start: 70, end: 75 } },
    };
    const { problem, names } = lineProblem({
      xs,
      over,
      technicians: [
        { id: 'T1', skills: [] },
        { id: 'T2', skills: ['hv'] },
      ],
    });
    const inst = compileInstance(problem);
    const sol = new Solution(inst);
    const index = (n: string) => names.indexOf(n);
    // T1 0→52→0 = 104, T2 0→50→60→70→0 = 140. u beside v (its one neighbour) makes v, w or z late;
    // after z, u waits for its window at no extra distance: 0 + 140.
    sol.setRoute(0, [index('u')]);
    sol.setRoute(1, ['v', 'w', 'z'].map(index));
    sol.syncUnassigned();
    expect(sol.cost()).toBe(244);
    const weights = new PenaltyWeights(inst);
    weights.warp = weights.load = 1000;
    const stats = educate(sol, new PenalisedSearch(inst), weights, new Random(1), 1);
    expect(stats.applied).toBe(true);
    expect(sol.routes.map((r) => r.visits.map((u) => names[u]!))).toEqual([[], ['v', 'w', 'z', 'u']]);
    expect(sol.cost()).toBe(140);
    expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
  });
});
