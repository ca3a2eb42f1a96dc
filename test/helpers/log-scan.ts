import { sql } from 'kysely';
import { feedTokenOf, TEST_TEAM_FEED_TOKEN, type TestDatabase } from './database.js';

/**
 * The log scan every test app runs when it closes: each customer's name,
 * phone, e-mail, address line and notes, as stored in the database at the end of
 * the test file, and each technician's and the team's feed token (the known test tokens:
 * only their hashes are stored), must appear in no log line. Values
 * shorter than 6 characters are skipped (they match by chance).
 */
export async function personalValuesIn(testDb: TestDatabase, logs: string): Promise<string[]> {
  if (!logs) return [];
  const db = testDb.handle.db;
  const visits = await sql<Record<string, string | null>>`
    SELECT customer_name, customer_phone, customer_email, address_line, notes FROM visits`.execute(db);
  const technicians = await sql<{ id: string }>`SELECT id FROM technicians`
    .execute(db)
    .catch(() => ({ rows: [] as { id: string }[] }));
  const values = new Set<string>();
  for (const row of visits.rows)
    for (const value of Object.values(row)) if (value && value.trim().length >= 6) values.add(value.trim());
  for (const row of technicians.rows) values.add(feedTokenOf(row.id));
  values.add(TEST_TEAM_FEED_TOKEN);
  // JSON log lines escape quotes and non-ASCII the way JSON.stringify does.
  return [...values].filter((v) => logs.includes(v) || logs.includes(JSON.stringify(v).slice(1, -1)));
}
