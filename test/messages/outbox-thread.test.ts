import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxThread } from '../../src/domain/messages/outbox-thread.js';
import { OUTBOX_THREAD_NAME, OUTBOX_THREAD_NICE } from '../../src/domain/messages/thread-priority.js';
import { findVisitWithService } from '../../src/db/visits.js';
import { enqueueMessage } from '../../src/domain/outbox/index.js';
import { visitEventData } from '../../src/domain/outbox/visit-events.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const url = process.env.DATABASE_URL;

/** This process's threads: name and nice level (field 19 of /proc/<pid>/task/<tid>/stat). */
function threads(): { tid: number; name: string; nice: number }[] {
  return readdirSync(`/proc/${process.pid}/task`).flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
      return [
        {
          tid: Number(tid),
          name: readFileSync(`/proc/${process.pid}/task/${tid}/comm`, 'utf8').trim(),
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

describe.skipIf(!url || process.platform !== 'linux')('the outbox thread', () => {
  let testDb: TestDatabase;
  let thread: OutboxThread;
  const dataDir = mkdtempSync(join(tmpdir(), 'outbox-thread-'));
  const warnings: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase({ demo: true });
    const log = {
      info: () => {},
      warn: (_: object, m: string) => warnings.push(m),
      error: (_: object, m: string) => warnings.push(m),
    };
    thread = new OutboxThread(
      {
        url: url!,
        schema: testDb.schema,
        messaging: { dataDir, publicUrl: 'http://tournee.test', allowPrivateWebhooks: true },
      },
      log,
    );
    thread.start();
  });
  afterAll(async () => {
    await thread?.stop();
    await testDb?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs named, below the priority of the thread serving requests, and delivers', async () => {
    const mainNice = threads().find((t) => t.tid === process.pid)!.nice;
    const outbox = await until('the outbox thread named', () =>
      threads().find((t) => t.name === OUTBOX_THREAD_NAME && t.nice === OUTBOX_THREAD_NICE),
    );
    expect(outbox.nice).toBeGreaterThan(mainNice);
    // Only that thread: the process's own (main) thread keeps its level.
    expect(threads().find((t) => t.tid === process.pid)!.nice).toBe(mainNice);

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
});
