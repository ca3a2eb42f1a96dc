/**
 * Time-warp segments (timeWarp.ts) and the penalised local search (penalisedSearch.ts): joins agree
 * with a plain simulation of the route, warp is zero exactly when schedule.ts finds the route
 * feasible, and each move of the penalised search on a hand-built case where its best move is known.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { compileInstance, type Instance } from '../../solver/optimiser/instance.js';
import { educate, PenalisedSearch, PenaltyWeights } from '../../solver/optimiser/penalisedSearch.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Random } from '../../solver/optimiser/prng.js';
import { routeCost } from '../../solver/optimiser/schedule.js';
import { Solution } from '../../solver/optimiser/solution.js';
import { Segment, sequenceWarp, WarpRoute } from '../../solver/optimiser/timeWarp.js';
import type { Place, Problem, Technician, TravelModel, Visit } from '../../solver/problem.js';

const line: TravelModel = {
  time: (a, b) => Math.abs(a.lon - b.lon),
  distance: (a, b) => Math.abs(a.lon - b.lon),
};
const depot: Place = { key: 0, lat: 0, lon: 0 };
const tech = (id: string, end = 10_000, capacity?: number): Technician => ({
  id,
  skills: [],
  start: depot,
  end: depot,
  ...(capacity === undefined ? {} : { capacity }),
  shifts: [{ id: 'day', interval: { start: 0, end } }],
});

/** Warp by the textbook definition: arrive, wait for the window, or warp back to its end. */
function simulatedWarp(inst: Instance, k: number, seq: number[]): number {
  const veh = inst.vehicles[k]!;
  const M = inst.nodeCount;
  let t = veh.shiftStart;
  let prev = veh.startNode;
  let warp = 0;
  for (const u of seq) {
    t = Math.max(t + inst.time[prev * M + u]!, inst.windowStart[u]!);
    if (t > inst.windowEnd[u]!) {
      warp += t - inst.windowEnd[u]!;
      t = inst.windowEnd[u]!;
    }
    t += inst.duration[u]!;
    prev = u;
  }
  t += inst.time[prev * M + veh.endNode]!;
  return warp + Math.max(0, t - veh.endLimit);
}

function lineProblem(
  xs: number[],
  windows: [number, number][],
  durations: number[],
  shiftEnd: number,
): Problem {
  return {
    technicians: [tech('T1', shiftEnd)],
    visits: xs.map((x, i) => ({
      id: `v${i}`,
      place: { key: i + 1, lat: 0, lon: x },
      duration: durations[i]!,
      window: { start: windows[i]![0], end: windows[i]![1] },
      skills: [],
    })),
    travel: line,
  };
}

