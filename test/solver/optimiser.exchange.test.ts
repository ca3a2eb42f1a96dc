import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSolomon, solomonProblem } from '../../benchmarks/solomon.js';
import { checkPlan } from '../../solver/check.js';
import { planRoutes } from '../../solver/optimiser/index.js';
import { Exchange, exchangeData } from '../../solver/optimiser/exchange.js';
import { compileInstance, DEFAULT_STABILITY } from '../../solver/optimiser/instance.js';
import { Solution } from '../../solver/optimiser/solution.js';

const solomon = (name: string) =>
  parseSolomon(
    readFileSync(resolve(import.meta.dirname, `../../benchmarks/data/solomon/${name}.txt`), 'utf8'),
    name,
  );

describe('exchange of bests between trajectories', () => {
  const problem = solomonProblem(solomon('C101'), 25);

  it('hands each trajectory the routes the other published, once, and skips one that has not come', () => {
    const inst = compileInstance(problem, DEFAULT_STABILITY);
    const data = exchangeData(inst, 2);
    const own = new Exchange(data, 0);
    const helper = new Exchange(data, 1);
    const theirs = new Solution(inst);
    theirs.setRoute(0, [0, 1, 2]);
    theirs.setRoute(3, [5, 4]);
    theirs.syncUnassigned();
    // The helper comes first and does not wait: the other has published nothing yet.
    expect(helper.share(theirs, 0)).toEqual([]);
    const mine = new Solution(inst);
    mine.setRoute(1, [7]);
    mine.syncUnassigned();
    const got = own.share(mine, 0);
    expect(got).toHaveLength(1);
    expect(got[0]!.routes.map((r) => r.visits)).toEqual(theirs.routes.map((r) => r.visits));
    expect(got[0]!.unassigned).toEqual(theirs.unassigned);
    expect(got[0]!.cost()).toBeCloseTo(theirs.cost(), 9);
    // Once only.
    expect(own.share(mine, 0)).toEqual([]);
  });

  it('runs in planRoutes with two threads where routes are long: each receives the other best, runs repeat', async () => {
    // RC208's first 25 customers: 2 routes of ~12 visits.
    const long = solomonProblem(solomon('RC208'), 25);
    const options = { timeLimitMs: 120_000, maxIterations: 60, seed: 3, threads: 2 };
    const first = await planRoutes(long, options);
    const second = await planRoutes(long, options);
    expect(first.stats.helperFailures).toBeUndefined();
    expect(first.stats.exchange.received).toBe(2);
    expect(first.stats.exchange).toEqual(second.stats.exchange);
    expect(second.plan).toEqual(first.plan);
    expect(checkPlan(long, first.plan, { requireAll: true })).toEqual([]);
    const single = await planRoutes(long, { ...options, threads: 1 });
    expect(single.stats.exchange).toEqual({ received: 0, adopted: 0 });
    // Short routes (C101's first 25: ~8 visits a route): shared, left unused.
    const short = await planRoutes(problem, options);
    expect(short.stats.helperFailures).toBeUndefined();
    expect(short.stats.exchange).toEqual({ received: 0, adopted: 0 });
  }, 90_000);
});
