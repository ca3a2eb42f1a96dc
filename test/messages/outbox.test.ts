import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { insertWebhook } from '../../src/db/webhooks.js';
import { nextAttemptAt, RETRY_WINDOW_MS } from '../../src/domain/outbox/backoff.js';
import { messageIdOf } from '../../src/db/outbox.js';
import { enqueueMessage } from '../../src/domain/outbox/index.js';
import { OutboxWorker } from '../../src/domain/outbox/worker.js';
import { WebhookDeliverer } from '../../src/domain/webhooks/deliver.js';
import { newWebhookSecret } from '../../src/domain/webhooks/signature.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';
import { startReceiver } from './receiver.js';

describe('outbox', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const db = () => t.testDb.handle.db;
  const events = () => db().selectFrom('outbox').selectAll().orderBy('created_at').execute();
  /** A request's event committed in a transaction of its own; its id. */
  const commitRequestEvent = (
    aggregateId: string,
    payload: Record<string, unknown> = {},
    type: 'request.created' | 'request.closed' = 'request.created',
  ) =>
    db()
      .transaction()
      .execute((tx) => enqueueMessage(tx, { type, aggregate: 'request', aggregateId, payload }));

  it('writes booking.created in the booking’s transaction, and nothing for a refused booking', async () => {
    const before = (await events()).length;
    const service = await firstService(t.app, 'depannage');
    const [day] = await slotsFor(t.app, service.id, '69003');
    const window = day!.windows[0]!;
    const key = 'outbox-key-0001';
    const res = await book(t.app, bookingPayload(service.id, window, '69003'), { key });
    expect(res.statusCode).toBe(201);
    const after = await events();
    expect(after.length).toBe(before + 1);
    const event = after.at(-1)!;
    expect(event.type).toBe('booking.created');
    expect(event.aggregate_id).toBe(res.json().booking.id);
    expect((event.payload as { reference: string }).reference).toBe(res.json().booking.reference);
    // The manage link rides with the event for the customer's e-mail only, not in the webhook data.
    expect(JSON.stringify(event.payload)).not.toContain('/manage#');
    expect((event.private_payload as { manageUrl: string }).manageUrl).toBe(res.json().manageUrl);

    // The same key again is a replay: no second event.
    const replay = await book(t.app, bookingPayload(service.id, window, '69003'), { key });
    expect(replay.statusCode).toBe(201);
    expect((await events()).length).toBe(before + 1);

    // A booking refused inside its transaction (bad window) leaves no event.
    const refused = await book(
      t.app,
      bookingPayload(service.id, { start: window.start, end: window.start }, '69003'),
    );
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect((await events()).length).toBe(before + 1);
  });

  it('rolls the event back with the transaction that wrote it', async () => {
    const before = (await events()).length;
    await expect(
      db()
        .transaction()
        .execute(async (tx) => {
          await enqueueMessage(tx, {
            type: 'request.created',
            aggregate: 'request',
            aggregateId: '00000000-0000-4000-8000-000000000001',
            payload: {},
          });
          throw new Error('change refused');
        }),
    ).rejects.toThrow('change refused');
    expect((await events()).length).toBe(before);
  });

  it('retries with growing, jittered delays and gives up after 24 h', () => {
    const now = new Date('2026-03-25T08:00:00Z');
    const giveUp = new Date(now.getTime() + RETRY_WINDOW_MS);
    const delays = [1, 2, 3, 4, 5, 6].map(
      (n) => nextAttemptAt(n, now, giveUp, () => 0)!.getTime() - now.getTime(),
    );
    expect(delays).toEqual([2500, 5000, 10_000, 20_000, 40_000, 80_000]);
    const high = nextAttemptAt(3, now, giveUp, () => 0.999)!.getTime() - now.getTime();
    expect(high).toBeGreaterThan(19_000);
    expect(high).toBeLessThanOrEqual(20_000);
    expect(nextAttemptAt(30, now, giveUp, () => 1)!.getTime() - now.getTime()).toBe(2 * 3_600_000);
    expect(nextAttemptAt(3, new Date(giveUp.getTime() - 1000), giveUp)).toBeNull();
  });

  it('two workers on one database deliver each message once', async () => {
    const receiver = await startReceiver();
    const second: DatabaseHandle = t.testDb.url
      ? await openDatabase({ url: t.testDb.url, schema: t.testDb.schema, poolSize: 4 })
      : t.testDb.handle;
    try {
      await insertWebhook(db(), {
        url: receiver.url,
        events: ['request.created'],
        secret: newWebhookSecret(),
      });
      const count = 60;
      for (let i = 0; i < count; i++) {
        await commitRequestEvent(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, { n: i });
      }
      const workers = [t.testDb.handle, second].map(
        (h) =>
          new OutboxWorker(h.db, {
            deliverers: { webhook: new WebhookDeliverer(h.db, { allowPrivate: true }) },
            concurrency: 5,
          }),
      );
      // Both run side by side until nothing is left.
      const drain = async (w: OutboxWorker) => {
        for (let idle = 0; idle < 2;) idle = (await w.runOnce()).attempted === 0 ? idle + 1 : 0;
      };
      await Promise.all(workers.map(drain));
      const ids = receiver.calls.map((c) => c.headers['webhook-id']);
      expect(ids.length).toBe(count);
      expect(new Set(ids).size).toBe(count);
      const sent = await db()
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'sent')
        .where('kind', '=', 'request.created')
        .executeTakeFirstOrThrow();
      expect(Number(sent.n)).toBe(count);
    } finally {
      await receiver.close();
      if (second !== t.testDb.handle) await second.close();
    }
  });
  it('a slow delivery does not hold back the record of the others taken with it', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = await startReceiver(async () => {
      await held;
      return 204;
    });
    const fast = await startReceiver();
    try {
      await db().updateTable('webhooks').set({ deleted_at: new Date() }).execute();
      const slowHook = await insertWebhook(db(), {
        url: slow.url,
        events: ['request.created'],
        secret: newWebhookSecret(),
      });
      const fastHook = await insertWebhook(db(), {
        url: fast.url,
        events: ['request.created'],
        secret: newWebhookSecret(),
      });
      const eventId = await commitRequestEvent('00000000-0000-4000-8000-0000000000ff');
      const worker = new OutboxWorker(db(), {
        deliverers: { webhook: new WebhookDeliverer(db(), { allowPrivate: true }) },
      });
      const statusOf = async (webhookId: string) =>
        (
          await db()
            .selectFrom('messages')
            .select('status')
            .where('outbox_id', '=', eventId)
            .where('webhook_id', '=', webhookId)
            .executeTakeFirst()
        )?.status;
      // One run takes both messages; the slow receiver keeps its call open until released.
      const run = worker.runOnce();
      for (let i = 0; (await statusOf(fastHook.id)) !== 'sent'; i++) {
        if (i > 600) throw new Error('the fast delivery was never recorded');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(slow.calls.length).toBe(1);
      expect(await statusOf(slowHook.id)).toBe('pending');
      release();
      await run;
      expect(await statusOf(slowHook.id)).toBe('sent');
      expect(fast.calls.length).toBe(1);
    } finally {
      release();
      await slow.close();
      await fast.close();
    }
  });

  it('says since when work has waited while a backlog remains, and nothing once it caught up', async () => {
    const receiver = await startReceiver();
    await db().updateTable('webhooks').set({ deleted_at: new Date() }).execute();
    await insertWebhook(db(), { url: receiver.url, events: ['request.created'], secret: newWebhookSecret() });
    const worker = new OutboxWorker(db(), {
      deliverers: { webhook: new WebhookDeliverer(db(), { allowPrivate: true }) },
      concurrency: 2,
      onProgress: (since) => reports.push(since),
    });
    const reports: (number | undefined)[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        await commitRequestEvent(`00000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`, { n: i });
      }
      // Woken by the instance with the commit time of the first event it announces (an hour ago here).
      const since = Date.now() - 3_600_000;
      worker.start();
      worker.wake(since);
      for (let i = 0; reports.at(-1) !== undefined || reports.length === 0; i++) {
        if (i > 600) throw new Error('the worker never caught up');
        await new Promise((r) => setTimeout(r, 50));
      }
      // Five events, two messages a run: the first runs leave a backlog, waiting since the wake.
      expect(reports[0]).toBe(since);
      expect(reports.filter((r) => r !== undefined).every((r) => r === since)).toBe(true);
      expect(reports.at(-1)).toBeUndefined();
      expect(receiver.calls.length).toBe(5);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  describe('the worker’s writes, lost in a database crash (they commit without waiting for the disk)', () => {
    const lease = 60_000;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let now: Date;
    let worker: OutboxWorker;
    let workerDb: DatabaseHandle;

    beforeAll(async () => {
      receiver = await startReceiver();
      // Only this receiver's subscription from here on (earlier tests' receivers are closed).
      await db().updateTable('webhooks').set({ deleted_at: new Date() }).execute();
      await insertWebhook(db(), {
        url: receiver.url,
        events: ['request.closed'],
        secret: newWebhookSecret(),
      });
      // The worker's own pool, as the service opens it on PostgreSQL.
      workerDb = t.testDb.url
        ? await openDatabase({
            url: t.testDb.url,
            schema: t.testDb.schema,
            poolSize: 2,
            synchronousCommit: false,
          })
        : t.testDb.handle;
      now = new Date('2026-03-25T08:00:00Z');
      worker = new OutboxWorker(workerDb.db, {
        deliverers: { webhook: new WebhookDeliverer(workerDb.db, { allowPrivate: true }) },
        clock: () => now,
        leaseMs: lease,
      });
    });
    afterAll(async () => {
      await receiver?.close();
      if (workerDb && workerDb !== t.testDb.handle) await workerDb.close();
    });

    const closeRequest = (n: number) =>
      commitRequestEvent(`00000000-0000-4000-9000-${String(n).padStart(12, '0')}`, { n }, 'request.closed');
    const messageOf = (eventId: string) =>
      db().selectFrom('messages').selectAll().where('outbox_id', '=', eventId).executeTakeFirstOrThrow();

    it('commits them without waiting for the WAL flush', async () => {
      if (!t.testDb.url) return; // the embedded database has one connection, the service's own
      const { rows } = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(
        workerDb.db,
      );
      expect(rows[0]!.synchronous_commit).toBe('off');
    });

    it('a lost outcome: the message goes again after its lease, under the same id, then once only', async () => {
      const eventId = await closeRequest(1);
      const before = receiver.calls.length;
      await worker.runOnce();
      expect(receiver.calls.length).toBe(before + 1);
      const sent = await messageOf(eventId);
      expect(sent.status).toBe('sent');
      expect(sent.id).toBe(messageIdOf(`event:${eventId}:webhook:${sent.webhook_id}`));

      // The database comes back without the outcome: the row is as the worker's claim left it.
      await db()
        .updateTable('messages')
        .set({
          status: 'pending',
          locked_until: new Date(now.getTime() + lease),
          sent_at: null,
          response_status: null,
          response_body: null,
        })
        .where('id', '=', sent.id)
        .execute();
      now = new Date(now.getTime() + 1000);
      await worker.runOnce();
      expect(receiver.calls.length).toBe(before + 1); // its lease still runs: nobody takes it

      now = new Date(now.getTime() + lease);
      await worker.runOnce();
      expect(receiver.calls.length).toBe(before + 2);
      const [first, again] = receiver.calls.slice(before);
      expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
      expect(again!.body).toBe(first!.body);
      expect((await messageOf(eventId)).status).toBe('sent');
      now = new Date(now.getTime() + 2 * lease);
      await worker.runOnce();
      expect(receiver.calls.length).toBe(before + 2);
    });

    it('a lost dispatch: the event makes the same message again, under the same id', async () => {
      const eventId = await closeRequest(2);
      const before = receiver.calls.length;
      await worker.runOnce();
      expect(receiver.calls.length).toBe(before + 1);
      const first = await messageOf(eventId);

      // The database comes back without the dispatch and all that followed: the event waits, no message.
      await db().deleteFrom('messages').where('outbox_id', '=', eventId).execute();
      await db().updateTable('outbox').set({ dispatched_at: null }).where('id', '=', eventId).execute();
      now = new Date(now.getTime() + 1000);
      await worker.runOnce();
      expect(receiver.calls.length).toBe(before + 2);
      const [lost, again] = receiver.calls.slice(before);
      expect(again!.headers['webhook-id']).toBe(lost!.headers['webhook-id']);
      expect((await messageOf(eventId)).id).toBe(first.id);
      now = new Date(now.getTime() + 2 * lease);
      await worker.runOnce();
      expect(receiver.calls.length).toBe(before + 2);
    });
  });
});
