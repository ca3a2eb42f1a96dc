import { sql } from 'kysely';
import type { TestDatabase } from './database.js';

/**
 * The log scan every test app runs when it closes: each customer's name,
 * phone, e-mail, address line and notes, and each feed token, as stored in the
 * database at the end of the test file, must appear in no log line. Values
 * shorter than 6 characters are skipped (they match by chance).
 */
export async function personalValuesIn(testDb: TestDatabase, logs: string): Promise<string[]> {
  if (!logs) return [];
  const db = testDb.handle.db;
  const visits = await sql<Record<string, string | null>>`
    SELECT customer_name, customer_phone, customer_email, address_line, notes FROM visits`.execute(db);
  const technicians = await sql<{ feed_token: string | null }>`SELECT feed_token FROM technicians`
    .execute(db)
    .catch(() => ({ rows: [] as { feed_token: string | null }[] }));
  const values = new Set<string>();
  for (const row of visits.rows)
    for (const value of Object.values(row)) if (value && value.trim().length >= 6) values.add(value.trim());
  for (const row of technicians.rows)
    if (row.feed_token && row.feed_token.length >= 6) values.add(row.feed_token);
  // JSON log lines escape quotes and non-ASCII the way JSON.stringify does.
  return [...values].filter((v) => logs.includes(v) || logs.includes(JSON.stringify(v).slice(1, -1)));
}
