/**
 * npm run bench:outbox-drain [-- --json] [--events 400] [--per-run 4] [--smtp] [--webhook] [--cpu-prof] [--wal]
 *
 * The outbox worker's own cost, without booking traffic around it: `--events` booking.created events
 * of the S company's visits are written `--per-run` at a time (as a few bookings committing between
 * two runs of the worker would), and after each group the worker makes one pass (dispatch, claim,
 * deliver, record). Measured: this process's CPU (the worker's JavaScript) and its PostgreSQL
 * backend's CPU (found by application_name) per message, and the server's
 * WAL flushes per message (server-wide: others' work counts too). E-mails to the data-folder
 * transport (as bench:api), or with --smtp to a local SMTP sink; --webhook adds one subscription
 * (a local receiver) so each event makes two messages.
 *
 * --wal: the WAL written for this bench's schema during the timed runs, read back with pg_waldump
 * (the server on this host, readable pg_wal): bytes per message by relation and record type, and
 * how many were full-page images. Others' work on the server does not count here, unlike the
 * server-wide figures. The producer's event inserts count too (the booking writes them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import { openDatabase } from '../src/db/database.js';
import type { Database } from '../src/db/schema.js';
import type { VisitEventData } from '../src/domain/outbox/visit-events.js';
import { migrate } from '../src/db/migrate.js';
import { insertOutboxEvent } from '../src/db/outbox.js';
import { findVisitWithService } from '../src/db/visits.js';
import { insertWebhook } from '../src/db/webhooks.js';
import { seedDemoCompany } from '../src/demo/seed.js';
import { createMessaging } from '../src/domain/messages/messaging.js';
import { visitEventData } from '../src/domain/outbox/visit-events.js';
import { newWebhookSecret } from '../src/domain/webhooks/signature.js';
import { processCpuMs } from './lib/machine.js';
import { DEFAULT_DATABASE_URL } from './lib/service.js';
import { startSinkProcess, type SinkProcess } from './lib/sinks.js';
import { round } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    events: z.coerce.number().int().positive().default(400),
    'per-run': z.coerce.number().int().positive().default(4),
    smtp: z.boolean().default(false),
    webhook: z.boolean().default(false),
    'cpu-prof': z.string().optional(),
    wal: z.boolean().default(false),
  })
  .parse(
    parseArgs({
      options: {
        json: { type: 'boolean' },
        events: { type: 'string' },
        'per-run': { type: 'string' },
        smtp: { type: 'boolean' },
        webhook: { type: 'boolean' },
        'cpu-prof': { type: 'string' },
        wal: { type: 'boolean' },
      },
    }).values,
  );
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
// As in the outbox process (outbox-child.ts): no stack traces, which nodemailer's pipeline would
// otherwise capture for every e-mail; the worker measured here is the one the service runs.
Error.stackTraceLimit = 0;
const log = (line: string) => {
  if (!args.json) console.log(line);
};
const schema = `bench_outbox_drain_${process.pid}`;
const appName = `outbox-drain-${process.pid}`;

// The bench's own connections under another application_name than the worker's.
const ownPool = (search: string) =>
  new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: url,
        max: 2,
        application_name: `${appName}-bench`,
        options: `-c search_path=${search} -c TimeZone=UTC`,
      }),
    }),
  });
const admin = { db: ownPool('public'), close: () => admin.db.destroy() };
await sql.raw(`CREATE SCHEMA "${schema}"`).execute(admin.db);
const producer = { db: ownPool(`"${schema}",public`), close: () => producer.db.destroy() };
await migrate(producer.db);
await seedDemoCompany(producer.db, { technicians: 12, weeksAhead: 3 });
// The worker's own pool, recognisable in pg_stat_activity (node-postgres reads PGAPPNAME at each connection).
process.env.PGAPPNAME = appName;
// Statements the worker's connections send (BEGIN and COMMIT included): each is a round trip and
// a parse, plan or bind in its backend.
let statements = 0;
const clientQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (
    (this as unknown as { connectionParameters: { application_name?: string } }).connectionParameters
      .application_name === appName
  ) {
    statements++;
  }
  return clientQuery.apply(this, args);
} as typeof pg.Client.prototype.query;
// As the service opens the worker's pool: two connections, commits not waiting for the disk.
const handle = await openDatabase({ url, schema, poolSize: 2, synchronousCommit: false });

let sinks: SinkProcess | undefined;
if (args.smtp || args.webhook) sinks = await startSinkProcess();
if (args.webhook) {
  await insertWebhook(producer.db, {
    url: sinks!.hookUrl,
    events: ['booking.created'],
    secret: newWebhookSecret(),
  });
}
const dataDir = mkdtempSync(join(tmpdir(), 'outbox-drain-'));
const messaging = createMessaging(handle.db, {
  smtpUrl: args.smtp ? sinks!.smtpUrl : undefined,
  dataDir,
  publicUrl: 'http://127.0.0.1:3000',
  allowPrivateWebhooks: true,
});

const ids = (
  await producer.db
    .selectFrom('visits')
    .select('id')
    .where('status', '=', 'booked')
    .where('customer_email', 'is not', null)
    .orderBy('id')
    .limit(args.events)
    .execute()
).map((r) => r.id);
const events: VisitEventData[] = [];
for (const id of ids) {
  const row = (await findVisitWithService(producer.db, id))!;
  events.push(
    visitEventData(row, { name: row.service_name, priceLabel: row.service_price_label }, 'Europe/Paris'),
  );
}
while (events.length < args.events) events.push(...events.slice(0, args.events - events.length));

async function backendCpu(): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE application_name = ${appName}`.execute(admin.db);
  return new Map(rows.map((r) => [r.pid, processCpuMs(r.pid) || 0]));
}
async function walSyncs(): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT wal_sync AS n FROM pg_stat_wal`.execute(admin.db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Row writes to the outbox and messages tables of this bench's schema so far (pg_stat_user_tables:
 * inserted, updated, of which HOT, i.e. with no new index entries), and the index entries those
 * made: an insert and a non-HOT update add one to every index of the table (a partial index only
 * when the row matches it, counted here as if it did).
 */
