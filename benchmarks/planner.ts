/**
 * The planner's proposals on the demo company, through the service's own
 * domain code (database read, optimiser in its worker thread, checkPlan,
 * storing the proposal): per working day, wall time of a proposal and what
 * it saves: driving (minutes, km) and the workload spread (max − min booked
 * hours between the technicians at work), with an optional balance weight;
 * then, on the first day, the move check (p50/p95 per answer), the move dialog's
 * suggestions (every visit of the day) and the urgent options.
 *
 *   npm run bench:planner -- [--json] [--days 2026-03-26,2026-03-30] [--limit-ms 4000] [--balance 1]
 *   npm run bench:planner -- --company L [--visits 60]
 *
 * --company L: the quick answers only (no proposals), on the regional company of bench:api (600
 * technicians, ~1,500 visits a day; PostgreSQL of DATABASE_URL or the local server, seeded in a
 * throw-away schema, ~1 min): the move dialog's suggestions for --visits visits of the first day,
 * the move check for 8 visits against 40 technicians, the urgent options. The demo company's
 * figures do not show what a large day costs each answer.
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
import type { Db } from '../src/db/database.js';
import { localDaySpan } from '../src/domain/booking-problem.js';
import { DEFAULT_TIME_LIMIT_MS, proposePlan } from '../src/domain/planning/index.js';
import { checkMove } from '../src/domain/planning/move-check.js';
import { moveOptions } from '../src/domain/planning/move-options.js';
import { urgentOptions } from '../src/domain/planning/urgent-create.js';
import { DEFAULT_DATABASE_URL, loadScenario } from './lib/service.js';

interface Args {
  json: boolean;
  days: string[];
  limitMs: number;
  balance: number;
  company: 'demo' | 'L';
  visits: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    json: false,
    days: ['2026-03-26', '2026-03-27', '2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02'],
    limitMs: DEFAULT_TIME_LIMIT_MS,
    balance: 0,
    company: 'demo',
    visits: 60,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--days') args.days = (argv[++i] ?? '').split(',').map((d) => d.trim());
    else if (a === '--limit-ms') args.limitMs = Number(argv[++i]);
    else if (a === '--balance') args.balance = Number(argv[++i]);
    else if (a === '--company') {
      const company = argv[++i];
      if (company !== 'demo' && company !== 'L') throw new Error('--company is demo or L');
      args.company = company;
    } else if (a === '--visits') args.visits = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(args.limitMs > 0)) throw new Error('--limit-ms must be > 0');
  if (!(args.balance >= 0 && args.balance <= 10)) throw new Error('--balance must be in [0, 10]');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.company === 'L') return largeCompany(args);
  const url = process.env.DATABASE_URL;
  const schema = url ? `bench_planner_${randomBytes(4).toString('hex')}` : 'public';
  const handle = await openDatabase(url ? { url, schema } : { dataDir: 'memory://' });
  const rows: Record<string, number | string>[] = [];
  let quick: Awaited<ReturnType<typeof quickAnswers>> | undefined;
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
    quick = await quickAnswers(handle.db, args.days[0]!);
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
        ...quick,
      }),
    );
    return;
  }
  console.log(
    `planner proposals, demo company, time limit ${args.limitMs} ms, balance weight ${args.balance}, ${url ? 'PostgreSQL' : 'PGlite'}`,
  );
  console.table(rows);
  if (quick) console.table(quick);
}

const percentile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
};

/** The quick answers on the 600-technician company: what one answer costs on a large day. */
async function largeCompany(args: Args): Promise<void> {
  const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const schema = `bench_planner_l_${randomBytes(4).toString('hex')}`;
  const t0 = performance.now();
  const { handle } = await loadScenario(url, 'L', schema);
  const seededMs = performance.now() - t0;
  try {
    // The scenario is seeded around the real today: its first working day ahead.
    const first = await handle.db
      .selectFrom('visits')
      .select('planned_start')
      .where('planned_start', '>', new Date(Date.now() + 86_400_000))
      .orderBy('planned_start')
      .limit(1)
      .executeTakeFirstOrThrow();
    const date = first.planned_start.toISOString().slice(0, 10);
    const quick = await quickAnswers(handle.db, date, { visits: args.visits, technicians: 40 });
    if (args.json) console.log(JSON.stringify({ benchmark: 'planner', company: 'L', date, ...quick }));
    else {
      console.log(
        `planner quick answers, L company (600 technicians), ${date}, PostgreSQL (seeded in ${Math.round(seededMs / 1000)} s)`,
      );
      console.table(quick);
    }
  } finally {
    await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(handle.db);
    await handle.close();
  }
}

