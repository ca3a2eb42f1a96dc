/**
 * Urgent work today (issue 16): at 09:18 a job to start before 13:18; the
 * options (one per technician who may do it, cheapest first) keep every
 * promise and move no started or past visit; creating it on the picked
 * technician writes exactly that option and breaks no rule of the day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentPlan } from '../../solver/slots.js';
import { newViolations } from '../../src/domain/planning/day-problem.js';
import { buildDayProblem } from '../../src/domain/planning/index.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { firstService } from '../helpers/booking.js';
import { bookedVisitsOn } from '../helpers/visits.js';

const NOW = '2026-03-26T08:18:00Z'; // 09:18 in Paris
const DEADLINE = '2026-03-26T13:18:00+02:00'.replace('+02:00', '+01:00'); // 13:18 local (CET)
const date = '2026-03-26';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ now: NOW });
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.testDb.handle.db;

function post(url: string, payload: object) {
  return t.app.inject({ method: 'POST', url, headers: bearer(t.tokens.planner), payload });
}

const dayRows = () => bookedVisitsOn(db(), date);

async function job(overrides: Record<string, unknown> = {}) {
  const service = await firstService(t.app, 'depannage');
  return {
    serviceId: service.id,
    address: { street: '12 rue Paul Bert', postcode: '69003', city: 'Lyon 3e' },
    deadline: DEADLINE,
    ...overrides,
  };
}

interface Option {
  technicianId: string;
  start: string;
  travelAddedMinutes: number;
  movedVisits: { visitId: string; from: string; to: string }[];
  lateMinutes: number;
}

describe('urgent work', () => {
  it('offers per technician a start between now and the deadline, moving only future visits inside their windows', async () => {
    const rows = await dayRows();
    const res = await post('/v1/admin/urgent/options', await job());
    expect(res.statusCode, res.body).toBe(200);
    const options = res.json().options as Option[];
    expect(options.length).toBeGreaterThan(1);
    expect(new Set(options.map((o) => o.technicianId)).size).toBe(options.length);
    const now = Date.parse(NOW);
    for (const o of options) {
      expect(Date.parse(o.start)).toBeGreaterThanOrEqual(now);
      expect(Date.parse(o.start)).toBeLessThanOrEqual(Date.parse(DEADLINE));
      expect(o.lateMinutes).toBe(0);
      for (const m of o.movedVisits) {
        const row = rows.find((r) => r.id === m.visitId)!;
        expect(row.technician_id).toBe(o.technicianId);
        expect(row.planned_start.getTime()).toBeGreaterThanOrEqual(now);
        expect(Date.parse(m.from)).toBe(row.planned_start.getTime());
        expect(Date.parse(m.to)).toBeGreaterThanOrEqual(row.window_start.getTime());
        expect(Date.parse(m.to)).toBeLessThanOrEqual(row.window_end.getTime());
      }
    }
    const added = options.map((o) => o.travelAddedMinutes);
    expect(added).toEqual([...added].sort((a, b) => a - b));
  });

  it('creates the visit on the picked technician without moving a started visit or breaking a promise', async () => {
    const before = await dayRows();
    const now = Date.parse(NOW);
    const options = (await post('/v1/admin/urgent/options', await job())).json().options as Option[];
    // A technician with a visit still ahead that their option leaves in place: it starts (en route) now.
    const ahead = (id: string) =>
      before.filter((r) => r.technician_id === id && r.planned_start.getTime() >= now);
    let pick: Option | undefined;
    let started: (typeof before)[number] | undefined;
    for (const o of options) {
      started = ahead(o.technicianId).find(
        (r) =>
          !o.movedVisits.some((m) => m.visitId === r.id) && r.planned_start.getTime() > Date.parse(o.start),
      );
      if (started) {
        pick = o;
        break;
      }
    }
    expect(started, 'a technician with a visit after the urgent one').toBeDefined();
    const set = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/visits/${started!.id}`,
      headers: bearer(t.tokens.planner),
      payload: { progress: 'en_route', version: started!.version },
    });
    expect(set.statusCode).toBe(200);
    const day = await buildDayProblem(db(), date);
    const known = currentPlan(day.problem);

    const fresh = (await post('/v1/admin/urgent/options', await job())).json().options as Option[];
    const chosen = fresh.find((o) => o.technicianId === pick!.technicianId)!;
    expect(chosen, 'the technician still has an option').toBeDefined();
    expect(chosen.movedVisits.some((m) => m.visitId === started!.id)).toBe(false);

    const created = await post('/v1/admin/urgent', {
      ...(await job()),
      technicianId: pick!.technicianId,
      customer: { name: 'Mme Urgence', phone: '06 12 34 56 78' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const visit = created.json();
    expect(visit.technician.id).toBe(pick!.technicianId);
    expect(visit.planned.start).toBe(chosen.start);
    expect(visit.movedVisits).toEqual(chosen.movedVisits);

    const after = await dayRows();
    for (const r of before) {
      const now2 = after.find((a) => a.id === r.id)!;
      const moved = chosen.movedVisits.find((m) => m.visitId === r.id);
      if (r.planned_start.getTime() < now || r.id === started!.id) {
        expect(now2.planned_start).toEqual(r.planned_start);
        expect(now2.technician_id).toBe(r.technician_id);
      } else if (moved) expect(now2.planned_start.getTime()).toBe(Date.parse(moved.to));
      else expect(now2.planned_start).toEqual(r.planned_start);
      expect(now2.planned_start.getTime()).toBeGreaterThanOrEqual(now2.window_start.getTime());
      expect(now2.planned_start.getTime()).toBeLessThanOrEqual(now2.window_end.getTime());
    }
    const row = after.find((a) => a.id === visit.id)!;
    expect(row.customer_phone).toBe('+33612345678');
    expect(row.channel).toBe('planner');
    const events = await db()
      .selectFrom('outbox')
      .select('type')
      .where('aggregate_id', '=', visit.id)
      .execute();
    expect(events.map((e) => e.type)).toEqual(['booking.created']);
    // The whole day still keeps every rule it kept (the new visit included).
    const later = await buildDayProblem(db(), date);
    expect(newViolations(later.problem, currentPlan(later.problem), known)).toEqual([]);
  });

  it('refuses a deadline past or not today, an unknown service and an unserved postal code, naming the field', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ deadline: '2026-03-26T08:00:00Z' }, 400, 'body.deadline'],
      [{ deadline: '2026-03-27T10:00:00+01:00' }, 400, 'body.deadline'],
      [{ serviceId: '00000000-0000-4000-8000-000000000000' }, 400, 'body.serviceId'],
      [{ address: { street: '1 rue', postcode: '75001', city: 'Paris' } }, 422, 'body.address.postcode'],
      [{ address: { street: '1 rue', postcode: '690', city: 'Lyon' } }, 400, 'body.address.postcode'],
    ];
    for (const [change, status, field] of cases) {
      const res = await post('/v1/admin/urgent/options', await job(change));
      expect(res.statusCode, JSON.stringify(change)).toBe(status);
      expect(res.json().field).toBe(field);
    }
    const agent = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/urgent/options',
      headers: bearer(t.tokens.agent),
      payload: await job(),
    });
    expect(agent.statusCode).toBe(403);
  });
});
