/**
 * The balance weight (issue 16 item 5), on a case built by hand: two
 * technicians at one base, four one-hour visits at one place ten minutes
 * away. Driving alone puts all four on one technician (one round trip);
 * with a balance weight the four hours are shared two and two, and both
 * plans keep every rule.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { planRoutes } from '../../solver/optimiser/index.js';
import type { Problem, Technician, Visit } from '../../solver/problem.js';
import { MatrixTravel } from '../../solver/travel.js';

const H = 3600;
const base = { key: 0, lat: 0, lon: 0 };
const place = { key: 1, lat: 0, lon: 0 };
const travel = new MatrixTravel([
  [0, 600],
  [600, 0],
]);
const technician = (id: string): Technician => ({
  id,
  skills: [],
  start: base,
  end: base,
  shifts: [{ id: 'day', interval: { start: 8 * H, end: 17 * H } }],
});
const visit = (id: string): Visit => ({
  id,
  place,
  duration: H,
  window: { start: 8 * H, end: 15 * H },
  skills: [],
});
const problem: Problem = {
  technicians: [technician('T1'), technician('T2')],
  visits: ['a', 'b', 'c', 'd'].map(visit),
  travel,
};

async function routeSizes(balanceWeight?: number) {
  const result = await planRoutes(problem, {
    timeLimitMs: 2000,
    seed: 7,
    maxIterations: 200,
    setPartitioning: false,
    threads: 1,
    ...(balanceWeight !== undefined ? { balanceWeight } : {}),
  });
  expect(checkPlan(problem, result.plan, { requireAll: true })).toEqual([]);
  return result.plan.routes.map((r) => r.stops.length).sort();
}

describe('balance weight', () => {
  it('driving alone: one technician does all four visits', async () => {
    expect(await routeSizes()).toEqual([4]);
  });

  it('with a balance weight: two visits each', async () => {
    expect(await routeSizes(1)).toEqual([2, 2]);
  });

  it('refuses a negative or non-finite weight', async () => {
    await expect(
      planRoutes(problem, { timeLimitMs: 100, seed: 1, balanceWeight: -1, setPartitioning: false }),
    ).rejects.toThrow(/balanceWeight/);
  });
});
