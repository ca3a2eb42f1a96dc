/**
 * The large-instance machinery: decomposition into subproblems (routes grouped by angle, each group
 * solved alone and written back only when the whole gets cheaper), granular insertion and local search
 * restricted to changed routes. Iteration caps (not the clock) bound every search, so runs repeat.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSolomon, solomonProblem } from '../../benchmarks/solomon.js';
import { checkPlan } from '../../solver/check.js';
import type { SearchLimits } from '../../solver/optimiser/alns.js';
import {
  decompositionRound,
  DECOMPOSE_FROM,
  routeGroups,
  subproblem,
} from '../../solver/optimiser/decomposition.js';
import { currentPlanSolution } from '../../solver/optimiser/initial.js';
import {
  greedyInsert,
  GRANULAR_FROM,
  LONG_ROUTE_VISITS,
  regretInsert,
} from '../../solver/optimiser/insertion.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { localSearch } from '../../solver/optimiser/localSearch.js';
import { planRoutes, toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { RoutePool } from '../../solver/optimiser/routePool.js';
import { loadHighs, recombineRoutes } from '../../solver/optimiser/setPartitioning.js';
import { Solution } from '../../solver/optimiser/solution.js';
import { closingDecompositionRound } from '../../solver/optimiser/trajectory.js';
import type { Problem, Technician, Visit } from '../../solver/problem.js';
import { HaversineTravel } from '../../solver/travel.js';
import { bookPlan } from './optimiserFixtures.js';

const HOUR = 3600;
const byIterations = (n: number): SearchLimits => ({
  deadline: Infinity,
  startedAt: 0,
  maxIterations: n,
  now: () => 0,
});

function solomon(name: string, customers?: number): Problem {
  const dir = join(import.meta.dirname, '../../benchmarks/data');
  const file = name.includes('_') ? `homberger_${name.split('_')[1] === '4' ? 400 : 1000}` : 'solomon';
  return solomonProblem(parseSolomon(readFileSync(join(dir, file, `${name}.txt`), 'utf8'), name), customers);
}

/** A field-service day for 8 technicians and 70 visits: skills, breaks, overtime, capacities. */
function fieldDay(seed: number): Problem {
  const rng = new Random(seed);
  let key = 0;
  const place = () => ({
    key: key++,
    lat: 45.75 + (rng.next() - 0.5) * 0.3,
    lon: 4.85 + (rng.next() - 0.5) * 0.4,
  });
  const technicians: Technician[] = Array.from({ length: 8 }, (_, t) => {
    const home = place();
    return {
      id: `tech-${t}`,
      skills: t % 3 === 0 ? ['elec', 'irve'] : ['elec'],
      start: home,
      end: home,
      ...(t % 4 === 1 ? { capacity: 6 } : {}),
      shifts: [
        {
          id: 'day',
          interval: { start: 8 * HOUR, end: 17 * HOUR },
          ...(t % 2 === 0
            ? { breaks: [{ earliestStart: 11.5 * HOUR, latestStart: 13.5 * HOUR, duration: HOUR }] }
            : {}),
          ...(t % 3 === 1 ? { maxOvertime: HOUR } : {}),
        },
      ],
    };
  });
  const visits: Visit[] = Array.from({ length: 70 }, (_, i) => {
    const start = (8 + rng.int(7)) * HOUR;
    return {
      id: `visit-${i}`,
      place: place(),
      duration: rng.pick([20, 30, 45]) * 60,
      window: { start, end: start + rng.pick([2, 3, 9]) * HOUR },
      skills: rng.next() < 0.15 ? ['irve'] : ['elec'],
      ...(rng.next() < 0.3 ? { demand: 1 } : {}),
    };
  });
  return { technicians, visits, travel: new HaversineTravel() };
}

const served = (sol: Solution): number[] => sol.routes.flatMap((r) => r.visits).sort((a, b) => a - b);

