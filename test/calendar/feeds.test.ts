import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewVisit } from '../../src/db/schema.js';
import { sha256Hex } from '../../src/domain/secrets.js';
import { buildServer } from '../../src/http/server.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { feedTokenOf, TEST_TEAM_FEED_TOKEN, TEST_TODAY } from '../helpers/database.js';
import { parseBoth, type ParsedCalendar } from './ics-check.js';

const ZONE = 'Europe/Paris';
const HOST = '127.0.0.1';
const CLOCK = new Date(`${TEST_TODAY}T07:00:00Z`);

let t: TestApp;
const extraApps: FastifyInstance[] = [];

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  for (const app of extraApps) await app.close();
  await t?.close();
});

const db = () => t.testDb.handle.db;
const uid = (visitId: string) => `visit-${visitId}@${HOST}`;
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();

/** The same service and database, seen at another instant. */
async function appAt(now: Date): Promise<FastifyInstance> {
  const app = await buildServer(t.config, { database: t.testDb.handle, logger: false, clock: () => now });
  await app.ready();
  extraApps.push(app);
  return app;
}

async function technician(name: string) {
  const row = await db()
    .selectFrom('technicians')
    .select(['id', 'name'])
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return { ...row, feed_token: feedTokenOf(row.id) };
}

/** The team feed's token: the test database's, until a test rotates it. */
let currentTeamToken = TEST_TEAM_FEED_TOKEN;
async function teamToken(): Promise<string> {
  return currentTeamToken;
}

async function get(url: string, headers: Record<string, string> = {}, app: FastifyInstance = t.app) {
  return app.inject({ method: 'GET', url, headers });
}

async function getFeed(
  url: string,
  app: FastifyInstance = t.app,
): Promise<{ parsed: ParsedCalendar; body: string; etag: string; lastModified: Date }> {
  const res = await get(url, {}, app);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
  return {
    parsed: parseBoth(res.body),
    body: res.body,
    etag: String(res.headers.etag),
    lastModified: new Date(String(res.headers['last-modified'])),
  };
}

/** Rows a feed should show at `now`, read independently of the feed code. */
async function expectedVisits(now: Date, technicianId?: string) {
  const today = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day');
  const settings = await db()
    .selectFrom('company_settings')
    .select('booking_horizon_days')
    .executeTakeFirstOrThrow();
  let query = db()
    .selectFrom('visits')
    .selectAll()
    .where('planned_start', '>=', today.minus({ days: 28 }).toJSDate())
    .where('planned_start', '<', today.plus({ days: settings.booking_horizon_days + 1 }).toJSDate());
  if (technicianId) query = query.where('technician_id', '=', technicianId);
  const rows = await query.execute();
  const keepSince = DateTime.fromJSDate(now).minus({ days: 7 }).toJSDate();
  return rows.filter((r) => r.status !== 'cancelled' || (r.cancelled_at ?? r.updated_at) > keepSince);
}

