/**
 * polishPenalised: when the penalised search cannot end feasible (even after its repair with heavier
 * weights), the solution is not left as it was: the feasible-only local search still polishes it.
 * Hand-built case: a cheap but impossible merge tempts the penalised search into time warp, while
 * feasible moves (taking a zigzag's visits along on the way out to a far visit) reach the known best.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { educate, PenalisedSearch, PenaltyWeights } from '../../solver/optimiser/penalisedSearch.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { polishPenalised } from '../../solver/optimiser/polish.js';
import { Random } from '../../solver/optimiser/prng.js';
import { Solution } from '../../solver/optimiser/solution.js';
import type { Problem } from '../../solver/problem.js';
import { line, tech } from './lineFixtures.js';

/**
 * T1 zigzags 0→8→2→6→0 (24; going out and back once costs 16). a and b, both at 30, must each start at
 * exactly 30 and last 5, so no technician serves both: T2 and T3 serve one each (60 + 60). Merging them
 * saves 60 for 5 of time warp. Best feasible: 120, c, d and e served on the way out to a or b (on the
 * line they cost nothing there), one route fewer.
 */
function zigzagAndTemptation() {
  const xs: Record<string, number> = { c: 8, d: 2, e: 6, a: 30, b: 30 };
  const names = Object.keys(xs);
  const problem: Problem = {
    technicians: [tech('T1'), tech('T2'), tech('T3')],
    visits: names.map((id, i) => ({
      id,
      place: { key: i + 1, lat: 0, lon: xs[id]! },
      duration: id === 'a' || id === 'b' ? 5 : 0,
      window: id === 'a' || id === 'b' ? { start: 30, end: 30 } : { start: 0, end: 10_000 },
      skills: [],
    })),
    travel: line,
  };
  const inst = compileInstance(problem);
  const sol = new Solution(inst);
  [['c', 'd', 'e'], ['a'], ['b']].forEach((r, k) =>
    sol.setRoute(
      k,
      r.map((n) => names.indexOf(n)),
    ),
  );
  sol.syncUnassigned();
  // Time warp almost free: even the repair's ×100 leaves the merge of a and b worth its warp.
  const weights = new PenaltyWeights(inst);
  weights.warp = 1e-9;
  const routeOf = (n: string) => sol.routeOf[names.indexOf(n)]!;
  const valid = () => checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true });
  return { inst, sol, weights, routeOf, valid };
}

describe('polishPenalised', () => {
  it('the penalised search alone ends infeasible here and leaves the solution as it was', () => {
    const { inst, sol, weights } = zigzagAndTemptation();
    expect(sol.cost()).toBe(144);
    const stats = educate(sol, new PenalisedSearch(inst), weights, new Random(1));
    expect(stats.feasible).toBe(false);
    expect(stats.applied).toBe(false);
    expect(sol.cost()).toBe(144);
  });

  it('falls back to the feasible-only local search, which reaches the best feasible plan', () => {
    const { inst, sol, weights, routeOf, valid } = zigzagAndTemptation();
    const stats = polishPenalised(sol, new PenalisedSearch(inst), weights, new Random(1), {
      neighbours: 12,
      maxPasses: 20,
    });
    expect(stats.applied).toBe(false);
    expect(sol.cost()).toBe(120);
    expect(sol.usedVehicles()).toBe(2);
    expect(routeOf('a')).not.toBe(routeOf('b'));
    expect(valid()).toEqual([]);
  });
});
