/**
 * The route pool feeding set partitioning: once full it keeps the routes of the best solutions and goes
 * on taking new ones (it used to stop, so a long search's later and better routes never reached the MIP).
 */
import { describe, expect, it } from 'vitest';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { RoutePool } from '../../solver/optimiser/routePool.js';
import { Solution } from '../../solver/optimiser/solution.js';
import type { Place, Problem, TravelModel } from '../../solver/problem.js';

const line: TravelModel = {
  time: (a, b) => Math.abs(a.lon - b.lon),
  distance: (a, b) => Math.abs(a.lon - b.lon),
};
const depot: Place = { key: 0, lat: 0, lon: 0 };
const problem: Problem = {
  technicians: [
    {
      id: 'T',
      skills: [],
      start: depot,
      end: depot,
      shifts: [{ id: 'day', interval: { start: 0, end: 1e6 } }],
    },
  ],
  visits: Array.from({ length: 12 }, (_, i) => ({
    id: `v${i}`,
    place: { key: i + 1, lat: 0, lon: 10 * (i + 1) },
    duration: 0,
    window: { start: 0, end: 1e6 },
    skills: [],
  })),
  travel: line,
};
const inst = compileInstance(problem);

/** A one-route solution serving `visits`; the others are unserved, so serving more costs less. */
function solutionOf(visits: number[]): Solution {
  const sol = new Solution(inst);
  sol.setRoute(0, visits);
  sol.syncUnassigned();
  return sol;
}

describe('RoutePool', () => {
  it('when full, keeps the routes of the best solutions and still takes new ones', () => {
    const pool = new RoutePool(4);
    // Solutions serving more visits cost less (unserved penalties): [0..5] is the best of these.
    const routes = [[0], [0, 1], [0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5]];
    for (const r of routes) pool.add(solutionOf(r));
    expect(pool.size).toBeLessThanOrEqual(4);
    const kept = pool.best(10).map((c) => c.visits.join(','));
    // The last and best route made it in; the worst ones went.
    expect(kept[0]).toBe('0,1,2,3,4,5');
    expect(kept).not.toContain('0');
    expect(kept).toContain('0,1,2,3,4');
  });

  it('ranks a route by the best solution it was seen in, and does not store a route twice', () => {
    const pool = new RoutePool();
    pool.add(solutionOf([2, 1]));
    pool.add(solutionOf([2, 1]));
    expect(pool.size).toBe(1);
    const [only] = pool.best(5);
    expect(only!.visits).toEqual([2, 1]);
    expect(only!.bestSolutionCost).toBe(solutionOf([2, 1]).cost());
  });
});
