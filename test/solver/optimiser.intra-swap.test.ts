/**
 * Swap within a route (penalisedSearch.ts intraSwap): strings of 1–2 visits of one route change places.
 * A hand-built route where no relocate (strings of 1–3, also reversed, anywhere in the route) and no 2-opt
 * reversal improves, found by enumerating them: only a swap can start the improvement. One technician, so
 * no move between routes applies; travel is the Manhattan distance on a grid, windows wide open.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { educate, PenalisedSearch, PenaltyWeights } from '../../solver/optimiser/penalisedSearch.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { Solution } from '../../solver/optimiser/solution.js';
import type { Problem } from '../../solver/problem.js';

describe('swap within a route', () => {
  it('improves a route that no relocate or 2-opt reversal improves', () => {
    const at: Record<string, [number, number]> = {
      a: [10, -30],
      b: [40, -20],
      c: [10, -20],
      d: [20, 10],
      e: [40, -30],
    };
    const names = Object.keys(at);
    const depot = { key: 0, lat: 0, lon: 0 };
    const problem: Problem = {
      technicians: [
        {
          id: 'T1',
          skills: [],
          start: depot,
          end: depot,
          shifts: [{ id: 'day', interval: { start: 0, end: 10_000 } }],
        },
      ],
      visits: names.map((id, i) => ({
        id,
        place: { key: i + 1, lat: at[id]![0], lon: at[id]![1] },
        duration: 0,
        window: { start: 0, end: 10_000 },
        skills: [],
      })),
      travel: {
        time: (p, q) => Math.abs(p.lat - q.lat) + Math.abs(p.lon - q.lon),
        distance: (p, q) => Math.abs(p.lat - q.lat) + Math.abs(p.lon - q.lon),
      },
    };
    const inst = compileInstance(problem);
    const sol = new Solution(inst);
    // 0 → d → e → b → c → a → 0: 30 + 60 + 10 + 30 + 10 + 40 = 180. d and the string c, a changing places
    // gives 0 → c → a → e → b → d → 0 = 160.
    sol.setRoute(
      0,
      ['d', 'e', 'b', 'c', 'a'].map((n) => names.indexOf(n)),
    );
    sol.syncUnassigned();
    expect(sol.cost()).toBe(180);
    const weights = new PenaltyWeights(inst);
    weights.warp = weights.load = 1000;
    const stats = educate(sol, new PenalisedSearch(inst), weights, new Random(1), names.length);
    expect(stats.applied).toBe(true);
    expect(sol.cost()).toBeLessThanOrEqual(160);
    expect(sol.routes[0]!.visits).toHaveLength(5);
    expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
  });
});
