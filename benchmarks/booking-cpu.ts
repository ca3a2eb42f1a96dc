/**
 * npm run bench:booking-cpu [-- --json] [--cycles 400] [--warmup 1000] [--keep-windows] [--scenario S|M|L]
 *
 * What a booking costs in CPU, measured so that a busy machine changes the figures little: bench:api's
 * customer cycle on the S company (or --scenario's) — a proof-of-work challenge (the one the windows'
 * answer carried, else GET /v1/challenge), the booking as a new web customer from a new address, the cancellation of the previous booking, a slot read when the customer's windows
 * went stale — run one after another in this process through app.inject (no sockets, no load
 * generator in the way), on one pooled connection. Per request: this process's CPU, on every other
 * cycle (the cycles between time each statement, which costs this process CPU of its own). Per statement: the
 * PostgreSQL backend's CPU from /proc/<pid>/schedstat (time on a CPU in ns, not wall time), and how
 * often each prepared statement was planned. No latency: on a shared host it measures the neighbours
 * (bench:api does, on a quiet one). For an A/B, run it in each tree minutes apart and compare.
 *
 * --warmup N untimed cycles first (1,000 by default): V8 compiles the booking path over its first
 * ~1,000 cycles, and until then the figures measure the compiler (here, same host and load: 18.5 ms
 * of CPU a cycle after 50 cycles, 11.9 after 300, 9.4 after 800, 9.0 after 1,500, its helper threads
 * 4.5 → 1 ms a cycle). With the old 50, an A/B compared how fast two versions warm up as much as
 * what they cost.
 *
 * A 409 forgets the windows of the refused (service, postcode) pair only, as bench:api's customers do
 * since 1e01787 (this cycle forgot every pair's: 44 % of its cycles brought a slot read along against
 * 2–5 % of bench:api's, whose cycle it then did not measure). --keep-windows: a 409 drops only the
 * window it refused, so almost no booking brings a slot read: the booking's own costs.
 *
 * --cpu-prof FILE: V8's sampling profile of this process over the timed cycles (warm-up and loading
 * left out), written as a .cpuprofile (Chrome DevTools, speedscope): where the service's CPU goes.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import { loadConfig } from '../src/config/index.js';
import { openDatabase } from '../src/db/database.js';
import { solveChallenge } from '../src/domain/challenge.js';
import { buildServer } from '../src/http/server.js';
import { bookingPaths, slotCache } from '../src/observability/metrics.js';
import {
  API_SCENARIOS,
  DEFAULT_DATABASE_URL,
  loadScenario,
  vacuumAnalyze,
  type ApiScenarioName,
} from './lib/service.js';
import { round } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    cycles: z.coerce.number().int().positive().default(400),
    warmup: z.coerce.number().int().nonnegative().default(1000),
    keepWindows: z.boolean().default(false),
    /** The company (benchmarks/lib/service.ts): S by default, L for the regional one. */
    scenario: z.enum(Object.keys(API_SCENARIOS) as [ApiScenarioName, ...ApiScenarioName[]]).default('S'),
    cpuProf: z.string().optional(),
  })
  .parse(
    ((v) => ({ ...v, keepWindows: v['keep-windows'], cpuProf: v['cpu-prof'] }))(
      parseArgs({
        options: {
          json: { type: 'boolean' },
          cycles: { type: 'string' },
          warmup: { type: 'string' },
          'keep-windows': { type: 'boolean' },
          scenario: { type: 'string' },
          'cpu-prof': { type: 'string' },
        },
      }).values,
    ),
  );
const log = (line: string) => {
  if (!args.json) console.log(line);
};

