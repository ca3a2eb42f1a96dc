/**
 * The planner's API on a real database: proposals that keep every rule
 * (checked independently with checkPlan), applying them, staleness after a
 * concurrent booking or change, manual moves and pins, roles and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import type { Plan } from '../../solver/problem.js';
import { localDaySpan } from '../../src/domain/booking-problem.js';
import { buildDayProblem } from '../../src/domain/planning/index.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';

let t: TestApp;
const TIME_LIMIT_MS = 1000;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.testDb.handle.db;

function propose(date: string, token = t.tokens.planner) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/admin/plans',
    headers: bearer(token),
    payload: { date, timeLimitMs: TIME_LIMIT_MS },
  });
}

function apply(id: string) {
  return t.app.inject({
    method: 'POST',
    url: `/v1/admin/plans/${id}/apply`,
    headers: bearer(t.tokens.planner),
  });
}

function patchVisit(id: string, payload: Record<string, unknown>) {
  return t.app.inject({
    method: 'PATCH',
    url: `/v1/admin/visits/${id}`,
    headers: bearer(t.tokens.planner),
    payload,
  });
}

/** Every booked visit of a day as the database has it. */
async function dayRows(date: string) {
  const span = localDaySpan(date, date, 'Europe/Paris');
  return db()
    .selectFrom('visits')
    .select([
      'id',
      'technician_id',
      'planned_start',
      'planned_end',
      'version',
      'pinned',
      'service_id',
      'postcode',
      'window_start',
      'window_end',
    ])
    .where('status', '=', 'booked')
    .where('planned_start', '<', span.to)
    .where('planned_end', '>', span.from)
    .orderBy('id')
    .execute();
}

async function storedPlan(
  id: string,
): Promise<{ status: string; plan: Plan; basedOn: Record<string, number> }> {
  const row = await db().selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { status: row.status, plan: (row.proposal as { plan: Plan }).plan, basedOn: row.based_on };
}

function placementOf(plan: Plan, visitId: string) {
  for (const r of plan.routes)
    for (const s of r.stops)
      if (s.visitId === visitId) return { technicianId: r.technicianId, start: s.start };
  return undefined;
}

interface ChangeJson {
  visitId: string;
  reassigned: boolean;
  shiftMinutes: number;
  from: { technicianId: string; start: string };
  to: { technicianId: string; start: string };
}

describe('who may plan', () => {
  it('needs a token (401) with the planner role (403 for an agent)', async () => {
    const none = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/plans',
      payload: { date: '2026-03-26' },
    });
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await propose('2026-03-26', t.tokens.agent)).statusCode).toBe(403);
    const routes = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/routes?date=2026-03-26',
      headers: bearer(t.tokens.agent),
    });
    expect(routes.statusCode).toBe(403);
    const [visit] = await dayRows('2026-03-26');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/visits/${visit!.id}`,
      headers: bearer(t.tokens.agent),
      payload: { pinned: true },
    });
    expect(patch.statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/admin/plans/${visit!.id}/apply` })).statusCode,
    ).toBe(401);
  });

  it('rejects a bad date naming the field, without calling the optimiser', async () => {
    for (const date of ['demain', '2026-13-01', '2026-02-30', '']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/plans',
        headers: bearer(t.tokens.planner),
        payload: { date },
      });
      expect(res.statusCode, date).toBe(400);
      expect(res.json().field).toBe('body.date');
    }
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/routes?date=26/03/2026',
      headers: bearer(t.tokens.planner),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('query.date');
    const limit = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/plans',
      headers: bearer(t.tokens.planner),
      payload: { date: '2026-03-26', timeLimitMs: 10 ** 7 },
    });
    expect(limit.statusCode).toBe(400);
    expect(limit.json().field).toBe('body.timeLimitMs');
  });

  it('answers 404 for an unknown plan', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/plans/00000000-0000-4000-8000-000000000000',
      headers: bearer(t.tokens.planner),
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('the day as it is', () => {
  it('shows every routed visit of the day once, in time order per technician', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/routes?date=2026-03-26',
      headers: bearer(t.tokens.planner),
    });
    expect(res.statusCode).toBe(200);
    const day = res.json();
    const rows = await dayRows('2026-03-26');
    const shown = day.current.routes.flatMap((r: { stops: { visitId: string }[] }) =>
      r.stops.map((s) => s.visitId),
    );
    expect(shown.length + day.visitsOutsideRoutes).toBe(rows.length);
    expect(new Set(shown).size).toBe(shown.length);
    expect(day.current.totals.visits).toBe(shown.length);
    for (const route of day.current.routes as { stops: { planned: { start: string } }[] }[]) {
      const starts = route.stops.map((s) => Date.parse(s.planned.start));
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
    expect(day.technicians.length).toBeGreaterThan(0);
  });
});

