/**
 * The move check while dragging (issue 16): the same rules as the move
 * itself, nothing written, each refusal worded in French — outside the
 * promised window, a missing skill, an absent technician, a started visit —
 * and its answer agrees with what PATCH then does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { bookedVisitsOn } from '../helpers/visits.js';

let t: TestApp;
const date = '2026-03-31';

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.testDb.handle.db;

function check(visitId: string, technicianId: string, start: string | Date) {
  return t.app.inject({
    method: 'POST',
    url: `/v1/admin/visits/${visitId}/move-check`,
    headers: bearer(t.tokens.planner),
    payload: { technicianId, start: typeof start === 'string' ? start : start.toISOString() },
  });
}

const dayRows = () => bookedVisitsOn(db(), date);

async function skillsOf() {
  const [techs, needs] = await Promise.all([
    db().selectFrom('technician_skills').select(['technician_id', 'skill_code']).execute(),
    db().selectFrom('service_skills').select(['service_id', 'skill_code']).execute(),
  ]);
  const ids = (await db().selectFrom('technicians').select('id').where('active', '=', true).execute()).map(
    (r) => r.id,
  );
  return {
    ids,
    has: (tech: string, skill: string) =>
      techs.some((x) => x.technician_id === tech && x.skill_code === skill),
    needs: (service: string) => needs.filter((n) => n.service_id === service).map((n) => n.skill_code),
  };
}

describe('move check', () => {
  it('accepts the visit where it is and refuses a start outside its promised window, naming the window', async () => {
    const [visit] = await dayRows();
    const ok = await check(visit!.id, visit!.technician_id, visit!.planned_start);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ feasible: true, reasons: [] });

    const late = await check(
      visit!.id,
      visit!.technician_id,
      new Date(visit!.window_end.getTime() + 30 * 60_000),
    );
    expect(late.statusCode).toBe(200);
    const hhmm = (d: Date) =>
      d.toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });
    expect(late.json().feasible).toBe(false);
    expect(late.json().reasons).toContainEqual({
      code: 'window',
      text: `hors du créneau promis ${hhmm(visit!.window_start)}–${hhmm(visit!.window_end)}`,
    });
  });

  it('refuses a technician without the skill, naming it', async () => {
    const rows = await dayRows();
    const skills = await skillsOf();
    const labels = new Map(
      (await db().selectFrom('skills').select(['code', 'label']).execute()).map((r) => [r.code, r.label]),
    );
    let tried = 0;
    for (const visit of rows) {
      const missing = (tech: string) => skills.needs(visit.service_id).filter((k) => !skills.has(tech, k));
      const unfit = skills.ids.find((id) => missing(id).length > 0);
      if (!unfit) continue;
      const res = await check(visit.id, unfit, visit.planned_start);
      expect(res.json().feasible).toBe(false);
      const reason = res.json().reasons.find((r: { code: string }) => r.code === 'skill');
      expect(reason.text).toBe(
        `technicien sans la compétence ${missing(unfit)
          .map((k) => labels.get(k))
          .join(', ')}`,
      );
      if (++tried >= 3) break;
    }
    expect(tried).toBeGreaterThan(0);
  });

  it('says "technicien absent ce jour-là" for a technician absent that day, and refuses a started visit', async () => {
    const rows = await dayRows();
    const visit = rows[0]!;
    const other = rows.find((r) => r.technician_id !== visit.technician_id)!;
    const absence = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/availability/exceptions',
      headers: bearer(t.tokens.planner),
      payload: { kind: 'absence', technicianId: other.technician_id, from: date },
    });
    expect(absence.statusCode).toBe(201);
    const res = await check(visit.id, other.technician_id, visit.planned_start);
    expect(res.json()).toEqual({
      feasible: false,
      reasons: [{ code: 'absent', text: 'technicien absent ce jour-là' }],
    });

    const started = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/visits/${visit.id}`,
      headers: bearer(t.tokens.planner),
      payload: { progress: 'on_site', version: visit.version },
    });
    expect(started.statusCode).toBe(200);
    const moved = await check(
      visit.id,
      visit.technician_id,
      new Date(visit.planned_start.getTime() + 5 * 60_000),
    );
    expect(moved.json().feasible).toBe(false);
    expect(moved.json().reasons.map((r: { code: string }) => r.code)).toContain('started');
  });

  it('agrees with the move itself: a refused place is refused by PATCH (nothing written), an accepted one is written', async () => {
    const rows = (await dayRows()).filter((r) => r.progress === 'planned' && r.unassigned_reason === null);
    const skills = await skillsOf();
    let refused = 0;
    let accepted = 0;
    for (const visit of rows) {
      for (const tech of skills.ids) {
        const start = new Date(visit.window_start.getTime() + 15 * 60_000);
        const verdict = (await check(visit.id, tech, start)).json();
        if (verdict.feasible && accepted > 0) continue;
        if (!verdict.feasible && refused >= 4) continue;
        const before = await db()
          .selectFrom('visits')
          .selectAll()
          .where('id', '=', visit.id)
          .executeTakeFirstOrThrow();
        const res = await t.app.inject({
          method: 'PATCH',
          url: `/v1/admin/visits/${visit.id}`,
          headers: bearer(t.tokens.planner),
          payload: { technicianId: tech, plannedStart: start.toISOString(), version: before.version },
        });
        if (verdict.feasible) {
          expect(res.statusCode, JSON.stringify(verdict)).toBe(200);
          accepted++;
        } else {
          expect(res.statusCode, JSON.stringify(verdict)).toBeGreaterThanOrEqual(409);
          const after = await db()
            .selectFrom('visits')
            .selectAll()
            .where('id', '=', visit.id)
            .executeTakeFirstOrThrow();
          expect(after).toEqual(before);
          refused++;
        }
      }
      if (accepted > 0 && refused >= 4) break;
    }
    expect(accepted).toBe(1);
    expect(refused).toBe(4);
  });

  it('answers 400 naming a bad start, 404 for an unknown visit, 403 for an agent', async () => {
    const [visit] = await dayRows();
    const bad = await check(visit!.id, visit!.technician_id, 'demain');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('body.start');
    const unknown = await check(
      '00000000-0000-4000-8000-000000000000',
      visit!.technician_id,
      visit!.planned_start,
    );
    expect(unknown.statusCode).toBe(404);
    const agent = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/visits/${visit!.id}/move-check`,
      headers: bearer(t.tokens.agent),
      payload: { technicianId: visit!.technician_id, start: visit!.planned_start.toISOString() },
    });
    expect(agent.statusCode).toBe(403);
  });
});