/** A statement's name in the report: the booking's own by what they do, others by their first words. */
function statementLabel(text: string): string {
  const t = text.replace('/* prepared */', '').replace(/\s+/g, ' ').trim();
  if (/^(begin|commit|rollback)\b/i.test(t)) return t.slice(0, 8).toLowerCase();
  const known: [string, string][] = [
    // a public booking's unlocked read (context and day) and its one write (migration 0023)
    ['booking: snapshot read', 'WITH techs AS ('],
    ['booking: book_visit', 'FROM book_visit('],
    ['booking: context read', 'FROM idempotency_keys WHERE scope'],
    ['booking: open (claim, locks)', 'WITH claim AS'],
    ['booking: fresh read', 'WITH locks AS'],
    ['booking: record', 'WITH customer AS'],
    ['cancel: update + event', 'WITH cancelled AS'],
    ['cancel: read', 'AS service_price_label'],
    ['challenge: recent bookings', 'FROM web_bookings WHERE client_key'],
    ['slots: freshness probe', 'pg_current_snapshot()'],
  ];
  return known.find(([, marker]) => t.includes(marker))?.[0] ?? t.slice(0, 80);
}

/** Time the process has spent on a CPU, in ns (exact, unlike /proc/<pid>/stat's 10 ms ticks). */
const onCpuNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

// Every statement the service's connection runs is timed by the backend's CPU around it: the
// connection is the pool's only one and does nothing between statements.
const statements = new Map<string, { calls: number; ns: number }>();
let measuring = false;
const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: unknown }).query = function (
  this: pg.Client & { processID: number | null },
  ...a: unknown[]
) {
  const first = a[0] as string | { text?: string } | undefined;
  const text = typeof first === 'string' ? first : first?.text;
  const pid = this.processID;
  if (!measuring || !pid || typeof text !== 'string' || typeof a[a.length - 1] === 'function')
    return query.apply(this, a);
  const before = onCpuNs(pid);
  return (query.apply(this, a) as Promise<unknown>).then((result) => {
    const label = statementLabel(text);
    const s = statements.get(label) ?? { calls: 0, ns: 0 };
    s.calls++;
    s.ns += onCpuNs(pid) - before;
    statements.set(label, s);
    return result;
  });
};

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const schema =
  args.scenario === 'S' ? 'bench_booking_cpu' : `bench_booking_cpu_${args.scenario.toLowerCase()}`;
log(`loading the ${args.scenario} company into ${schema}…`);
const loaded = await loadScenario(url, args.scenario, schema);
await loaded.handle.close();
const handle = await openDatabase({ url, schema, poolSize: 1 });
// As bench:api's service: caps and the growing proof of work on at their defaults, 2 bits to solve.
const config = loadConfig({
  DATABASE_URL: url,
  TOURNEE_DB_SCHEMA: schema,
  TOURNEE_RATE_LIMIT: '100000000',
  TOURNEE_OUTBOX_WORKER: 'false',
  TOURNEE_POW_DIFFICULTY: '2',
  TOURNEE_TRUST_PROXY: '1',
  TOURNEE_BOOKING_CAP_PER_CUSTOMER: '3',
  TOURNEE_BOOKING_CAP_PER_CLIENT: '8',
  TOURNEE_POW_ESCALATION_BITS: '2',
  TOURNEE_DEMO: 'false',
  LOG_LEVEL: 'warn',
  ...(process.env.TOURNEE_MAKE_ROOM ? { TOURNEE_MAKE_ROOM: process.env.TOURNEE_MAKE_ROOM } : {}),
});
const app = await buildServer(config, { database: handle, logger: false });
await app.ready();

const services = (await app.inject({ url: '/v1/services' })).json().services as { id: string }[];
const postcodes = (await handle.db.selectFrom('zone_postcodes').select('postcode').distinct().execute()).map(
  (r) => r.postcode,
);
const combos = services.flatMap((s) => postcodes.map((p) => ({ serviceId: s.id, postcode: p })));
let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;

type Window = { start: string; end: string };
const windowCache = new Map<string, Window[]>();
const requestCpu = new Map<string, { calls: number; us: number }>();
function countCpu(name: string, since: NodeJS.CpuUsage) {
  const used = process.cpuUsage(since);
  const s = requestCpu.get(name) ?? { calls: 0, us: 0 };
  s.calls++;
  s.us += used.user + used.system;
  requestCpu.set(name, s);
}
async function timed<T extends { statusCode: number }>(name: string, request: () => Promise<T>): Promise<T> {
  const since = process.cpuUsage();
  const res = await request();
  // The statement-timing cycles read /proc around every statement: their CPU is not the service's.
  if (measuring) return res;
  countCpu(name, since);
  if (name === 'booking') countCpu(`booking ${res.statusCode}`, since);
  return res;
}
let customer = 1;
let previous: { id: string; token: string } | undefined;
const statuses: Record<string, number> = {};