async function rowWrites(): Promise<{
  inserted: number;
  updated: number;
  hot: number;
  indexEntries: number;
}> {
  const { rows } = await sql<{ relname: string; ins: string; upd: string; hot: string; indexes: string }>`
    SELECT t.relname, t.n_tup_ins AS ins, t.n_tup_upd AS upd, t.n_tup_hot_upd AS hot,
      (SELECT count(*) FROM pg_index i WHERE i.indrelid = t.relid) AS indexes
    FROM pg_stat_user_tables t
    WHERE t.schemaname = ${schema} AND t.relname IN ('outbox', 'messages')`.execute(admin.db);
  let inserted = 0;
  let updated = 0;
  let hot = 0;
  let indexEntries = 0;
  for (const r of rows) {
    inserted += Number(r.ins);
    updated += Number(r.upd);
    hot += Number(r.hot);
    indexEntries += (Number(r.ins) + Number(r.upd) - Number(r.hot)) * Number(r.indexes);
  }
  return { inserted, updated, hot, indexEntries };
}
/** An idle backend reports its counts within 10 s (PGSTAT_IDLE_INTERVAL): wait for them. */
const settledRowWrites = async () => {
  await new Promise((r) => setTimeout(r, 11_000));
  return rowWrites();
};

// Warm-up: one group through the whole path (JIT, pool, company settings).
const write = async (group: typeof events) => {
  for (const visit of group) {
    await insertOutboxEvent(producer.db, {
      type: 'booking.created',
      aggregate: 'visit',
      aggregateId: visit.id,
      payload: { ...visit },
      privatePayload: { manageUrl: `http://127.0.0.1:3000/manage#${visit.id}.token` },
    });
  }
};
await write(events.slice(0, 8));
while ((await messaging.worker.runOnce()).attempted > 0);

const session = args['cpu-prof'] ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const writesBefore = await settledRowWrites();
let workerCpuUs = 0;
let workerSystemUs = 0;
const statementsBefore = statements;
const pgBefore = await backendCpu();
const walBefore = await walSyncs();
let messages = 0;
let runs = 0;
const walLsn = async () =>
  (await sql<{ lsn: string }>`SELECT pg_current_wal_insert_lsn()::text AS lsn`.execute(admin.db)).rows[0]!
    .lsn;
const lsnBefore = await walLsn();
const started = performance.now();
for (let i = 0; i < events.length; i += args['per-run']) {
  await write(events.slice(i, i + args['per-run']));
  const cpu = process.cpuUsage();
  for (;;) {
    const report = await messaging.worker.runOnce();
    runs++;
    messages += report.attempted;
    if (report.attempted === 0) break;
  }
  const used = process.cpuUsage(cpu);
  workerCpuUs += used.user + used.system;
  workerSystemUs += used.system;
}
const seconds = (performance.now() - started) / 1000;
const lsnAfter = await walLsn();
const pgAfter = await backendCpu();
const writesAfter = await settledRowWrites();
let pgMs = 0;
for (const [pid, ms] of pgAfter) pgMs += ms - (pgBefore.get(pid) ?? 0);
const wal = (await walSyncs()) - walBefore;
if (session) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(args['cpu-prof']!, JSON.stringify(profile));
}

/**
 * The WAL records between two positions that touch this bench's schema (its relations' files), from
 * pg_waldump: bytes by "relation record-type", full-page images counted. Undefined without pg_waldump.
 */
