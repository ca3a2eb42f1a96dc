import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBooking } from '../../src/domain/bookings/index.js';
import { clientKeyFor } from '../../src/domain/booking-guards/index.js';
import { challengeSecret, issueChallenge, solveChallenge } from '../../src/domain/challenge.js';
import { DomainError } from '../../src/domain/errors.js';
import { freshReads } from '../../src/domain/slot-reads.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { publicBookingInput, type PublicBooker, type Slot } from '../helpers/booking.js';
import { oneHourService as oneHourServiceOf } from '../helpers/fixtures.js';

/**
 * A public booking reads its technicians' day without locks and writes in one call (book_visit,
 * migration 0023) that, holding the technician-day's lock, checks whether anything the read did not
 * see has changed that day or the slowly-changing data since. A change committed between the read and
 * the write (the afterRead seam) must send the booking through the locked transaction, which reads
 * afresh: these tests fail if the check is dropped (a visit booked into an absence, or a 409 where
 * the fresh read finds room).
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
});
afterAll(async () => t?.close());

const now = new Date('2026-03-25T07:00:00Z');
const morning = (day: string) => ({ start: `${day}T08:00:00+02:00`, end: `${day}T10:00:00+02:00` });

const oneHourService = (suffix: string) => oneHourServiceOf(t.testDb.handle.db, suffix);

// The slot reads a booking takes its read plan from (time zone, postal code's zones).
const publicBooking = (serviceId: string, postcode: string, window: Slot, who: PublicBooker) =>
  publicBookingInput(serviceId, postcode, window, who, { slotReads: freshReads(t.testDb.handle.db), now });

async function bookedOf(technicianId: string) {
  return t.testDb.handle.db
    .selectFrom('visits')
    .select(['customer_name', 'planned_start', 'planned_end'])
    .where('technician_id', '=', technicianId)
    .where('status', '=', 'booked')
    .orderBy('planned_start')
    .execute();
}

async function overlaps(technicianId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM visits a JOIN visits b
      ON a.technician_id = b.technician_id AND a.id < b.id
     AND a.status = 'booked' AND b.status = 'booked'
     AND tstzrange(a.planned_start, a.planned_end) && tstzrange(b.planned_start, b.planned_end)
     WHERE a.technician_id = ${technicianId}::uuid`.execute(t.testDb.handle.db);
  return rows[0]!.n;
}

describe('a public booking on its unlocked read', () => {
  it('books on the read when nothing changed, and the same key replays it', async () => {
    const solo = await oneHourService('snap-plain');
    const input = publicBooking(solo.serviceId, solo.postcode, morning('2026-04-13'), {
      name: 'Anne Quiet',
      phone: '0611000001',
      client: '10.1.0.1',
    });
    const made = await createBooking(t.testDb.handle.db, input);
    expect(made.status).toBe(201);
    const again = await createBooking(t.testDb.handle.db, input);
    expect(again.replayed).toBe(true);
    expect(again.body.booking.id).toBe(made.body.booking.id);
    expect(await bookedOf(solo.technicianId)).toHaveLength(1);
  });

  it('a visit booked on that day between its read and its write: placed again on a fresh read, not refused', async () => {
    const solo = await oneHourService('snap-route');
    const db = t.testDb.handle.db;
    const window = morning('2026-04-14');
    const ours = publicBooking(solo.serviceId, solo.postcode, window, {
      name: 'Bruno Late',
      phone: '0611000002',
      client: '10.1.0.2',
    });
    const made = await createBooking(db, {
      ...ours,
      // Someone else takes the start of the same window meanwhile: our read placed us there too.
      afterRead: async () => {
        const theirs = await createBooking(
          db,
          publicBooking(solo.serviceId, solo.postcode, window, {
            name: 'Chloé First',
            phone: '0611000003',
            client: '10.1.0.3',
          }),
        );
        expect(theirs.status).toBe(201);
      },
    });
    expect(made.status).toBe(201);
    const booked = await bookedOf(solo.technicianId);
    expect(booked.map((v) => v.customer_name).sort()).toEqual(['Bruno Late', 'Chloé First']);
    expect(await overlaps(solo.technicianId)).toBe(0);
  });

  it('an absence entered between its read and its write: refused with alternatives, nothing written', async () => {
    const solo = await oneHourService('snap-absence');
    const db = t.testDb.handle.db;
    const input = publicBooking(solo.serviceId, solo.postcode, morning('2026-04-15'), {
      name: 'Denis Absent',
      phone: '0611000004',
      client: '10.1.0.4',
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
    const keys = await db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('key', '=', input.idempotencyKey)
      .execute();
    expect(keys).toHaveLength(0);
  });

  it('a client with a recent booking whose read went stale: the locked way still asks the harder proof of work', async () => {
    const solo = await oneHourService('snap-pow');
    const db = t.testDb.handle.db;
    const client = '10.1.0.9';
    const policy = { base: 2, stepBits: 3 };
    const webBooker = { clientKey: await clientKeyFor(db, client), caps: { perCustomer: 0, perClient: 0 } };
    const secret = await challengeSecret(db);
    /** A booking from `client` with a solved challenge of the base difficulty (the windows' one). */
    const withBasePow = (window: { start: string; end: string }, name: string, phone: string) => {
      const issued = issueChallenge(secret, policy.base, now);
      return {
        ...publicBooking(solo.serviceId, solo.postcode, window, { name, phone, client }),
        pow: { challenge: issued.challenge, nonce: solveChallenge(issued.challenge, issued.difficulty) },
        powPolicy: policy,
        webBooker,
      };
    };
    const first = await createBooking(db, withBasePow(morning('2026-04-20'), 'Eve First', '0611000010'));
    expect(first.status).toBe(201);
    // Its second booking of the hour owes base + 3 bits. Someone else books that day between its read
    // and its write: book_visit, which counts, finds the read stale and the locked way books it.
    const second = await createBooking(db, {
      ...withBasePow(morning('2026-04-21'), 'Eve Again', '0611000011'),
      afterRead: async () => {
        const other = await createBooking(
          db,
          publicBooking(solo.serviceId, solo.postcode, morning('2026-04-21'), {
            name: 'Fred Other',
            phone: '0611000012',
            client: '10.1.0.10',
          }),
        );
        expect(other.status).toBe(201);
      },
    }).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(DomainError);
    expect((second as DomainError).code).toBe('pow-too-weak');
    expect((await bookedOf(solo.technicianId)).map((v) => v.customer_name).sort()).toEqual([
      'Eve First',
      'Fred Other',
    ]);
  });
});
