import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSolomon, solomonProblem } from '../../benchmarks/solomon.js';
import { checkPlan } from '../../solver/check.js';
import { planRoutes, planRoutesInWorker, travelFromDescription } from '../../solver/optimiser/index.js';
import { HaversineTravel } from '../../solver/travel.js';

const C101 = parseSolomon(
  readFileSync(resolve(import.meta.dirname, '../../benchmarks/data/solomon/C101.txt'), 'utf8'),
  'C101',
);

describe('planRoutes on Solomon C101, first 25 customers', () => {
  const problem = solomonProblem(C101, 25);

  it('serves every customer with a valid plan close to the optimum', async () => {
    const result = await planRoutes(problem, { timeLimitMs: 60_000, maxIterations: 300, seed: 1 });
    expect(checkPlan(problem, result.plan, { requireAll: true })).toEqual([]);
    expect(result.plan.unassigned).toEqual([]);
    // Known optimum: 191.3 with distances truncated to one decimal, 191.81 unrounded (3 vehicles).
    expect(result.cost.distance).toBeLessThan(191.82);
    expect(result.plan.routes).toHaveLength(3);
  });

  it('runs two trajectories in threads, merges them, and repeats for the same seed and thread count', async () => {
    const options = { timeLimitMs: 120_000, maxIterations: 60, seed: 7, threads: 2 };
    const first = await planRoutes(problem, options);
    const second = await planRoutes(problem, options);
    expect(first.stats.threads).toBe(2);
    expect(first.stats.helperFailures).toBeUndefined();
    // Both trajectories' iterations count, and their pools are merged before set partitioning.
    expect(first.stats.iterations).toBe(120);
    // Routes of ~8 visits: no route-count probe (they are for long routes, trajectory.ts).
    expect(first.stats.probes.runs).toBe(0);
    expect(checkPlan(problem, first.plan, { requireAll: true })).toEqual([]);
    expect(second.plan).toEqual(first.plan);
    // Two runs each start a helper thread (loader, HiGHS, problem): over 5 s on the shared host at load 12.
  }, 60_000);

  it('counts the budget in thread CPU time when asked, and still ends', async () => {
    const result = await planRoutes(problem, { timeLimitMs: 300, seed: 1, threads: 1, clock: 'thread-cpu' });
    expect(checkPlan(problem, result.plan, { requireAll: true })).toEqual([]);
    expect(result.stats.iterations).toBeGreaterThan(0);
  });

  it('runs in a worker thread, from the tabulated travel model', async () => {
    const result = await planRoutesInWorker(problem, { timeLimitMs: 60_000, maxIterations: 100, seed: 1 });
    expect(checkPlan(problem, result.plan, { requireAll: true })).toEqual([]);
  });

  it('runs in a worker thread, from an explicit travel description', async () => {
    const places = [{ key: 0, lat: 50, lon: 40 }, ...problem.visits.map((v) => v.place)];
    const time = places.map((a) => places.map((b) => Math.hypot(a.lon - b.lon, a.lat - b.lat)));
    const result = await planRoutesInWorker(
      problem,
      { timeLimitMs: 60_000, maxIterations: 100, seed: 1 },
      { travel: { kind: 'matrix', time } },
    );
    expect(checkPlan(problem, result.plan, { requireAll: true })).toEqual([]);
  });

  it('rejects when aborted', async () => {
    const controller = new AbortController();
    const pending = planRoutesInWorker(
      problem,
      { timeLimitMs: 60_000, seed: 1 },
      { signal: controller.signal },
    );
    controller.abort(new Error('planner closed the page'));
    await expect(pending).rejects.toThrow('planner closed the page');
  });
});

describe('travelFromDescription', () => {
  it('rebuilds a haversine model that agrees with the original', () => {
    const a = { key: 1, lat: 48.85, lon: 2.35 };
    const b = { key: 2, lat: 48.9, lon: 2.25 };
    const original = new HaversineTravel({
      detourFactor: 1.4,
      zoneOf: (p) => (p.key === 1 ? 'urban' : 'rural'),
    });
    const rebuilt = travelFromDescription({
      kind: 'haversine',
      detourFactor: 1.4,
      zoneByKey: { 1: 'urban', 2: 'rural' },
    });
    expect(rebuilt.time(a, b)).toBeCloseTo(original.time(a, b), 9);
    expect(rebuilt.distance(a, b)).toBeCloseTo(original.distance(a, b), 9);
  });
});

describe('planRoutes on Solomon C201, first 40 customers (long routes)', () => {
  const C201 = parseSolomon(
    readFileSync(resolve(import.meta.dirname, '../../benchmarks/data/solomon/C201.txt'), 'utf8'),
    'C201',
  );
  const problem = solomonProblem(C201, 40);

  it('runs a route-count probe at two checkpoints and repeats for the same seed', async () => {
    const options = { timeLimitMs: 120_000, maxIterations: 200, seed: 3, threads: 1 };
    const first = await planRoutes(problem, options);
    const second = await planRoutes(problem, options);
    // Each probe runs 10 % of the iterations, held at one route more than the best had.
    expect(first.stats.probes.runs).toBe(2);
    expect(first.stats.probes.iterations).toBe(40);
    expect(checkPlan(problem, first.plan, { requireAll: true })).toEqual([]);
    expect(second.plan).toEqual(first.plan);
  }, 60_000);
});