/** One customer, as bench:api's bookingTraffic makes them (benchmarks/lib/booking-traffic.ts). */
async function cycle(): Promise<void> {
  if (previous) {
    const { id, token } = previous;
    previous = undefined;
    await timed('cancel', () =>
      app.inject({ method: 'POST', url: `/v1/bookings/${id}/cancel`, headers: { 'x-manage-token': token } }),
    );
  }
  const c = pick(combos);
  const key = `${c.serviceId}:${c.postcode}`;
  let windows = windowCache.get(key);
  const n = customer++;
  const digits = String(n).padStart(8, '0').slice(-8);
  const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  type Challenge = { challenge: string; difficulty: number };
  // As bench:api's customers (and the widget): the challenge the windows' answer carried when this
  // customer read them; GET /v1/challenge when booking on windows an earlier customer read.
  let offered: Challenge | undefined;
  if (!windows) {
    const res = await timed('slots', () =>
      app.inject({
        url: `/v1/slots?serviceId=${c.serviceId}&postcode=${c.postcode}`,
        headers: { 'x-forwarded-for': address },
      }),
    );
    const answer = res.json() as { days?: { windows: Window[] }[]; challenge?: Challenge };
    windows = (answer.days ?? []).flatMap((d) => d.windows);
    windowCache.set(key, windows);
    offered = answer.challenge;
  }
  const window = windows.length
    ? pick(windows)
    : { start: '2000-01-01T08:00:00+01:00', end: '2000-01-01T10:00:00+01:00' };
  const challenge =
    offered ??
    ((
      await timed('challenge', () =>
        app.inject({ url: '/v1/challenge', headers: { 'x-forwarded-for': address } }),
      )
    ).json() as Challenge);
  const res = await timed('booking', () =>
    app.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID(), 'x-forwarded-for': address },
      payload: {
        serviceId: c.serviceId,
        window,
        customer: {
          name: 'Client Bench',
          phone: `06 ${digits.replace(/(\d\d)(?=\d)/g, '$1 ')}`,
          email: `bench.${n}@example.fr`,
        },
        address: { line: '1 rue du Test', postcode: c.postcode, city: 'Lyon' },
        consent: true,
        website: '',
        pow: {
          challenge: challenge.challenge,
          nonce: solveChallenge(challenge.challenge, challenge.difficulty),
        },
      },
    }),
  );
  statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
  if (res.statusCode === 409) {
    if (args.keepWindows) windows.splice(windows.indexOf(window), 1);
    else windowCache.delete(key);
  }
  if (res.statusCode === 201) {
    const created = res.json() as { booking: { id: string }; manageUrl: string };
    const fragment = created.manageUrl.split('#')[1] ?? '';
    previous = { id: created.booking.id, token: fragment.slice(fragment.indexOf('.') + 1) };
  } else if (res.statusCode !== 409 && res.statusCode !== 422) {
    throw new Error(`booking answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  }
}

for (let i = 0; i < args.warmup; i++) await cycle();
// As autovacuum would have by now (it is off on the shared benchmark server), as bench:api does
// before its timed runs: the warm-up's rows analysed, their dead versions gone, cached plans made again.
await vacuumAnalyze(handle, schema);
const profiler = args.cpuProf ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  // 250 µs between samples: a cycle of ~10 ms gives ~40 of them.
  await profiler.post('Profiler.setSamplingInterval', { interval: 250 });
  await profiler.post('Profiler.start');
}
requestCpu.clear();
for (const k of Object.keys(statuses)) delete statuses[k];
const loadBefore = loadavg()[0]!;
// Cycles take turns: one with the backend timed around each statement (two reads of /proc each, which
// cost this process CPU of its own), the next with this process's CPU counted and nothing read around
// the statements, so neither figure carries the other's measuring and both share the host's moments.
let serviceUs = 0;
let serviceSystemUs = 0;
for (let i = 0; i < args.cycles; i++) {
  measuring = i % 2 === 0;
  const since = process.cpuUsage();
  await cycle();
  if (!measuring) {
    const used = process.cpuUsage(since);
    serviceUs += used.user + used.system;
    serviceSystemUs += used.system;
  }
}
measuring = false;
if (profiler && args.cpuProf) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(args.cpuProf, JSON.stringify(profile));
  profiler.disconnect();
}
const loadAfter = loadavg()[0]!;
const statementCycles = Math.ceil(args.cycles / 2);
const serviceCycles = args.cycles - statementCycles;

const plans = (
  await sql<{ statement: string; generic_plans: number; custom_plans: number }>`
    SELECT statement, generic_plans::int, custom_plans::int FROM pg_prepared_statements`.execute(handle.db)
).rows.map((r) => ({
  statement: statementLabel(r.statement),
  generic: r.generic_plans,
  custom: r.custom_plans,
}));
// The slot reads' memory and the booking paths over the whole run (warm-up included): how often a
// slot answer or a make-room search was computed rather than reused, and how bookings were written.
const counters = Object.fromEntries([
  ...(await slotCache.get()).values.map((v) => [String(v.labels.event), v.value]),
  ...(await bookingPaths.get()).values.map((v) => [`path:${v.labels.path}`, v.value]),
]);
await app.close();
await handle.close();

const perServiceCycle = (x: number) => round(x / serviceCycles, 3);
const perStatementCycle = (x: number) => round(x / statementCycles, 3);
const serviceMs = serviceUs / 1000;
let backendNs = 0;
for (const s of statements.values()) backendNs += s.ns;
const report = {
  setup: { scenario: args.scenario, cycles: args.cycles, keep_windows: args.keepWindows },
  statuses,
  load_1min: { before: round(loadBefore, 2), after: round(loadAfter, 2) },
  service_cpu_ms_per_cycle: perServiceCycle(serviceMs),
  // of which in the kernel (socket writes and reads to PostgreSQL, mostly)
  service_system_cpu_ms_per_cycle: perServiceCycle(serviceSystemUs / 1000),
  requests: Object.fromEntries(
    [...requestCpu].map(([name, s]) => [
      name,
      {
        calls: s.calls,
        cpu_ms_per_call: round(s.us / 1000 / s.calls, 3),
        cpu_ms_per_cycle: perServiceCycle(s.us / 1000),
      },
    ]),
  ),
  postgres_cpu_ms_per_cycle: perStatementCycle(backendNs / 1e6),
  statements: [...statements]
    .sort((a, b) => b[1].ns - a[1].ns)
    .map(([label, s]) => ({
      statement: label,
      calls: s.calls,
      cpu_ms_per_call: round(s.ns / 1e6 / s.calls, 3),
      cpu_ms_per_cycle: perStatementCycle(s.ns / 1e6),
    })),
  plans,
  counters,
};
if (args.json) {
  console.log(JSON.stringify(report));
} else {
  log(
    `${args.cycles} cycles (${JSON.stringify(statuses)}), load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`,
  );
  log(
    `service CPU per cycle ${report.service_cpu_ms_per_cycle} ms (${report.service_system_cpu_ms_per_cycle} ms of it in the kernel):`,
  );
  for (const [name, r] of Object.entries(report.requests))
    log(
      `  ${name.padEnd(12)} ${String(r.calls).padStart(5)} × ${r.cpu_ms_per_call} ms = ${r.cpu_ms_per_cycle} ms a cycle`,
    );
  log(`PostgreSQL backend CPU per cycle ${report.postgres_cpu_ms_per_cycle} ms:`);
  for (const s of report.statements.slice(0, 20))
    log(
      `  ${s.statement.padEnd(40).slice(0, 80)} ${String(s.calls).padStart(5)} × ${s.cpu_ms_per_call} ms = ${s.cpu_ms_per_cycle} ms a cycle`,
    );
  log(
    `slot reads' memory and booking paths, whole run: ${Object.entries(counters)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  log('prepared statements (generic plans / custom plans):');
  for (const p of report.plans) log(`  ${p.statement.slice(0, 60).padEnd(60)} ${p.generic} / ${p.custom}`);
}
process.exit(0);
