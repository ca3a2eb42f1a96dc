import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired, startHousekeeping } from '../../src/domain/housekeeping.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';

/** Issue 18 item 2: idempotency keys hold no manage token, expire after 24 h, and are purged on a schedule. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
});
afterAll(async () => t?.close());

async function payload(i: number) {
  const service = await firstService(t.app, 'depannage');
  const days = await slotsFor(t.app, service.id, '69003');
  const windows = days.flatMap((d) => d.windows);
  return bookingPayload(service.id, windows[i % windows.length]!, '69003');
}

describe('idempotency keys', () => {
  it('store the booking id, never its answer or manage token; a replay rebuilds the booking without links', async () => {
    const key = randomUUID();
    const body = await payload(0);
    const first = await book(t.app, body, { key, pow: false });
    expect(first.statusCode).toBe(201);
    const { booking, manageUrl } = first.json();
    const manageToken = manageUrl.split('.').pop();
    expect(manageToken.length).toBeGreaterThan(20);

    const rows = await sql<Record<string, unknown>>`SELECT * FROM idempotency_keys`.execute(
      t.testDb.handle.db,
    );
    const stored = JSON.stringify(rows.rows);
    expect(stored).not.toContain(manageToken);
    expect(stored).not.toContain('manage');
    const row = rows.rows.find((r) => r.key === key)!;
    expect(row.resource_id).toBe(booking.id);

    const replay = await book(t.app, body, { key, pow: false });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().booking).toMatchObject({ id: booking.id, reference: booking.reference });
    expect(replay.body).not.toContain(manageToken);
  });

  it('expire after 24 hours: the same key then means a new request', async () => {
    const key = randomUUID();
    expect((await book(t.app, await payload(1), { key, pow: false })).statusCode).toBe(201);
    // Another body under the same key is refused while the key lives…
    expect((await book(t.app, await payload(2), { key, pow: false })).statusCode).toBe(422);
    const expiry = await t.testDb.handle.db
      .selectFrom('idempotency_keys')
      .select(['created_at', 'expires_at'])
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    expect(expiry.expires_at.getTime() - Date.parse('2026-03-25T07:00:00Z')).toBe(24 * 3_600_000);
    // …and accepted as a new request once it expired.
    await t.testDb.handle.db
      .updateTable('idempotency_keys')
      .set({ expires_at: new Date('2026-03-24T00:00:00Z') })
      .where('key', '=', key)
      .execute();
    const again = await book(t.app, await payload(2), { key, pow: false });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });
});

describe('purge of expired guards', () => {
  async function seedGuards() {
    const db = t.testDb.handle.db;
    const past = new Date('2026-03-20T00:00:00Z');
    const future = new Date('2026-04-20T00:00:00Z');
    await db
      .insertInto('spent_challenges')
      .values([
        { challenge: `old-${randomUUID()}`, expires_at: past },
        { challenge: `live-${randomUUID()}`, expires_at: future },
      ])
      .execute();
    await db
      .insertInto('idempotency_keys')
      .values(
        [past, future].map((expires_at, i) => ({
          scope: 'test',
          key: `${i ? 'live' : 'old'}-${randomUUID()}`,
          request_hash: 'x',
          status_code: 201,
          response: 'null',
          expires_at,
        })),
      )
      .execute();
  }
  const count = async (table: 'spent_challenges' | 'idempotency_keys', prefix: string) =>
    Number(
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}
          WHERE ${sql.ref(table === 'spent_challenges' ? 'challenge' : 'key')} LIKE ${prefix + '%'}`.execute(
          t.testDb.handle.db,
        )
      ).rows[0]!.n,
    );

  it('deletes expired keys and spent challenges, keeps live ones; an instance skips while another purges', async () => {
    await seedGuards();
    const now = new Date('2026-03-25T07:00:00Z');
    if (t.testDb.handle.kind === 'postgres') {
      // Another instance mid-purge holds the lock: this one skips the round and deletes nothing.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const lockTaken = new Promise<void>((r) => (locked = r));
      const other = t.testDb.handle.db.transaction().execute(async (tx) => {
        await sql`SELECT pg_advisory_xact_lock(727274008)`.execute(tx);
        locked();
        await held;
      });
      await lockTaken;
      expect(await purgeExpired(t.testDb.handle.db, now)).toEqual({ ran: false, reason: 'another-instance' });
      expect(await count('spent_challenges', 'old-')).toBe(1);
      release();
      await other;
    }
    const outcome = await purgeExpired(t.testDb.handle.db, now);
    expect(outcome).toMatchObject({ ran: true });
    expect(await count('spent_challenges', 'old-')).toBe(0);
    expect(await count('idempotency_keys', 'old-')).toBe(0);
    expect(await count('spent_challenges', 'live-')).toBeGreaterThan(0);
    expect(await count('idempotency_keys', 'live-')).toBeGreaterThan(0);
  });

  it('runs one round at a time, and a stop waits for the round still at work', async () => {
    if (t.testDb.handle.kind !== 'postgres') return; // one connection: nothing can hold a round up
    const db = t.testDb.handle.db;
    // Another transaction holds the table: the first round waits on it, the ticks after it come meanwhile.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const blocker = db.transaction().execute(async (tx) => {
      await sql`LOCK TABLE spent_challenges IN EXCLUSIVE MODE`.execute(tx);
      locked();
      await held;
    });
    await lockTaken;
    const errors: unknown[] = [];
    const housekeeper = startHousekeeping(db, {
      intervalMs: 20,
      clock: () => new Date('2026-03-25T07:00:00Z'),
      onError: (e) => errors.push(e),
    });
    const waitingRounds = async () =>
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query ILIKE '%delete from "spent_challenges"%'`.execute(db)
      ).rows[0]!.n;
    await expect.poll(waitingRounds).toBe(1);
    await new Promise((r) => setTimeout(r, 200)); // ten ticks while the round waits
    let stopped = false;
    const stopping = housekeeper.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(stopped).toBe(false);
    release();
    await blocker;
    await stopping;
    expect(await waitingRounds()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('runs on a schedule inside the service (TOURNEE_PURGE_INTERVAL_MS)', async () => {
    await seedGuards();
    const scheduled = await createTestApp({ env: { TOURNEE_PURGE_INTERVAL_MS: '50' } });
    try {
      const db = scheduled.testDb.handle.db;
      await db
        .insertInto('spent_challenges')
        .values({ challenge: 'old-scheduled', expires_at: new Date('2026-03-20T00:00:00Z') })
        .execute();
      for (let i = 0; i < 200; i++) {
        const left = await db.selectFrom('spent_challenges').select('challenge').execute();
        if (left.length === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await db.selectFrom('spent_challenges').select('challenge').execute()).toEqual([]);
    } finally {
      await scheduled.close();
    }
  });
});