/** Every event is a row of the database, with its planned times, and every row is an event. */
async function expectFeedMatchesDatabase(parsed: ParsedCalendar, now: Date, technicianId?: string) {
  const rows = await expectedVisits(now, technicianId);
  expect(rows.length).toBeGreaterThan(0);
  expect([...parsed.events.keys()].sort()).toEqual(rows.map((r) => uid(r.id)).sort());
  for (const row of rows) {
    const event = parsed.events.get(uid(row.id))!;
    expect(event.start.toISOString(), row.reference).toBe(row.planned_start.toISOString());
    expect(event.end.toISOString(), row.reference).toBe(row.planned_end.toISOString());
    expect(event.sequence).toBe(row.version - 1);
    expect(event.status).toBe(row.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED');
  }
  return rows;
}

let referenceCounter = 0;
/** A visit written as the booking code would, with a manage token we know. */
async function insertVisit(
  technicianId: string,
  plannedStart: Date,
  plannedEnd: Date,
  extra: Partial<NewVisit> = {},
) {
  const template = await db()
    .selectFrom('visits')
    .selectAll()
    .where('technician_id', '=', technicianId)
    .executeTakeFirstOrThrow();
  const manageToken = `mng_${randomBytes(24).toString('base64url')}`;
  const row = await db()
    .insertInto('visits')
    .values({
      reference: `CAL-${(++referenceCounter).toString().padStart(4, '0')}`,
      service_id: template.service_id,
      technician_id: technicianId,
      status: 'booked',
      window_start: plannedStart,
      window_end: new Date(Math.max(plannedEnd.getTime(), plannedStart.getTime() + 2 * 3_600_000)),
      planned_start: plannedStart,
      planned_end: plannedEnd,
      customer_name: 'Capucine Secrète',
      customer_phone: '07 99 88 77 66',
      customer_email: 'capucine.secrete@example.fr',
      address_line: '7 rue des Confidences',
      postcode: '69002',
      city: 'Lyon 2e',
      lat: 45.75,
      lon: 4.83,
      notes: 'Digicode 4812B, chien méchant',
      channel: 'web',
      booked_by: 'test',
      manage_token_hash: sha256Hex(manageToken),
      cancelled_at: null,
      ...extra,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, manageToken };
}

describe('technician feed', () => {
  it('lists exactly the technician’s visits of the range, at their planned times, with what the technician needs', async () => {
    const tech = await technician('Karim Haddad');
    const res = await get(`/v1/feeds/technicians/${tech.feed_token}.ics`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(Number.isNaN(Date.parse(String(res.headers['last-modified'])))).toBe(false);
    expect(res.headers['cache-control']).toBe('private, max-age=300');
    expect(res.headers['content-disposition']).toBeUndefined();

    const parsed = parseBoth(res.body);
    expect(parsed.props.get('x-wr-calname')).toBe('Duret Électricité — Karim Haddad');
    expect(parsed.props.get('name')).toBe('Duret Électricité — Karim Haddad');
    expect(parsed.props.get('refresh-interval')).toBe('PT1H');
    expect(parsed.props.get('x-published-ttl')).toBe('PT1H');
    expect(parsed.props.has('method')).toBe(false);
    expect(
      parsed.calendar.getAllSubcomponents('vtimezone').map((tz) => tz.getFirstPropertyValue('tzid')),
    ).toEqual([ZONE]);

    const rows = await expectFeedMatchesDatabase(parsed, CLOCK, tech.id);
    const services = new Map(
      (await db().selectFrom('services').select(['id', 'name']).execute()).map((s) => [s.id, s.name]),
    );
    for (const row of rows) {
      const event = parsed.events.get(uid(row.id))!;
      expect(event.startZone).toBe(ZONE);
      expect(event.summary).toBe(`${services.get(row.service_id)} — ${row.city}`);
      expect(event.location).toBe(`${row.address_line}, ${row.postcode} ${row.city}`);
      expect(event.geo).toEqual([row.lat, row.lon]);
      expect(event.description).toContain(row.customer_name);
      expect(event.description).toContain(row.customer_phone);
      expect(event.description).toContain(row.reference);
      const hhmm = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toFormat('HH:mm');
      expect(event.description).toContain(`${hhmm(row.window_start)}–${hhmm(row.window_end)}`);
      expect(event.description).toContain(`Arrivée prévue : ${hhmm(row.planned_start)}`);
      expect(res.body).not.toContain(row.customer_email!);
      expect(event.stamp.toISOString()).toBe(
        new Date(Math.floor(row.updated_at.getTime() / 1000) * 1000).toISOString(),
      );
    }
  });

  it('is right on the March clock change, in the company zone, including a night visit across the gap', async () => {
    const tech = await technician('Julien Martin'); // works Monday to Friday: Sunday 29 March is free
    const morning = await insertVisit(tech.id, local('2026-03-29T08:00'), local('2026-03-29T09:00'));
    const afternoon = await insertVisit(tech.id, local('2026-03-29T15:30'), local('2026-03-29T16:30'));
    // 01:30 CET → 03:30 CEST: two hours of wall clock, one hour of real time.
    const night = await insertVisit(
      tech.id,
      new Date('2026-03-29T00:30:00Z'),
      new Date('2026-03-29T01:30:00Z'),
    );
    expect(morning.row.planned_start.toISOString()).toBe('2026-03-29T06:00:00.000Z');
    expect(afternoon.row.planned_start.toISOString()).toBe('2026-03-29T13:30:00.000Z');

    const { parsed, body } = await getFeed(`/v1/feeds/technicians/${tech.feed_token}.ics`);
    await expectFeedMatchesDatabase(parsed, CLOCK, tech.id);
    expect(body).toContain('DTSTART;TZID=Europe/Paris:20260329T080000');
    expect(body).toContain('DTSTART;TZID=Europe/Paris:20260329T153000');
    expect(body).toContain('DTSTART;TZID=Europe/Paris:20260329T013000');
    expect(body).toContain('DTEND;TZID=Europe/Paris:20260329T033000');
    expect(
      parsed.events.get(uid(night.row.id))!.end.getTime() -
        parsed.events.get(uid(night.row.id))!.start.getTime(),
    ).toBe(3_600_000);
    // The demo's weekday visits straddle the change too: 08:00 local is 07:00Z before, 06:00Z after.
    const before = [...parsed.events.values()].filter((e) => e.start < new Date('2026-03-29T00:00:00Z'));
    const after = [...parsed.events.values()].filter((e) => e.start > new Date('2026-03-30T00:00:00Z'));
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
  });

  it('is right on the October clock change, writing the repeated hour unambiguously', async () => {
    const tech = await technician('Julien Martin');
    const morning = await insertVisit(tech.id, local('2026-10-25T08:00'), local('2026-10-25T09:00'));
    const afternoon = await insertVisit(tech.id, local('2026-10-25T15:30'), local('2026-10-25T16:30'));
    // 02:10 → 02:40 CEST, then 02:15 → 02:45 CET: both passes of the repeated hour are ambiguous
    // as wall-clock times (readers disagree on which occurrence they mean), so both go out in UTC.
    const firstPass = await insertVisit(
      tech.id,
      new Date('2026-10-25T00:10:00Z'),
      new Date('2026-10-25T00:40:00Z'),
    );
    const secondPass = await insertVisit(
      tech.id,
      new Date('2026-10-25T01:15:00Z'),
      new Date('2026-10-25T01:45:00Z'),
    );
    expect(morning.row.planned_start.toISOString()).toBe('2026-10-25T07:00:00.000Z');
    expect(afternoon.row.planned_start.toISOString()).toBe('2026-10-25T14:30:00.000Z');

    const october = new Date('2026-10-20T06:00:00Z');
    const { parsed, body } = await getFeed(
      `/v1/feeds/technicians/${tech.feed_token}.ics`,
      await appAt(october),
    );
    await expectFeedMatchesDatabase(parsed, october, tech.id);
    expect(body).toContain('DTSTART;TZID=Europe/Paris:20261025T080000');
    expect(body).toContain('DTSTART;TZID=Europe/Paris:20261025T153000');
    expect(parsed.events.get(uid(firstPass.row.id))!.startZone).toBe('UTC');
    expect(parsed.events.get(uid(morning.row.id))!.startZone).toBe(ZONE);
    expect(parsed.events.get(uid(secondPass.row.id))!.startZone).toBe('UTC');
    expect(body).toContain('DTSTART:20261025T001000Z');
    expect(body).toContain('DTSTART:20261025T011500Z');
  });
});

describe('team feed', () => {
  it('shows every technician’s visits, each naming its technician, without the customer’s personal data', async () => {
    const { parsed, body } = await getFeed(`/v1/feeds/team/${await teamToken()}.ics`);
    const rows = await expectFeedMatchesDatabase(parsed, CLOCK);
    const technicians = new Map(
      (await db().selectFrom('technicians').select(['id', 'name']).execute()).map((x) => [x.id, x.name]),
    );
    expect(new Set(rows.map((r) => r.technician_id)).size).toBe(technicians.size);
    expect(parsed.props.get('x-wr-calname')).toBe('Duret Électricité — équipe');
    for (const row of rows) {
      const event = parsed.events.get(uid(row.id))!;
      const [first, ...rest] = technicians.get(row.technician_id)!.split(' ');
      expect(event.summary).toMatch(new RegExp(`^\\[${first} ${rest.at(-1)![0]}\\.\\] .+ — ${row.city}$`));
      expect(event.location).toBe(`${row.postcode} ${row.city}`);
      expect(event.geo).toBeNull();
    }
    const sample = rows.filter((_, i) => i % 7 === 0);
    for (const row of sample) {
      expect(body).not.toContain(row.customer_phone);
      expect(body).not.toContain(row.customer_name);
      expect(body).not.toContain(row.address_line);
      expect(body).not.toContain(row.customer_email!);
    }
    expect(body).not.toContain('Capucine');
    expect(body).not.toContain('07 99 88 77 66');
    expect(body).not.toContain('Digicode');
    expect(body).not.toContain('GEO:');
  });
});

describe('per-booking .ics', () => {
  it('gives the customer the arrival window as a published event, with nothing internal', async () => {
    const tech = await technician('Sophie Bernard');
    // A Sunday: no demo visit of hers to collide with. Window 10:00–12:00, planned 10:40.
    const { row, manageToken } = await insertVisit(
      tech.id,
      local('2026-04-05T10:40'),
      local('2026-04-05T11:40'),
      {
        window_start: local('2026-04-05T10:00'),
        window_end: local('2026-04-05T12:00'),
      },
    );
    const res = await get(`/v1/bookings/${row.id}/calendar.ics?token=${encodeURIComponent(manageToken)}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="visite-${row.reference}.ics"`);
    expect(res.headers.etag).toBeTruthy();
    expect(res.headers['last-modified']).toBeTruthy();

    const parsed = parseBoth(res.body);
    expect(parsed.props.get('method')).toBe('PUBLISH');
    expect(parsed.props.has('x-wr-calname')).toBe(false);
    expect(parsed.events.size).toBe(1);
    const event = parsed.events.get(uid(row.id))!;
    expect(event.start.toISOString()).toBe(row.window_start.toISOString());
    expect(event.end.toISOString()).toBe(row.window_end.toISOString());
    expect(event.startZone).toBe(ZONE);
    expect(event.summary).toMatch(/^Visite Duret Électricité — .+/);
    expect(event.organizer).toMatch(/^mailto:/);
    expect(
      parsed.calendar.getFirstSubcomponent('vevent')!.getFirstProperty('organizer')!.getParameter('cn'),
    ).toBe('Duret Électricité');
    expect(event.description).toContain('entre 10:00 et 12:00');
    expect(event.description).toContain(row.reference);
    expect(event.description).toContain('04 78 00 12 34');
    // Nothing internal or about other people: no technician, planned time, ids, notes, contact data.
    for (const secret of [
      tech.name,
      'Sophie',
      '10:40',
      tech.id,
      row.service_id,
      'Digicode',
      row.customer_phone,
      row.customer_email!,
      manageToken,
    ]) {
      expect(res.body).not.toContain(secret);
    }
    expect(res.body).not.toMatch(/ATTENDEE|GEO:/);

    const again = await get(`/v1/bookings/${row.id}/calendar.ics?token=${encodeURIComponent(manageToken)}`, {
      'if-none-match': String(res.headers.etag),
    });
    expect(again.statusCode).toBe(304);
  });

  it('answers the same 404 for a wrong token and an unknown booking, and 400 without a token', async () => {
    const tech = await technician('Sophie Bernard');
    const { row, manageToken } = await insertVisit(
      tech.id,
      local('2026-04-12T08:00'),
      local('2026-04-12T09:00'),
    );
    const wrong = await get(`/v1/bookings/${row.id}/calendar.ics?token=${encodeURIComponent(manageToken)}x`);
    const unknown = await get(
      `/v1/bookings/6f0c4a8e-1d2b-4c3a-9e8f-0a1b2c3d4e5f/calendar.ics?token=${encodeURIComponent(manageToken)}`,
    );
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(wrong.json().detail).toBe(unknown.json().detail);
    const missing = await get(`/v1/bookings/${row.id}/calendar.ics`);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().field).toBe('query.token');
    const badId = await get(`/v1/bookings/not-a-uuid/calendar.ics?token=x`);
    expect(badId.statusCode).toBe(400);
    expect(badId.json().field).toMatch(/^params\.id/);
  });

  it('opens with the calendar token in the URL, with the manage token only in X-Manage-Token', async () => {
    const tech = await technician('Sophie Bernard');
    const calendarToken = `ics_${randomBytes(24).toString('base64url')}`;
    const { row, manageToken } = await insertVisit(
      tech.id,
      local('2026-04-13T08:00'),
      local('2026-04-13T09:00'),
      { calendar_token_hash: sha256Hex(calendarToken) },
    );
    const url = `/v1/bookings/${row.id}/calendar.ics`;
    expect((await get(`${url}?token=${encodeURIComponent(calendarToken)}`)).statusCode).toBe(200);
    expect((await get(url, { 'x-manage-token': manageToken })).statusCode).toBe(200);
    // The manage token in a URL opens nothing (it would sit in histories and proxies' logs)…
    expect((await get(`${url}?token=${encodeURIComponent(manageToken)}`)).statusCode).toBe(404);
    // …and the read-only calendar token does not stand in for the manage token.
    expect((await get(url, { 'x-manage-token': calendarToken })).statusCode).toBe(404);
  });
});

describe('caching', () => {
  it('serves the same bytes and ETag twice, 304 on If-None-Match or a current If-Modified-Since; If-None-Match wins', async () => {
    const url = `/v1/feeds/technicians/${(await technician('Nadia Benali')).feed_token}.ics`;
    const first = await get(url);
    const second = await get(url);
    expect(second.body).toBe(first.body);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers['last-modified']).toBe(first.headers['last-modified']);
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers['last-modified']);

    const notModified = await get(url, { 'if-none-match': etag });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers.etag).toBe(etag);
    expect(notModified.headers['last-modified']).toBe(lastModified);
    expect(notModified.headers['cache-control']).toBe('private, max-age=300');
    expect((await get(url, { 'if-none-match': `"other", W/${etag}` })).statusCode).toBe(304);

    expect((await get(url, { 'if-modified-since': lastModified })).statusCode).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect((await get(url, { 'if-modified-since': earlier })).statusCode).toBe(200);
    expect((await get(url, { 'if-modified-since': 'not a date' })).statusCode).toBe(200);
    // A stale ETag means the client's copy is old, whatever its date says.
    expect(
      (await get(url, { 'if-none-match': '"stale"', 'if-modified-since': lastModified })).statusCode,
    ).toBe(200);
  });
});