describe('decomposition', () => {
  it('cuts the used routes into groups that cover each exactly once, of about the asked size', () => {
    const inst = compileInstance(solomon('R101'));
    const sol = currentPlanSolution(inst);
    for (const seed of [1, 2, 3]) {
      const groups = routeGroups(sol, new Random(seed), 25);
      const all = groups.flat().sort((a, b) => a - b);
      const used = sol.routes.filter((r) => r.visits.length > 0).map((r) => r.vehicle);
      expect(all).toEqual(used);
      for (const g of groups.slice(0, -1)) {
        const size = g.reduce((n, k) => n + sol.routes[k]!.visits.length, 0);
        expect(size).toBeGreaterThanOrEqual(25);
      }
    }
  });

  it('a subproblem holds exactly its routes’ visits, their vehicles and one empty one, mapped back by index', () => {
    const inst = compileInstance(solomon('C101'));
    const sol = currentPlanSolution(inst);
    const group = routeGroups(sol, new Random(7), 30)[0]!;
    const sp = subproblem(inst, sol, group);
    const visits = group.flatMap((k) => sol.routes[k]!.visits).sort((a, b) => a - b);
    expect(Array.from(sp.visitOf)).toEqual(visits);
    expect(sp.inst.vehicles.length).toBe(group.length + 1);
    for (const k of group) expect(Array.from(sp.vehicleOf)).toContain(k);
    sp.visitOf.forEach((u, i) => expect(sp.inst.problem.visits[i]!.id).toBe(inst.problem.visits[u]!.id));
  });

  it('on Solomon R101 a round never costs more, serves every customer and passes checkPlan', () => {
    const problem = solomon('R101');
    const inst = compileInstance(problem);
    const sol = currentPlanSolution(inst);
    const before = sol.cost();
    const round = decompositionRound(sol, new Random(1), () => byIterations(300), 25);
    expect(round.subproblems).toBeGreaterThan(1);
    expect(round.improved).toBeGreaterThan(0);
    expect(sol.cost()).toBeLessThan(before);
    expect(sol.unassigned).toEqual([]);
    expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
  });

  it('repeats exactly for the same seed', () => {
    const inst = compileInstance(solomon('RC101'));
    const run = (seed: number) => {
      const sol = currentPlanSolution(inst);
      decompositionRound(sol, new Random(seed), () => byIterations(200), 30);
      return sol.routes.map((r) => r.visits.join(','));
    };
    expect(run(5)).toEqual(run(5));
  });

  it('on booked field-service days (breaks, skills, overtime, pins) a round keeps every promise', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
        const day = fieldDay(seed);
        const first = await planRoutes(day, { timeLimitMs: 60_000, maxIterations: 60, seed, threads: 1 });
        const problem = bookPlan(
          day,
          first.plan,
          (id) => Number(id.slice(6)) % 2 === 0,
          (id) => Number(id.slice(6)) % 10 === 0,
        );
        const inst = compileInstance(problem);
        const sol = currentPlanSolution(inst);
        const before = sol.cost();
        const servedBefore = served(sol);
        decompositionRound(sol, new Random(seed), () => byIterations(80), 20);
        expect(sol.cost()).toBeLessThanOrEqual(before);
        // Each group is re-solved with its own visits: nothing served is dropped.
        expect(served(sol)).toEqual(servedBefore);
        const plan = toPlan(inst, sol).plan;
        expect(checkPlan(problem, plan)).toEqual([]);
        for (const r of plan.routes)
          for (const s of r.stops) {
            const v = problem.visits.find((x) => x.id === s.visitId)!;
            if (v.pinned) {
              expect(r.technicianId).toBe(v.assigned!.technicianId);
              expect(s.start).toBe(v.assigned!.plannedStart);
            }
          }
      }),
      { numRuns: 5 },
    );
  }, 120_000);
});

describe('closing decomposition round (what the final MIP leaves of the budget)', () => {
  it('shares the time left among its subproblems, ends by the deadline and never costs more', () => {
    const problem = solomon('R101');
    const inst = compileInstance(problem);
    const sol = currentPlanSolution(inst);
    const before = sol.cost();
    // A clock that moves 1 ms per reading: the run is the same every time and never waits on the machine.
    let t = 0;
    const clock = { kind: 'wall' as const, now: () => ++t, wallSeconds: (ms: number) => ms / 1000 };
    const round = closingDecompositionRound(sol, new Random(3), clock, 600, 30);
    expect(round.subproblems).toBeGreaterThanOrEqual(3);
    expect(round.iterations).toBeGreaterThan(50);
    // Each subproblem stops at its share; the last one's share ends at the deadline (a few readings over).
    expect(t).toBeLessThan(600 + 50);
    expect(sol.cost()).toBeLessThanOrEqual(before);
    expect(sol.unassigned).toEqual([]);
    expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
  }, 30_000);
});

describe('pooled routes reordered before the MIP, by size', () => {
  const columnsOf = (name: string) => {
    const inst = compileInstance(solomon(name));
    const sol = currentPlanSolution(inst);
    const pool = new RoutePool();
    pool.add(sol);
    return { inst, sol, columns: pool.best(100_000) };
  };

  it('from DECOMPOSE_FROM visits the columns are ordered before the MIP; between GRANULAR_FROM and it they are not', async () => {
    const highs = await loadHighs();
    const large = columnsOf('c1_10_1');
    expect(large.inst.visitCount).toBeGreaterThanOrEqual(DECOMPOSE_FROM);
    recombineRoutes(highs, large.inst, large.sol, large.columns, 0.2);
    expect(large.columns.length).toBeGreaterThan(0);
    expect(large.columns.every((r) => r.ordered === true)).toBe(true);

    const middle = columnsOf('rc1_4_1');
    expect(middle.inst.visitCount).toBeGreaterThanOrEqual(GRANULAR_FROM);
    expect(middle.inst.visitCount).toBeLessThan(DECOMPOSE_FROM);
    recombineRoutes(highs, middle.inst, middle.sol, middle.columns, 0.2);
    expect(middle.columns.some((r) => r.ordered)).toBe(false);
  }, 120_000);
});

