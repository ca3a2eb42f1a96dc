/**
 * The planner's real day on a real database (issue 16): a visit's progress
 * through PATCH with its version; an absence puts the technician's visits in
 * the unassigned lane at once (and out of their feed) and the next proposal
 * places them again within their promised windows; at 09:18 a proposal moves
 * neither a started visit nor one whose start is past, and puts nothing
 * before now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import type { Plan } from '../../solver/problem.js';
import { currentPlan } from '../../solver/slots.js';
import { newViolations } from '../../src/domain/planning/day-problem.js';
import { buildDayProblem } from '../../src/domain/planning/index.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { feedTokenOf, TEST_TEAM_FEED_TOKEN } from '../helpers/database.js';
import { bookedVisitsOn } from '../helpers/visits.js';

const TIME_LIMIT_MS = 800;
/** 09:18 in Paris on the day the morning test plans. */
const MORNING = '2026-03-26T08:18:00Z';

let t: TestApp;
let morning: TestApp;

beforeAll(async () => {
  [t, morning] = await Promise.all([createTestApp(), createTestApp({ now: MORNING })]);
});
afterAll(async () => {
  await Promise.all([t?.close(), morning?.close()]);
});

function call(app: TestApp, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  return app.app.inject({
    method,
    url,
    headers: bearer(app.tokens.planner),
    ...(payload ? { payload } : {}),
  });
}

const dayRows = (app: TestApp, date: string) => bookedVisitsOn(app.testDb.handle.db, date);

async function storedPlan(app: TestApp, id: string): Promise<Plan> {
  const row = await app.testDb.handle.db
    .selectFrom('plans')
    .select('proposal')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return (row.proposal as { plan: Plan }).plan;
}

function placementOf(plan: Plan, visitId: string) {
  for (const r of plan.routes)
    for (const s of r.stops)
      if (s.visitId === visitId) return { technicianId: r.technicianId, start: s.start };
  return undefined;
}

