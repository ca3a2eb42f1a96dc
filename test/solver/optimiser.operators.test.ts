/**
 * Each local-search operator on hand-built routes where its improving move is known (one test per
 * operator, as PyVRP does). Places lie on a line, travel = |x_a − x_b|, every window wide open, so each
 * cost can be checked by hand. Two technicians share one depot at x = 0 (one place, so one node).
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import {
  tryIntraRelocate,
  tryIntraTwoOpt,
  tryRelocate,
  trySwap,
  tryTwoOptStar,
} from '../../solver/optimiser/localSearch.js';
import { toPlan } from '../../solver/optimiser/planRoutes.js';
import { Solution } from '../../solver/optimiser/solution.js';
import type { Problem, Visit } from '../../solver/problem.js';
import { line, tech } from './lineFixtures.js';

/** Visits named by letter at the given x; routes as lists of letters, one per technician. */
function build(xs: Record<string, number>, routes: string[][], over: Record<string, Partial<Visit>> = {}) {
  const names = Object.keys(xs);
  const problem: Problem = {
    technicians: routes.map((_, i) => tech(`T${i + 1}`)),
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
  const index = (n: string) => names.indexOf(n);
  routes.forEach((r, k) => sol.setRoute(k, r.map(index)));
  sol.syncUnassigned();
  const routesOf = () => sol.routes.map((r) => r.visits.map((u) => names[u]!));
  const valid = () => checkPlan(problem, toPlan(inst, sol).plan, { requireAll: true });
  return { inst, sol, index, routesOf, valid };
}

describe('local-search operators, one hand-built case each', () => {
  it('relocate moves a visit to the route it lies next to', () => {
    // T1: 0→10→100→0 = 200, T2: 0→90→0 = 180. Moving b beside c: 20 + 200 = 220.
    const { sol, index, routesOf, valid } = build({ a: 10, b: 100, c: 90 }, [['a', 'b'], ['c']]);
    expect(sol.cost()).toBe(380);
    expect(tryRelocate(sol, index('b'), index('c'))).toBe(true);
    expect(routesOf()).toEqual([['a'], ['c', 'b']]);
    expect(sol.cost()).toBe(220);
    expect(valid()).toEqual([]);
  });

  it('swap exchanges two visits between routes', () => {
    // T1: 0→10→95→0 = 190, T2: 0→90→15→0 = 180. Swapping x and y: 30 + 190 = 220.
    const { sol, index, routesOf, valid } = build({ a: 10, x: 95, c: 90, y: 15 }, [
      ['a', 'x'],
      ['c', 'y'],
    ]);
    expect(sol.cost()).toBe(370);
    expect(trySwap(sol, index('x'), index('y'))).toBe(true);
    expect(routesOf()).toEqual([
      ['a', 'y'],
      ['c', 'x'],
    ]);
    expect(sol.cost()).toBe(220);
    // Each visit knows its new route (setRoute on the second route once forgot the visit it received).
    expect([sol.routeOf[index('x')], sol.routeOf[index('y')]]).toEqual([1, 0]);
    expect(valid()).toEqual([]);
  });

  it('2-opt* exchanges route tails between technicians sharing a depot', () => {
    // T1: 0→10→100→0 = 200, T2: 0→90→20→0 = 180. T1 keeps a and takes d; T2 keeps c and takes b: 40 + 200.
    const { inst, sol, index, routesOf, valid } = build({ a: 10, b: 100, c: 90, d: 20 }, [
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(inst.endPlace[0]).toBe(inst.endPlace[1]);
    expect(tryTwoOptStar(sol, index('a'), index('d'))).toBe(true);
    expect(routesOf()).toEqual([
      ['a', 'd'],
      ['c', 'b'],
    ]);
    expect(sol.cost()).toBe(240);
    expect(['a', 'b', 'c', 'd'].map((n) => sol.routeOf[index(n)])).toEqual([0, 1, 1, 0]);
    expect(valid()).toEqual([]);
  });

  it('intra-route relocate moves a visit to a better place in its own route', () => {
    // 0→50→10→60→0 = 200; a first: 0→10→50→60→0 = 120.
    const { sol, index, routesOf, valid } = build({ b: 50, a: 10, c: 60 }, [['b', 'a', 'c']]);
    expect(sol.cost()).toBe(200);
    expect(tryIntraRelocate(sol, index('a'), index('b'))).toBe(true);
    expect(routesOf()).toEqual([['a', 'b', 'c']]);
    expect(sol.cost()).toBe(120);
    expect(valid()).toEqual([]);
  });

  it('intra-route 2-opt reverses the stretch that crosses itself', () => {
    // 0→10→30→20→40→0 = 100; reversing c, b: 0→10→20→30→40→0 = 80.
    const { sol, index, routesOf, valid } = build({ a: 10, c: 30, b: 20, d: 40 }, [['a', 'c', 'b', 'd']]);
    expect(sol.cost()).toBe(100);
    expect(tryIntraTwoOpt(sol, index('a'), index('b'))).toBe(true);
    expect(routesOf()).toEqual([['a', 'b', 'c', 'd']]);
    expect(sol.cost()).toBe(80);
    expect(valid()).toEqual([]);
  });

  it('relocate never breaks a window: it takes the position that keeps it', () => {
    // b (x = 100) must start by 100; c (x = 90) takes 20 min. After c, b would start at 120: refused.
    // Before c, b starts at 100 and c at 110: T1 0→10→0 = 20, T2 0→100→90→0 = 200.
    const { sol, index, routesOf, valid } = build({ a: 10, b: 100, c: 90 }, [['a', 'b'], ['c']], {
      b: { window: { start: 0, end: 100 } },
      c: { duration: 20 },
    });
    expect(tryRelocate(sol, index('b'), index('c'))).toBe(true);
    expect(routesOf()).toEqual([['a'], ['b', 'c']]);
    expect(sol.cost()).toBe(220);
    expect(valid()).toEqual([]);
  });
});