async function schemaWal(from: string, to: string) {
  const { rows: rels } = await sql<{ relname: string; node: string }>`
    SELECT c.relname, c.relfilenode::text AS node FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${schema}`.execute(admin.db);
  const { rows: settings } = await sql<{ dir: string; db: string; version: string }>`
    SELECT current_setting('data_directory') AS dir,
      (SELECT oid::text FROM pg_database WHERE datname = current_database()) AS db,
      current_setting('server_version_num') AS version`.execute(admin.db);
  const { dir, db, version } = settings[0]!;
  const names = new Map(rels.map((r) => [r.node, r.relname]));
  const major = Math.floor(Number(version) / 10_000);
  const dump = spawnSync(
    `/usr/lib/postgresql/${major}/bin/pg_waldump`,
    ['-p', join(dir, 'pg_wal'), '-s', from, '-e', to],
    { encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  if (dump.error || dump.status !== 0) return undefined;
  const byKind = new Map<string, { records: number; bytes: number; fpi: number }>();
  const lineRe = /rmgr: (\w+)\s+len \(rec\/tot\):\s+\d+\/\s*(\d+), .*?desc: (\w+)/;
  const relRe = new RegExp(`rel \\d+/${db}/(\\d+)`, 'g');
  for (const line of dump.stdout.split('\n')) {
    const m = lineRe.exec(line);
    if (!m) continue;
    const rel = [...line.matchAll(relRe)].map((r) => names.get(r[1]!)).find((n) => n !== undefined);
    if (!rel) continue;
    const key = `${rel} ${m[1]}:${m[3]}`;
    const entry = byKind.get(key) ?? { records: 0, bytes: 0, fpi: 0 };
    entry.records++;
    entry.bytes += Number(m[2]);
    if (line.includes('FPW')) entry.fpi++;
    byKind.set(key, entry);
  }
  return byKind;
}
const schemaWalKinds = args.wal ? await schemaWal(lsnBefore, lsnAfter) : undefined;
if (args.wal && !schemaWalKinds)
  log("--wal: pg_waldump could not read the server's WAL (another host, or no rights)");

const result = {
  events: events.length,
  per_run: args['per-run'],
  transport: args.smtp ? 'smtp' : 'folder',
  messages,
  runs,
  seconds: round(seconds, 2),
  worker_cpu_ms_per_message: round(workerCpuUs / 1000 / messages, 3),
  /** Of which in the kernel (system calls: files, sockets). */
  worker_system_cpu_ms_per_message: round(workerSystemUs / 1000 / messages, 3),
  pg_cpu_ms_per_message: round(pgMs / messages, 3),
  wal_syncs_per_message: round(wal / messages, 2),
  statements_per_message: round((statements - statementsBefore) / messages, 2),
  /**
   * Row writes to outbox and messages per message, the producer's event inserts included (one an
   * event here, as a booking's): inserted, updated, of which HOT, and the index entries they made.
   */
  rows_inserted_per_message: round((writesAfter.inserted - writesBefore.inserted) / messages, 2),
  rows_updated_per_message: round((writesAfter.updated - writesBefore.updated) / messages, 2),
  rows_hot_updated_per_message: round((writesAfter.hot - writesBefore.hot) / messages, 2),
  index_entries_per_message: round((writesAfter.indexEntries - writesBefore.indexEntries) / messages, 2),
  ...(schemaWalKinds
    ? {
        /** --wal: the WAL of this bench's schema per message, in all and by relation and record type. */
        schema_wal_bytes_per_message: round(
          [...schemaWalKinds.values()].reduce((t, e) => t + e.bytes, 0) / messages,
          0,
        ),
        schema_wal_fpi_per_message: round(
          [...schemaWalKinds.values()].reduce((t, e) => t + e.fpi, 0) / messages,
          2,
        ),
        schema_wal_by_kind: Object.fromEntries(
          [...schemaWalKinds.entries()]
            .sort((a, b) => b[1].bytes - a[1].bytes)
            .map(([kind, e]) => [
              kind,
              {
                records_per_message: round(e.records / messages, 2),
                bytes_per_message: round(e.bytes / messages, 0),
              },
            ]),
        ),
      }
    : {}),
};
log(
  `${result.messages} messages in ${result.runs} runs (${result.per_run} events per run, ${result.transport}), ${result.seconds} s: worker CPU ${result.worker_cpu_ms_per_message} ms/message (system ${result.worker_system_cpu_ms_per_message}), its PostgreSQL backends ${result.pg_cpu_ms_per_message} ms/message, ${result.statements_per_message} statements/message; rows per message (outbox and messages, the event's insert included): ${result.rows_inserted_per_message} inserted, ${result.rows_updated_per_message} updated (${result.rows_hot_updated_per_message} HOT), ≤ ${result.index_entries_per_message} index entries; ${result.wal_syncs_per_message} WAL flushes (server-wide) per message`,
);
if (result.schema_wal_by_kind) {
  log(
    `WAL of the bench's schema: ${result.schema_wal_bytes_per_message} bytes/message (${result.schema_wal_fpi_per_message} full-page images); by relation and record:`,
  );
  for (const [kind, e] of Object.entries(result.schema_wal_by_kind)) {
    if (e.bytes_per_message >= 10)
      log(`  ${kind}: ${e.records_per_message} records, ${e.bytes_per_message} bytes`);
  }
}
if (args.json) console.log(JSON.stringify(result));
await messaging.close();
await handle.close();
await producer.close();
await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(admin.db);
await admin.close();
await sinks?.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
