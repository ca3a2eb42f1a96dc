/**
 * The move dialog's suggestions (GET /v1/admin/visits/:id/move-options):
 * every place offered is one the move check accepts and PATCH then writes,
 * inside the promised window, never on a technician without the skill (even
 * one with room), ranked by the driving it adds; an unassigned visit gets
 * places too; wrong input is a problem+json naming the field.
 */
import type { LightMyRequestResponse as InjectResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { bookedVisitsOn } from '../helpers/visits.js';

let t: TestApp;
const date = '2026-03-26';

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.testDb.handle.db;

interface Option {
  technicianId: string;
  technicianName: string;
  date: string;
  start: string;
  drivingAddedMinutes: number;
}
interface Answer {
  visitId: string;
  reference: string;
  date: string;
  window: { start: string; end: string };
  options: Option[];
}

function options(visitId: string, query = '', token = t.tokens.planner) {
  return t.app.inject({
    method: 'GET',
    url: `/v1/admin/visits/${visitId}/move-options${query}`,
    headers: bearer(token),
  });
}

async function answerFor(visitId: string, query = ''): Promise<Answer> {
  const res = await options(visitId, query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Answer;
}

function check(visitId: string, technicianId: string, start: string) {
  return t.app.inject({
    method: 'POST',
    url: `/v1/admin/visits/${visitId}/move-check`,
    headers: bearer(t.tokens.planner),
    payload: { technicianId, start },
  });
}

/** PATCH /v1/admin/visits/:id as the planner: a move, or progress, at the visit's `version`. */
function patchVisit(visitId: string, payload: Record<string, unknown>) {
  return t.app.inject({
    method: 'PATCH',
    url: `/v1/admin/visits/${visitId}`,
    headers: bearer(t.tokens.planner),
    payload,
  });
}

const dayRows = (day = date) => bookedVisitsOn(db(), day, { notStarted: true });

async function row(id: string) {
  return db().selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function skillsOf() {
  const [techs, needs] = await Promise.all([
    db().selectFrom('technician_skills').select(['technician_id', 'skill_code']).execute(),
    db().selectFrom('service_skills').select(['service_id', 'skill_code']).execute(),
  ]);
  return {
    missing: (tech: string, service: string) =>
      needs
        .filter((n) => n.service_id === service)
        .map((n) => n.skill_code)
        .filter((k) => !techs.some((x) => x.technician_id === tech && x.skill_code === k)),
  };
}

describe('move options', () => {
  it('offers only places the move check accepts, inside the promised window, ranked by driving added', async () => {
    const rows = (await dayRows()).slice(0, 6);
    const skills = await skillsOf();
    let offered = 0;
    for (const visit of rows) {
      const answer = await answerFor(visit.id);
      expect(answer.visitId).toBe(visit.id);
      expect(answer.date).toBe(date);
      expect(Date.parse(answer.window.start)).toBe(visit.window_start.getTime());
      const driving = answer.options.map((o) => o.drivingAddedMinutes);
      expect(driving).toEqual([...driving].sort((a, b) => a - b));
      for (const option of answer.options) {
        const at = Date.parse(option.start);
        expect(option.date).toBe(date);
        expect(at % 60_000).toBe(0);
        expect(at).toBeGreaterThanOrEqual(visit.window_start.getTime());
        expect(at).toBeLessThanOrEqual(visit.window_end.getTime());
        expect(skills.missing(option.technicianId, visit.service_id)).toEqual([]);
        // Not where it already is: that is no move.
        expect(option.technicianId === visit.technician_id && at === visit.planned_start.getTime()).toBe(
          false,
        );
        const verdict = await check(visit.id, option.technicianId, option.start);
        expect(verdict.json(), `${visit.reference} → ${JSON.stringify(option)}`).toEqual({
          feasible: true,
          reasons: [],
        });
        offered++;
      }
    }
    // A demo day has room: most visits can go somewhere else.
    expect(offered).toBeGreaterThan(rows.length);
  });

  it('moves a visit to its first suggestion with PATCH, and answers the next ones from the day as it now is', async () => {
    const rows = await dayRows();
    let moved = false;
    for (const visit of rows) {
      const answer = await answerFor(visit.id);
      const first = answer.options[0];
      if (!first) continue;
      const res = await patchVisit(visit.id, {
        technicianId: first.technicianId,
        plannedStart: first.start,
        version: visit.version,
      });
      expect(res.statusCode, res.body).toBe(200);
      const after = await row(visit.id);
      expect(after.technician_id).toBe(first.technicianId);
      expect(after.planned_start.getTime()).toBe(Date.parse(first.start));
      // Where it is now is no suggestion any more; where it was may be one.
      const again = await answerFor(visit.id);
      expect(
        again.options.some(
          (o) => o.technicianId === first.technicianId && Date.parse(o.start) === Date.parse(first.start),
        ),
      ).toBe(false);
      moved = true;
      break;
    }
    expect(moved).toBe(true);
  });

  it('never suggests a technician without the skill, even one who had room before losing it', async () => {
    const rows = await dayRows();
    const needs = await db().selectFrom('service_skills').select(['service_id', 'skill_code']).execute();
    let tried = 0;
    for (const visit of rows) {
      const skill = needs.find((n) => n.service_id === visit.service_id)?.skill_code;
      if (!skill) continue;
      const answer = await answerFor(visit.id, '?limit=30');
      const other = answer.options.find((o) => o.technicianId !== visit.technician_id);
      if (!other) continue;
      await db()
        .deleteFrom('technician_skills')
        .where('technician_id', '=', other.technicianId)
        .where('skill_code', '=', skill)
        .execute();
      const without = await answerFor(visit.id, '?limit=30');
      expect(without.options.map((o) => o.technicianId)).not.toContain(other.technicianId);
      // The same place, typed by hand, gets the refusal with its reason.
      const verdict = (await check(visit.id, other.technicianId, other.start)).json();
      expect(verdict.feasible).toBe(false);
      expect(verdict.reasons.map((r: { code: string }) => r.code)).toContain('skill');
      await db()
        .insertInto('technician_skills')
        .values({ technician_id: other.technicianId, skill_code: skill })
        .execute();
      if (++tried >= 2) break;
    }
    expect(tried).toBe(2);
  });

  it('offers places to a visit in the unassigned lane, and placing it on the first one works', async () => {
    const day = '2026-03-30';
    const rows = await dayRows(day);
    const technicianId = rows[0]!.technician_id;
    const theirs = rows.filter((r) => r.technician_id === technicianId);
    const absence = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/availability/exceptions',
      headers: bearer(t.tokens.planner),
      payload: { kind: 'absence', technicianId, from: day },
    });
    expect(absence.statusCode).toBe(201);
    let placed = false;
    for (const visit of theirs) {
      const waiting = await row(visit.id);
      expect(waiting.unassigned_reason).toBe('technician-absent');
      const answer = await answerFor(visit.id);
      expect(answer.options.map((o) => o.technicianId)).not.toContain(technicianId);
      const first = answer.options[0];
      if (!first) continue;
      const res = await patchVisit(visit.id, {
        technicianId: first.technicianId,
        plannedStart: first.start,
        version: waiting.version,
      });
      expect(res.statusCode, res.body).toBe(200);
      const after = await row(visit.id);
      expect(after.unassigned_reason).toBeNull();
      expect(after.technician_id).toBe(first.technicianId);
      placed = true;
      break;
    }
    expect(placed).toBe(true);
  });

  it('asked about one technician, answers several times, each accepted by the move check; none without the skill', async () => {
    const rows = await dayRows('2026-03-31');
    const skills = await skillsOf();
    const technicians = (
      await db().selectFrom('technicians').select('id').where('active', '=', true).execute()
    ).map((r) => r.id);
    let several = 0;
    let unskilled = 0;
    for (const visit of rows.slice(0, 5)) {
      for (const technicianId of technicians) {
        const answer = await answerFor(visit.id, `?technicianId=${technicianId}&limit=6`);
        if (skills.missing(technicianId, visit.service_id).length > 0) {
          expect(answer.options).toEqual([]);
          unskilled++;
          continue;
        }
        expect(answer.options.length).toBeLessThanOrEqual(6);
        for (const option of answer.options) {
          expect(option.technicianId).toBe(technicianId);
          expect((await check(visit.id, technicianId, option.start)).json().feasible).toBe(true);
        }
        if (answer.options.length > 2) several++;
      }
    }
    // More than the two a technician gets among everyone, where their day has room.
    expect(several).toBeGreaterThan(0);
    expect(unskilled).toBeGreaterThan(0);
    const bad = await options(rows[0]!.id, '?technicianId=marc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('query.technicianId');
  });

  it('offers nothing before now on today', async () => {
    const now = Date.parse('2026-03-25T07:00:00Z');
    const rows = (await dayRows('2026-03-25')).filter((r) => r.window_end.getTime() > now).slice(0, 4);
    expect(rows.length).toBeGreaterThan(0);
    for (const visit of rows)
      for (const option of (await answerFor(visit.id)).options)
        expect(Date.parse(option.start)).toBeGreaterThanOrEqual(now);
  });

  it('answers problem+json: 400 naming a bad limit or id, 404 unknown visit, 409 started visit, 403 agent', async () => {
    const [visit] = await dayRows('2026-03-27');
    const limits = await answerFor(visit!.id, '?limit=1');
    expect(limits.options.length).toBeLessThanOrEqual(1);

    for (const [query, field] of [
      ['?limit=0', 'query.limit'],
      ['?limit=abc', 'query.limit'],
      ['?when=tomorrow', 'query'],
    ] as const) {
      const bad = await options(visit!.id, query);
      expect(bad.statusCode, query).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(String(bad.json().field ?? ''), query).toContain(field);
    }
    const badId = await options('not-a-uuid');
    expect(badId.statusCode).toBe(400);
    expect(badId.json().field).toContain('params.id');

    const unknown = await options('00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);

    const agent = await options(visit!.id, '', t.tokens.agent);
    expect(agent.statusCode).toBe(403);

    const started = await patchVisit(visit!.id, { progress: 'on_site', version: visit!.version });
    expect(started.statusCode).toBe(200);
    const res = await options(visit!.id);
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe('visit-started');
  });
});

describe('make room for a visit that fits nowhere', () => {
  it('stores a proposal placing it inside its window, other visits moved inside theirs; applying it writes them', async () => {
    // A visit the dialog has no place for; the first such visit room can be made for.
    let found: { visit: Awaited<ReturnType<typeof dayRows>>[number]; res: InjectResponse } | undefined;
    for (const day of ['2026-03-31', '2026-04-01', '2026-04-02', '2026-03-26']) {
      for (const visit of await dayRows(day)) {
        if ((await answerFor(visit.id)).options.length > 0) continue;
        const res = await t.app.inject({
          method: 'POST',
          url: `/v1/admin/visits/${visit.id}/make-room`,
          headers: bearer(t.tokens.planner),
        });
        if (res.statusCode === 409) {
          // No room anywhere, said as a problem naming why.
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.json().code).toBe('no-room');
          continue;
        }
        found = { visit, res };
        break;
      }
      if (found) break;
    }
    expect(found).toBeDefined();
    const { visit, res } = found!;
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json() as {
      id: string;
      status: string;
      purpose: string;
      changes: { visitId: string; to: { technicianId: string; start: string } }[];
    };
    expect(plan.status).toBe('proposed');
    expect(plan.purpose).toContain(visit.reference);
    const mine = plan.changes.find((c) => c.visitId === visit.id)!;
    expect(mine).toBeDefined();
    // Routed: it goes to another technician (its own route has no other place, by the dialog's answer).
    expect(mine.to.technicianId).not.toBe(visit.technician_id);
    expect(plan.changes.length).toBeGreaterThan(1);
    for (const change of plan.changes) {
      const r = await row(change.visitId);
      const at = Date.parse(change.to.start);
      expect(at).toBeGreaterThanOrEqual(r.window_start.getTime());
      expect(at).toBeLessThanOrEqual(r.window_end.getTime());
    }

    const applied = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/plans/${plan.id}/apply`,
      headers: bearer(t.tokens.planner),
    });
    expect(applied.statusCode, applied.body).toBe(200);
    for (const change of plan.changes) {
      const r = await row(change.visitId);
      expect(r.technician_id).toBe(change.to.technicianId);
      // On whole minutes, as the planner writes times, even on a route tight at both ends.
      expect(r.planned_start.getTime()).toBe(Date.parse(change.to.start));
      expect(r.planned_start.getTime() % 60_000).toBe(0);
    }
    // Where it now is, the move check agrees.
    const verdict = await check(visit.id, mine.to.technicianId, mine.to.start);
    expect(verdict.json()).toEqual({ feasible: true, reasons: [] });
  });

  it('answers problem+json: 404 unknown visit, 403 agent, 409 started visit', async () => {
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/visits/00000000-0000-4000-8000-000000000000/make-room',
      headers: bearer(t.tokens.planner),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    const [visit] = await dayRows('2026-04-01');
    const agent = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/visits/${visit!.id}/make-room`,
      headers: bearer(t.tokens.agent),
    });
    expect(agent.statusCode).toBe(403);
    const started = await patchVisit(visit!.id, { progress: 'en_route', version: visit!.version });
    expect(started.statusCode).toBe(200);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/visits/${visit!.id}/make-room`,
      headers: bearer(t.tokens.planner),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('visit-started');
  });
});
