import { describe, expect, it } from 'vitest';
import { checkPlan, planCost } from '../../solver/check.js';
import type { Place, Plan, Problem, Technician, TravelModel, Visit } from '../../solver/problem.js';

/** Places on a line; travel time = distance = |x_a − x_b| (key is x). Easy to compute by hand. */
const line: TravelModel = {
  time: (a, b) => Math.abs(a.key - b.key),
  distance: (a, b) => Math.abs(a.key - b.key),
};
const at = (x: number): Place => ({ key: x, lat: 0, lon: x });

function tech(over: Partial<Technician> = {}): Technician {
  return {
    id: 'T1',
    skills: ['elec', 'irve'],
    start: at(0),
    end: at(0),
    shifts: [{ id: 'S1', interval: { start: 0, end: 1000 } }],
    ...over,
  };
}
function visit(id: string, x: number, over: Partial<Visit> = {}): Visit {
  return { id, place: at(x), duration: 50, window: { start: 0, end: 1000 }, skills: [], ...over };
}
function problem(visits: Visit[], technicians: Technician[] = [tech()]): Problem {
  return { technicians, visits, travel: line };
}
const rulesOf = (p: Problem, plan: Plan, requireAll = false) =>
  checkPlan(p, plan, { requireAll })
    .map((v) => v.code)
    .sort();

