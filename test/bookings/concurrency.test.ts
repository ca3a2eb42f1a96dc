import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/database.js';
import { createBooking } from '../../src/domain/bookings/index.js';
import { DomainError } from '../../src/domain/errors.js';
import { buildServer } from '../../src/http/server.js';
import { bearer, createTestApp, type TestApp, WITHOUT_ABUSE_GUARDS } from '../helpers/app.js';
import { book, bookingPayload, manageTokenOf } from '../helpers/booking.js';
import { lonelyTechnician } from '../helpers/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
});
afterAll(async () => t?.close());

const window = (day: string) => ({ start: `${day}T08:00:00+02:00`, end: `${day}T10:00:00+02:00` });

async function overlapsInTable(): Promise<number> {
  const rows = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM visits a JOIN visits b
      ON a.technician_id = b.technician_id AND a.id < b.id
     AND a.status = 'booked' AND b.status = 'booked'
     AND tstzrange(a.planned_start, a.planned_end) && tstzrange(b.planned_start, b.planned_end)`.execute(
    t.testDb.handle.db,
  );
  return rows.rows[0]!.n;
}

async function bookingsOf(technicianId: string): Promise<number> {
  const row = await t.testDb.handle.db
    .selectFrom('visits')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('technician_id', '=', technicianId)
    .where('status', '=', 'booked')
    .executeTakeFirstOrThrow();
  return row.n;
}

describe('booking races', () => {
  it('50 concurrent requests for the last free window: exactly one 201, the rest 409, no overlap', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'race');
    const payload = bookingPayload(solo.serviceId, window('2026-03-30'), solo.postcode, {
      address: { line: '1 place Grenette', postcode: solo.postcode, city: 'Grenoble' },
    });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => book(t.app, payload, { pow: false })),
    );
    const codes = responses.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(49);
    const conflict = responses.find((r) => r.statusCode === 409)!.json();
    expect(conflict.code).toBe('window-taken');
    expect(conflict.alternatives.days.length).toBeGreaterThan(0);
    expect(await bookingsOf(solo.technicianId)).toBe(1);
    expect(await overlapsInTable()).toBe(0);
  });

  it('retries with one key, even concurrent, make one row', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'retry');
    const payload = bookingPayload(solo.serviceId, window('2026-03-31'), solo.postcode);
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => book(t.app, payload, { key, pow: false })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(responses.map((r) => r.json().booking.id)).size).toBe(1);
    expect(await bookingsOf(solo.technicianId)).toBe(1);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'three service instances on one database, round after round: exactly one booking per window',
    async () => {
      const solo = await lonelyTechnician(t.testDb.handle.db, 'twin');
      // RACE_ROUNDS=50 npx vitest run test/bookings/concurrency.test.ts measures it over more rounds.
      const rounds = Number(process.env.RACE_ROUNDS ?? 4);
      await t.testDb.handle.db.updateTable('company_settings').set({ booking_horizon_days: 200 }).execute();
      const days: string[] = [];
      for (
        let d = new Date('2026-04-13T12:00:00Z');
        days.length < rounds;
        d = new Date(d.getTime() + 86_400_000)
      ) {
        const weekday = d.getUTCDay();
        const iso = d.toISOString().slice(0, 10);
        if (
          weekday !== 0 &&
          weekday !== 6 &&
          !['2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15'].includes(iso)
        )
          days.push(iso);
      }
      const config = loadConfig({
        ...WITHOUT_ABUSE_GUARDS,
        DATABASE_URL: process.env.DATABASE_URL,
        TOURNEE_DB_SCHEMA: t.testDb.schema,
        TOURNEE_POW_DIFFICULTY: '0',
        TOURNEE_RATE_LIMIT: '100000',
        LOG_LEVEL: 'silent',
      });
      const now = new Date('2026-03-25T07:00:00Z');
      const instances = await Promise.all(
        [0, 1, 2].map(() => buildServer(config, { logger: false, clock: () => now })),
      );
      try {
        for (const day of days) {
          const payload = bookingPayload(solo.serviceId, window(day), solo.postcode);
          const responses = await Promise.all(
            Array.from({ length: 24 }, (_, i) => book(instances[i % 3]!, payload, { pow: false })),
          );
          // Anything but the one booking and the conflicts, with its problem body: a failure says why.
          expect(
            responses
              .filter((r) => r.statusCode !== 201 && r.statusCode !== 409)
              .map((r) => `${r.statusCode} ${r.body.slice(0, 200)}`),
          ).toEqual([]);
          expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
          expect(responses.filter((r) => r.statusCode === 409)).toHaveLength(23);
        }
        expect(await bookingsOf(solo.technicianId)).toBe(days.length);
        expect(await overlapsInTable()).toBe(0);
        console.log(
          `race: ${days.length} rounds × 24 requests over 3 instances, ${days.length} bookings, 0 double bookings`,
        );
      } finally {
        await Promise.all(instances.map((i) => i.close()));
      }
    },
  );

  it.skipIf(!process.env.DATABASE_URL)(
    'a connection killed mid-transaction leaves nothing half-written, and the retry books once',
    async () => {
      const solo = await lonelyTechnician(t.testDb.handle.db, 'kill');
      const handle = await openDatabase({
        url: process.env.DATABASE_URL,
        schema: t.testDb.schema,
        poolSize: 2,
      });
      const killer = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await killer.connect();
      const key = randomUUID();
      const request = {
        serviceId: solo.serviceId,
        window: window('2026-04-08'),
        customer: { name: 'Jean Perrin', phone: '0611223344', email: null },
        address: { line: '3 rue Lesdiguières', postcode: solo.postcode, city: 'Grenoble' },
      };
      const input = {
        request,
        booker: { channel: 'phone' as const, bookedBy: 'test', isStaff: true },
        idempotencyKey: key,
        powDifficulty: 0,
        now: new Date('2026-03-25T07:00:00Z'),
        links: { manageUrl: () => 'm', icsUrl: () => 'i' },
      };
      try {
        await expect(
          createBooking(handle.db, {
            ...input,
            beforeCommit: async (tx) => {
              const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(tx)).rows[0]!
                .pid;
              await killer.query('SELECT pg_terminate_backend($1)', [pid]);
            },
          }),
        ).rejects.not.toBeInstanceOf(DomainError);
        expect(await bookingsOf(solo.technicianId)).toBe(0);
        const keys = await t.testDb.handle.db
          .selectFrom('idempotency_keys')
          .select('key')
          .where('key', '=', key)
          .execute();
        expect(keys).toHaveLength(0);

        const retried = await createBooking(handle.db, input);
        const again = await createBooking(handle.db, input);
        expect(again.body.booking.id).toBe(retried.body.booking.id);
        expect(await bookingsOf(solo.technicianId)).toBe(1);
      } finally {
        await killer.end();
        await handle.close();
      }
    },
  );

  it('a 409 leaves no idempotency claim behind: the same key books once the window is free again', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'reclaim');
    const payload = bookingPayload(solo.serviceId, window('2026-04-09'), solo.postcode);
    const first = await book(t.app, payload, { pow: false });
    expect(first.statusCode).toBe(201);
    const key = randomUUID();
    expect((await book(t.app, payload, { key, pow: false })).statusCode).toBe(409);
    expect(
      await t.testDb.handle.db.selectFrom('idempotency_keys').select('key').where('key', '=', key).execute(),
    ).toHaveLength(0);
    const token = manageTokenOf(first.json().manageUrl);
    await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${first.json().booking.id}/cancel`,
      headers: { 'x-manage-token': token },
    });
    const retried = await book(t.app, payload, { key, pow: false });
    expect(retried.statusCode).toBe(201);
    expect((await book(t.app, payload, { key, pow: false })).json().booking.id).toBe(
      retried.json().booking.id,
    );
  });

  it('the desk books for a caller with an agent token, recording channel and who booked', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'desk');
    const res = await book(
      t.app,
      { ...bookingPayload(solo.serviceId, window('2026-04-07'), solo.postcode), channel: 'email' },
      { headers: bearer(t.tokens.agent), pow: false },
    );
    expect(res.statusCode).toBe(201);
    const row = await t.testDb.handle.db
      .selectFrom('visits')
      .selectAll()
      .where('id', '=', res.json().booking.id)
      .executeTakeFirstOrThrow();
    expect(row.channel).toBe('email');
    expect(row.booked_by).toBe('agent:test agent');
  });
});