describe('proposing and applying', () => {
  it('proposes a valid plan that keeps every visit, lists exactly the differences, and applies it', async () => {
    const date = '2026-03-26';
    const before = await dayRows(date);
    const res = await propose(date);
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view.status).toBe('proposed');
    expect(view.proposed.totals.visits).toBe(view.current.totals.visits);
    expect(view.proposed.totals.travelMinutes).toBeLessThanOrEqual(view.current.totals.travelMinutes);

    // Independently: the stored plan passes checkPlan on the day's problem and serves every visit.
    const stored = await storedPlan(view.id);
    const day = await buildDayProblem(db(), date);
    expect(checkPlan(day.problem, stored.plan, { requireAll: true })).toEqual([]);
    expect(stored.plan.unassigned).toEqual([]);
    expect(Object.keys(stored.basedOn).sort()).toEqual(before.map((r) => r.id));
    for (const r of before) expect(stored.basedOn[r.id]).toBe(r.version);

    // The change list is exactly the diff between current and proposed placements.
    const beforeById = new Map(before.map((r) => [r.id, r]));
    const diff = [...beforeById.values()].filter((r) => {
      const p = placementOf(stored.plan, r.id)!;
      return (
        p.technicianId !== r.technician_id || Math.abs(p.start * 1000 - r.planned_start.getTime()) >= 1000
      );
    });
    const changes = view.changes as ChangeJson[];
    expect(changes.map((c) => c.visitId).sort()).toEqual(diff.map((r) => r.id).sort());
    for (const c of changes) {
      const row = beforeById.get(c.visitId)!;
      expect(c.from.technicianId).toBe(row.technician_id);
      expect(Date.parse(c.from.start)).toBe(row.planned_start.getTime());
      const p = placementOf(stored.plan, c.visitId)!;
      expect(c.to.technicianId).toBe(p.technicianId);
      expect(Date.parse(c.to.start)).toBe(p.start * 1000);
      expect(c.reassigned).toBe(p.technicianId !== row.technician_id);
    }
    // The demo day has slack: the optimiser finds something to improve.
    expect(changes.length).toBeGreaterThan(0);

    const got = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/plans/${view.id}`,
      headers: bearer(t.tokens.planner),
    });
    expect(got.json().changes).toEqual(view.changes);

    const applied = await apply(view.id);
    expect(applied.statusCode).toBe(200);
    expect(applied.json().status).toBe('applied');
    expect(applied.json().moved).toBe(changes.length);

    const after = new Map((await dayRows(date)).map((r) => [r.id, r]));
    for (const r of before) {
      const now = after.get(r.id)!;
      const p = placementOf(stored.plan, r.id)!;
      expect(now.technician_id).toBe(p.technicianId);
      expect(now.planned_start.getTime()).toBe(p.start * 1000);
      expect(now.planned_end.getTime() - now.planned_start.getTime()).toBe(
        r.planned_end.getTime() - r.planned_start.getTime(),
      );
      const moved = changes.some((c) => c.visitId === r.id);
      expect(now.version).toBe(r.version + (moved ? 1 : 0));
    }
    expect((await storedPlan(view.id)).status).toBe('applied');

    // The day's routes now are the proposal, and the same plan cannot be applied twice.
    const routes = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/admin/routes?date=${date}`,
        headers: bearer(t.tokens.planner),
      })
    ).json();
    expect(routes.current.totals).toEqual(view.proposed.totals);
    const again = await apply(view.id);
    expect(again.statusCode).toBe(409);
  });

  it('refuses to apply after a booking on that day (409, re-plan), writes nothing and marks the plan stale', async () => {
    const date = '2026-03-30';
    const proposal = (await propose(date)).json();
    expect(proposal.changes.length).toBeGreaterThan(0);

    const service = await firstService(t.app, 'depannage');
    const days = await slotsFor(t.app, service.id, '69003');
    const window = days.find((d) => d.date === date)?.windows[0];
    expect(window, 'a free window on the planned day').toBeDefined();
    const booked = await book(t.app, bookingPayload(service.id, window!, '69003'));
    expect(booked.statusCode).toBe(201);

    const snapshot = await dayRows(date);
    const res = await apply(proposal.id);
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().code).toBe('plan-stale');
    expect(res.json().detail).toMatch(/relancez une optimisation/);
    expect(await dayRows(date)).toEqual(snapshot);
    expect((await storedPlan(proposal.id)).status).toBe('stale');
  });

  it('refuses to apply after a visit of that day changed (409) and writes nothing', async () => {
    const date = '2026-03-31';
    const proposal = (await propose(date)).json();
    const [someone] = await dayRows(date);
    expect((await patchVisit(someone!.id, { pinned: true })).statusCode).toBe(200);
    const snapshot = await dayRows(date);
    const res = await apply(proposal.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().changedVisits).toContain(someone!.id);
    expect(await dayRows(date)).toEqual(snapshot);
  });

  it('keeps a pinned visit where it is in later proposals', async () => {
    const date = '2026-04-01';
    const first = (await propose(date)).json();
    const moved = (first.changes as ChangeJson[])[0];
    expect(moved, 'the first proposal moves something').toBeDefined();
    const row = (await dayRows(date)).find((r) => r.id === moved!.visitId)!;

    const pin = await patchVisit(moved!.visitId, { pinned: true });
    expect(pin.statusCode).toBe(200);
    expect(pin.json().pinned).toBe(true);
    expect(pin.json().version).toBe(row.version + 1);

    const second = (await propose(date)).json();
    expect((second.changes as ChangeJson[]).some((c) => c.visitId === moved!.visitId)).toBe(false);
    const plan = (await storedPlan(second.id)).plan;
    expect(placementOf(plan, moved!.visitId)).toEqual({
      technicianId: row.technician_id,
      start: row.planned_start.getTime() / 1000,
    });
    const day = await buildDayProblem(db(), date);
    expect(checkPlan(day.problem, plan, { requireAll: true })).toEqual([]);
  });
});

