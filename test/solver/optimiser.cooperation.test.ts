/**
 * Trajectories that solve decomposition rounds side by side (threads > 1 from DECOMPOSE_FROM visits):
 * the shared-memory meetings, the routes' encoding, a round whose partner never comes, and planRoutes
 * with two threads on a 600-customer instance.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSolomon, solomonProblem } from '../../benchmarks/solomon.js';
import { checkPlan } from '../../solver/check.js';
import {
  Cooperation,
  cooperationData,
  decodeRoutes,
  encodeRoutes,
} from '../../solver/optimiser/cooperation.js';
import { cooperativeRound, DECOMPOSE_FROM, routeGroups } from '../../solver/optimiser/decomposition.js';
import { planRoutes } from '../../solver/optimiser/index.js';
import { greedyInsert } from '../../solver/optimiser/insertion.js';
import { compileInstance, DEFAULT_STABILITY } from '../../solver/optimiser/instance.js';
import { Random } from '../../solver/optimiser/prng.js';
import { Solution } from '../../solver/optimiser/solution.js';

const instance = (file: string, name: string) =>
  parseSolomon(readFileSync(resolve(import.meta.dirname, `../../benchmarks/data/${file}`), 'utf8'), name);

describe('meetings between trajectories', () => {
  it('each reads the others’ payload of the same meeting, even and odd meetings in their own slots', () => {
    const data = cooperationData(2, 8);
    const a = new Cooperation(data, 0);
    const b = new Cooperation(data, 1);
    // b publishes meeting 0 and does not wait; a then finds it.
    const early = b.meet(0, Int32Array.from([7, 8]), 0);
    expect(early[1]).toEqual(Int32Array.from([7, 8]));
    expect(early[0]).toBeUndefined();
    // b did not find a in time: it goes on alone and meets no one again.
    expect(b.active).toBe(false);
    const got = a.meet(0, Int32Array.from([1]), 0);
    expect(got[0]).toEqual(Int32Array.from([1]));
    expect(got[1]).toEqual(Int32Array.from([7, 8]));
    expect(a.active).toBe(true);
    // Meeting 1: b is alone now, so it publishes nothing and a waits for nothing.
    expect(b.meet(1, Int32Array.from([9]), 0)).toEqual([undefined, Int32Array.from([9])]);
    const next = a.meet(1, Int32Array.from([2]), 0);
    expect(next[1]).toBeUndefined();
    expect(a.active).toBe(false);
  });

  it('refuses a payload larger than its slot', () => {
    const a = new Cooperation(cooperationData(2, 2), 0);
    expect(() => a.meet(0, Int32Array.from([1, 2, 3]), 0)).toThrow(RangeError);
  });

  it('encodes routes and reads them back; refuses a visit out of range, twice, or lengths that do not add up', () => {
    const routes = [{ visits: [3, 1] }, { visits: [] }, { visits: [0, 2, 4] }];
    const data = encodeRoutes(routes);
    expect(Array.from(data)).toEqual([2, 0, 3, 3, 1, 0, 2, 4]);
    expect(decodeRoutes(data, 3, 5)).toEqual([[3, 1], [], [0, 2, 4]]);
    expect(decodeRoutes(data, 3, 4)).toBeUndefined();
    expect(decodeRoutes(Int32Array.from([2, 1, 1, 1]), 2, 5)).toBeUndefined();
    expect(decodeRoutes(Int32Array.from([2, 1, 0, 1]), 2, 5)).toBeUndefined();
    expect(decodeRoutes(Int32Array.from([1, 0, 0, 1]), 2, 5)).toBeUndefined();
  });
});

describe('a cooperative decomposition round', () => {
  const problem = solomonProblem(instance('solomon/R101.txt', 'R101'));
  const start = (): Solution => {
    const inst = compileInstance(problem, DEFAULT_STABILITY);
    const sol = new Solution(inst);
    greedyInsert(sol, [...sol.unassigned]);
    return sol;
  };
  const byIterations = () => ({ deadline: Infinity, startedAt: 0, maxIterations: 200, now: () => 0 });

  it('whose partner never comes solves every group alone, never costs more and keeps every customer', () => {
    const sol = start();
    const before = sol.cost();
    const channel = new Cooperation(cooperationData(2, 8 * sol.inst.vehicles.length + 116), 0);
    const groups = routeGroups(sol, new Random(5), 25).length;
    const round = cooperativeRound(sol, channel, 0, new Random(5), new Random(1), byIterations, 0, 25);
    expect(channel.active).toBe(false);
    expect(round.subproblems).toBe(groups);
    expect(round.from).toBe(0);
    expect(sol.cost()).toBeLessThanOrEqual(before);
    expect(round.improved).toBeGreaterThan(0);
    expect(sol.unassigned).toEqual([]);
  });

  it('goes on from the cheaper best a partner showed, and takes in the groups the partner solved', () => {
    const inst = compileInstance(problem, DEFAULT_STABILITY);
    const worse = start();
    const data = cooperationData(2, 8 * inst.vehicles.length + 116);
    // The partner (index 1) shows a better best at meeting 0 and, at meeting 1, nothing: it is then
    // left out, so this trajectory solves its own half only and the partner's groups stay as they were.
    const better = worse.clone();
    const polished = cooperativeRound(
      better,
      new Cooperation(cooperationData(2, 8 * inst.vehicles.length + 116), 0),
      0,
      new Random(5),
      new Random(2),
      byIterations,
      0,
      25,
    );
    expect(polished.improved).toBeGreaterThan(0);
    const partner = new Cooperation(data, 1);
    partner.meet(0, encodeRoutes(better.routes), 0);
    const own = new Cooperation(data, 0);
    const mine = worse.clone();
    const round = cooperativeRound(mine, own, 0, new Random(7), new Random(3), byIterations, 0, 25);
    expect(round.from).toBe(1);
    const groups = routeGroups(better, new Random(7), 25).length;
    expect(round.subproblems).toBe(Math.ceil(groups / 2));
    expect(mine.cost()).toBeLessThanOrEqual(better.cost());
    expect(mine.unassigned).toEqual([]);
  });
});

describe('planRoutes with two threads from DECOMPOSE_FROM visits', () => {
  it('solves every decomposition round side by side, repeats exactly and passes checkPlan', async () => {
    const problem = solomonProblem(instance('homberger_1000/r1_10_1.txt', 'r1_10_1'), DECOMPOSE_FROM);
    // No set partitioning: its MIPs would take most of the time, and the rounds do not need them.
    const options = { timeLimitMs: 600_000, maxIterations: 20, seed: 4, threads: 2, setPartitioning: false };
    const first = await planRoutes(problem, options);
    const second = await planRoutes(problem, options);
    expect(first.stats.helperFailures).toBeUndefined();
    expect(first.stats.decomposition?.rounds).toBeGreaterThan(0);
    expect(first.stats.decomposition?.together).toBe(first.stats.decomposition?.rounds);
    expect(second.plan).toEqual(first.plan);
    expect(checkPlan(problem, first.plan, { requireAll: true })).toEqual([]);
  }, 600_000);
});
