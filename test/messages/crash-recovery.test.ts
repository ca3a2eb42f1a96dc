import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { insertWebhook } from '../../src/db/webhooks.js';
import { solveChallenge } from '../../src/domain/challenge.js';
import { OUTBOX_PROCESS_NAME } from '../../src/domain/messages/process-priority.js';
import { newWebhookSecret } from '../../src/domain/webhooks/signature.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { startReceiver } from './receiver.js';

/**
 * Issue 14: a service killed (SIGKILL, no chance to clean up) after a booking committed and while
 * its webhook was on the wire delivers it after a restart, with the same id, and is acknowledged once.
 */
const url = process.env.DATABASE_URL;
const schema = `t_crash_${randomBytes(4).toString('hex')}`;
const LEASE_SECONDS = 11;

afterAll(async () => {
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

/** The processes named `name` whose parent is `pid` (Linux: /proc/<pid>/stat's fourth field). */
function childrenOf(pid: number, name: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return parent === pid && readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name
        ? [Number(entry)]
        : [];
    } catch {
      return [];
    }
  });
}

function alive(pid: number): boolean {
  try {
    // A zombie (ended, not yet reaped) counts as gone.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function getJson(base: string, path: string) {
  const res = await fetch(base + path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A booking as the widget makes it, over real HTTP with a solved proof of work. */
async function bookOverHttp(port: number): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const { services } = await getJson(base, '/v1/services');
  const service = services.find((s: { slug: string }) => s.slug === 'depannage');
  const { days } = await getJson(base, `/v1/slots?serviceId=${service.id}&postcode=69003`);
  const window = days.find((d: { windows: unknown[] }) => d.windows.length > 0).windows[0];
  const { challenge, difficulty } = await getJson(base, '/v1/challenge');
  const res = await fetch(`${base}/v1/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      serviceId: service.id,
      window,
      customer: { name: 'Marie Dubois', phone: '06 12 34 56 78', email: 'marie.dubois@example.fr' },
      address: { line: '12 rue Victor Hugo', postcode: '69003', city: 'Lyon' },
      consent: true,
      website: '',
      pow: { challenge, nonce: solveChallenge(challenge, difficulty) },
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { booking: { id: string } }).booking.id;
}

describe.skipIf(!url)('outbox across a crash', () => {
  it('a webhook in flight when the service is SIGKILLed goes out again after restart, once', async () => {
    const env = {
      DATABASE_URL: url!,
      TOURNEE_DB_SCHEMA: schema,
      TOURNEE_DEMO: 'true',
      TOURNEE_PURGE_INTERVAL_MS: '0',
      TOURNEE_WEBHOOK_ALLOW_PRIVATE: 'true',
      TOURNEE_OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS),
      TOURNEE_OUTBOX_POLL_MS: '50',
    };
    // The first delivery reaches the receiver and is never answered: the crash happens on the wire.
    let firstArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    const receiver = await startReceiver((_call, index) =>
      index === 0 ? (firstArrived(), new Promise<number>(() => undefined)) : 204,
    );
    const db = await openDatabase({ url: url!, schema, poolSize: 2 });
    let service: ServiceProcess | undefined;
    try {
      service = await startServiceProcess(env);
      const secret = newWebhookSecret();
      await insertWebhook(db.db, { url: receiver.url, events: ['booking.created'], secret });
      const bookingId = await bookOverHttp(service.port);
      await arrived;

      // Its outbox worker runs in a child process (outbox-process.ts): killed with the instance
      // that started it, not left delivering on its own.
      const outboxPids =
        process.platform === 'linux' ? childrenOf(service.child.pid!, OUTBOX_PROCESS_NAME) : [];
      if (process.platform === 'linux') expect(outboxPids).toHaveLength(1);
      service.child.kill('SIGKILL');
      expect(await service.exited).toBe('SIGKILL');
      for (let i = 0; i < 100 && outboxPids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
      expect(outboxPids.filter(alive)).toEqual([]);
      // Committed, taken under a lease, not recorded as sent. Either the event still waits under the
      // dead worker's lease (killed within RECORD_WITHIN_MS of the delivery's start), or, killed later
      // (a loaded CI host), the event was marked dispatched with its webhook message written as taken
      // by that worker: in both cases the lease, not a record of delivery, holds it until it ends.
      const { rows: events } = await sql<{ dispatched_at: Date | null; locked_until: Date | null }>`
        SELECT dispatched_at, locked_until FROM outbox
        WHERE type = 'booking.created' AND aggregate_id = ${bookingId}`.execute(db.db);
      expect(events).toHaveLength(1);
      if (events[0]!.dispatched_at === null) {
        expect(events[0]!.locked_until).not.toBeNull();
      } else {
        const held = await db.db
          .selectFrom('messages')
          .select(['status', 'locked_until'])
          .where('kind', '=', 'booking.created')
          .where('channel', '=', 'webhook')
          .execute();
        expect(held).toHaveLength(1);
        expect(held[0]!.status).toBe('pending');
        expect(held[0]!.locked_until).not.toBeNull();
      }
      const sentBefore = await db.db
        .selectFrom('messages')
        .select('id')
        .where('kind', '=', 'booking.created')
        .where('status', '=', 'sent')
        .execute();
      expect(sentBefore).toEqual([]);

      service = await startServiceProcess(env);
      // The restarted instance waits out the dead one's lease, then delivers.
      const deadline = Date.now() + (LEASE_SECONDS + 30) * 1000;
      while (receiver.calls.length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(receiver.calls.length).toBe(2);
      // Give a duplicate every chance to show up: several polls and one more lease.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(receiver.calls.length).toBe(2);

      const [lost, delivered] = receiver.calls as [(typeof receiver.calls)[0], (typeof receiver.calls)[0]];
      // Same message id both times, so a receiver that dedupes on webhook-id acts once.
      expect(delivered.headers['webhook-id']).toBe(lost.headers['webhook-id']);
      const event = new Webhook(secret).verify(delivered.body, {
        'webhook-id': String(delivered.headers['webhook-id']),
        'webhook-timestamp': String(delivered.headers['webhook-timestamp']),
        'webhook-signature': String(delivered.headers['webhook-signature']),
      }) as { type: string; data: { id: string } };
      expect(event.type).toBe('booking.created');
      expect(event.data.id).toBe(bookingId);

      const sent = await db.db
        .selectFrom('messages')
        .select(['status', 'attempts'])
        .where('kind', '=', 'booking.created')
        .execute();
      expect(sent).toHaveLength(1);
      expect(sent[0]!.status).toBe('sent');
    } finally {
      service?.child.kill('SIGKILL');
      await receiver.close().catch(() => undefined);
      await db.close();
    }
  }, 180_000);
});