describe('the optimiser runs off the event loop', () => {
  it('answers other requests while a proposal is being computed', async () => {
    const order: string[] = [];
    const proposal = propose('2026-04-03').then((res) => {
      order.push('proposal');
      return res;
    });
    // Let the request reach the worker before asking for something else.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const health = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/routes?date=2026-04-03',
      headers: bearer(t.tokens.planner),
    });
    order.push('routes');
    expect(health.statusCode).toBe(200);
    expect((await proposal).statusCode).toBe(201);
    expect(order).toEqual(['routes', 'proposal']);
  });

  it('proposes nothing on a public holiday (no shifts, no visits)', async () => {
    const res = await propose('2026-04-06'); // Easter Monday
    expect(res.statusCode).toBe(201);
    expect(res.json().changes).toEqual([]);
    expect(res.json().proposed.totals.visits).toBe(0);
    expect(res.json().optimiser.keptCurrent).not.toBeNull();
  });
});

describe('moving a visit by hand', () => {
  const date = '2026-04-02';

  async function technicians() {
    return db()
      .selectFrom('technicians as t')
      .leftJoin('technician_skills as ts', 'ts.technician_id', 't.id')
      .select(['t.id', 't.name', 'ts.skill_code'])
      .execute();
  }

  async function serviceSkills() {
    return db().selectFrom('service_skills').select(['service_id', 'skill_code']).execute();
  }

  it('refuses a technician without the skill (422 on body.technicianId) and writes nothing', async () => {
    const [rows, techs, needs] = await Promise.all([dayRows(date), technicians(), serviceSkills()]);
    const skillsOf = (id: string) => new Set(techs.filter((x) => x.id === id).map((x) => x.skill_code));
    let tried = 0;
    for (const visit of rows) {
      const required = needs.filter((n) => n.service_id === visit.service_id).map((n) => n.skill_code);
      const unfit = [...new Set(techs.map((x) => x.id))].find((id) =>
        required.some((k) => !skillsOf(id).has(k)),
      );
      if (!unfit) continue;
      const res = await patchVisit(visit.id, { technicianId: unfit });
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().field).toBe('body.technicianId');
      tried++;
      if (tried >= 3) break;
    }
    expect(tried).toBeGreaterThan(0);
    expect(await dayRows(date)).toEqual(rows);
  });

  it('refuses a planned start outside the promised window (422 on body.plannedStart) and writes nothing', async () => {
    const rows = await dayRows(date);
    const visit = rows[0]!;
    const late = new Date(visit.window_end.getTime() + 30 * 60_000).toISOString();
    const res = await patchVisit(visit.id, { plannedStart: late });
    expect(res.statusCode).toBe(422);
    expect(res.json().field).toBe('body.plannedStart');
    expect(res.json().violations.map((v: { rule: string }) => v.rule)).toContain('window');
    expect(await dayRows(date)).toEqual(rows);
  });

  it('refuses a move onto another visit (409) and checks the version it was given', async () => {
    const rows = await dayRows(date);
    const byTech = new Map<string, typeof rows>();
    for (const r of rows) byTech.set(r.technician_id, [...(byTech.get(r.technician_id) ?? []), r]);
    const pair = [...byTech.values()].find((list) => list.length >= 2)!;
    const [a, b] = [...pair].sort((x, y) => x.planned_start.getTime() - y.planned_start.getTime());
    // b at a's time: inside b's window only if the windows meet; either way the move must be refused.
    const res = await patchVisit(b!.id, { plannedStart: a!.planned_start.toISOString() });
    expect([409, 422]).toContain(res.statusCode);
    expect(res.json().field).toBe('body.plannedStart');

    const stale = await patchVisit(a!.id, { pinned: true, version: a!.version + 5 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().field).toBe('body.version');
    expect(await dayRows(date)).toEqual(rows);

    const empty = await patchVisit(a!.id, {});
    expect(empty.statusCode).toBe(400);
  });

  it('moves a visit when the day still works, and bumps its version', async () => {
    const rows = await dayRows(date);
    let done = false;
    for (const visit of rows) {
      for (const minutes of [10, -10, 20, -20]) {
        const start = new Date(visit.planned_start.getTime() + minutes * 60_000);
        if (start < visit.window_start || start > visit.window_end) continue;
        const res = await patchVisit(visit.id, { plannedStart: start.toISOString(), version: visit.version });
        if (res.statusCode !== 200) {
          expect([409, 422]).toContain(res.statusCode);
          continue;
        }
        const row = await db()
          .selectFrom('visits')
          .selectAll()
          .where('id', '=', visit.id)
          .executeTakeFirstOrThrow();
        expect(row.planned_start.getTime()).toBe(start.getTime());
        expect(row.planned_end.getTime() - row.planned_start.getTime()).toBe(
          visit.planned_end.getTime() - visit.planned_start.getTime(),
        );
        expect(row.version).toBe(visit.version + 1);
        expect(res.json().planned.start).toMatch(/\+0[12]:00$/);
        done = true;
        break;
      }
      if (done) break;
    }
    expect(done).toBe(true);
    const day = await buildDayProblem(db(), date);
    const { currentPlan } = await import('../../solver/slots.js');
    expect(checkPlan(day.problem, currentPlan(day.problem))).toEqual([]);
  });

  /**
   * A technician who can take `visit` and nothing else in the way: every skill its service needs, home at
   * its address, working only that day, serving the given zones (by default those covering its postal code).
   */
  async function standIn(
    visit: { id: string; service_id: string; postcode: string },
    name: string,
    zones?: string[],
  ): Promise<string> {
    const address = await db()
      .selectFrom('visits')
      .select(['lat', 'lon'])
      .where('id', '=', visit.id)
      .executeTakeFirstOrThrow();
    const tech = await db()
      .insertInto('technicians')
      .values({
        name,
        email: null,
        phone: null,
        home_lat: address.lat,
        home_lon: address.lon,
        feed_token_hash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const skills = (await serviceSkills()).filter((n) => n.service_id === visit.service_id);
    for (const k of skills)
      await db()
        .insertInto('technician_skills')
        .values({ technician_id: tech.id, skill_code: k.skill_code })
        .execute();
    const zoneIds =
      zones ??
      (
        await db()
          .selectFrom('zone_postcodes')
          .select('zone_id')
          .where('postcode', '=', visit.postcode)
          .execute()
      ).map((z) => z.zone_id);
    for (const zone_id of zoneIds)
      await db().insertInto('technician_zones').values({ technician_id: tech.id, zone_id }).execute();
    await db()
      .insertInto('working_hours')
      .values({
        technician_id: tech.id,
        rrule: 'FREQ=DAILY',
        start_time: '07:00:00',
        end_time: '19:00:00',
        valid_from: date,
        valid_until: date,
      })
      .execute();
    return tech.id;
  }

  it('moves a visit to a qualified technician who is free then', async () => {
    const [visit] = await dayRows(date);
    const free = await standIn(visit!, 'Remplaçant libre');
    const res = await patchVisit(visit!.id, { technicianId: free, version: visit!.version });
    expect(res.statusCode).toBe(200);
    expect(res.json().technician.id).toBe(free);
    const row = await db()
      .selectFrom('visits')
      .select(['technician_id', 'planned_start', 'version'])
      .where('id', '=', visit!.id)
      .executeTakeFirstOrThrow();
    expect(row.technician_id).toBe(free);
    expect(row.planned_start.getTime()).toBe(visit!.planned_start.getTime());
    expect(row.version).toBe(visit!.version + 1);
    const day = await buildDayProblem(db(), date);
    const { currentPlan } = await import('../../solver/slots.js');
    expect(checkPlan(day.problem, currentPlan(day.problem))).toEqual([]);
  });

  it('refuses a qualified, free technician who does not serve the visit’s postal code (422, zone rule)', async () => {
    const rows = await dayRows(date);
    const visit = rows[rows.length - 1]!;
    const elsewhere = await db()
      .selectFrom('zones')
      .select('id')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('zone_postcodes')
              .select('postcode')
              .whereRef('zone_postcodes.zone_id', '=', 'zones.id')
              .where('postcode', '=', visit.postcode),
          ),
        ),
      )
      .execute();
    expect(elsewhere.length).toBeGreaterThan(0);
    const outsider = await standIn(
      visit,
      'Remplaçant hors zone',
      elsewhere.map((z) => z.id),
    );
    const res = await patchVisit(visit.id, { technicianId: outsider });
    expect(res.statusCode).toBe(422);
    expect(res.json().field).toBe('body.technicianId');
    expect(res.json().violations).toEqual([
      { rule: 'zone', field: 'body.technicianId', message: 'le technicien ne dessert pas ce code postal' },
    ]);
    expect(res.json().detail).toMatch(/ne dessert pas ce code postal/);
    expect(await dayRows(date)).toEqual(rows);
  });
});
