import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { seedDemoCompany } from '../../src/demo/seed.js';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Benchmark companies: S is the demo company; M and L repeat its profiles to 60 and 600 technicians. */
export const API_SCENARIOS = {
  S: { technicians: 12, weeksAhead: 3 },
  M: { technicians: 60, weeksAhead: 5 },
  /**
   * A regional company: 600 technicians, about 60,000 visits over eight weeks, in ten regions of
   * 60 technicians (each region the demo's area at M's density; technicians do not cross regions).
   */
  L: { technicians: 600, weeksAhead: 7, occupancy: 0.75, regions: 10 },
} as const;

export type ApiScenarioName = keyof typeof API_SCENARIOS;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh schema on PostgreSQL, migrated and loaded with the scenario's company. */
export async function loadScenario(
  url: string,
  name: ApiScenarioName,
  schema = `bench_${name.toLowerCase()}`,
): Promise<{ schema: string; handle: DatabaseHandle; visits: number }> {
  const admin = await openDatabase({ url });
  await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(admin.db);
  await admin.close();
  const handle = await openDatabase({ url, schema, poolSize: 4 });
  await migrate(handle.db);
  const seeded = await seedDemoCompany(handle.db, API_SCENARIOS[name]);
  // Planner statistics and the visibility map, as a database in service has them (autovacuum would
  // get there later; it is off on the shared benchmark server). Without the VACUUM no page was
  // all-visible, so every index-only scan (the caps' counts, the idempotency look-up) fetched heap
  // pages and the first readers set hint bits.
  await vacuumAnalyze(handle, schema);
  return { schema, handle, visits: seeded.visits };
}

/**
 * VACUUM (ANALYZE) of this schema's tables only, not every database's schema: what autovacuum does
 * for a database in service, and does not do on the shared benchmark server (it is off there).
 */
export async function vacuumAnalyze(handle: DatabaseHandle, schema: string): Promise<void> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = ${schema}`.execute(
    handle.db,
  );
  await sql.raw(`VACUUM (ANALYZE) ${tables.map((t) => t.name).join(', ')}`).execute(handle.db);
}

export interface RunningService {
  baseUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `npm start`'s entry point as its own process, so the load generator does not share its event loop. */
export async function startService(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  /** The tree whose src/main.ts runs (another worktree, to compare versions); this one by default. */
  cwd?: string,
): Promise<RunningService> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      TOURNEE_DEMO: 'false',
      // The load generator books from one address as many customers: no daily caps, no growing proof of work.
      TOURNEE_BOOKING_CAP_PER_CUSTOMER: '0',
      TOURNEE_BOOKING_CAP_PER_CLIENT: '0',
      TOURNEE_POW_ESCALATION_BITS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  // Generous: on a loaded machine (a CI runner, several instances starting at once) start-up takes a while.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`service exited: ${output}`);
    try {
      const res = await fetch(`${baseUrl}/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`service did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function countOverlaps(handle: DatabaseHandle): Promise<number> {
  const rows = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM visits a JOIN visits b
      ON a.technician_id = b.technician_id AND a.id < b.id
     AND a.status = 'booked' AND b.status = 'booked'
     AND tstzrange(a.planned_start, a.planned_end) && tstzrange(b.planned_start, b.planned_end)`.execute(
    handle.db,
  );
  return rows.rows[0]!.n;
}
