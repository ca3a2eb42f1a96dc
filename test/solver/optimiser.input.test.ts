/** Broken input to planRoutes: a plan with reasons, or a clear error; never a hang or a crashed worker. */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { planRoutes, planRoutesInWorker } from '../../solver/optimiser/index.js';
import type { Problem, Technician, Visit } from '../../solver/problem.js';
import { HaversineTravel } from '../../solver/travel.js';

const H = 3600;
const travel = new HaversineTravel();
let key = 0;
const place = (lat: number, lon: number) => ({ key: key++, lat, lon });
const home = place(45.76, 4.84);
function technician(over: Partial<Technician> = {}): Technician {
  return {
    id: 'T1',
    skills: ['elec'],
    start: home,
    end: home,
    shifts: [{ id: 'day', interval: { start: 8 * H, end: 17 * H } }],
    ...over,
  };
}
function visit(id: string, over: Partial<Visit> = {}): Visit {
  return {
    id,
    place: place(45.75, 4.85),
    duration: H,
    window: { start: 9 * H, end: 12 * H },
    skills: ['elec'],
    ...over,
  };
}
const options = { timeLimitMs: 5_000, maxIterations: 30, seed: 1 };

describe('planRoutes on broken input', () => {
  it('no technicians: every visit unassigned, nobody can serve it', async () => {
    const problem: Problem = { technicians: [], visits: [visit('a'), visit('b')], travel };
    const result = await planRoutes(problem, options);
    expect(result.plan).toEqual({ routes: [], unassigned: ['a', 'b'] });
    expect(result.unassignedReasons).toEqual({ a: 'no-technician-can-serve', b: 'no-technician-can-serve' });
  });

  it('a visit no one can serve is reported with its reason; the others are planned', async () => {
    const problem: Problem = {
      technicians: [technician()],
      visits: [visit('ok'), visit('irve', { skills: ['irve'] })],
      travel,
    };
    const result = await planRoutes(problem, options);
    expect(result.plan.unassigned).toEqual(['irve']);
    expect(result.unassignedReasons).toEqual({ irve: 'no-technician-can-serve' });
    expect(checkPlan(problem, result.plan)).toEqual([]);
  });

  it('a zero-length shift serves nothing', async () => {
    const problem: Problem = {
      technicians: [technician({ shifts: [{ id: 'day', interval: { start: 10 * H, end: 10 * H } }] })],
      visits: [visit('a')],
      travel,
    };
    const result = await planRoutes(problem, options);
    expect(result.plan.unassigned).toEqual(['a']);
    expect(result.unassignedReasons).toEqual({ a: 'no-technician-can-serve' });
  });

  it('a visit with NaN coordinates is invalid; the others are planned', async () => {
    const problem: Problem = {
      technicians: [technician()],
      visits: [visit('ok'), visit('nowhere', { place: place(Number.NaN, 4.8) })],
      travel,
    };
    const result = await planRoutes(problem, options);
    expect(result.plan.unassigned).toEqual(['nowhere']);
    expect(result.unassignedReasons).toEqual({ nowhere: 'invalid-visit' });
    expect(result.plan.routes.flatMap((r) => r.stops.map((s) => s.visitId))).toEqual(['ok']);
  });

  it('a visit that does not fit beside the others is "no-room"', async () => {
    // Two one-hour visits, both must start at exactly 09:00: one technician can take one.
    const at9 = { start: 9 * H, end: 9 * H };
    const problem: Problem = {
      technicians: [technician()],
      visits: [visit('x', { window: at9 }), visit('y', { window: at9 })],
      travel,
    };
    const result = await planRoutes(problem, options);
    expect(result.plan.unassigned).toHaveLength(1);
    expect(Object.values(result.unassignedReasons)).toEqual(['no-room']);
  });

  it('refuses a problem it cannot plan, naming the field', async () => {
    const backwards: Problem = {
      technicians: [technician({ shifts: [{ id: 'day', interval: { start: 17 * H, end: 8 * H } }] })],
      visits: [visit('a')],
      travel,
    };
    await expect(planRoutes(backwards, options)).rejects.toThrow(/shift day: interval/);
    const twice: Problem = { technicians: [technician()], visits: [visit('a'), visit('a')], travel };
    await expect(planRoutes(twice, options)).rejects.toThrow(/visit a is listed twice/);
    const ok: Problem = { technicians: [technician()], visits: [visit('a')], travel };
    await expect(planRoutes(ok, { ...options, timeLimitMs: Number.NaN })).rejects.toThrow(/timeLimitMs/);
  });

  it('in a worker: broken visits come back with reasons, a broken problem as an error, the worker survives', async () => {
    const problem: Problem = {
      technicians: [technician()],
      visits: [visit('ok'), visit('nowhere', { place: place(Number.NaN, Number.NaN) })],
      travel,
    };
    const result = await planRoutesInWorker(problem, options);
    expect(result.unassignedReasons).toEqual({ nowhere: 'invalid-visit' });
    const backwards: Problem = {
      technicians: [technician({ shifts: [{ id: 'day', interval: { start: 1, end: 0 } }] })],
      visits: [visit('a')],
      travel,
    };
    await expect(planRoutesInWorker(backwards, options)).rejects.toThrow(/optimiser worker: .*interval/);
  });
});
