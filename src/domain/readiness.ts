import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { pendingMigrations } from '../db/migrate.js';

/** Whether the database answers and every migration is applied (the /ready probe); never throws. */
export async function databaseReadiness(db: Db): Promise<{ database: boolean; migrations: boolean }> {
  const checks = { database: false, migrations: false };
  try {
    await sql`SELECT 1`.execute(db);
    checks.database = true;
    checks.migrations = (await pendingMigrations(db)).length === 0;
  } catch {
    // reported through the checks
  }
  return checks;
}
