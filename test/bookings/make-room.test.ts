/**
 * Make room through the API, on real PostgreSQL: /v1/slots offers a window of a fully-booked day
 * that moving a booked visit opens (needsMoves), and booking it moves that visit — to a technician
 * who may do it, inside its promised window — in the same transaction, with feeds and events.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { currentPlan } from '../../solver/slots.js';
import { buildDayProblem } from '../../src/domain/planning/day-problem.js';
import { buildServer } from '../../src/http/server.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { bookingPayload } from '../helpers/booking.js';
import { feedTokenOf, TEST_TEAM_FEED_TOKEN } from '../helpers/database.js';
import { at, movableDay, type MovableDay } from './make-room-fixture.js';

let t: TestApp;
/** The same service with make-room off (TOURNEE_MAKE_ROOM=false): the answer as it was. */
let plain: FastifyInstance;
/** Another instance with the read cache on, as in production: make-room then reads through it. */
let cached: FastifyInstance;

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
  plain = await buildServer(
    { ...t.config, TOURNEE_MAKE_ROOM: false },
    { database: t.testDb.handle, logger: false, clock: () => new Date('2026-03-25T07:00:00Z') },
  );
  await plain.ready();
  cached = await buildServer(
    { ...t.config, TOURNEE_READ_CACHE_MS: 2000 },
    { database: t.testDb.handle, logger: false, clock: () => new Date('2026-03-25T07:00:00Z') },
  );
  await cached.ready();
});
afterAll(async () => {
  await cached?.close();
  await plain?.close();
  await t?.close();
});

const db = () => t.testDb.handle.db;
const DAY = '2026-03-30'; // a Monday; the clock says Wednesday 25 March
const NEXT = '2026-03-31';

interface OfferedDay {
  date: string;
  windows: { start: string; end: string; needsMoves?: true }[];
}

async function slots(
  app: FastifyInstance,
  f: MovableDay,
  from: string,
  to: string,
  headers: Record<string, string> = {},
): Promise<{ days: OfferedDay[]; reason?: { code: string } }> {
  const res = await app.inject({
    method: 'GET',
    url: `/v1/slots?serviceId=${f.heatPumpServiceId}&postcode=${f.postcode}&from=${from}&to=${to}`,
    headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

function bookWindow(
  f: MovableDay,
  window: { start: string; end: string },
  extra: Record<string, unknown> = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/bookings',
    headers: { 'idempotency-key': randomUUID() },
    payload: bookingPayload(f.heatPumpServiceId, window, f.postcode, extra),
  });
}

/** Every rule of the fixture's day, judged by the solver's own checker on the rows as they are. */
async function dayFaults(f: MovableDay, day = DAY) {
  const built = await buildDayProblem(db(), day, {
    technicianIds: [f.heatPumpTechnician.id, f.electrician.id],
  });
  return checkPlan(built.problem, currentPlan(built.problem), { requireAll: true, epsilon: 0.01 });
}

/** The VEVENT blocks of an iCal body, unfolded. */
function events(ics: string): string[] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('BEGIN:VEVENT')
    .slice(1);
}

