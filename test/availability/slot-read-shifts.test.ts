import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedReads, freshReads } from '../../src/domain/slot-reads.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase({ demo: true });
});
afterAll(async () => testDb?.destroy());

/** Counts the statements reading working hours, as a slot request's cached reads send them. */
function countingWorkingHours(): { plugin: KyselyPlugin; count: () => number } {
  let n = 0;
  return {
    plugin: {
      transformQuery(args) {
        const node = args.node as {
          kind: string;
          from?: { froms: { table?: { identifier?: { name: string } } }[] };
        };
        if (
          node.kind === 'SelectQueryNode' &&
          node.from?.froms.some((f) => f.table?.identifier?.name === 'working_hours')
        )
          n++;
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    },
    count: () => n,
  };
}

describe('cached slot reads: shifts', () => {
  it('reads every technician a request is missing in one batch, and gives each its own shifts', async () => {
    const db = testDb.handle.db;
    const ids = (await db.selectFrom('technicians').select('id').orderBy('name').execute()).map((t) => t.id);
    expect(ids.length).toBeGreaterThan(5);
    const from = new Date('2026-03-23T00:00:00Z');
    const to = new Date('2026-04-06T00:00:00Z');
    const counter = countingWorkingHours();
    const cached = new CachedReads(db.withPlugin(counter.plugin), 60_000);

    const expected = await freshReads(db).shifts(ids, from, to);
    expect([...expected.values()].filter((s) => s.length > 0).length).toBeGreaterThan(5);
    const firstHalf = ids.slice(0, 4);
    expect(await cached.shifts(firstHalf, from, to)).toEqual(
      new Map(firstHalf.map((id) => [id, expected.get(id)])),
    );
    expect(counter.count()).toBe(1);
    // The rest read together; the first four come from memory.
    expect(await cached.shifts(ids, from, to)).toEqual(expected);
    expect(counter.count()).toBe(2);
    expect(await cached.shifts([...ids].reverse(), from, to)).toEqual(
      new Map([...ids].reverse().map((id) => [id, expected.get(id)])),
    );
    expect(counter.count()).toBe(2);
  });
});
