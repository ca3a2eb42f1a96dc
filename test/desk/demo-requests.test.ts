import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { listRequests } from '../../src/domain/requests/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tournee-demo-desk-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the demo company opens the desk on a morning queue', () => {
  it('loads waiting requests of each kind, oldest first, each traced like a real one', async () => {
    const before = Date.now();
    const prepared = await prepareDatabase(loadConfig({ TOURNEE_DATA_DIR: dataDir }));
    const { db } = prepared.database;
    try {
      expect(prepared.demoLoaded?.requests).toBe(5);
      const queue = await listRequests(db, { statuses: ['new'], limit: 50 }, new Date());
      expect(queue.total).toBe(5);
      expect(queue.items.map((r) => r.kind)).toEqual([
        'out_of_area',
        'no_window',
        'quote',
        'callback',
        'other',
      ]);
      // Ages as the queue shows them: spread over the morning, the oldest first.
      const ages = queue.items.map((r) => r.ageMinutes);
      expect(ages).toEqual([...ages].sort((a, b) => b - a));
      expect(ages[0]).toBeGreaterThanOrEqual(160);
      for (const r of queue.items) expect(new Date(r.createdAt).getTime()).toBeLessThan(before);

      // The regular caller's request is filed on a customer who has visits.
      const regular = queue.items.find((r) => r.kind === 'other')!;
      const visits = await db
        .selectFrom('visits')
        .where('customer_id', '=', regular.customer.id)
        .select(({ fn }) => fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(visits.n)).toBeGreaterThan(0);

      // Like any request: a history line and a request.created event for the company's tools.
      const history = await db.selectFrom('request_history').select('request_id').execute();
      expect(new Set(history.map((h) => h.request_id)).size).toBe(5);
      const events = await db
        .selectFrom('outbox')
        .where('type', '=', 'request.created')
        .select('aggregate_id')
        .execute();
      expect(events.map((e) => e.aggregate_id).sort()).toEqual(queue.items.map((r) => r.id).sort());
    } finally {
      await prepared.database.close();
    }

    // A restart on the same data folder loads nothing twice.
    const restarted = await prepareDatabase(loadConfig({ TOURNEE_DATA_DIR: dataDir }));
    try {
      expect(restarted.demoLoaded).toBeNull();
      const queue = await listRequests(restarted.database.db, { statuses: ['new'], limit: 50 }, new Date());
      expect(queue.total).toBe(5);
    } finally {
      await restarted.database.close();
    }
  }, 300_000);
});
