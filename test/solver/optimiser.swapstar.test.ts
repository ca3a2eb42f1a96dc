/**
 * SWAP* in the penalised local search (penalisedSearch.ts): two visits change routes, each to its best
 * place in the other route rather than the place the other left. A hand-built case where it is the only
 * improving move: places on a line, travel = |x_a − x_b|, three visits per vehicle at most, d and c need
 * a skill only T2 has, and d must be reached by t = 60.
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

describe('SWAP*', () => {
  it('exchanges two visits between routes, each to its best place in the other', () => {
    const xs: Record<string, number> = { a: 10, x: 100, y: 15, d: 50, c: 95 };
    const over: Record<string, Partial<Visit>> = {
      d: { skills: ['hv'], window: { start: 0, end: 60 } },
      c: { skills: ['hv'] },
    };
    const { problem, names } = lineProblem({
      xs,
      over,
      technicians: [
        { id: 'T1', skills: [], capacity: 3 },
        { id: 'T2', skills: ['hv'], capacity: 3 },
      ],
      visitDefaults: { demand: 1 },
    });
    const inst = compileInstance(problem);
    const sol = new Solution(inst);
    const index = (n: string) => names.indexOf(n);
    // T1 0→10→100→0 = 200, T2 0→15→50→95→0 = 190. Relocating y to T1 gains nothing, x cannot join T2
    // (full), and x in y's place reaches d at 150, 90 late; penalties are heavy, so no detour through an
    // overloaded or late plan either. SWAP*: T1 a y = 30, T2 d then x and c = 200.
    sol.setRoute(0, ['a', 'x'].map(index));
    sol.setRoute(1, ['y', 'd', 'c'].map(index));
    sol.syncUnassigned();
    expect(sol.cost()).toBe(390);
    const weights = new PenaltyWeights(inst);
    weights.warp = weights.load = 1000;
    const stats = educate(sol, new PenalisedSearch(inst), weights, new Random(1));
    expect(stats.applied).toBe(true);
    const routes = sol.routes.map((r) => r.visits.map((u) => names[u]!));
    expect(routes[0]).toEqual(['a', 'y']);
    expect(routes[1]![0]).toBe('d');
    expect([...routes[1]!].sort()).toEqual(['c', 'd', 'x']);
    expect(sol.cost()).toBe(230);
    expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
  });
});
