/**
 * Broken input on the path that searches through infeasible space: instances with plain arc costs
 * (no bookings, breaks or overtime), where planRoutes runs the penalised local search. Every case
 * ends with a checked plan and a reason per unserved visit, or a clear error; never a hang, never a
 * crashed helper thread. (optimiser.input.test.ts covers the same rules on booked, exact-cost days.)
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { planRoutes } from '../../solver/optimiser/index.js';
import type { Place, Problem, Technician, TravelModel, Visit } from '../../solver/problem.js';

/** Euclidean travel on (lon, lat): NaN coordinates give NaN times, which the optimiser reads as unreachable. */
const plane: TravelModel = {
  time: (a, b) => Math.hypot(a.lon - b.lon, a.lat - b.lat),
  distance: (a, b) => Math.hypot(a.lon - b.lon, a.lat - b.lat),
};
let key = 0;
const at = (x: number, y: number): Place => ({ key: key++, lat: y, lon: x });
const depot = at(0, 0);

function technician(id: string, over: Partial<Technician> = {}): Technician {
  return {
    id,
    skills: [],
    start: depot,
    end: depot,
    shifts: [{ id: 'day', interval: { start: 0, end: 1000 } }],
    ...over,
  };
}
function visit(id: string, x: number, y: number, over: Partial<Visit> = {}): Visit {
  return { id, place: at(x, y), duration: 10, window: { start: 0, end: 500 }, skills: [], ...over };
}
/** Twenty well-formed visits on a ring, so that the search has real work besides the broken ones. */
const ring = Array.from({ length: 20 }, (_, i) =>
  visit(`r${i}`, 100 * Math.cos((i * Math.PI) / 10), 100 * Math.sin((i * Math.PI) / 10), {
    window: { start: 20 * i, end: 20 * i + 150 },
  }),
);
const options = { timeLimitMs: 60_000, maxIterations: 200, seed: 3 };

function served(result: Awaited<ReturnType<typeof planRoutes>>): string[] {
  return result.plan.routes.flatMap((r) => r.stops.map((s) => s.visitId)).sort();
}

describe('planRoutes on broken input, arc-cost instances (penalised search)', () => {
  it('is an arc-cost instance, so the penalised search is what runs', () => {
    const inst = compileInstance({ technicians: [technician('T1')], visits: ring, travel: plane });
    expect(inst.arcCost).toBe(true);
  });

  it('no visits: an empty plan', async () => {
    const result = await planRoutes({ technicians: [technician('T1')], visits: [], travel: plane }, options);
    expect(result.plan).toEqual({ routes: [], unassigned: [] });
  });

  it('broken visits beside good ones: each broken one unassigned with its reason, the rest planned', async () => {
    const problem: Problem = {
      technicians: [technician('T1'), technician('T2'), technician('T3')],
      visits: [
        ...ring,
        visit('nan-place', Number.NaN, 5),
        visit('backwards-window', 5, 5, { window: { start: 300, end: 200 } }),
        visit('endless', 5, 5, { duration: Number.POSITIVE_INFINITY }),
        visit('negative-demand', 5, 5, { demand: -1 }),
        // Closes before anyone can drive 900 units from the depot.
        visit('too-far-too-soon', 900, 0, { window: { start: 0, end: 100 } }),
        visit('needs-a-skill', 5, 5, { skills: ['gas'] }),
      ],
      travel: plane,
    };
    const result = await planRoutes(problem, options);
    expect(checkPlan(problem, result.plan)).toEqual([]);
    expect(result.unassignedReasons).toEqual({
      'nan-place': 'invalid-visit',
      'backwards-window': 'invalid-visit',
      endless: 'invalid-visit',
      'negative-demand': 'invalid-visit',
      'too-far-too-soon': 'no-technician-can-serve',
      'needs-a-skill': 'no-technician-can-serve',
    });
    expect(served(result)).toEqual(ring.map((v) => v.id).sort());
  });

  it('a technician whose home has NaN coordinates serves nothing; the others still plan', async () => {
    const lost = technician('lost', { start: at(Number.NaN, Number.NaN), end: at(Number.NaN, Number.NaN) });
    const result = await planRoutes(
      {
        technicians: [lost, technician('T1'), technician('T2'), technician('T3')],
        visits: ring,
        travel: plane,
      },
      options,
    );
    expect(
      checkPlan({ technicians: [lost], visits: ring, travel: plane }, { routes: [], unassigned: [] }),
    ).toEqual([]);
    expect(result.plan.routes.map((r) => r.technicianId)).not.toContain('lost');
    expect(served(result)).toEqual(ring.map((v) => v.id).sort());
  });

  it('only a zero-length shift, or no technicians: all unassigned, nobody can serve them', async () => {
    const zero = technician('T1', { shifts: [{ id: 'day', interval: { start: 50, end: 50 } }] });
    for (const technicians of [[zero], []]) {
      const result = await planRoutes({ technicians, visits: ring.slice(0, 5), travel: plane }, options);
      expect(result.plan.routes).toEqual([]);
      expect(Object.values(result.unassignedReasons)).toEqual(new Array(5).fill('no-technician-can-serve'));
    }
  });

  it('more work than the fleet can do: a valid plan, the rest "no-room", and the same plan twice', async () => {
    // One technician with capacity 5 and unit demands: 15 of 20 visits cannot fit.
    const problem: Problem = {
      technicians: [technician('T1', { capacity: 5 })],
      visits: ring.map((v) => ({ ...v, demand: 1 })),
      travel: plane,
    };
    const first = await planRoutes(problem, options);
    expect(checkPlan(problem, first.plan)).toEqual([]);
    expect(first.plan.unassigned).toHaveLength(15);
    expect(new Set(Object.values(first.unassignedReasons))).toEqual(new Set(['no-room']));
    const second = await planRoutes(problem, options);
    expect(second.plan).toEqual(first.plan);
  });

  it('with a helper thread: broken visits come back with reasons and the helper reports', async () => {
    const problem: Problem = {
      technicians: [technician('T1'), technician('T2'), technician('T3')],
      visits: [...ring, visit('nan-place', Number.NaN, Number.NaN)],
      travel: plane,
    };
    const result = await planRoutes(problem, { ...options, maxIterations: 60, threads: 2 });
    expect(result.stats.threads).toBe(2);
    expect(result.stats.helperFailures).toBeUndefined();
    expect(result.unassignedReasons).toEqual({ 'nan-place': 'invalid-visit' });
    expect(checkPlan(problem, result.plan)).toEqual([]);
  });
});
