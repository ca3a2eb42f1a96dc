/**
 * improveRouteOrder (routeOrder.ts): a pooled route's visits in a shorter order that keeps the windows,
 * before the route becomes a set-partitioning column. On a line (travel = |x_a − x_b|, depot at 0).
 */
import { describe, expect, it } from 'vitest';
import { compileInstance } from '../../solver/optimiser/instance.js';
import type { PooledRoute } from '../../solver/optimiser/routePool.js';
import { improveRouteOrder } from '../../solver/optimiser/routeOrder.js';
import { routeCost } from '../../solver/optimiser/schedule.js';
import type { Problem } from '../../solver/problem.js';
import { line, tech } from './lineFixtures.js';

type Spec = Record<string, { x: number; window?: [number, number] }>;

function column(spec: Spec, order: string[]) {
  const names = Object.keys(spec);
  const problem: Problem = {
    technicians: [tech('T1')],
    visits: names.map((id, i) => ({
      id,
      place: { key: i + 1, lat: 0, lon: spec[id]!.x },
      duration: 0,
      window: { start: spec[id]!.window?.[0] ?? 0, end: spec[id]!.window?.[1] ?? 10_000 },
      skills: [],
    })),
    travel: line,
  };
  const inst = compileInstance(problem);
  const visits = order.map((n) => names.indexOf(n));
  const route: PooledRoute = {
    vehicleClass: inst.vehicleClass[0]!,
    vehicle: 0,
    visits,
    cost: routeCost(inst, 0, visits),
    bestSolutionCost: 0,
  };
  return { inst, route, order: () => route.visits.map((u) => names[u]!) };
}

describe('improveRouteOrder', () => {
  it('finds the shortest order of a zigzag (or-opt and 2-opt together)', () => {
    // 0→30→10→40→20→0 = 30+20+30+20+20 = 120; out and back once: 80.
    const { inst, route, order } = column({ a: { x: 10 }, b: { x: 20 }, c: { x: 30 }, d: { x: 40 } }, [
      'c',
      'a',
      'd',
      'b',
    ]);
    expect(route.cost).toBe(120);
    expect(improveRouteOrder(inst, route)).toBe(true);
    expect(route.cost).toBe(80);
    expect(routeCost(inst, 0, route.visits)).toBe(80);
    // Every visit once, whatever the direction: a, b, c, d out, or any order of them on the way back.
    expect([...order()].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps the windows: shorter orders that break one are not taken', () => {
    // 0→30→10→20→0 = 80, and c, b, a or a, b, c would be 60. But c (x 30) closes at 30, a (x 10) opens at
    // 50 and closes at 60, b (x 20) opens at 55: c, b, a reaches a at 65, every order but c, a, b breaks one.
    const { inst, route, order } = column(
      { a: { x: 10, window: [50, 60] }, b: { x: 20, window: [55, 70] }, c: { x: 30, window: [0, 30] } },
      ['c', 'a', 'b'],
    );
    expect(route.cost).toBe(80);
    expect(improveRouteOrder(inst, route)).toBe(false);
    expect(order()).toEqual(['c', 'a', 'b']);
    expect(route.cost).toBe(80);
  });

  it('moves a string to where its window lets it go, reversed when that is shorter', () => {
    // 0→40→30→10→20→0 = 40+10+20+10+20 = 100. c (x 40) closes at 45, d (x 30) opens at 45, b (x 20) at
    // 50 and a (x 10) at 40, so the only order of 80 (out and back once) is c, d, b, a: the string a, b
    // reversed after d.
    const { inst, route, order } = column(
      {
        a: { x: 10, window: [40, 100] },
        b: { x: 20, window: [50, 100] },
        c: { x: 40, window: [0, 45] },
        d: { x: 30, window: [45, 60] },
      },
      ['c', 'd', 'a', 'b'],
    );
    expect(route.cost).toBe(100);
    expect(improveRouteOrder(inst, route)).toBe(true);
    expect(order()).toEqual(['c', 'd', 'b', 'a']);
    expect(route.cost).toBe(80);
  });
});