describe('changes', () => {
  it('a reschedule moves the event, raises SEQUENCE and changes the ETag', async () => {
    const tech = await technician('Mehdi Cherif');
    const url = `/v1/feeds/technicians/${tech.feed_token}.ics`;
    const target = await db()
      .selectFrom('visits')
      .selectAll()
      .where('technician_id', '=', tech.id)
      .where('status', '=', 'booked')
      .where('planned_start', '>', CLOCK)
      .orderBy('planned_start')
      .executeTakeFirstOrThrow();
    const before = await getFeed(url);
    expect(before.parsed.events.get(uid(target.id))!.sequence).toBe(target.version - 1);

    // As the booking code does: new window and time, version + 1, updated_at = now(). Sunday 5 April is free.
    await db()
      .updateTable('visits')
      .set((eb) => ({
        window_start: local('2026-04-05T13:30'),
        window_end: local('2026-04-05T15:30'),
        planned_start: local('2026-04-05T14:00'),
        planned_end: local('2026-04-05T15:00'),
        version: eb('version', '+', 1),
        updated_at: sql<Date>`now()`,
      }))
      .where('id', '=', target.id)
      .execute();

    const after = await getFeed(url);
    await expectFeedMatchesDatabase(after.parsed, CLOCK, tech.id);
    const moved = after.parsed.events.get(uid(target.id))!;
    expect(moved.sequence).toBe(before.parsed.events.get(uid(target.id))!.sequence + 1);
    expect(moved.start.toISOString()).toBe(local('2026-04-05T14:00').toISOString());
    expect(after.etag).not.toBe(before.etag);
    expect(after.lastModified.getTime()).toBeGreaterThanOrEqual(before.lastModified.getTime());
    expect((await get(url, { 'if-none-match': before.etag })).statusCode).toBe(200);
    // The team feed follows too.
    const team = await getFeed(`/v1/feeds/team/${await teamToken()}.ics`);
    expect(team.parsed.events.get(uid(target.id))!.sequence).toBe(moved.sequence);
  });

  it('a cancellation shows as cancelled for seven days, then drops out', async () => {
    const tech = await technician('Pierre Lambert');
    const url = `/v1/feeds/technicians/${tech.feed_token}.ics`;
    const target = await db()
      .selectFrom('visits')
      .selectAll()
      .where('technician_id', '=', tech.id)
      .where('status', '=', 'booked')
      .where('planned_start', '>', new Date(CLOCK.getTime() + 10 * 86_400_000))
      .orderBy('planned_start')
      .executeTakeFirstOrThrow();
    const before = await getFeed(url);
    await db()
      .updateTable('visits')
      .set((eb) => ({
        status: 'cancelled',
        cancelled_at: CLOCK,
        version: eb('version', '+', 1),
        updated_at: sql<Date>`now()`,
      }))
      .where('id', '=', target.id)
      .execute();

    const after = await getFeed(url);
    const event = after.parsed.events.get(uid(target.id))!;
    expect(event.status).toBe('CANCELLED');
    expect(event.sequence).toBe(target.version);
    expect(event.summary).toMatch(/^Annulé — /);
    expect(after.etag).not.toBe(before.etag);
    await expectFeedMatchesDatabase(after.parsed, CLOCK, tech.id);

    const sixDaysLater = await getFeed(url, await appAt(new Date(CLOCK.getTime() + 6 * 86_400_000)));
    expect(sixDaysLater.parsed.events.get(uid(target.id))?.status).toBe('CANCELLED');
    const eightDaysLater = await getFeed(url, await appAt(new Date(CLOCK.getTime() + 8 * 86_400_000)));
    expect(eightDaysLater.parsed.events.has(uid(target.id))).toBe(false);
    await expectFeedMatchesDatabase(
      eightDaysLater.parsed,
      new Date(CLOCK.getTime() + 8 * 86_400_000),
      tech.id,
    );
    expect(eightDaysLater.lastModified.getTime()).toBeGreaterThanOrEqual(sixDaysLater.lastModified.getTime());
  });

  it('a visit moved to another technician leaves the first feed, whose Last-Modified still moves forward', async () => {
    const from = await technician('Lucas Moreau');
    const to = await technician('Aurélie Girard');
    const { row } = await insertVisit(from.id, local('2026-04-19T09:00'), local('2026-04-19T10:00'));
    const before = await getFeed(`/v1/feeds/technicians/${from.feed_token}.ics`);
    expect(before.parsed.events.has(uid(row.id))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // HTTP dates have whole seconds
    await db()
      .updateTable('visits')
      .set((eb) => ({ technician_id: to.id, version: eb('version', '+', 1), updated_at: sql<Date>`now()` }))
      .where('id', '=', row.id)
      .execute();

    const after = await getFeed(`/v1/feeds/technicians/${from.feed_token}.ics`);
    expect(after.parsed.events.has(uid(row.id))).toBe(false);
    expect(after.lastModified.getTime()).toBeGreaterThan(before.lastModified.getTime());
    expect(
      (
        await get(`/v1/feeds/technicians/${from.feed_token}.ics`, {
          'if-modified-since': before.lastModified.toUTCString(),
        })
      ).statusCode,
    ).toBe(200);
    const other = await getFeed(`/v1/feeds/technicians/${to.feed_token}.ics`);
    expect(other.parsed.events.get(uid(row.id))!.sequence).toBe(1);
  });
});

describe('feed tokens', () => {
  it('an unknown or malformed token is a 404 problem', async () => {
    for (const url of [
      `/v1/feeds/technicians/feed_${randomBytes(32).toString('base64url')}.ics`,
      '/v1/feeds/technicians/x.ics',
      `/v1/feeds/team/feed_${randomBytes(32).toString('base64url')}.ics`,
      `/v1/feeds/team/${(await technician('Karim Haddad')).feed_token}.ics`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('an admin rotates a technician’s token (old URL 404, new URL 200) and revokes it', async () => {
    const tech = await technician('Camille Fournier');
    const oldUrl = `/v1/feeds/technicians/${tech.feed_token}.ics`;
    expect((await get(oldUrl)).statusCode).toBe(200);

    const rotated = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/technicians/${tech.id}/feed-token`,
      headers: bearer(t.tokens.admin),
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { feedUrl, webcalUrl } = rotated.json() as { feedUrl: string; webcalUrl: string };
    const publicUrl = `http://${t.config.HOST}:${t.config.PORT}`;
    expect(feedUrl).toMatch(
      new RegExp(`^${publicUrl.replace(/\./g, '\\.')}/v1/feeds/technicians/feed_[A-Za-z0-9_-]{43}\\.ics$`),
    );
    expect(webcalUrl).toBe(feedUrl.replace(/^https?:/, 'webcal:'));
    const token = /technicians\/(.+)\.ics$/.exec(feedUrl)![1]!;
    expect(Buffer.from(token.slice('feed_'.length), 'base64url').length * 8).toBeGreaterThanOrEqual(128);

    expect((await get(oldUrl)).statusCode).toBe(404);
    // Only the token's hash is kept: a copy of the database opens no calendar.
    const stored = await db()
      .selectFrom('technicians')
      .select('feed_token_hash')
      .where('id', '=', tech.id)
      .executeTakeFirstOrThrow();
    expect(stored.feed_token_hash).toBe(sha256Hex(token));
    const fresh = await getFeed(new URL(feedUrl).pathname);
    await expectFeedMatchesDatabase(fresh.parsed, CLOCK, tech.id);

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v1/admin/technicians/${tech.id}/feed-token`,
      headers: bearer(t.tokens.admin),
    });
    expect(revoked.statusCode).toBe(204);
    expect((await get(new URL(feedUrl).pathname)).statusCode).toBe(404);
    expect(
      (
        await db()
          .selectFrom('technicians')
          .select('feed_token_hash')
          .where('id', '=', tech.id)
          .executeTakeFirstOrThrow()
      ).feed_token_hash,
    ).toBeNull();
    // Revoking again is harmless; a new rotation brings a feed back.
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/v1/admin/technicians/${tech.id}/feed-token`,
          headers: bearer(t.tokens.admin),
        })
      ).statusCode,
    ).toBe(204);
  });

  it('rotating the team token: old URL 404, new URL 200', async () => {
    const oldUrl = `/v1/feeds/team/${await teamToken()}.ics`;
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/settings/team-feed-token',
      headers: bearer(t.tokens.admin),
    });
    expect(rotated.statusCode).toBe(200);
    const { feedUrl, webcalUrl } = rotated.json() as { feedUrl: string; webcalUrl: string };
    expect(webcalUrl.startsWith('webcal://')).toBe(true);
    expect((await get(oldUrl)).statusCode).toBe(404);
    expect((await get(new URL(feedUrl).pathname)).statusCode).toBe(200);
    currentTeamToken = /team\/(.+)\.ics$/.exec(feedUrl)![1]!;
  });

  it('only admins manage feed tokens', async () => {
    const tech = await technician('Thomas Petit');
    const cases = [
      { method: 'POST' as const, url: `/v1/admin/technicians/${tech.id}/feed-token` },
      { method: 'DELETE' as const, url: `/v1/admin/technicians/${tech.id}/feed-token` },
      { method: 'POST' as const, url: '/v1/admin/settings/team-feed-token' },
    ];
    for (const c of cases) {
      expect((await t.app.inject({ ...c })).statusCode).toBe(401);
      expect((await t.app.inject({ ...c, headers: bearer(t.tokens.planner) })).statusCode).toBe(403);
    }
    expect((await get(`/v1/feeds/technicians/${tech.feed_token}.ics`)).statusCode).toBe(200);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/technicians/6f0c4a8e-1d2b-4c3a-9e8f-0a1b2c3d4e5f/feed-token',
      headers: bearer(t.tokens.admin),
    });
    expect(unknown.statusCode).toBe(404);
    const malformed = await t.app.inject({
      method: 'DELETE',
      url: '/v1/admin/technicians/nope/feed-token',
      headers: bearer(t.tokens.admin),
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().field).toMatch(/^params\.id/);
  });
});