describe('time-warp segments', () => {
  it('a route joined from its parts has the warp of a plain simulation, zero exactly when it is feasible', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            x: fc.integer({ min: -100, max: 100 }),
            a: fc.integer({ min: 0, max: 300 }),
            w: fc.integer({ min: 0, max: 200 }),
            d: fc.integer({ min: 0, max: 30 }),
          }),
          { minLength: 1, maxLength: 9 },
        ),
        fc.integer({ min: 50, max: 800 }),
        fc.integer({ min: 0, max: 8 }),
        (rows, shiftEnd, cut) => {
          const problem = lineProblem(
            rows.map((r) => r.x),
            rows.map((r) => [r.a, r.a + r.w]),
            rows.map((r) => r.d),
            shiftEnd,
          );
          const inst = compileInstance(problem);
          const seq = rows.map((_, i) => i);
          const expected = simulatedWarp(inst, 0, seq);
          expect(sequenceWarp(inst, 0, seq)).toBeCloseTo(expected, 9);
          // Prefix p joined with suffix p+1 is the whole route again, whatever p.
          const route = new WarpRoute(inst, 0);
          route.visits = seq.slice();
          const s = new Segment();
          route.update(s);
          const p = Math.min(cut, seq.length);
          route.loadPrefix(s, p);
          route.joinSuffix(s, p + 1);
          expect(s.tw).toBeCloseTo(expected, 9);
          expect(s.c).toBeCloseTo(
            seq.reduce((c, u, i) => c + Math.abs(rows[u]!.x - (i === 0 ? 0 : rows[seq[i - 1]!]!.x)), 0) +
              Math.abs(rows[seq[seq.length - 1]!]!.x),
            9,
          );
          expect(expected === 0).toBe(routeCost(inst, 0, seq) < Infinity);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Visits named by letter at the given x; routes as lists of letters, one per technician. */
function build(
  xs: Record<string, number>,
  routes: string[][],
  over: Record<string, Partial<Visit>> = {},
  technicians = routes.map((_, i) => tech(`T${i + 1}`)),
) {
  const names = Object.keys(xs);
  const problem: Problem = {
    technicians,
    visits: names.map((id, i) => ({
      id,
      place: { key: i + 1, lat: 0, lon: xs[id]! },
      duration: 0,
      window: { start: 0, end: 10_000 },
      skills: [],
      ...over[id],
    })),
    travel: line,
  };
  const inst = compileInstance(problem);
  const sol = new Solution(inst);
  routes.forEach((r, k) =>
    sol.setRoute(
      k,
      r.map((n) => names.indexOf(n)),
    ),
  );
  sol.syncUnassigned();
  const routesOf = () => sol.routes.map((r) => r.visits.map((u) => names[u]!));
  const valid = () => checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true });
  const polish = () => {
    const weights = new PenaltyWeights(inst);
    return educate(sol, new PenalisedSearch(inst), weights, new Random(1));
  };
  return { inst, sol, routesOf, valid, polish };
}

const unit = { demand: 1 };
const capacity = (n: number, routes: number) =>
  Array.from({ length: routes }, (_, i) => tech(`T${i + 1}`, 10_000, n));

