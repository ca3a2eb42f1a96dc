import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { PGliteDialect } from './pglite-dialect.js';
import { assertDataDirFree, holdDataDir } from './data-dir-lock.js';

export type Db = Kysely<Database>;
/** The database or an open transaction: queries that may run inside one take this. */
export type Executor = Db | Transaction<Database>;

export interface DatabaseOptions {
  /** postgres:// URL; when absent, an embedded PGlite is used. */
  url?: string;
  /** Schema to work in (created if missing); tests use one per run. */
  schema?: string;
  poolSize?: number;
  /** PGlite data folder; 'memory://' for an in-memory database. */
  dataDir?: string;
  /**
   * false: this pool's commits return before their WAL reaches the disk (PostgreSQL's
   * synchronous_commit = off; a database crash may lose its last fraction of a second of commits,
   * never corrupt anything). Only for writes whose loss is harmless (the outbox worker's).
   */
  synchronousCommit?: boolean;
}

export interface DatabaseHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Pool occupancy for metrics (PostgreSQL only). */
  poolStats?: () => { total: number; idle: number; waiting: number };
  /** Closes the pool or the embedded database. */
  close(): Promise<void>;
}

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

// Same value shapes on both dialects: counts as numbers, calendar dates as 'YYYY-MM-DD' strings
// (a JS Date for a calendar date would silently depend on the process time zone).
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(NUMERIC, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);

/**
 * Statements whose text starts with this comment run as named prepared statements on PostgreSQL:
 * each connection parses and plans them once and keeps the plan, instead of planning them on every
 * execution (a booking's statements are large CTEs whose planning cost more than their execution:
 * 0.5 against 4 ms of backend CPU for the fresh read). Only for statements run often with the same
 * text; the parameters change, the text must not grow without bound (each text is one statement
 * kept per connection). PGlite ignores the comment.
 */
export const PREPARED = '/* prepared */';

const preparedNames = new Map<string, string>();
/** The statement's name: one per distinct text, the same on every connection. */
function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (name === undefined) {
    name = `tq${preparedNames.size + 1}`;
    preparedNames.set(text, name);
  }
  return name;
}

/** Sends the marked statements of this connection as named ones (Kysely's driver sends text and values). */
function preparedOnMark(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    return args.length === 2 && typeof text === 'string' && text.startsWith(PREPARED) && Array.isArray(values)
      ? query({ name: preparedName(text), text, values })
      : query(...args);
  }) as typeof client.query;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const schema = options.schema ?? 'public';
  if (options.url) {
    if (schema !== 'public') {
      const bootstrap = new pg.Client({ connectionString: options.url });
      await bootstrap.connect();
      try {
        await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      } finally {
        await bootstrap.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      // bounded wait for a pooled connection (a booking race queues on the locks); a database that is down fails at once with ECONNREFUSED
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      options: `-c search_path="${schema}",public -c TimeZone=UTC${options.synchronousCommit === false ? ' -c synchronous_commit=off' : ''}`,
    });
    // A connection dying (database restart, killed backend) must not crash the process: the
    // query in flight rejects and the caller answers 503; idle and checked-out clients alike.
    pool.on('error', () => {});
    pool.on('connect', (client) => {
      client.on('error', () => {});
      preparedOnMark(client);
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'postgres',
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => db.destroy(),
    };
  }

  const dataDir = options.dataDir ?? 'memory://';
  const onDisk = !dataDir.startsWith('memory://');
  if (onDisk) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    keepPrivate(dataDir);
    assertDataDirFree(dataDir);
  }
  const pglite = await PGlite.create(dataDir, {
    // customer search (migration 0011): trigram indexes, accent folding, one-typo distance
    extensions: { btree_gist, pg_trgm, unaccent, fuzzystrmatch },
    parsers: {
      [pgliteTypes.INT8]: (v: string) => Number(v),
      [pgliteTypes.NUMERIC]: (v: string) => Number(v),
      [pgliteTypes.DATE]: (v: string) => v,
    },
  });
  await pglite.exec(`SET TimeZone = 'UTC'`);
  const release = onDisk ? holdDataDir(dataDir) : () => {};
  if (onDisk) keepPrivate(dataDir);
  if (schema !== 'public') {
    await pglite.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"; SET search_path = "${schema}", public`);
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      release();
      // Files PGlite made while running follow the process umask; the 0700 folder already hides them.
      if (onDisk) keepPrivate(dataDir);
    },
  };
}

/**
 * The data folder holds every customer's record: only the service's own user
 * may read it (folders 0700, files 0600), whatever the umask was.
 */
function keepPrivate(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) keepPrivate(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}
