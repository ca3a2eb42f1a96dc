/**
 * The planner's proposals on the demo company, through the service's own
 * domain code (database read, optimiser in its worker thread, checkPlan,
 * storing the proposal): per working day, wall time of a proposal and what
 * it saves: driving (minutes, km) and the workload spread (max − min booked
 * hours between the technicians at work), with an optional balance weight.
 *
 *   npm run bench:planner -- [--json] [--days 2026-03-26,2026-03-30] [--limit-ms 4000] [--balance 1]
 *
 * Runs on an in-memory PGlite seeded with the demo company centred on
 * 2026-03-25 (or on DATABASE_URL, in a throw-away schema). Wall times depend
 * on the machine: the optimiser stops at its time limit.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { seedDemoCompany } from '../src/demo/seed.js';
import { DEFAULT_TIME_LIMIT_MS, proposePlan } from '../src/domain/planning/index.js';

interface Args {
  json: boolean;
  days: string[];
  limitMs: number;
  balance: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    json: false,
    days: ['2026-03-26', '2026-03-27', '2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02'],
    limitMs: DEFAULT_TIME_LIMIT_MS,
    balance: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--days') args.days = (argv[++i] ?? '').split(',').map((d) => d.trim());
    else if (a === '--limit-ms') args.limitMs = Number(argv[++i]);
    else if (a === '--balance') args.balance = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(args.limitMs > 0)) throw new Error('--limit-ms must be > 0');
  if (!(args.balance >= 0 && args.balance <= 10)) throw new Error('--balance must be in [0, 10]');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL;
  const schema = url ? `bench_planner_${randomBytes(4).toString('hex')}` : 'public';
  const handle = await openDatabase(url ? { url, schema } : { dataDir: 'memory://' });
  const rows: Record<string, number | string>[] = [];
  try {
    await migrate(handle.db);
    await seedDemoCompany(handle.db, { today: '2026-03-25' });
    for (const date of args.days) {
      const t0 = performance.now();
      const plan = await proposePlan(handle.db, {
        date,
        createdBy: 'bench',
        timeLimitMs: args.limitMs,
        ...(args.balance > 0 ? { balanceWeight: args.balance } : {}),
      });
      const wallMs = performance.now() - t0;
      const before = plan.current.totals;
      const after = plan.proposed.totals;
      rows.push({
        date,
        visits: before.visits,
        technicians: plan.technicians.length,
        wall_ms: Math.round(wallMs),
        optimiser_ms: plan.optimiser.elapsedMs,
        iterations: plan.optimiser.iterations,
        travel_before_min: before.travelMinutes,
        travel_after_min: after.travelMinutes,
        travel_saved_pct:
          before.travelMinutes > 0
            ? Math.round((1000 * (before.travelMinutes - after.travelMinutes)) / before.travelMinutes) / 10
            : 0,
        km_before: before.distanceKm,
        km_after: after.distanceKm,
        overtime_after_min: after.overtimeMinutes,
        spread_before_h: plan.workloadSpread.beforeHours,
        spread_after_h: plan.workloadSpread.afterHours,
        changes: plan.changes.length,
        reassigned: plan.changes.filter((c) => c.reassigned).length,
        kept_current: plan.optimiser.keptCurrent ?? '',
      });
    }
  } finally {
    if (url) await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(handle.db);
    await handle.close();
  }
  if (args.json) {
    console.log(
      JSON.stringify({
        benchmark: 'planner',
        limitMs: args.limitMs,
        balanceWeight: args.balance,
        database: url ? 'postgres' : 'pglite',
        days: rows,
      }),
    );
    return;
  }
  console.log(
    `planner proposals, demo company, time limit ${args.limitMs} ms, balance weight ${args.balance}, ${url ? 'PostgreSQL' : 'PGlite'}`,
  );
  console.table(rows);
}

await main();