describe('checkPlan', () => {
  it('accepts a valid route', () => {
    const p = problem([visit('A', 100), visit('B', 200)]);
    const plan: Plan = {
      routes: [
        {
          technicianId: 'T1',
          shiftId: 'S1',
          stops: [
            { visitId: 'A', start: 100 },
            { visitId: 'B', start: 250 },
          ],
        },
      ],
      unassigned: [],
    };
    expect(checkPlan(p, plan, { requireAll: true })).toEqual([]);
  });

  it('flags unknown visit, technician and shift', () => {
    const p = problem([visit('A', 100)]);
    expect(
      rulesOf(p, {
        routes: [{ technicianId: 'T1', shiftId: 'S1', stops: [{ visitId: 'X', start: 100 }] }],
        unassigned: [],
      }),
    ).toEqual(['unknown-visit']);
    expect(
      rulesOf(p, {
        routes: [{ technicianId: 'T9', shiftId: 'S1', stops: [{ visitId: 'A', start: 100 }] }],
        unassigned: [],
      }),
    ).toEqual(['unknown-technician']);
    expect(
      rulesOf(p, {
        routes: [{ technicianId: 'T1', shiftId: 'S9', stops: [{ visitId: 'A', start: 100 }] }],
        unassigned: [],
      }),
    ).toEqual(['unknown-shift']);
    expect(rulesOf(p, { routes: [], unassigned: ['nope'] })).toEqual(['unknown-visit']);
  });

  it('flags a visit served twice and, with requireAll, a visit not served', () => {
    const p = problem([visit('A', 100), visit('B', 100)]);
    const twice: Plan = {
      routes: [
        {
          technicianId: 'T1',
          shiftId: 'S1',
          stops: [
            { visitId: 'A', start: 100 },
            { visitId: 'A', start: 200 },
          ],
        },
      ],
      unassigned: [],
    };
    expect(rulesOf(p, twice)).toEqual(['visit-served-twice']);
    expect(rulesOf(p, twice, true)).toEqual(['visit-not-served', 'visit-served-twice']);
  });

  it('flags two routes for one technician-shift, each valid on its own', () => {
    // Alone, each route keeps every rule; together the technician would be at A and B at once.
    const p = problem([visit('A', 100), visit('B', 100)]);
    const route = (visitId: string) => ({
      technicianId: 'T1',
      shiftId: 'S1',
      stops: [{ visitId, start: 100 }],
    });
    expect(rulesOf(p, { routes: [route('A')], unassigned: ['B'] })).toEqual([]);
    expect(rulesOf(p, { routes: [route('A'), route('B')], unassigned: [] }, true)).toEqual([
      'shift-routed-twice',
    ]);
    // Two shifts of one technician, or one shift each for two technicians, are fine.
    const twoShifts = tech({
      shifts: [
        { id: 'S1', interval: { start: 0, end: 1000 } },
        { id: 'S2', interval: { start: 2000, end: 3000 } },
      ],
    });
    const p2 = problem(
      [visit('A', 100), visit('B', 100, { window: { start: 2000, end: 3000 } })],
      [twoShifts],
    );
    expect(
      rulesOf(
        p2,
        {
          routes: [route('A'), { ...route('B'), shiftId: 'S2', stops: [{ visitId: 'B', start: 2100 }] }],
          unassigned: [],
        },
        true,
      ),
    ).toEqual([]);
  });

  it('flags a missing skill', () => {
    const p = problem([visit('A', 100, { skills: ['pac'] })]);
    expect(
      rulesOf(p, {
        routes: [{ technicianId: 'T1', shiftId: 'S1', stops: [{ visitId: 'A', start: 100 }] }],
        unassigned: [],
      }),
    ).toEqual(['skill']);
  });

  it('flags an arrival outside the window, with a float tolerance', () => {
    const p = problem([visit('A', 100, { window: { start: 300, end: 400 } })]);
    const r = (start: number): Plan => ({
      routes: [{ technicianId: 'T1', shiftId: 'S1', stops: [{ visitId: 'A', start }] }],
      unassigned: [],
    });
    expect(rulesOf(p, r(200))).toEqual(['window']);
    expect(rulesOf(p, r(401))).toEqual(['window']);
    expect(rulesOf(p, r(400 + 1e-9))).toEqual([]);
    expect(rulesOf(p, r(300 - 1e-9))).toEqual([]);
  });

  it('flags a first visit not reachable from the shift start, and a late return', () => {
    const t = tech({ shifts: [{ id: 'S1', interval: { start: 100, end: 400 } }] });
    const p = problem([visit('A', 100)], [t]);
    const r = (start: number): Plan => ({
      routes: [{ technicianId: 'T1', shiftId: 'S1', stops: [{ visitId: 'A', start }] }],
      unassigned: [],
    });
    expect(rulesOf(p, r(199))).toEqual(['shift']); // leaves at 100, drives 100
    expect(rulesOf(p, r(200))).toEqual([]);
    expect(rulesOf(p, r(251))).toEqual(['shift']); // 251 + 50 + 100 > 400
    const withOvertime = problem(
      [visit('A', 100)],
      [tech({ shifts: [{ id: 'S1', interval: { start: 100, end: 400 }, maxOvertime: 30 }] })],
    );
    expect(rulesOf(withOvertime, r(251))).toEqual([]);
  });

  it('flags travel too short between consecutive visits, and overlaps', () => {
    const p = problem([visit('A', 100), visit('B', 300)]);
    const r = (a: number, b: number): Plan => ({
      routes: [
        {
          technicianId: 'T1',
          shiftId: 'S1',
          stops: [
            { visitId: 'A', start: a },
            { visitId: 'B', start: b },
          ],
        },
      ],
      unassigned: [],
    });
    expect(rulesOf(p, r(100, 350))).toEqual([]);
    expect(rulesOf(p, r(100, 349))).toEqual(['travel']);
    expect(rulesOf(p, r(100, 120))).toEqual(['overlap']);
    expect(rulesOf(p, r(500, 400))).toEqual(['overlap']); // out of order
  });

  it('checks breaks: scheduled, in range, in a gap, counted against travel', () => {
    const shift = {
      id: 'S1',
      interval: { start: 0, end: 1000 },
      breaks: [{ earliestStart: 150, latestStart: 250, duration: 100 }],
    };
    const p = problem([visit('A', 100), visit('B', 150)], [tech({ shifts: [shift] })]);
    const r = (a: number, b: number, breakStarts?: number[]): Plan => ({
      routes: [
        {
          technicianId: 'T1',
          shiftId: 'S1',
          stops: [
            { visitId: 'A', start: a },
            { visitId: 'B', start: b },
          ],
          ...(breakStarts ? { breakStarts } : {}),
        },
      ],
      unassigned: [],
    });
    expect(rulesOf(p, r(100, 350, [200]))).toEqual([]); // A ends 150, lunch 200–300, drive 50, B at 350
    expect(rulesOf(p, r(100, 299, [160]))).toEqual(['travel']); // 150 + 50 + 100 > 299
    expect(rulesOf(p, r(100, 350))).toEqual(['break']); // not scheduled
    expect(rulesOf(p, r(100, 400, [300]))).toEqual(['break']); // after latestStart
    expect(rulesOf(p, r(100, 220, [200]))).toEqual(['break']); // break overlaps visit B
    // a break before the first visit counts against the first gap
    expect(rulesOf(p, r(300, 400, [200]))).toEqual([]);
    expect(rulesOf(p, r(250, 400, [200]))).toEqual(['break']);
    // breaks in listed order
    const two = {
      id: 'S1',
      interval: { start: 0, end: 1000 },
      breaks: [
        { earliestStart: 0, latestStart: 900, duration: 10 },
        { earliestStart: 0, latestStart: 900, duration: 10 },
      ],
    };
    const p2 = problem([visit('A', 100)], [tech({ shifts: [two] })]);
    const r2 = (bs: number[]): Plan => ({
      routes: [{ technicianId: 'T1', shiftId: 'S1', stops: [{ visitId: 'A', start: 100 }], breakStarts: bs }],
      unassigned: [],
    });
    expect(rulesOf(p2, r2([300, 320]))).toEqual([]);
    expect(rulesOf(p2, r2([320, 300]))).toEqual(['break']);
    expect(rulesOf(p2, r2([300, 305]))).toEqual(['break']);
  });

  it('flags capacity', () => {
    const p = problem(
      [visit('A', 10, { demand: 6 }), visit('B', 20, { demand: 5 })],
      [tech({ capacity: 10 })],
    );
    const plan: Plan = {
      routes: [
        {
          technicianId: 'T1',
          shiftId: 'S1',
          stops: [
            { visitId: 'A', start: 10 },
            { visitId: 'B', start: 100 },
          ],
        },
      ],
      unassigned: [],
    };
    expect(rulesOf(p, plan)).toEqual(['capacity']);
  });

  it('flags a pinned visit moved, reassigned or dropped', () => {
    const t2 = tech({ id: 'T2' });
    const pinned = visit('A', 100, {
      pinned: true,
      assigned: { technicianId: 'T1', shiftId: 'S1', plannedStart: 200 },
    });
    const p = problem([pinned], [tech(), t2]);
    const r = (technicianId: string, start: number): Plan => ({
      routes: [{ technicianId, shiftId: 'S1', stops: [{ visitId: 'A', start }] }],
      unassigned: [],
    });
    expect(rulesOf(p, r('T1', 200))).toEqual([]);
    expect(rulesOf(p, r('T1', 210))).toEqual(['pinned']);
    expect(rulesOf(p, r('T2', 200))).toEqual(['pinned']);
    expect(rulesOf(p, { routes: [], unassigned: ['A'] })).toEqual(['pinned']);
  });

  it('computes plan cost: travel, waiting between visits, overtime', () => {
    const t = tech({ shifts: [{ id: 'S1', interval: { start: 0, end: 500 }, maxOvertime: 100 }] });
    const p = problem([visit('A', 100), visit('B', 200)], [t]);
    const plan: Plan = {
      routes: [
        {
          technicianId: 'T1',
          shiftId: 'S1',
          stops: [
            { visitId: 'A', start: 100 },
            { visitId: 'B', start: 300 },
          ],
        },
      ],
      unassigned: [],
    };
    expect(checkPlan(p, plan)).toEqual([]);
    // travel 100 + 100 + 200; A ends 150, B reachable at 250 → 50 waiting; back at 350 + 200 = 550 → 50 overtime
    expect(planCost(p, plan)).toEqual({ travelTime: 400, distance: 400, waiting: 50, overtime: 50 });
  });
});
