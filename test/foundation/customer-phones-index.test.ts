import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase({ demo: true });
});
afterAll(async () => testDb?.destroy());

/** Pages merged from the index's pending list by this call: what a phone lookup would have read first. */
async function pendingPages(): Promise<number> {
  const { rows } = await sql<{ pages: number }>`
    SELECT gin_clean_pending_list('customers_phones'::regclass)::int AS pages`.execute(testDb.handle.db);
  return rows[0]!.pages;
}

// Migration 0024: a booking's customer lookup by phone reads the GIN index's pending list in full,
// so the index keeps none: after a bulk load (the seed's customers backfill) and after a booking's insert.
describe('customers_phones', () => {
  it('keeps no pending list after the seed and after new customers', async () => {
    const db = testDb.handle.db;
    const customers = await db
      .selectFrom('customers')
      .select(db.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(customers.n)).toBeGreaterThan(100);
    expect(await pendingPages()).toBe(0);
    for (let i = 0; i < 200; i++) {
      await sql`SELECT customer_link(${`Client ${i}`}, ${`+336${String(10_000_000 + i)}`}, NULL, '1 rue du Test',
                                     '69003', 'Lyon', now())`.execute(db);
    }
    expect(await pendingPages()).toBe(0);
    const found = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM customers WHERE phones @> ARRAY[${'+33610000123'}]`.execute(db);
    expect(found.rows[0]!.n).toBe(1);
  });
});