describe('penalised local search, hand-built cases with a known optimum', () => {
  it('moves a string of visits into the route it lies next to ', () => {
    // T1 0→5→100→90→0 = 200, T2 0→60→120→0 = 240. Best with 4 visits a route: T1 a alone, T2 d b c e.
    const { sol, routesOf, valid, polish } = build(
      { a: 5, c: 100, b: 90, d: 60, e: 120 },
      [
        ['a', 'c', 'b'],
        ['d', 'e'],
      ],
      { a: unit, b: unit, c: unit, d: unit, e: unit },
      capacity(4, 2),
    );
    expect(sol.cost()).toBe(440);
    expect(polish().applied).toBe(true);
    // d b c e, its mirror b c e d, or any order going out to 120 and back past the others: all 240.
    expect(routesOf()[0]).toEqual(['a']);
    expect(routesOf()[1]!.slice().sort()).toEqual(['b', 'c', 'd', 'e']);
    expect(sol.cost()).toBe(250);
    expect(valid()).toEqual([]);
  });

  it('exchanges two-visit strings between routes', () => {
    // Each route serves the other's far pair: 0→10→11→95→96→0 = 192 and 0→90→91→15→16→0 = 184.
    const xs = { a: 10, b: 11, x: 95, y: 96, c: 90, d: 91, p: 15, q: 16 };
    const { sol, routesOf, valid, polish } = build(
      xs,
      [
        ['a', 'b', 'x', 'y'],
        ['c', 'd', 'p', 'q'],
      ],
      Object.fromEntries(Object.keys(xs).map((n) => [n, unit])),
      capacity(4, 2),
    );
    expect(sol.cost()).toBe(376);
    polish();
    expect(routesOf().map((r) => [...r].sort())).toEqual([
      ['a', 'b', 'p', 'q'],
      ['c', 'd', 'x', 'y'],
    ]);
    expect(sol.cost()).toBe(32 + 192);
    expect(valid()).toEqual([]);
  });

  it('exchanges route tails (2-opt*)', () => {
    // T1 0→10→100→0 = 200, T2 0→90→20→0 = 180; two visits a route: a d and c b, 40 + 200.
    const { sol, routesOf, valid, polish } = build(
      { a: 10, b: 100, c: 90, d: 20 },
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
      { a: unit, b: unit, c: unit, d: unit },
      capacity(2, 2),
    );
    polish();
    expect(routesOf().map((r) => [...r].sort())).toEqual([
      ['a', 'd'],
      ['b', 'c'],
    ]);
    expect(sol.cost()).toBe(240);
    expect(valid()).toEqual([]);
  });

  it('reverses a stretch of a route that crosses itself', () => {
    const { sol, routesOf, valid, polish } = build({ a: 10, c: 30, b: 20, d: 40 }, [['a', 'c', 'b', 'd']]);
    polish();
    // a b c d, or any order going out to 40 and back past the others (b d c a): all 80.
    expect(routesOf()[0]!.slice().sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(sol.cost()).toBe(80);
    expect(valid()).toEqual([]);
  });

  it('opens an empty route when one route cannot keep both windows', () => {
    // a at −50 and b at +50, both due by 60: one route reaches b at 150, 90 late. Two routes: 100 + 100.
    const { inst, sol } = build({ a: -50, b: 50 }, [['a', 'b'], []], {
      a: { window: { start: 0, end: 60 } },
      b: { window: { start: 0, end: 60 } },
    });
    const search = new PenalisedSearch(inst);
    search.loadFrom(sol);
    expect(search.feasibility().warpFree).toBe(false);
    search.run(new Random(1), 12, 30, 1, 1);
    expect(search.feasibility()).toEqual({ warpFree: true, loadFree: true });
    expect(search.routes.map((r) => r.visits.length)).toEqual([1, 1]);
  });

  it('never writes back a plan that overloads a vehicle, however cheap', () => {
    // Demand 6 + 6 on vehicles of capacity 10: one route would save 100 but overload.
    const { sol, routesOf, valid, polish } = build(
      { a: 50, b: 51 },
      [['a'], ['b']],
      { a: { demand: 6 }, b: { demand: 6 } },
      capacity(10, 2),
    );
    polish();
    expect(routesOf().map((r) => r.length)).toEqual([1, 1]);
    expect(sol.cost()).toBe(202);
    expect(valid()).toEqual([]);
  });

  it('on random windowed problems: never costlier, always a valid plan', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            x: fc.integer({ min: -100, max: 100 }),
            a: fc.integer({ min: 0, max: 400 }),
            w: fc.integer({ min: 10, max: 300 }),
            d: fc.integer({ min: 0, max: 20 }),
            q: fc.integer({ min: 1, max: 4 }),
          }),
          { minLength: 2, maxLength: 25 },
        ),
        fc.integer({ min: 1, max: 1000 }),
        (rows, seed) => {
          const xs = Object.fromEntries(rows.map((r, i) => [`v${i}`, r.x]));
          const over = Object.fromEntries(
            rows.map((r, i) => [
              `v${i}`,
              { window: { start: r.a, end: r.a + r.w }, duration: r.d, demand: r.q },
            ]),
          );
          const techs = Array.from({ length: 8 }, (_, i) => tech(`T${i + 1}`, 1000, 10));
          const { inst, sol, valid } = build(xs, [], over, techs);
          // A feasible start: each visit alone on a route while vehicles last (the rest unserved).
          let k = 0;
          for (let u = 0; u < inst.visitCount && k < 8; u++) {
            if (routeCost(inst, k, [u]) < Infinity) sol.setRoute(k++, [u]);
          }
          sol.syncUnassigned();
          const before = sol.cost();
          const served = sol.routes.reduce((n, r) => n + r.visits.length, 0);
          educate(sol, new PenalisedSearch(inst), new PenaltyWeights(inst), new Random(seed));
          expect(sol.cost()).toBeLessThanOrEqual(before + 1e-9);
          expect(sol.routes.reduce((n, r) => n + r.visits.length, 0)).toBe(served);
          expect(checkPlan(sol.inst.problem, toPlan(inst, sol).plan)).toEqual([]);
          void valid;
        },
      ),
      { numRuns: 100 },
    );
  });
});