/**
 * What the page asks while the planner works, timed on one day: the move check (every visit
 * against every technician at its window's start, as a drag does), the move dialog's
 * suggestions for every visit of the day, and the urgent options at 09:18. `sample` bounds the
 * visits suggested for and the technicians checked against, on a large company.
 */
async function quickAnswers(db: Db, date: string, sample?: { visits: number; technicians: number }) {
  const span = localDaySpan(date, date, 'Europe/Paris');
  const visits = await db
    .selectFrom('visits')
    .select(['id', 'window_start'])
    .where('status', '=', 'booked')
    .where('planned_start', '>=', span.from)
    .where('planned_start', '<', span.to)
    .limit(8)
    .execute();
  const technicians = await db
    .selectFrom('technicians')
    .select('id')
    .where('active', '=', true)
    .orderBy('id')
    .limit(sample?.technicians ?? 100_000)
    .execute();
  const now = new Date(`${date}T08:18:00Z`);
  const checks: number[] = [];
  let refused = 0;
  for (const v of visits)
    for (const t of technicians) {
      const t0 = performance.now();
      const verdict = await checkMove(db, {
        visitId: v.id,
        technicianId: t.id,
        start: new Date(v.window_start.getTime() + 15 * 60_000).toISOString(),
        now: new Date(`${date}T05:00:00Z`),
      });
      checks.push(performance.now() - t0);
      if (!verdict.feasible) refused++;
    }
  const dayVisits = await db
    .selectFrom('visits')
    .select('id')
    .where('status', '=', 'booked')
    .where('planned_start', '>=', span.from)
    .where('planned_start', '<', span.to)
    .orderBy('id')
    .limit(sample?.visits ?? 100_000)
    .execute();
  const suggested: number[] = [];
  const counts: number[] = [];
  for (const v of dayVisits) {
    const t0 = performance.now();
    const answer = await moveOptions(db, { visitId: v.id, limit: 8, now: new Date(`${date}T05:00:00Z`) });
    suggested.push(performance.now() - t0);
    counts.push(answer.options.length);
  }
  const service = await db
    .selectFrom('services')
    .select('id')
    .where('slug', '=', 'depannage')
    .executeTakeFirstOrThrow();
  const urgent: number[] = [];
  let options = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const answer = await urgentOptions(
      db,
      {
        serviceId: service.id,
        address: { street: '12 rue Paul Bert', postcode: '69003', city: 'Lyon 3e' },
        deadline: new Date(now.getTime() + 4 * 3600_000).toISOString(),
      },
      now,
    );
    urgent.push(performance.now() - t0);
    options = answer.options.length;
  }
  return {
    moveCheck: {
      runs: checks.length,
      refused,
      p50Ms: percentile(checks, 0.5),
      p95Ms: percentile(checks, 0.95),
    },
    moveOptions: {
      runs: suggested.length,
      options: Math.round((10 * counts.reduce((a, b) => a + b, 0)) / Math.max(1, counts.length)) / 10,
      none: counts.filter((c) => c === 0).length,
      p50Ms: percentile(suggested, 0.5),
      p95Ms: percentile(suggested, 0.95),
    },
    urgentOptions: {
      runs: urgent.length,
      options,
      p50Ms: percentile(urgent, 0.5),
      p95Ms: percentile(urgent, 0.95),
    },
  };
}

await main();
