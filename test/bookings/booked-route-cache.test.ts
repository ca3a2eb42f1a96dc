import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { buildServer } from '../../src/http/server.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { bookingPayload, manageTokenOf } from '../helpers/booking.js';
import { lonelyTechnician } from '../helpers/fixtures.js';

/**
 * Slot queries keep booked routes in memory (src/domain/booked-routes.ts) until a change is committed.
 * Two instances on one PostgreSQL, each with its own pool and cache: whatever commits a change to a
 * route — a booking or a hold on the other instance, a cancellation, a planner's move, an SQL statement
 * from elsewhere — the next slot query on either instance answers from it. Each instance has queried
 * the day before the change, so its cache holds the old route. (Slowly-changing data, hours and
 * zones, is cached for TOURNEE_READ_CACHE_MS as before: read-cache.test.ts.)
 */
const url = process.env.DATABASE_URL;

describe.skipIf(!url)('booked routes cached per instance, on PostgreSQL', () => {
  let t: TestApp;
  let other: FastifyInstance;
  let otherHandle: DatabaseHandle;
  /** A third connection pool: "someone else" writing to the database. */
  let elsewhere: DatabaseHandle;
  let solo: { technicianId: string; serviceId: string; postcode: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0', TOURNEE_READ_CACHE_MS: '60000' } });
    otherHandle = await openDatabase({ url: t.testDb.url, schema: t.testDb.schema, poolSize: 4 });
    elsewhere = await openDatabase({ url: t.testDb.url, schema: t.testDb.schema, poolSize: 4 });
    const now = new Date('2026-03-25T07:00:00Z');
    other = await buildServer(t.config, { database: otherHandle, logger: false, clock: () => now });
    await other.ready();
    solo = await lonelyTechnician(t.testDb.handle.db, 'route-cache');
  });
  afterAll(async () => {
    await other?.close();
    await otherHandle?.close();
    await elsewhere?.close();
    await t?.close();
  });

  const window = (day: string, hour: string) => ({
    start: `${day}T${hour}:00+02:00`,
    end: `${day}T${String(Number(hour.slice(0, 2)) + 2).padStart(2, '0')}${hour.slice(2)}:00+02:00`,
  });

  async function startsSeen(app: FastifyInstance, day: string, client = '10.0.0.9'): Promise<string[]> {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${solo.serviceId}&postcode=${solo.postcode}&from=${day}&to=${day}`,
      remoteAddress: client,
    });
    expect(res.statusCode).toBe(200);
    return (res.json().days as { windows: { start: string }[] }[]).flatMap((d) =>
      d.windows.map((w) => w.start),
    );
  }

  async function bookOn(app: FastifyInstance, w: { start: string; end: string }) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID() },
      payload: bookingPayload(solo.serviceId, w, solo.postcode),
      remoteAddress: '10.0.0.1',
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { booking: { id: string }; manageUrl: string };
  }

  it('a booking on one instance leaves the other’s next answer; its cancellation comes back', async () => {
    const day = '2026-04-07';
    const w = window(day, '08:00');
    expect(await startsSeen(other, day)).toContain(w.start);
    expect(await startsSeen(t.app, day)).toContain(w.start);

    const booked = await bookOn(t.app, w);
    expect(await startsSeen(other, day)).not.toContain(w.start);
    expect(await startsSeen(t.app, day)).not.toContain(w.start);

    const cancelled = await other.inject({
      method: 'POST',
      url: `/v1/bookings/${booked.booking.id}/cancel`,
      headers: { 'x-manage-token': manageTokenOf(booked.manageUrl) },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(await startsSeen(t.app, day)).toContain(w.start);
    expect(await startsSeen(other, day)).toContain(w.start);
  });

  it('a 409’s alternatives come from the cache brought up to date: never the window just taken elsewhere', async () => {
    const day = '2026-04-10';
    const taken = window(day, '08:00');
    // Both instances keep the day with the window free.
    expect(await startsSeen(t.app, day, '10.0.0.4')).toContain(taken.start);
    expect(await startsSeen(other, day)).toContain(taken.start);

    await bookOn(other, taken);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID() },
      payload: bookingPayload(solo.serviceId, taken, solo.postcode),
      remoteAddress: '10.0.0.4',
    });
    expect(refused.statusCode).toBe(409);
    const alternatives = (refused.json().alternatives.days as { windows: { start: string }[] }[]).flatMap(
      (d) => d.windows.map((w) => w.start),
    );
    expect(alternatives).not.toContain(taken.start);
    expect(alternatives.length).toBeGreaterThan(0);
  });

  it('a hold on one instance hides the window from other clients on the other, not from its holder', async () => {
    const day = '2026-04-08';
    const w = window(day, '08:00');
    expect(await startsSeen(other, day, '10.0.0.2')).toContain(w.start);
    expect(await startsSeen(other, day, '10.0.0.3')).toContain(w.start);

    const held = await t.app.inject({
      method: 'POST',
      url: '/v1/holds',
      payload: { serviceId: solo.serviceId, window: w, postcode: solo.postcode },
      remoteAddress: '10.0.0.2',
    });
    expect(held.statusCode).toBe(201);
    // Either order: an answer computed for the holder is not the one another client gets, nor the reverse.
    expect(await startsSeen(other, day, '10.0.0.3')).not.toContain(w.start);
    expect(await startsSeen(other, day, '10.0.0.2')).toContain(w.start);
    expect(await startsSeen(other, day, '10.0.0.3')).not.toContain(w.start);
    expect(await startsSeen(t.app, day, '10.0.0.2')).toContain(w.start);
    expect(await startsSeen(t.app, day, '10.0.0.3')).not.toContain(w.start);

    const released = await t.app.inject({
      method: 'DELETE',
      url: `/v1/holds/${held.json().id}`,
      remoteAddress: '10.0.0.2',
    });
    expect(released.statusCode).toBe(204);
    expect(await startsSeen(other, day, '10.0.0.3')).toContain(w.start);
  });

  it('a desk booking, and a visit handed to someone else by another program, show on the other instance', async () => {
    const day = '2026-04-09';
    const morning = window(day, '08:00');
    expect(await startsSeen(other, day)).toContain(morning.start);

    const desk = await t.app.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID(), ...bearer(t.tokens.agent) },
      payload: { ...bookingPayload(solo.serviceId, morning, solo.postcode), channel: 'phone' },
    });
    expect(desk.statusCode).toBe(201);
    expect(await startsSeen(other, day)).not.toContain(morning.start);

    // Reassigned outside the service (no advisory lock, no cache of its own): the morning is free again.
    const someoneElse = await elsewhere.db
      .insertInto('technicians')
      .values({ name: 'Renfort', email: null, phone: null, home_lat: 45.19, home_lon: 5.72 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`UPDATE visits SET technician_id = ${someoneElse.id}, version = version + 1
               WHERE id = ${desk.json().booking.id}`.execute(elsewhere.db);
    expect(await startsSeen(other, day)).toContain(morning.start);
    expect(await startsSeen(t.app, day)).toContain(morning.start);
  });

  it('a transaction that began before another but commits after it is still seen', async () => {
    const early = '2026-04-13';
    const late = '2026-04-14';
    const first = await bookOn(t.app, window(early, '08:00'));
    const second = await bookOn(t.app, window(late, '08:00'));
    expect(await startsSeen(other, early)).not.toContain(window(early, '08:00').start);
    expect(await startsSeen(other, late)).not.toContain(window(late, '08:00').start);

    // The slow writer takes its transaction id first, then waits; a quick one commits meanwhile.
    let commitSlow!: () => void;
    const slowMayCommit = new Promise<void>((resolve) => (commitSlow = resolve));
    let slowWrote!: () => void;
    const slowHasWritten = new Promise<void>((resolve) => (slowWrote = resolve));
    const slow = elsewhere.db.transaction().execute(async (tx) => {
      await sql`UPDATE visits SET status = 'cancelled', version = version + 1
                 WHERE id = ${first.booking.id}`.execute(tx);
      slowWrote();
      await slowMayCommit;
    });
    await slowHasWritten;
    await sql`UPDATE visits SET status = 'cancelled', version = version + 1
               WHERE id = ${second.booking.id}`.execute(t.testDb.handle.db);

    expect(await startsSeen(other, late)).toContain(window(late, '08:00').start);
    expect(await startsSeen(other, early)).not.toContain(window(early, '08:00').start);
    commitSlow();
    await slow;
    expect(await startsSeen(other, early)).toContain(window(early, '08:00').start);
  });

  it('an absence entered elsewhere shows in the next answer of both instances', async () => {
    const day = '2026-04-16';
    const w = window(day, '08:00');
    expect(await startsSeen(other, day)).toContain(w.start);
    expect(await startsSeen(t.app, day)).toContain(w.start);
    await elsewhere.db
      .insertInto('availability_exceptions')
      .values({
        technician_id: solo.technicianId,
        kind: 'absence',
        starts_at: `${day}T00:00:00+02:00`,
        ends_at: `${day}T12:00:00+02:00`,
        reason: 'formation',
      })
      .execute();
    expect(await startsSeen(other, day)).not.toContain(w.start);
    expect(await startsSeen(t.app, day)).not.toContain(w.start);
    expect((await startsSeen(other, day)).length).toBeGreaterThan(0);
  });

  it('a write that changes nothing a route reads (notes) leaves the cached day alone', async () => {
    const day = '2026-04-15';
    const booked = await bookOn(t.app, window(day, '08:00'));
    expect(await startsSeen(other, day)).not.toContain(window(day, '08:00').start);
    const marked = await elsewhere.db.transaction().execute(async (tx) => {
      await sql`UPDATE visits SET notes = 'Sonner deux fois' WHERE id = ${booked.booking.id}`.execute(tx);
      const notes = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM route_day_changes WHERE changed_by = pg_current_xact_id()`.execute(tx);
      await sql`UPDATE visits SET pinned = true WHERE id = ${booked.booking.id}`.execute(tx);
      const pinned = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM route_day_changes WHERE changed_by = pg_current_xact_id()`.execute(tx);
      return { notes: notes.rows[0]!.n, pinned: pinned.rows[0]!.n };
    });
    expect(marked).toEqual({ notes: 0, pinned: 1 });
  });
});

describe('booked routes cached on the embedded database (PGlite)', () => {
  let t: TestApp;
  let solo: { technicianId: string; serviceId: string; postcode: string };
  beforeAll(async () => {
    t = await createTestApp({
      kind: 'pglite',
      env: { TOURNEE_POW_DIFFICULTY: '0', TOURNEE_READ_CACHE_MS: '60000' },
    });
    solo = await lonelyTechnician(t.testDb.handle.db, 'route-cache-embedded');
  });
  afterAll(async () => t?.close());

  it('the next answer follows a booking and a cancellation written by SQL', async () => {
    const day = '2026-04-07';
    const start = `${day}T08:00:00+02:00`;
    const starts = async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/slots?serviceId=${solo.serviceId}&postcode=${solo.postcode}&from=${day}&to=${day}`,
        remoteAddress: '10.0.0.9',
      });
      return (res.json().days as { windows: { start: string }[] }[]).flatMap((d) =>
        d.windows.map((w) => w.start),
      );
    };
    expect(await starts()).toContain(start);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID() },
      payload: bookingPayload(solo.serviceId, { start, end: `${day}T10:00:00+02:00` }, solo.postcode),
    });
    expect(res.statusCode).toBe(201);
    expect(await starts()).not.toContain(start);
    await sql`UPDATE visits SET status = 'cancelled' WHERE id = ${res.json().booking.id}`.execute(
      t.testDb.handle.db,
    );
    expect(await starts()).toContain(start);

    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID() },
      payload: bookingPayload(solo.serviceId, { start, end: `${day}T10:00:00+02:00` }, solo.postcode),
    });
    expect(again.statusCode).toBe(201);
    expect(await starts()).not.toContain(start);
    // TRUNCATE marks no day: it counts as a change of everything.
    await sql`TRUNCATE visits CASCADE`.execute(t.testDb.handle.db);
    expect(await starts()).toContain(start);
  });
});
