import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { seedDemoCompany } from '../../src/demo/seed.js';
import { sha256Hex } from '../../src/domain/secrets.js';

/** The day the test company is centred on: the week before the March 2026 clock change. */
export const TEST_TODAY = '2026-03-25';

export interface TestDatabase {
  handle: DatabaseHandle;
  /** Connection settings to reach the same database from another process or instance. */
  url?: string;
  schema: string;
  /** Drops the test schema (real Postgres) or closes the in-memory PGlite. */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a schema of its own on the
 * PostgreSQL of DATABASE_URL when set, otherwise an in-memory PGlite.
 */
export async function createTestDatabase(
  options: { demo?: boolean; today?: string; kind?: 'pglite' | 'postgres' } = {},
): Promise<TestDatabase> {
  // kind: 'pglite' forces the embedded database even when DATABASE_URL is set (tests run on both).
  const url = options.kind === 'pglite' ? undefined : process.env.DATABASE_URL;
  const schema = url ? `t_${process.pid}_${randomBytes(4).toString('hex')}` : 'public';
  const handle = await openDatabase(url ? { url, schema, poolSize: 20 } : { dataDir: 'memory://' });
  await migrate(handle.db);
  if (options.demo) {
    await seedDemoCompany(handle.db, { today: options.today ?? TEST_TODAY });
    await giveKnownFeedTokens(handle.db);
  }
  return {
    handle,
    url,
    schema,
    async destroy() {
      if (url) await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(handle.db);
      await handle.close();
    },
  };
}

/** The feed token of a technician of a test database (feedTokenOf) and of the team feed. */
export const TEST_TEAM_FEED_TOKEN = 'feed_test_team_0000';
export function feedTokenOf(technicianId: string): string {
  return `feed_test_${technicianId.replaceAll('-', '')}`;
}

/**
 * Feed tokens are stored hashed, so a test cannot read them back: the demo's random ones are replaced
 * by tokens a test can name (feedTokenOf), as an admin rotating every feed would.
 */
async function giveKnownFeedTokens(db: DatabaseHandle['db']): Promise<void> {
  const technicians = await db.selectFrom('technicians').select('id').execute();
  for (const { id } of technicians)
    await db
      .updateTable('technicians')
      .set({ feed_token_hash: sha256Hex(feedTokenOf(id)) })
      .where('id', '=', id)
      .execute();
  await db
    .updateTable('company_settings')
    .set({ team_feed_token_hash: sha256Hex(TEST_TEAM_FEED_TOKEN) })
    .execute();
}