describe('make room', () => {
  it('offers the windows of a fully-booked day that moving a visit opens, marked needsMoves; other days unchanged', async () => {
    const f = await movableDay(db(), { suffix: 'offer', postcode: '73001', day: DAY });
    const before = await slots(plain, f, DAY, NEXT);
    expect(before.days.map((d) => d.date)).toEqual([NEXT]);

    const after = await slots(t.app, f, DAY, NEXT);
    const full = after.days.find((d) => d.date === DAY)!;
    expect(full.windows.length).toBeGreaterThan(0);
    expect(full.windows.every((w) => w.needsMoves === true)).toBe(true);
    expect(full.windows.map((w) => w.start)).toContain(`${DAY}T08:00:00+02:00`);
    // The same through the read cache.
    expect(await slots(cached, f, DAY, NEXT)).toEqual(after);
    // A day that had windows is answered exactly as before, with no mark.
    expect(after.days.find((d) => d.date === NEXT)).toEqual(before.days.find((d) => d.date === NEXT));
    expect(after.reason).toBeUndefined();

    // A full day after the first ordinary window is not searched (the customer has earlier
    // windows), until the range starts on it.
    const later = await slots(t.app, f, '2026-03-27', DAY);
    expect(later.days.flatMap((d) => d.windows).some((w) => w.needsMoves)).toBe(false);
    expect(later.days.map((d) => d.date)).not.toContain(DAY);

    // The desk (a bearer token) sees them the same way.
    const desk = await slots(t.app, f, DAY, DAY, bearer(t.tokens.agent));
    expect(desk.days[0]!.windows.every((w) => w.needsMoves === true)).toBe(true);
  });

  it('offers nothing to move when the visits in the way are pinned or started', async () => {
    const pinned = await movableDay(db(), { suffix: 'pinned', postcode: '73002', day: DAY, pinned: true });
    expect((await slots(t.app, pinned, DAY, DAY)).days).toEqual([]);

    const started = await movableDay(db(), { suffix: 'started', postcode: '73003', day: DAY });
    await db()
      .updateTable('visits')
      .set({ progress: 'on_site', progress_at: at(DAY, '08:05') })
      .where(
        'id',
        'in',
        started.repairs.map((r) => r.id),
      )
      .execute();
    const answer = await slots(t.app, started, DAY, DAY);
    expect(answer.days).toEqual([]);
    expect(answer.reason?.code).toBe('fully-booked');
  });

  it('booking a needsMoves window moves the visit in the way inside its window, with feeds and a visit.moved event', async () => {
    const f = await movableDay(db(), { suffix: 'book', postcode: '73004', day: DAY });
    const offered = (await slots(t.app, f, DAY, DAY)).days[0]!.windows.find(
      (w) => w.start === `${DAY}T08:00:00+02:00`,
    )!;
    expect(offered.needsMoves).toBe(true);
    const window = { start: offered.start, end: offered.end };

    // Without the mark the booking takes only what needs no move: refused, with alternatives.
    const refused = await bookWindow(f, window);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().alternatives).toBeDefined();

    const feedOf = (id: string) =>
      t.app.inject({ method: 'GET', url: `/v1/feeds/technicians/${feedTokenOf(id)}.ics` });
    const [repair] = f.repairs;
    expect((await feedOf(f.heatPumpTechnician.id)).body).toContain(repair!.reference);
    const versionBefore = (
      await db().selectFrom('visits').select('version').where('id', '=', repair!.id).executeTakeFirstOrThrow()
    ).version;

    const res = await bookWindow(f, window, { needsMoves: true });
    expect(res.statusCode, res.body).toBe(201);
    const bookedId = res.json().booking.id as string;

    const rows = await db()
      .selectFrom('visits')
      .select(['id', 'technician_id', 'planned_start', 'window_start', 'window_end', 'version'])
      .where('id', 'in', [bookedId, ...f.repairs.map((r) => r.id)])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(bookedId)!.technician_id).toBe(f.heatPumpTechnician.id);
    const moved = byId.get(repair!.id)!;
    expect(moved.technician_id).toBe(f.electrician.id);
    expect(moved.planned_start.getTime()).toBeGreaterThanOrEqual(moved.window_start.getTime());
    expect(moved.planned_start.getTime()).toBeLessThanOrEqual(moved.window_end.getTime());
    expect(moved.version).toBe(versionBefore + 1);
    // The afternoon repair was not in the way: it stays.
    expect(byId.get(f.repairs[1]!.id)!.technician_id).toBe(f.heatPumpTechnician.id);

    const events_ = await db()
      .selectFrom('outbox')
      .select(['type', 'aggregate_id'])
      .where('aggregate_id', 'in', [bookedId, repair!.id])
      .execute();
    expect(events_).toEqual(
      expect.arrayContaining([
        { type: 'visit.moved', aggregate_id: repair!.id },
        { type: 'booking.created', aggregate_id: bookedId },
      ]),
    );

    // The technicians' phones and the team calendar see the move.
    expect((await feedOf(f.electrician.id)).body).toContain(repair!.reference);
    expect((await feedOf(f.heatPumpTechnician.id)).body).not.toContain(repair!.reference);
    const team = await t.app.inject({ method: 'GET', url: `/v1/feeds/team/${TEST_TEAM_FEED_TOKEN}.ics` });
    const event = events(team.body).find((e) => e.includes(repair!.reference))!;
    expect(event).toContain(f.electrician.name);
    expect(event).not.toContain(f.heatPumpTechnician.name);

    expect(await dayFaults(f)).toEqual([]);

    // Operators see it: days searched and bookings that moved visits.
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(t.tokens.admin) }))
      .body;
    expect(metrics).toMatch(/tournee_make_room_days_total\{outcome="opened"\} [1-9]/);
    expect(metrics).toMatch(/tournee_make_room_bookings_total\{outcome="moved"\} [1-9]/);
  });

  it('the desk books a make-room window the same way (bearer token, notice lifted)', async () => {
    const f = await movableDay(db(), { suffix: 'desk', postcode: '73006', day: DAY });
    const offered = (await slots(t.app, f, DAY, DAY, bearer(t.tokens.agent))).days[0]!.windows[0]!;
    expect(offered.needsMoves).toBe(true);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID(), ...bearer(t.tokens.agent) },
      payload: bookingPayload(f.heatPumpServiceId, { start: offered.start, end: offered.end }, f.postcode, {
        needsMoves: true,
        channel: 'phone',
      }),
    });
    expect(res.statusCode, res.body).toBe(201);
    const moved = await db()
      .selectFrom('visits')
      .select('technician_id')
      .where(
        'id',
        'in',
        f.repairs.map((r) => r.id),
      )
      .execute();
    expect(moved.map((m) => m.technician_id)).toContain(f.electrician.id);
    expect(await dayFaults(f)).toEqual([]);
  });

  it('concurrent bookings of make-room windows never break a plan', async () => {
    const f = await movableDay(db(), { suffix: 'race', postcode: '73005', day: DAY });
    const offered = (await slots(t.app, f, DAY, DAY)).days[0]!.windows;
    expect(offered.length).toBeGreaterThan(1);
    const wanted = [...offered, ...offered, ...offered];
    // Meanwhile ordinary repair bookings compete for the electrician's day (the moves' target).
    const repairs = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/slots?serviceId=${f.repairServiceId}&postcode=${f.postcode}&from=${DAY}&to=${DAY}`,
      })
    ).json().days[0].windows as { start: string; end: string; needsMoves?: true }[];
    const ordinary = repairs.filter((w) => !w.needsMoves);
    expect(ordinary.length).toBeGreaterThan(0);
    const [results, repairResults] = await Promise.all([
      Promise.all(wanted.map((w) => bookWindow(f, { start: w.start, end: w.end }, { needsMoves: true }))),
      Promise.all(
        ordinary.map((w) =>
          t.app.inject({
            method: 'POST',
            url: '/v1/bookings',
            headers: { 'idempotency-key': randomUUID() },
            payload: bookingPayload(f.repairServiceId, { start: w.start, end: w.end }, f.postcode),
          }),
        ),
      ),
    ]);
    for (const r of [...results, ...repairResults]) expect([201, 409], r.body).toContain(r.statusCode);
    const won = results.filter((r) => r.statusCode === 201);
    const repairsWon = repairResults.filter((r) => r.statusCode === 201);
    expect(won.length + repairsWon.length).toBeGreaterThan(0);
    // The heat-pump technician's 8 hours hold four visits of 2 h, once the repairs went to the other.
    expect(won.length).toBeLessThanOrEqual(4);
    for (const r of results.filter((r) => r.statusCode === 409)) expect(r.json().alternatives).toBeDefined();
    expect(await dayFaults(f)).toEqual([]);
    // Every booking is where it was promised.
    const visits = await db()
      .selectFrom('visits')
      .select(['planned_start', 'window_start', 'window_end'])
      .where('technician_id', 'in', [f.heatPumpTechnician.id, f.electrician.id])
      .where('status', '=', 'booked')
      .execute();
    expect(visits.length).toBe(2 + won.length + repairsWon.length);
    for (const v of visits) {
      expect(v.planned_start.getTime()).toBeGreaterThanOrEqual(v.window_start.getTime());
      expect(v.planned_start.getTime()).toBeLessThanOrEqual(v.window_end.getTime());
    }
  });
});
