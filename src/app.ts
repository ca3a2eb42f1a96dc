import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config/index.js';
import { openDatabase, type DatabaseHandle, type Db } from './db/database.js';
import { migrate } from './db/migrate.js';
import { seedDemoRequests } from './demo/requests.js';
import { isDatabaseEmpty, seedDemoCompany } from './demo/seed.js';
import { createApiToken, ensureBootstrapAdmin } from './domain/auth.js';

export function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  return openDatabase({
    url: config.DATABASE_URL,
    schema: config.TOURNEE_DB_SCHEMA,
    poolSize: config.TOURNEE_DB_POOL_SIZE,
    dataDir: config.TOURNEE_DATA_DIR,
  });
}

export interface PreparedDatabase {
  database: DatabaseHandle;
  migrationsApplied: string[];
  demoLoaded: { technicians: number; visits: number; requests: number } | null;
  /** The admin token to print: the configured one, or the demo one kept in the data folder. */
  adminToken: string;
  adminTokenSource: 'env' | 'data-dir';
  /** The bootstrap/demo token was revoked by an admin: it stays refused, and start-up says so. */
  adminTokenRevoked: boolean;
}

/** The start-up line about the admin token: where it is, or that it was revoked (then it is not printed). */
export function adminTokenLine(prepared: PreparedDatabase, dataDir: string): string {
  if (prepared.adminTokenRevoked)
    return prepared.adminTokenSource === 'env'
      ? '  admin token      : TOURNEE_ADMIN_TOKEN was revoked and stays refused; create another with npm run token'
      : `  demo admin token : revoked and stays refused (${dataDir}/admin-token); create another with npm run token`;
  return prepared.adminTokenSource === 'env'
    ? '  admin token      : the value of TOURNEE_ADMIN_TOKEN'
    : `  demo admin token : ${prepared.adminToken}  (kept in ${dataDir}/admin-token)`;
}

async function loadDemo(db: Db, timezone: string): Promise<NonNullable<PreparedDatabase['demoLoaded']>> {
  const company = await seedDemoCompany(db, { timezone });
  return { ...company, requests: await seedDemoRequests(db, new Date()) };
}

/** Opens the database, applies migrations, loads the demo company into an empty database, ensures an admin token. */
export async function prepareDatabase(config: Config): Promise<PreparedDatabase> {
  const database = await openConfiguredDatabase(config);
  try {
    const { applied } = await migrate(database.db);
    const demoLoaded =
      config.TOURNEE_DEMO && (await isDatabaseEmpty(database.db))
        ? await loadDemo(database.db, config.TOURNEE_TIMEZONE)
        : null;
    if (config.TOURNEE_ADMIN_TOKEN) {
      const { revoked } = await ensureBootstrapAdmin(database.db, config.TOURNEE_ADMIN_TOKEN);
      return {
        adminTokenRevoked: revoked,
        database,
        migrationsApplied: applied,
        demoLoaded,
        adminToken: config.TOURNEE_ADMIN_TOKEN,
        adminTokenSource: 'env',
      };
    }
    const { token: adminToken, revoked } = await demoAdminToken(config, database);
    return {
      database,
      migrationsApplied: applied,
      demoLoaded,
      adminToken,
      adminTokenSource: 'data-dir',
      adminTokenRevoked: revoked,
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Without TOURNEE_ADMIN_TOKEN, one admin token is made once and kept (mode 600) in the data folder. */
async function demoAdminToken(
  config: Config,
  database: DatabaseHandle,
): Promise<{ token: string; revoked: boolean }> {
  const file = join(config.TOURNEE_DATA_DIR, 'admin-token');
  const kept = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (kept) {
    const { revoked } = await ensureBootstrapAdmin(database.db, kept, 'demo admin (data folder)');
    return { token: kept, revoked };
  }
  await mkdir(config.TOURNEE_DATA_DIR, { recursive: true, mode: 0o700 });
  const { token } = await createApiToken(database.db, 'admin', 'demo admin (data folder)');
  await writeFile(file, token + '\n', { mode: 0o600 });
  return { token, revoked: false };
}
