import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxProcess } from '../../src/domain/messages/outbox-process.js';
import {
  OUTBOX_CATCH_UP,
  OUTBOX_PROCESS_NAME,
  OUTBOX_PROCESS_NICE,
  outboxNiceFor,
} from '../../src/domain/messages/process-priority.js';
import { findVisitWithService } from '../../src/db/visits.js';
import { insertWebhook } from '../../src/db/webhooks.js';
import { newWebhookSecret } from '../../src/domain/webhooks/signature.js';
import { startReceiver } from './receiver.js';
import { enqueueMessage } from '../../src/domain/outbox/index.js';
import { visitEventData } from '../../src/domain/outbox/visit-events.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const url = process.env.DATABASE_URL;

/** A process's threads: name and nice level (field 19 of /proc/<pid>/task/<tid>/stat). */
function threads(pid = process.pid): { tid: number; name: string; nice: number }[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return [
        {
          tid: Number(tid),
          name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(),
          nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]),
        },
      ];
    } catch {
      return [];
    }
  });
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

describe('the outbox process’s priority', () => {
  it('stays at 19 while nothing waits long, and rises with the age of what waits', () => {
    expect(outboxNiceFor(undefined)).toBe(OUTBOX_PROCESS_NICE);
    expect(outboxNiceFor(0)).toBe(OUTBOX_PROCESS_NICE);
    expect(outboxNiceFor(999)).toBe(OUTBOX_PROCESS_NICE);
    expect(outboxNiceFor(1_000)).toBe(10);
    expect(outboxNiceFor(9_999)).toBe(10);
    expect(outboxNiceFor(10_000)).toBe(5);
    expect(outboxNiceFor(30_000)).toBe(0);
    expect(outboxNiceFor(3_600_000)).toBe(0);
  });
});

/** The level a second of waiting raises the process to (10). */
const FIRST_RAISE = OUTBOX_CATCH_UP.at(-1)!.nice;

describe.skipIf(!url || process.platform !== 'linux')('the outbox process', () => {
  let testDb: TestDatabase;
  let outbox: OutboxProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'outbox-process-'));
  const warnings: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase({ demo: true });
    const log = {
      info: () => {},
      warn: (_: object, m: string) => warnings.push(m),
      error: (_: object, m: string) => warnings.push(m),
    };
    outbox = new OutboxProcess(
      {
        url: url!,
        schema: testDb.schema,
        messaging: { dataDir, publicUrl: 'http://tournee.test', allowPrivateWebhooks: true },
      },
      log,
    );
    outbox.start();
  });
  afterAll(async () => {
    await outbox?.stop();
    await testDb?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs named, every thread of it below the priority of the instance, and delivers', async () => {
    const ownBefore = threads();
    const pid = outbox.pid!;
    expect(pid).toBeGreaterThan(0);
    const main = await until('the outbox process named', () =>
      threads(pid).find((t) => t.tid === pid && t.name === OUTBOX_PROCESS_NAME),
    );
    expect(main.name).toBe(OUTBOX_PROCESS_NAME);
    // Every thread of it (V8's compiler and collector threads, libuv's): not its main thread only.
    const its = await until('all its threads lowered', () => {
      const all = threads(pid);
      return all.length > 1 && all.every((t) => t.nice === OUTBOX_PROCESS_NICE) ? all : undefined;
    });
    expect(its.length).toBeGreaterThan(4);
    // The instance's threads keep their level.
    const mainNice = ownBefore.find((t) => t.tid === process.pid)!.nice;
    expect(mainNice).toBeLessThan(OUTBOX_PROCESS_NICE);
    for (const t of threads()) expect(t.nice).toBe(mainNice);

    const db = testDb.handle.db;
    const { id } = await db
      .selectFrom('visits')
      .select('id')
      .where('status', '=', 'booked')
      .where('customer_email', 'is not', null)
      .executeTakeFirstOrThrow();
    const row = (await findVisitWithService(db, id))!;
    const visit = visitEventData(
      row,
      { name: row.service_name, priceLabel: row.service_price_label },
      'Europe/Paris',
    );
    await db.transaction().execute((tx) =>
      enqueueMessage(tx, {
        type: 'booking.created',
        aggregate: 'visit',
        aggregateId: id,
        payload: { ...visit },
      }),
    );
    const sent = await until('the confirmation sent', async () => {
      const message = await db
        .selectFrom('messages')
        .select(['status', 'channel'])
        .where('aggregate_id', '=', id)
        .where('status', '=', 'sent')
        .executeTakeFirst();
      return message;
    });
    expect(sent.channel).toBe('email');
    expect(readdirSync(join(dataDir, 'mail')).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  // Raising a priority needs CAP_SYS_NICE (root here); without it the process stays at 19.
  it.skipIf(process.getuid?.() !== 0)(
    'is raised while a message waits past a second, and lowered to 19 once delivered',
    async () => {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      // A receiver that keeps the call open: the run delivering it does not end, its event waits.
      const receiver = await startReceiver(async () => {
        await held;
        return 204;
      });
      const db = testDb.handle.db;
      try {
        await insertWebhook(db, {
          url: receiver.url,
          events: ['request.closed'],
          secret: newWebhookSecret(),
        });
        await db.transaction().execute((tx) =>
          enqueueMessage(tx, {
            type: 'request.closed',
            aggregate: 'request',
            aggregateId: '00000000-0000-4000-8000-00000000c10e',
            payload: {},
          }),
        );
        const pid = outbox.pid!;
        const niceOf = () => threads(pid).map((t) => t.nice);
        await until('the webhook on the wire', () => (receiver.calls.length > 0 ? true : undefined));
        await until('the process raised', () =>
          niceOf().length > 1 && niceOf().every((n) => n <= FIRST_RAISE) ? true : undefined,
        );
        // 10 past a second of waiting (lower still past 10 s, on a host slow enough).
        expect(outbox.nice).toBeLessThanOrEqual(FIRST_RAISE);
        release();
        await until('the process lowered again', () =>
          niceOf().length > 1 && niceOf().every((n) => n === OUTBOX_PROCESS_NICE) ? true : undefined,
        );
        expect(outbox.backlogAgeMs()).toBeUndefined();
        const message = await db
          .selectFrom('messages')
          .select('status')
          .where('kind', '=', 'request.closed')
          .executeTakeFirstOrThrow();
        expect(message.status).toBe('sent');
        expect(receiver.calls.length).toBe(1);
        expect(warnings).toEqual([]);
      } finally {
        release();
        await receiver.close();
      }
    },
  );
});
