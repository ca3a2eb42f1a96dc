import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKeyFor } from '../../src/domain/booking-guards/index.js';
import { createBooking } from '../../src/domain/bookings/index.js';
import { challengeSecret, issueChallenge, solveChallenge } from '../../src/domain/challenge.js';
import { DomainError } from '../../src/domain/errors.js';
import { CachedReads } from '../../src/domain/slot-reads.js';
import { bookingPaths, slotCache } from '../../src/observability/metrics.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  book,
  bookingPayload,
  manageTokenOf,
  publicBookingInput,
  type PublicBooker,
  type Slot,
} from '../helpers/booking.js';
import { lonelyTechnician, oneHourService as oneHourServiceOf } from '../helpers/fixtures.js';

/**
 * A public booking placed on the slot reads' memory (the read cache on, as in production): no read
 * before its one write, book_visit handed the snapshot the memory was brought up to date in, and
 * refusing, under the locks, a technician-day or the slowly-changing data changed in a transaction
 * that snapshot did not see. These tests fail if the memory's snapshot is not the one checked (a
 * visit placed over another, booked into an absence), if a retried key no longer replays, or if the
 * proof of work's growth and the caps are not counted on this way.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0', TOURNEE_READ_CACHE_MS: '60000' } });
});
afterAll(async () => t?.close());

const morning = (day: string) => ({ start: `${day}T08:00:00+02:00`, end: `${day}T10:00:00+02:00` });

async function pathCount(path: string): Promise<number> {
  return (await bookingPaths.get()).values.find((v) => v.labels.path === path)?.value ?? 0;
}

async function cacheCount(event: string): Promise<number> {
  return (await slotCache.get()).values.find((v) => v.labels.event === event)?.value ?? 0;
}

async function overlaps(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM visits a JOIN visits b
      ON a.technician_id = b.technician_id AND a.id < b.id
     AND a.status = 'booked' AND b.status = 'booked'
     AND tstzrange(a.planned_start, a.planned_end) && tstzrange(b.planned_start, b.planned_end)`.execute(
    t.testDb.handle.db,
  );
  return rows[0]!.n;
}

async function bookedOf(technicianId: string) {
  return t.testDb.handle.db
    .selectFrom('visits')
    .select(['customer_name'])
    .where('technician_id', '=', technicianId)
    .where('status', '=', 'booked')
    .orderBy('planned_start')
    .execute();
}

const oneHourService = (suffix: string) => oneHourServiceOf(t.testDb.handle.db, suffix);

const publicBooking = (serviceId: string, postcode: string, window: Slot, who: PublicBooker) =>
  publicBookingInput(serviceId, postcode, window, who, { slotReads: t.app.ctx.slotReads });

describe('a public booking on the slot reads memory', () => {
  it('the service books from memory', () => {
    expect(t.app.ctx.slotReads).toBeInstanceOf(CachedReads);
  });

  it('50 concurrent requests for the last free window: one 201, 49 × 409 with alternatives, no overlap', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'mem-race');
    const payload = bookingPayload(solo.serviceId, morning('2026-03-30'), solo.postcode, {
      address: { line: '1 place Grenette', postcode: solo.postcode, city: 'Grenoble' },
    });
    const fromMemory = await pathCount('memory');
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => book(t.app, payload, { pow: false })),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(49);
    expect(responses.find((r) => r.statusCode === 409)!.json().alternatives.days.length).toBeGreaterThan(0);
    expect(await bookedOf(solo.technicianId)).toHaveLength(1);
    expect(await overlaps()).toBe(0);
    expect(await pathCount('memory')).toBeGreaterThan(fromMemory);
  });

  it('retries with one key, even concurrent, make one row; a retry after it replays', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'mem-retry');
    const payload = bookingPayload(solo.serviceId, morning('2026-03-31'), solo.postcode);
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => book(t.app, payload, { key, pow: false })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(responses.map((r) => r.json().booking.id)).size).toBe(1);
    // The window is now taken (by this booking) in the memory: the key still answers first.
    const later = await book(t.app, payload, { key, pow: false });
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.json().booking.id).toBe(responses[0]!.json().booking.id);
    expect(await bookedOf(solo.technicianId)).toHaveLength(1);
  });

  it('a 409 leaves no claim: the same key books once the window is free again, seen at once', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'mem-reclaim');
    const payload = bookingPayload(solo.serviceId, morning('2026-04-09'), solo.postcode);
    const first = await book(t.app, payload, { pow: false });
    expect(first.statusCode).toBe(201);
    const key = randomUUID();
    expect((await book(t.app, payload, { key, pow: false })).statusCode).toBe(409);
    expect(
      await t.testDb.handle.db.selectFrom('idempotency_keys').select('key').where('key', '=', key).execute(),
    ).toHaveLength(0);
    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${first.json().booking.id}/cancel`,
      headers: { 'x-manage-token': manageTokenOf(first.json().manageUrl) },
    });
    expect(cancelled.statusCode).toBe(200);
    const retried = await book(t.app, payload, { key, pow: false });
    expect(retried.statusCode).toBe(201);
  });

  it('a visit booked on that day between the memory read and the write: placed again on a fresh read', async () => {
    const solo = await oneHourService('mem-route');
    const db = t.testDb.handle.db;
    const window = morning('2026-04-14');
    const overtaken = await pathCount('memory_stale');
    const made = await createBooking(db, {
      ...publicBooking(solo.serviceId, solo.postcode, window, {
        name: 'Bruno Late',
        phone: '0611000002',
        client: '10.2.0.2',
      }),
      // Someone else takes the start of the same window meanwhile: the memory placed us there too.
      afterRead: async () => {
        const theirs = await createBooking(
          db,
          publicBooking(solo.serviceId, solo.postcode, window, {
            name: 'Chloé First',
            phone: '0611000003',
            client: '10.2.0.3',
          }),
        );
        expect(theirs.status).toBe(201);
      },
    });
    expect(made.status).toBe(201);
    expect((await bookedOf(solo.technicianId)).map((v) => v.customer_name).sort()).toEqual([
      'Bruno Late',
      'Chloé First',
    ]);
    expect(await overlaps()).toBe(0);
    expect(await pathCount('memory_stale')).toBe(overtaken + 1);
  });

  it('an absence entered between the memory read and the write: refused with alternatives, nothing kept', async () => {
    const solo = await oneHourService('mem-absence');
    const db = t.testDb.handle.db;
    const input = publicBooking(solo.serviceId, solo.postcode, morning('2026-04-15'), {
      name: 'Denis Absent',
      phone: '0611000004',
      client: '10.2.0.4',
    });
    const refused = await createBooking(db, {
      ...input,
      afterRead: async () => {
        await db
          .insertInto('availability_exceptions')
          .values({
            technician_id: solo.technicianId,
            kind: 'absence',
            starts_at: '2026-04-15T00:00:00+02:00',
            ends_at: '2026-04-16T00:00:00+02:00',
            reason: 'malade',
          })
          .execute();
      },
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('window-taken');
    expect(await bookedOf(solo.technicianId)).toHaveLength(0);
    expect(
      await db.selectFrom('idempotency_keys').select('key').where('key', '=', input.idempotencyKey).execute(),
    ).toHaveLength(0);
  });

  it('an absence committed before the booking arrives: the memory sees it, no visit in it', async () => {
    const solo = await oneHourService('mem-absent-before');
    const db = t.testDb.handle.db;
    const day = '2026-04-16';
    // The memory reads the day first (a customer looking at the windows).
    const early = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${solo.serviceId}&postcode=${solo.postcode}&from=${day}&to=${day}`,
    });
    expect(early.json().days.length).toBe(1);
    await db
      .insertInto('availability_exceptions')
      .values({
        technician_id: solo.technicianId,
        kind: 'absence',
        starts_at: `${day}T00:00:00+02:00`,
        ends_at: '2026-04-17T00:00:00+02:00',
        reason: 'formation',
      })
      .execute();
    const refused = await createBooking(
      db,
      publicBooking(solo.serviceId, solo.postcode, morning(day), {
        name: 'Emma Absent',
        phone: '0611000005',
        client: '10.2.0.5',
      }),
    ).catch((error: unknown) => error);
    expect((refused as DomainError).code).toBe('window-taken');
    expect(await bookedOf(solo.technicianId)).toHaveLength(0);
  });

  it('right after the slot read that offered its window, a booking books on that read’s answer without asking again', async () => {
    const solo = await oneHourService('mem-reuse');
    const day = '2026-04-23';
    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${solo.serviceId}&postcode=${solo.postcode}&from=${day}&to=${day}`,
    });
    expect(read.json().days.length).toBe(1);
    const [probes, reused] = [await cacheCount('probe'), await cacheCount('probe_reused')];
    const made = await createBooking(t.testDb.handle.db, {
      ...publicBooking(solo.serviceId, solo.postcode, morning(day), {
        name: 'Inès Reuse',
        phone: '0611000020',
        client: '10.2.0.20',
      }),
      // However slow the host, the answer counts as recent here: no wall clock in the test.
      probeReuseMs: 3_600_000,
    });
    expect(made.status).toBe(201);
    expect(await cacheCount('probe')).toBe(probes);
    expect(await cacheCount('probe_reused')).toBe(reused + 1);
  });

  it('a window freed elsewhere after that read, still full in its answer: the booking asks again and books it', async () => {
    const solo = await oneHourService('mem-reuse-freed');
    const db = t.testDb.handle.db;
    const day = '2026-04-24';
    // Two one-hour visits fill the morning's window.
    for (const [name, phone, client] of [
      ['Jules Leaving', '0611000021', '10.2.0.21'],
      ['Nina Leaving', '0611000022', '10.2.0.22'],
    ] as const) {
      const made = await createBooking(
        db,
        publicBooking(solo.serviceId, solo.postcode, morning(day), { name, phone, client }),
      );
      expect(made.status).toBe(201);
    }
    // A customer reads the windows: the morning is full.
    await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${solo.serviceId}&postcode=${solo.postcode}&from=${day}&to=${day}`,
    });
    const [probes, fromMemory] = [await cacheCount('probe'), await pathCount('memory')];
    // Another program cancels both (no request of this instance): the remembered answer still has them.
    await db
      .updateTable('visits')
      .set({ status: 'cancelled', cancelled_at: new Date(), version: sql`version + 1` })
      .where('technician_id', '=', solo.technicianId)
      .execute();
    const made = await createBooking(db, {
      ...publicBooking(solo.serviceId, solo.postcode, morning(day), {
        name: 'Karim After',
        phone: '0611000023',
        client: '10.2.0.23',
      }),
      probeReuseMs: 3_600_000,
    });
    expect(made.status).toBe(201);
    // Placed nowhere on the remembered answer, then on a fresh one: one question, booked from memory.
    expect(await cacheCount('probe')).toBe(probes + 1);
    expect(await pathCount('memory')).toBe(fromMemory + 1);
    expect((await bookedOf(solo.technicianId)).map((v) => v.customer_name)).toEqual(['Karim After']);
  });

  it('after a cancellation through this instance, the next booking asks again whatever the answer’s age', async () => {
    const solo = await oneHourService('mem-reuse-local');
    const day = '2026-04-27';
    const first = await book(t.app, bookingPayload(solo.serviceId, morning(day), solo.postcode), {
      pow: false,
    });
    expect(first.statusCode).toBe(201);
    await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${solo.serviceId}&postcode=${solo.postcode}&from=${day}&to=${day}`,
    });
    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${first.json().booking.id}/cancel`,
      headers: { 'x-manage-token': manageTokenOf(first.json().manageUrl) },
    });
    expect(cancelled.statusCode).toBe(200);
    const [probes, reused] = [await cacheCount('probe'), await cacheCount('probe_reused')];
    const made = await createBooking(t.testDb.handle.db, {
      ...publicBooking(solo.serviceId, solo.postcode, morning(day), {
        name: 'Marc After',
        phone: '0611000024',
        client: '10.2.0.24',
      }),
      probeReuseMs: 3_600_000,
    });
    expect(made.status).toBe(201);
    expect(await cacheCount('probe')).toBe(probes + 1);
    expect(await cacheCount('probe_reused')).toBe(reused);
  });

  it('the proof of work grows with the client’s bookings, and the caps hold, on this way too', async () => {
    const solo = await oneHourService('mem-pow');
    const db = t.testDb.handle.db;
    const client = '10.2.0.9';
    const policy = { base: 2, stepBits: 3 };
    const webBooker = { clientKey: await clientKeyFor(db, client), caps: { perCustomer: 0, perClient: 2 } };
    const secret = await challengeSecret(db);
    const withPow = (window: { start: string; end: string }, name: string, phone: string, bits: number) => {
      const issued = issueChallenge(secret, bits, new Date('2026-03-25T07:00:00Z'));
      return {
        ...publicBooking(solo.serviceId, solo.postcode, window, { name, phone, client }),
        pow: { challenge: issued.challenge, nonce: solveChallenge(issued.challenge, issued.difficulty) },
        powPolicy: policy,
        webBooker,
      };
    };
    const fromMemory = await pathCount('memory');
    expect((await createBooking(db, withPow(morning('2026-04-20'), 'Eve One', '0611000010', 2))).status).toBe(
      201,
    );
    expect(await pathCount('memory')).toBe(fromMemory + 1);
    // Its second booking of the hour owes 2 + 3 bits: the base is refused, and nothing is kept.
    const weak = await createBooking(db, withPow(morning('2026-04-21'), 'Eve Two', '0611000011', 2)).catch(
      (error: unknown) => error,
    );
    expect((weak as DomainError).code).toBe('pow-too-weak');
    expect((await createBooking(db, withPow(morning('2026-04-21'), 'Eve Two', '0611000011', 5))).status).toBe(
      201,
    );
    // Two bookings in 24 h is this client's cap: the third is refused even with the proof it owes.
    const capped = await createBooking(
      db,
      withPow(morning('2026-04-22'), 'Eve Three', '0611000012', 8),
    ).catch((error: unknown) => error);
    expect((capped as DomainError).code).toBe('booking-cap-client');
    expect((await bookedOf(solo.technicianId)).map((v) => v.customer_name)).toEqual(['Eve One', 'Eve Two']);
  });
});