describe('granular insertion and local search (≥ GRANULAR_FROM visits)', () => {
  it('greedy insertion from the routes of the nearest neighbours still places every customer of a 400-customer instance', () => {
    const problem = solomon('rc1_4_1');
    const inst = compileInstance(problem);
    expect(inst.visitCount).toBeGreaterThanOrEqual(GRANULAR_FROM);
    const sol = currentPlanSolution(inst);
    expect(sol.unassigned).toEqual([]);
    // Take out a tenth and put it back greedily.
    const rng = new Random(3);
    const out = rng.shuffle(served(sol)).slice(0, 40);
    for (const u of out) sol.remove(u);
    greedyInsert(sol, out, rng);
    expect(sol.unassigned).toEqual([]);
    expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
  });

  it('on long routes (r2_4_1: ~20+ visits a route) greedy and regret insertion beside neighbours place every customer', () => {
    const problem = solomon('r2_4_1');
    const inst = compileInstance(problem);
    for (const repair of ['greedy', 'regret'] as const) {
      const sol = currentPlanSolution(inst);
      expect(sol.unassigned).toEqual([]);
      expect(sol.servedPerRoute()).toBeGreaterThanOrEqual(LONG_ROUTE_VISITS);
      const rng = new Random(7);
      const out = rng.shuffle(served(sol)).slice(0, 40);
      sol.removeMany(out);
      if (repair === 'greedy') greedyInsert(sol, out, rng, 0.01);
      else regretInsert(sol, out, 3, rng, 0.1);
      expect(sol.unassigned).toEqual([]);
      expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
    }
  });

  it('removing many visits at once leaves the same routes, caches and unserved order as removing them one by one', () => {
    const inst = compileInstance(solomon('r2_4_1'));
    const base = currentPlanSolution(inst);
    const rng = new Random(5);
    for (let round = 0; round < 5; round++) {
      const out = rng.shuffle(served(base)).slice(0, 10 + 20 * round);
      const one = base.clone();
      const many = base.clone();
      const removedOne = out.filter((u) => one.remove(u));
      expect(many.removeMany(out)).toEqual(removedOne);
      expect(many.unassigned).toEqual(one.unassigned);
      expect(Array.from(many.routeOf)).toEqual(Array.from(one.routeOf));
      many.routes.forEach((r, k) => {
        const o = one.routes[k]!;
        expect([r.visits, r.earliest, r.latest, r.loadUpTo, r.load]).toEqual([
          o.visits,
          o.earliest,
          o.latest,
          o.loadUpTo,
          o.load,
        ]);
        expect(r.cost).toBeCloseTo(o.cost, 9);
      });
    }
  });

  it('local search restricted to changed routes improves only from them and keeps the caller’s touched flags', () => {
    const problem = solomon('r1_4_1');
    const inst = compileInstance(problem);
    const sol = currentPlanSolution(inst);
    localSearch(sol, new Random(1), { neighbours: 12, maxPasses: 50 });
    const settled = sol.cost();
    // A locally optimal solution flagged nowhere: nothing to do.
    sol.touched.fill(0);
    expect(localSearch(sol, new Random(2), { neighbours: 12, maxPasses: 5, routes: sol.touched })).toBe(0);
    // Spoil two routes: a visit moved to the worst feasible place in another route. Flag only those.
    let moved = false;
    for (const u of served(sol)) {
      const from = sol.routeOf[u]!;
      for (let k = 0; k < sol.routes.length && !moved; k++) {
        const r = sol.routes[k]!;
        if (k === from || r.visits.length === 0) continue;
        let worst = -1;
        let worstCost = 50; // only clearly bad places
        for (let p = 0; p <= r.visits.length; p++) {
          const c = sol.insertionCost(u, k, p);
          if (c < Infinity && c > worstCost) [worst, worstCost] = [p, c];
        }
        if (worst < 0 || !sol.remove(u)) continue;
        sol.insert(u, k, worst);
        moved = true;
        sol.touched.fill(0);
        sol.touched[from] = 1;
        sol.touched[k] = 1;
      }
      if (moved) break;
    }
    expect(moved).toBe(true);
    const flagged = Array.from(sol.touched);
    const spoiled = sol.cost();
    expect(spoiled).toBeGreaterThan(settled);
    expect(
      localSearch(sol, new Random(3), { neighbours: 12, maxPasses: 50, routes: sol.touched }),
    ).toBeGreaterThan(0);
    expect(sol.cost()).toBeLessThan(spoiled);
    // The caller's flags survive (the search may add routes it changed).
    flagged.forEach((f, k) => f && expect(sol.touched[k]).toBe(1));
    expect(checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true })).toEqual([]);
  });
});