describe('progress', () => {
  const date = '2026-03-27';

  it('moves a visit through en route and on site with its version; a stale version is 409, none is 400', async () => {
    const [visit] = await dayRows(t, date);
    const missing = await call(t, 'PATCH', `/v1/admin/visits/${visit!.id}`, { progress: 'en_route' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().field).toBe('body.version');
    const mixed = await call(t, 'PATCH', `/v1/admin/visits/${visit!.id}`, {
      progress: 'en_route',
      pinned: true,
      version: visit!.version,
    });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().field).toBe('body.progress');
    const bad = await call(t, 'PATCH', `/v1/admin/visits/${visit!.id}`, { progress: 'parti', version: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('body.progress');

    const enRoute = await call(t, 'PATCH', `/v1/admin/visits/${visit!.id}`, {
      progress: 'en_route',
      version: visit!.version,
    });
    expect(enRoute.statusCode).toBe(200);
    expect(enRoute.json()).toMatchObject({
      progress: 'en_route',
      version: visit!.version + 1,
      status: 'booked',
    });
    const stale = await call(t, 'PATCH', `/v1/admin/visits/${visit!.id}`, {
      progress: 'on_site',
      version: visit!.version,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('visit-changed');

    // A started visit no longer moves by hand either.
    const move = await call(t, 'PATCH', `/v1/admin/visits/${visit!.id}`, {
      plannedStart: new Date(visit!.planned_start.getTime() + 5 * 60_000).toISOString(),
    });
    expect(move.statusCode).toBe(409);
    expect(move.json().code).toBe('visit-started');
    const routes = (await call(t, 'GET', `/v1/admin/routes?date=${date}`)).json();
    const stop = routes.current.routes
      .flatMap((r: { stops: { visitId: string }[] }) => r.stops)
      .find((s: { visitId: string }) => s.visitId === visit!.id);
    expect(stop).toMatchObject({ progress: 'en_route', frozen: true, version: visit!.version + 1 });
  });

  it('done closes the visit as POST /done does (status, done_at: the survey is scheduled from them)', async () => {
    const [, visit] = await dayRows(t, date);
    const res = await call(t, 'PATCH', `/v1/admin/visits/${visit!.id}`, {
      progress: 'done',
      version: visit!.version,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ progress: 'done', status: 'done' });
    const row = await t.testDb.handle.db
      .selectFrom('visits')
      .selectAll()
      .where('id', '=', visit!.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('done');
    expect(row.done_at?.toISOString()).toBe(new Date(`2026-03-25T07:00:00Z`).toISOString());
    const again = await call(t, 'PATCH', `/v1/admin/visits/${visit!.id}`, {
      progress: 'done',
      version: row.version,
    });
    expect(again.statusCode).toBe(409);
  });
});

describe('an absence and its repair', () => {
  const date = '2026-03-30';

  it('puts the absent technician’s visits in the unassigned lane at once, out of their feed; a proposal places them again', async () => {
    const db = t.testDb.handle.db;
    const rows = await dayRows(t, date);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.technician_id, (counts.get(r.technician_id) ?? 0) + 1);
    const [absent] = [...counts.entries()].sort((a, b) => a[1] - b[1]).find(([, n]) => n >= 1)!;
    const theirs = rows.filter((r) => r.technician_id === absent);
    const tech = await db
      .selectFrom('technicians')
      .select(['id', 'name'])
      .where('id', '=', absent)
      .executeTakeFirstOrThrow();
    const feed = () =>
      t.app.inject({ method: 'GET', url: `/v1/feeds/technicians/${feedTokenOf(tech.id)}.ics` });
    expect((await feed()).body).toContain(theirs[0]!.reference);

    const res = await call(t, 'POST', '/v1/admin/availability/exceptions', {
      kind: 'absence',
      technicianId: absent,
      from: date,
      reason: 'malade',
    });
    expect(res.statusCode).toBe(201);
    expect(
      res
        .json()
        .unassignedVisits.map((v: { visitId: string }) => v.visitId)
        .sort(),
    ).toEqual(theirs.map((r) => r.id).sort());
    const feedBody = (await feed()).body;
    for (const r of theirs) expect(feedBody).not.toContain(r.reference);
    // The team's calendar still shows them (the promise stands), as waiting to be placed, not as his.
    const team = (
      await t.app.inject({ method: 'GET', url: `/v1/feeds/team/${TEST_TEAM_FEED_TOKEN}.ics` })
    ).body.replace(/\r\n[ \t]/g, '');
    for (const r of theirs) {
      const event = team.split('BEGIN:VEVENT').find((e) => e.includes(`Réf. ${r.reference}`))!;
      expect(event).toMatch(/SUMMARY:\[À placer\] /);
    }

    const day = (await call(t, 'GET', `/v1/admin/routes?date=${date}`)).json();
    expect(day.now).toBeNull();
    expect(day.unassigned.map((u: { visitId: string }) => u.visitId).sort()).toEqual(
      theirs.map((r) => r.id).sort(),
    );
    for (const u of day.unassigned) {
      const row = theirs.find((r) => r.id === u.visitId)!;
      expect(u).toMatchObject({
        reference: row.reference,
        reason: 'technician-absent',
        previousTechnicianId: absent,
      });
      expect(Date.parse(u.windowStart)).toBe(row.window_start.getTime());
      expect(Date.parse(u.windowEnd)).toBe(row.window_end.getTime());
      expect(u.reasonText).toContain(tech.name);
    }
    for (const route of day.current.routes) expect(route.technicianId).not.toBe(absent);

    const proposal = await call(t, 'POST', '/v1/admin/plans', { date, timeLimitMs: TIME_LIMIT_MS });
    expect(proposal.statusCode).toBe(201);
    const view = proposal.json();
    expect(view.optimiser.keptCurrent).toBeNull();
    const plan = await storedPlan(t, view.id);
    const placed = theirs.filter((r) => placementOf(plan, r.id));
    // Two other technicians work that day with room: every promise is kept.
    expect(placed.length).toBe(theirs.length);
    expect(view.notKept).toEqual([]);
    for (const r of theirs) {
      const change = view.changes.find((c: { visitId: string }) => c.visitId === r.id);
      expect(change).toMatchObject({ fromUnassigned: true, reassigned: true });
      const p = placementOf(plan, r.id)!;
      expect(p.technicianId).not.toBe(absent);
      expect(p.start * 1000).toBeGreaterThanOrEqual(r.window_start.getTime());
      expect(p.start * 1000).toBeLessThanOrEqual(r.window_end.getTime());
    }
    const problem = await buildDayProblem(db, date);
    expect(checkPlan(problem.problem, plan, { requireAll: true })).toEqual([]);

    // Workloads: per route what its stops add up to; the spread is max − min booked hours.
    type RouteJson = {
      stops: { planned: { start: string; end: string } }[];
      workload: { visits: number; bookedMinutes: number };
    };
    const spread = (routes: RouteJson[]) => {
      const hours = routes.map((r) => r.workload.bookedMinutes / 60);
      return Math.round((Math.max(...hours) - Math.min(...hours)) * 10) / 10;
    };
    for (const r of [...view.current.routes, ...view.proposed.routes] as RouteJson[]) {
      expect(r.workload.visits).toBe(r.stops.length);
      const onSite = r.stops.reduce(
        (sum, s) => sum + Date.parse(s.planned.end) - Date.parse(s.planned.start),
        0,
      );
      expect(r.workload.bookedMinutes).toBe(Math.round(onSite / 60_000));
    }
    expect(view.workloadSpread).toEqual({
      beforeHours: spread(view.current.routes),
      afterHours: spread(view.proposed.routes),
    });

    const applied = await call(t, 'POST', `/v1/admin/plans/${view.id}/apply`);
    expect(applied.statusCode).toBe(200);
    const after = await dayRows(t, date);
    for (const r of theirs) {
      const now = after.find((a) => a.id === r.id)!;
      expect(now.unassigned_reason).toBeNull();
      expect(now.technician_id).toBe(placementOf(plan, r.id)!.technicianId);
    }
    expect((await call(t, 'GET', `/v1/admin/routes?date=${date}`)).json().unassigned).toEqual([]);
  });
});

describe('an absence entered by mistake', () => {
  const ids = (list: { visitId: string }[]) => list.map((v) => v.visitId).sort();
  const laneOf = async (date: string) =>
    ids((await call(t, 'GET', `/v1/admin/routes?date=${date}`)).json().unassigned);
  /** The first technician (in the day's order) with at least two visits that day, and those visits. */
  async function technicianWithTwoVisits(date: string) {
    const rows = await dayRows(t, date);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.technician_id, (counts.get(r.technician_id) ?? 0) + 1);
    const [absent] = [...counts.entries()].find(([, n]) => n >= 2)!;
    return { absent, theirs: rows.filter((r) => r.technician_id === absent) };
  }
  const date = '2026-03-31';

  it('shortened, gives back the visits it no longer covers; deleted, gives back the rest, each where it was', async () => {
    const { absent, theirs } = await technicianWithTwoVisits(date);
    const lane = () => laneOf(date);

    const recorded = await call(t, 'POST', '/v1/admin/availability/exceptions', {
      kind: 'absence',
      technicianId: absent,
      from: date,
      reason: 'saisie par erreur',
    });
    expect(recorded.statusCode).toBe(201);
    expect(ids(recorded.json().unassignedVisits)).toEqual(theirs.map((r) => r.id).sort());
    expect(await lane()).toEqual(theirs.map((r) => r.id).sort());

    // Only the first visit's hours are really lost: the others come back at once.
    const [first, ...others] = theirs;
    const shortened = await call(t, 'PATCH', `/v1/admin/availability/exceptions/${recorded.json().id}`, {
      start: first!.planned_start.toISOString(),
      end: first!.planned_end.toISOString(),
    });
    expect(shortened.statusCode).toBe(200);
    expect(ids(shortened.json().restoredVisits)).toEqual(others.map((r) => r.id).sort());
    expect(await lane()).toEqual([first!.id]);

    const removed = await call(t, 'DELETE', `/v1/admin/availability/exceptions/${recorded.json().id}`);
    expect(removed.statusCode).toBe(200);
    expect(ids(removed.json().restoredVisits)).toEqual([first!.id]);
    expect(await lane()).toEqual([]);

    // Each is back with its technician at its planned time, and in their calendar feed.
    const after = await dayRows(t, date);
    for (const r of theirs) {
      const now = after.find((a) => a.id === r.id)!;
      expect(now).toMatchObject({
        technician_id: absent,
        planned_start: r.planned_start,
        unassigned_reason: null,
      });
    }
    const feed = (
      await t.app.inject({ method: 'GET', url: `/v1/feeds/technicians/${feedTokenOf(absent)}.ics` })
    ).body;
    for (const r of theirs) expect(feed).toContain(r.reference);
    const day = await buildDayProblem(t.testDb.handle.db, date);
    expect(checkPlan(day.problem, currentPlan(day.problem), { requireAll: true })).toEqual([]);
  });

  it('deleted while another absence still covers a visit, leaves that one in the lane', async () => {
    const other = '2026-04-01';
    const { absent, theirs } = await technicianWithTwoVisits(other);
    const [first, ...others] = theirs;
    const lane = () => laneOf(other);

    const day = await call(t, 'POST', '/v1/admin/availability/exceptions', {
      kind: 'absence',
      technicianId: absent,
      from: other,
    });
    const dentist = await call(t, 'POST', '/v1/admin/availability/exceptions', {
      kind: 'absence',
      technicianId: absent,
      start: first!.planned_start.toISOString(),
      end: first!.planned_end.toISOString(),
      reason: 'dentiste',
    });
    expect([day.statusCode, dentist.statusCode]).toEqual([201, 201]);
    expect(await lane()).toEqual([first!, ...others].map((r) => r.id).sort());

    const removed = await call(t, 'DELETE', `/v1/admin/availability/exceptions/${day.json().id}`);
    expect(removed.statusCode).toBe(200);
    expect(ids(removed.json().restoredVisits)).toEqual(others.map((r) => r.id).sort());
    expect(await lane()).toEqual([first!.id]);
    const unassigned = (await call(t, 'GET', `/v1/admin/routes?date=${other}`)).json().unassigned;
    expect(unassigned[0]).toMatchObject({ reason: 'technician-absent', previousTechnicianId: absent });
  });
});

describe('today at 09:18', () => {
  const date = '2026-03-26';

  it('never moves a started or past visit and plans nothing before now', async () => {
    const now = Date.parse(MORNING);
    const rows = await dayRows(morning, date);
    const past = rows.filter((r) => r.planned_start.getTime() < now);
    const later = rows.filter((r) => r.planned_start.getTime() >= now);
    expect(past.length).toBeGreaterThan(0);
    expect(later.length).toBeGreaterThan(1);
    const started = later[later.length - 1]!;
    const set = await call(morning, 'PATCH', `/v1/admin/visits/${started.id}`, {
      progress: 'on_site',
      version: started.version,
    });
    expect(set.statusCode).toBe(200);

    const day = (await call(morning, 'GET', `/v1/admin/routes?date=${date}`)).json();
    expect(Date.parse(day.now)).toBe(now);
    const stops = day.current.routes.flatMap(
      (r: { stops: { visitId: string; frozen: boolean }[] }) => r.stops,
    );
    for (const s of stops)
      expect(s.frozen, s.visitId).toBe(s.visitId === started.id || past.some((p) => p.id === s.visitId));

    const view = (
      await call(morning, 'POST', '/v1/admin/plans', { date, timeLimitMs: TIME_LIMIT_MS })
    ).json();
    const plan = await storedPlan(morning, view.id);
    for (const frozen of [...past, started]) {
      expect(placementOf(plan, frozen.id)).toEqual({
        technicianId: frozen.technician_id,
        start: frozen.planned_start.getTime() / 1000,
      });
      expect(view.changes.some((c: { visitId: string }) => c.visitId === frozen.id)).toBe(false);
    }
    for (const r of plan.routes)
      for (const s of r.stops)
        if (!past.some((p) => p.id === s.visitId)) expect(s.start * 1000).toBeGreaterThanOrEqual(now);
    // Judged against the booked day: a past visit booked out of reach stays as it was (frozen), nothing new breaks.
    const problem = await buildDayProblem(morning.testDb.handle.db, date);
    expect(newViolations(problem.problem, plan, currentPlan(problem.problem))).toEqual([]);
    expect(plan.unassigned).toEqual([]);
  });
});
