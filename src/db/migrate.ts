import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

// One lock for every schema of the database: CREATE EXTENSION and concurrent
// starts of several instances must not race each other.
const MIGRATION_LOCK = 727_274_001;

export interface MigrationResult {
  applied: string[];
}

async function migrationFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
}

let shippedMigrations: Promise<string[]> | undefined;

/** Migrations this build ships that the database has not recorded (readiness: an instance of a newer
 * build must not take traffic before its schema exists). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  shippedMigrations ??= migrationFiles(MIGRATIONS_DIR);
  const files = await shippedMigrations;
  const done = new Set(
    (await db.selectFrom('schema_migrations').select('name').execute()).map((r) => r.name),
  );
  return files.filter((f) => !done.has(f));
}

/** Applies, in name order, every migrations/*.sql file not yet recorded, all in one transaction:
 * a failing migration leaves the database as it was. */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = await migrationFiles(dir);
  const applied: string[] = [];
  await db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(tx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(tx);
    const done = new Set(
      (await tx.selectFrom('schema_migrations').select('name').execute()).map((r) => r.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      const body = await readFile(join(dir, file), 'utf8');
      await sql.raw(body).execute(tx);
      await tx.insertInto('schema_migrations').values({ name: file }).execute();
      applied.push(file);
    }
  });
  return { applied };
}