describe('calendar names', () => {
  it('cannot inject properties through a technician or company name', async () => {
    const tech = await technician('Inès Faure');
    const evil = 'Mallory\r\nX-INJECTED:1\nMETHOD:CANCEL;a,b';
    const company = await db().selectFrom('company_settings').select('name').executeTakeFirstOrThrow();
    await db().updateTable('technicians').set({ name: evil }).where('id', '=', tech.id).execute();
    await db().updateTable('company_settings').set({ name: `Duret\nX-EVIL:1` }).execute();
    try {
      for (const url of [
        `/v1/feeds/technicians/${tech.feed_token}.ics`,
        `/v1/feeds/team/${await teamToken()}.ics`,
      ]) {
        const { body, parsed } = await getFeed(url);
        const lines = body.split('\r\n');
        expect(
          lines.some((l) => /^(X-INJECTED|X-EVIL|METHOD)/.test(l)),
          url,
        ).toBe(false);
        expect(parsed.props.has('x-injected')).toBe(false);
        expect(parsed.props.has('method')).toBe(false);
        expect(parsed.props.get('x-wr-calname')).toMatch(/^Duret X-EVIL:1 — /);
      }
      const { parsed } = await getFeed(`/v1/feeds/technicians/${tech.feed_token}.ics`);
      // TEXT rules: semicolons and commas escaped (ical.js hands X- properties back raw).
      expect(parsed.props.get('x-wr-calname')).toBe(
        'Duret X-EVIL:1 — Mallory X-INJECTED:1 METHOD:CANCEL\\;a\\,b',
      );
    } finally {
      await db().updateTable('technicians').set({ name: tech.name }).where('id', '=', tech.id).execute();
      await db().updateTable('company_settings').set({ name: company.name }).execute();
    }
  });
});
