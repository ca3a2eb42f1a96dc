/**
 * npm run bench:outbox-ab [-- --json] [--rounds 2] [--seconds 5] [--connections 1,8] [--scenario M]
 *   [--warmup 3] [--compare DIR] [--smtp] [--cpu-prof DIR] [--sched-trace DIR]
 * npm run bench:outbox-ab -- --paired [--pairs 8] [--seconds 4] [--connections 1,8] [--tree DIR] …
 *
 * What the in-process outbox worker costs a booking, as bench:api measures it (`--routes bookings`
 * with and without `--outbox-worker`), but A/B on one loaded company: the scenario is loaded once,
 * then the service is started with TOURNEE_OUTBOX_WORKER=false and =true in turn (off, on, off, on…,
 * seconds apart rather than minutes), each time warmed up the same way, with the same guarded
 * customer traffic as bench:api (challenge, 2-bit proof of work, caps on; each booking cancelled
 * before the client's next one, untimed). Per phase: booking p50/p95/p99 and req/s, the service's
 * CPU per booking, its PostgreSQL backends' CPU per booking (the connections it opened, found by
 * application_name), the messages the worker delivered meanwhile, and the host's steal. At the end:
 * p95 on/off per round and the outbox's CPU per message (service and PostgreSQL: on less off).
 *
 * On a shared host the neighbours move p95 more than the worker does, from one phase to the next, so
 * the verdict is drawn from the rounds, each a pair of phases minutes apart at most: the median of
 * the per-round on/off ratios, and the ratio of the pooled p95s (every booking of the on phases
 * against every booking of the off ones) with a 90 % interval from resampling whole rounds (a round
 * is the unit that shares the host's weather; resampling bookings one by one would pretend they
 * were independent). Each phase also notes the host's load average before and after.
 *
 * --paired: one service for the whole run, its outbox process frozen (SIGSTOP) in the off blocks
 * and running in the on ones, `--pairs` off/on pairs per number of clients (off, on; then on, off),
 * each block `--seconds` long, the backlog delivered untimed between blocks (runPaired). No restart
 * and no warm-up between blocks, so there are more and shorter blocks in the same time, each pair
 * seconds apart: the interval (resampling pairs) narrows where the rounds' stays wide. `--tree DIR`:
 * the service of another tree (an earlier commit's, to measure what a change did the same way).
 *
 * --compare DIR adds a third arm to every round: the worker on, in the service of another tree
 * (a worktree of an earlier commit, with its node_modules), so two versions of the worker are
 * judged against the same off phases, in the same rounds (the order rotates from round to round).
 *
 * --sched-trace DIR: each timed block under `perf record` of the scheduler's switches and wake-ups
 * (DIR/<block>.data, with DIR/<block>.json naming whose tasks are whose): how long the booking's
 * tasks waited for a CPU a booking, and how much of it behind the outbox's process and its
 * PostgreSQL backends (what ran on that CPU meanwhile). On a shared host the neighbours move p95
 * from block to block; the waits behind the outbox are the outbox's own share of it. Needs perf
 * and the right to trace (root, or perf_event_paranoid ≤ -1).
 *
 * E-mails go where bench:api's go (no SMTP: the data-folder transport), or with --smtp to a local
 * SMTP sink in a process of its own.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DatabaseHandle } from '../src/db/database.js';
import {
  OUTBOX_PROCESS_NAME,
  OUTBOX_PROCESS_NICE,
  setProcessNice,
} from '../src/domain/messages/process-priority.js';
import { bookingCombos, bookingTraffic } from './lib/booking-traffic.js';
import { runLoad, type LoadRequest } from './lib/load.js';
import {
  childrenNamed,
  cpuTicks,
  niceOf,
  processCpuMs,
  policyOf,
  processTreeCpuMs,
  stealPercent,
} from './lib/machine.js';
import {
  API_SCENARIOS,
  DEFAULT_DATABASE_URL,
  freePort,
  loadScenario,
  startService,
  type ApiScenarioName,
} from './lib/service.js';
import { startSinkProcess, type SinkProcess } from './lib/sinks.js';
import { percentile, round } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    rounds: z.coerce.number().int().positive().default(2),
    seconds: z.coerce.number().positive().default(5),
    connections: z
      .string()
      .default('1')
      .transform((s) => s.split(',').map(Number)),
    scenario: z.enum(Object.keys(API_SCENARIOS) as [ApiScenarioName]).default('M'),
    /** Untimed bookings after each start, before the timed runs (JIT, pools, caches). */
    warmup: z.coerce.number().nonnegative().default(3),
    compare: z.string().optional(),
    paired: z.boolean().default(false),
    /** --paired: the service of another tree (a worktree of an earlier commit, with its node_modules). */
    tree: z.string().optional(),
    pairs: z.coerce.number().int().positive().default(8),
    smtp: z.boolean().default(false),
    cpuProf: z.string().optional(),
    schedTrace: z.string().optional(),
  })
  .parse(
    ((values) => ({ ...values, cpuProf: values['cpu-prof'], schedTrace: values['sched-trace'] }))(
      parseArgs({
        options: {
          json: { type: 'boolean' },
          rounds: { type: 'string' },
          seconds: { type: 'string' },
          connections: { type: 'string' },
          scenario: { type: 'string' },
          warmup: { type: 'string' },
          compare: { type: 'string' },
          paired: { type: 'boolean' },
          tree: { type: 'string' },
          pairs: { type: 'string' },
          smtp: { type: 'boolean' },
          'cpu-prof': { type: 'string' },
          'sched-trace': { type: 'string' },
        },
      }).values,
    ),
  );
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const log = (line: string) => {
  if (!args.json) console.log(line);
};

/** CPU (ms) of a process's main thread (on Linux its thread id is the process id): the event loop. */
function mainThreadCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** CPU (ms) of the process's threads named `name` (the outbox thread names itself), 0 if none. */
function namedThreadsCpuMs(pid: number, name: string): number {
  let total = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() !== name) continue;
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    return 0;
  }
  return total;
}

/**
 * CPU (ms) of the instance's outbox worker: its child process named `name` (outbox-process.ts), or,
 * in a tree of an earlier commit (--compare), its thread of that name.
 */
function outboxCpuMs(pid: number, name: string): number {
  return childrenNamed(pid, name).reduce(
    (total, child) => total + processTreeCpuMs(child),
    namedThreadsCpuMs(pid, name),
  );
}

/** The host's 1-minute load average. */
function load1(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

/** CPU (ms) of the PostgreSQL backends serving `appName`, by pid. */
async function backendCpu(db: DatabaseHandle['db'], appName: string): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE application_name = ${appName}`.execute(db);
  return new Map(rows.map((r) => [r.pid, processCpuMs(r.pid) || 0]));
}

/** CPU the backends used between two readings; a backend that appeared meanwhile counts whole. */
function backendCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** WAL of the whole server (pg_stat_wal): flushes, records, full-page images, bytes. Others' tests count too, so a hint only. */
async function walStats(db: DatabaseHandle['db']) {
  const { rows } = await sql<{ syncs: string; records: string; fpi: string; bytes: string }>`
    SELECT wal_sync AS syncs, wal_records AS records, wal_fpi AS fpi, wal_bytes AS bytes
    FROM pg_stat_wal`.execute(db);
  const r = rows[0];
  return {
    syncs: Number(r?.syncs ?? 0),
    records: Number(r?.records ?? 0),
    fpi: Number(r?.fpi ?? 0),
    bytes: Number(r?.bytes ?? 0),
  };
}

/** The PostgreSQL backends of the outbox process (its sockets' ports, as pg_stat_activity's client_port). */
async function outboxBackendPids(servicePid: number): Promise<Set<number>> {
  const ports = new Set(
    childrenNamed(servicePid, OUTBOX_PROCESS_NAME).flatMap((pid) => [...socketPortsOf(pid)]),
  );
  const { rows } = await sql<{ pid: number; client_port: number | null }>`
    SELECT pid, client_port FROM pg_stat_activity WHERE application_name = ${appName}`.execute(handle.db);
  return new Set(rows.filter((r) => ports.has(r.client_port ?? -1)).map((r) => r.pid));
}

async function undelivered(db: DatabaseHandle['db']): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT (SELECT count(*) FROM outbox WHERE dispatched_at IS NULL)
         + (SELECT count(*) FROM messages WHERE status = 'pending') AS n`.execute(db);
  return Number(rows[0]!.n);
}

async function delivered(db: DatabaseHandle['db']): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM messages WHERE status IN ('sent', 'skipped', 'failed')`.execute(db);
  return Number(rows[0]!.n);
}

/** The local TCP ports of a process's sockets (its fds' socket inodes, looked up in /proc/net/tcp and tcp6). */
function socketPortsOf(pid: number): Set<number> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return new Set();
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length > 9 && inodes.has(f[9]!)) ports.add(parseInt(f[1]!.split(':').pop()!, 16));
      }
    } catch {
      // no such table
    }
  }
  return ports;
}

/** Thread ids of a process. */
function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/**
 * --sched-trace DIR: which tasks are whose, for the scheduler trace of a timed block (see
 * measurePhase): the service's threads, its outbox process's, the PostgreSQL backends of each (the
 * outbox's found by the client ports of its sockets), this load generator's.
 */
async function schedClasses(servicePid: number) {
  const outbox = childrenNamed(servicePid, OUTBOX_PROCESS_NAME);
  const outboxPorts = new Set(outbox.flatMap((pid) => [...socketPortsOf(pid)]));
  const { rows } = await sql<{ pid: number; client_port: number | null }>`
    SELECT pid, client_port FROM pg_stat_activity WHERE application_name = ${appName}`.execute(handle.db);
  return {
    service: threadIds(servicePid),
    outbox: outbox.flatMap(threadIds),
    service_backends: rows.filter((r) => !outboxPorts.has(r.client_port ?? -1)).map((r) => r.pid),
    outbox_backends: rows.filter((r) => outboxPorts.has(r.client_port ?? -1)).map((r) => r.pid),
    load_generator: threadIds(process.pid),
  };
}

/** perf record of the scheduler's switches and wake-ups, machine-wide, until the returned stop is called. */
async function startSchedTrace(file: string): Promise<() => Promise<void>> {
  const perf = spawn(
    'perf',
    ['record', '-q', '-e', 'sched:sched_switch,sched:sched_wakeup', '-a', '-o', file],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => perf.once('exit', () => resolve()));
  await new Promise((r) => setTimeout(r, 300));
  return async () => {
    perf.kill('SIGINT');
    await exited;
  };
}

type SchedClasses = Awaited<ReturnType<typeof schedClasses>>;

/**
 * How long the booking's tasks (the service's threads, their PostgreSQL backends, this load
 * generator) waited for a CPU in a scheduler trace, and behind whom: each wait (from a wake-up, or
 * from being preempted, to running again) is charged to the tasks that ran meanwhile on the CPU
 * where it ended, by overlap. In ms, by waiting class then by the class (or command) of who ran.
 */
function schedWaits(traceFile: string, classes: SchedClasses): Record<string, Record<string, number>> {
  const classOf = new Map<number, string>();
  for (const [name, tids] of Object.entries(classes)) for (const tid of tids) classOf.set(tid, name);
  const victims = new Set(['service', 'service_backends', 'load_generator']);
  const script = spawnSync('perf', ['script', '-i', traceFile, '-F', 'cpu,time,event,trace'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  }).stdout;
  const comm = new Map<number, string>();
  const segments = new Map<number, { from: number; to: number; tid: number }[]>();
  const current = new Map<number, { tid: number; since: number }>();
  const runnableSince = new Map<number, number>();
  const waits: { tid: number; from: number; to: number; cpu: number }[] = [];
  const switchRe =
    /\[(\d+)\]\s+([\d.]+):\s+sched:sched_switch: prev_comm=(.*?) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)/;
  const wakeRe = /\[(\d+)\]\s+([\d.]+):\s+sched:sched_wakeup: comm=(.*?) pid=(\d+) /;
  for (const line of script.split('\n')) {
    const sw = switchRe.exec(line);
    if (sw) {
      const cpu = Number(sw[1]);
      const t = Number(sw[2]);
      const prev = Number(sw[4]);
      const next = Number(sw[7]);
      comm.set(prev, sw[3]!);
      comm.set(next, sw[6]!);
      const cur = current.get(cpu);
      if (cur) {
        if (!segments.has(cpu)) segments.set(cpu, []);
        segments.get(cpu)!.push({ from: cur.since, to: t, tid: cur.tid });
      }
      current.set(cpu, { tid: next, since: t });
      if (sw[5]!.startsWith('R') && prev !== 0) runnableSince.set(prev, t);
      const since = runnableSince.get(next);
      if (since !== undefined) {
        runnableSince.delete(next);
        if (victims.has(classOf.get(next) ?? '')) waits.push({ tid: next, from: since, to: t, cpu });
      }
      continue;
    }
    const wk = wakeRe.exec(line);
    if (wk) {
      const pid = Number(wk[4]);
      comm.set(pid, wk[3]!);
      if (!runnableSince.has(pid)) runnableSince.set(pid, Number(wk[2]));
    }
  }
  const culprit = (tid: number) =>
    tid === 0
      ? 'idle'
      : (classOf.get(tid) ??
        ((comm.get(tid) ?? '?').startsWith('postgres')
          ? 'other postgres'
          : `other: ${(comm.get(tid) ?? '?').replace(/[/\d]+$/, '')}`));
  const result: Record<string, Record<string, number>> = {};
  for (const w of waits) {
    const victim = classOf.get(w.tid)!;
    const row = (result[victim] ??= { total: 0 });
    row.total! += (w.to - w.from) * 1000;
    const segs = segments.get(w.cpu) ?? [];
    // The first segment that may overlap (segments of a CPU are in time order).
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]!.to <= w.from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < segs.length && segs[i]!.from < w.to; i++) {
      const s = segs[i]!;
      const overlap = Math.min(s.to, w.to) - Math.max(s.from, w.from);
      if (overlap > 0 && s.tid !== w.tid) {
        const who = culprit(s.tid);
        row[who] = (row[who] ?? 0) + overlap * 1000;
      }
    }
  }
  return result;
}

/** off: no worker; on: the worker in this tree's service; compared: in --compare's tree's. */
type Arm = 'off' | 'on' | 'compared';

interface Phase {
  round: number;
  arm: Arm;
  worker: boolean;
  connections: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  errors: number;
  /** Service CPU per booking (with its challenge and the previous one's cancellation): the instance and its outbox child process, ms. */
  service_cpu_ms: number;
  /** Of which its main thread's (the event loop serving requests), ms. */
  main_thread_cpu_ms: number;
  /** Of which the outbox worker's (its child process named tournee-outbox; a thread so named in an earlier tree), ms. */
  outbox_thread_cpu_ms: number;
  /** Its PostgreSQL backends' CPU per booking, ms. */
  pg_cpu_ms: number;
  /** Messages the worker finished during the timed run, per booking. */
  messages_per_booking: number;
  wal_syncs_per_booking: number;
  /** Server-wide WAL per booking: records, full-page images, bytes. */
  wal_records_per_booking: number;
  wal_fpi_per_booking: number;
  wal_bytes_per_booking: number;
  /** Of pg_cpu_ms, the outbox process's own backends'. */
  outbox_pg_cpu_ms: number;
  cpu_steal_pct: number;
  machine_busy_cores: number;
  /** The host's 1-minute load average before and after the timed run. */
  load_before: number;
  load_after: number;
  /**
   * --sched-trace: ms per booking the booking's tasks (service threads, their PostgreSQL backends,
   * the load generator) waited for a CPU, in all and behind the outbox (its process and its
   * backends), and the waits by class and by whom they waited behind (schedWaits).
   */
  sched_wait_ms?: number;
  sched_wait_behind_outbox_ms?: number;
  sched_waits?: Record<string, Record<string, number>>;
}

let sinks: SinkProcess | undefined;
if (args.smtp) sinks = await startSinkProcess();
log(`scenario ${args.scenario}: loading ${API_SCENARIOS[args.scenario].technicians} technicians…`);
const { schema, handle } = await loadScenario(url, args.scenario, 'bench_outbox_ab');
const dataDir = mkdtempSync(join(tmpdir(), 'outbox-ab-'));
// One port and one customer sequence for every phase: customers and addresses never repeat, so the
// caps (per customer, per address) never bite, as in bench:api.
const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
let combos: Awaited<ReturnType<typeof bookingCombos>> | undefined;
let traffic: ReturnType<typeof bookingTraffic> | undefined;
const phases: Phase[] = [];
/** Every timed booking's latency, per phase (same index as `phases`). */
const latencies: number[][] = [];
const appName = `outbox-ab-${process.pid}`;

/** The service's environment; the worker on or off. */
const serviceEnv = (worker: boolean): Record<string, string> => ({
  PORT: String(port),
  PGAPPNAME: appName,
  DATABASE_URL: url,
  TOURNEE_DB_SCHEMA: schema,
  TOURNEE_DATA_DIR: dataDir,
  TOURNEE_RATE_LIMIT: '100000000',
  TOURNEE_DB_POOL_SIZE: '20',
  TOURNEE_OUTBOX_WORKER: String(worker),
  TOURNEE_POW_DIFFICULTY: '2',
  TOURNEE_TRUST_PROXY: '1',
  TOURNEE_BOOKING_CAP_PER_CUSTOMER: '3',
  TOURNEE_BOOKING_CAP_PER_CLIENT: '8',
  TOURNEE_POW_ESCALATION_BITS: '2',
  TOURNEE_PURGE_INTERVAL_MS: '0',
  ...(sinks ? { TOURNEE_SMTP_URL: sinks.smtpUrl } : {}),
});
const profileArgs = args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', args.cpuProf] : [];

/** Bookings at `connections` clients for `seconds`, timed when `samples` is given (the shared customer sequence). */
async function bookings(connections: number, seconds: number, samples?: number[]) {
  combos ??= await bookingCombos(baseUrl, handle);
  traffic ??= bookingTraffic(baseUrl, combos, { cancelEach: true, asCustomers: true });
  const t = traffic;
  return runLoad({
    baseUrl,
    connections,
    seconds,
    samples,
    expected: (st) => st === 201 || st === 409 || st === 422,
    next: t.next,
    onResponse: t.onResponse,
  });
}

/** What a new service goes through before it is timed: slot reads, untimed bookings, the backlog delivered. */
async function warmUp(worker: boolean): Promise<void> {
  combos ??= await bookingCombos(baseUrl, handle);
  const all = combos;
  // Warm-up as bench:api's (slots), then bookings untimed; the worker catches up on the backlog.
  let seed = 7;
  const pick = <T>(xs: T[]) => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length]!;
  await runLoad({
    baseUrl,
    connections: 2,
    seconds: 2,
    expected: (st) => st === 200,
    next: (): LoadRequest => {
      const c = pick(all);
      return { method: 'GET', path: `/v1/slots?serviceId=${c.serviceId}&postcode=${c.postcode}` };
    },
  });
  if (args.warmup > 0) await bookings(2, args.warmup);
  if (worker) await allDelivered();
}

/** Waits until every event and message is delivered (at most 5 min), calling `meanwhile` at every look. */
async function allDelivered(meanwhile?: () => void): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    // (the instance sets its outbox process's level from its backlog's age every 100 ms)
    meanwhile?.();
    if ((await undelivered(handle.db)) === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One timed run of bookings against a running service: its figures pushed to `phases` and `latencies`. */
async function measurePhase(
  servicePid: number,
  round_: number,
  arm: Arm,
  connections: number,
): Promise<Phase> {
  const ticks = cpuTicks();
  const cpuBefore = processTreeCpuMs(servicePid);
  const mainBefore = mainThreadCpuMs(servicePid);
  const outboxBefore = outboxCpuMs(servicePid, OUTBOX_PROCESS_NAME);
  const loadBefore = load1();
  const pgBefore = await backendCpu(handle.db, appName);
  const walBefore = await walStats(handle.db);
  const outboxBackends = await outboxBackendPids(servicePid);
  const deliveredBefore = await delivered(handle.db);
  const samples: number[] = [];
  const traceName = `${args.paired ? 'pair' : 'round'}${round_}-${arm}-${connections}`;
  let stopTrace: (() => Promise<void>) | undefined;
  let classes: SchedClasses | undefined;
  if (args.schedTrace) {
    mkdirSync(args.schedTrace, { recursive: true });
    classes = await schedClasses(servicePid);
    writeFileSync(join(args.schedTrace, `${traceName}.json`), JSON.stringify(classes));
    stopTrace = await startSchedTrace(join(args.schedTrace, `${traceName}.data`));
  }
  const result = await bookings(connections, args.seconds, samples);
  await stopTrace?.();
  const after = cpuTicks();
  const steal = stealPercent(ticks);
  const cpu = processTreeCpuMs(servicePid) - cpuBefore;
  const mainCpu = mainThreadCpuMs(servicePid) - mainBefore;
  const outboxCpu = outboxCpuMs(servicePid, OUTBOX_PROCESS_NAME) - outboxBefore;
  const pgAfter = await backendCpu(handle.db, appName);
  const pg = backendCpuSince(pgBefore, pgAfter);
  const only = (m: Map<number, number>) => new Map([...m].filter(([pid]) => outboxBackends.has(pid)));
  const outboxPg = backendCpuSince(only(pgBefore), only(pgAfter));
  const walAfter = await walStats(handle.db);
  const wal = walAfter.syncs - walBefore.syncs;
  const messages = (await delivered(handle.db)) - deliveredBefore;
  const waits = classes ? schedWaits(join(args.schedTrace!, `${traceName}.data`), classes) : undefined;
  const perBooking = (ms: number) => round(ms / Math.max(result.requests, 1), 3);
  const sched = waits
    ? {
        sched_wait_ms: perBooking(Object.values(waits).reduce((t, row) => t + (row.total ?? 0), 0)),
        sched_wait_behind_outbox_ms: perBooking(
          Object.values(waits).reduce((t, row) => t + (row.outbox ?? 0) + (row.outbox_backends ?? 0), 0),
        ),
        sched_waits: Object.fromEntries(
          Object.entries(waits).map(([victim, row]) => [
            victim,
            Object.fromEntries(
              Object.entries(row)
                .sort((a, b) => b[1] - a[1])
                .slice(0, 8)
                .map(([who, ms]) => [who, perBooking(ms)]),
            ),
          ]),
        ),
      }
    : {};
  const phase: Phase = {
    round: round_,
    arm,
    worker: arm !== 'off',
    connections,
    requests: result.requests,
    rps: round(result.rps, 1),
    p50_ms: round(result.p50_ms),
    p95_ms: round(result.p95_ms),
    p99_ms: round(result.p99_ms),
    errors: result.errors,
    service_cpu_ms: round(cpu / result.requests, 3),
    main_thread_cpu_ms: round(mainCpu / result.requests, 3),
    outbox_thread_cpu_ms: round(outboxCpu / result.requests, 3),
    pg_cpu_ms: round(pg / result.requests, 3),
    messages_per_booking: round(messages / result.requests, 2),
    wal_syncs_per_booking: round(wal / result.requests, 2),
    wal_records_per_booking: round((walAfter.records - walBefore.records) / result.requests, 1),
    wal_fpi_per_booking: round((walAfter.fpi - walBefore.fpi) / result.requests, 2),
    wal_bytes_per_booking: round((walAfter.bytes - walBefore.bytes) / result.requests, 0),
    outbox_pg_cpu_ms: round(outboxPg / result.requests, 3),
    cpu_steal_pct: round(steal, 1),
    machine_busy_cores: round(
      after.total > ticks.total ? ((after.busy - ticks.busy) / (after.total - ticks.total)) * 2 : 0,
      2,
    ),
    load_before: loadBefore,
    load_after: load1(),
    ...sched,
  };
  phases.push(phase);
  latencies.push(samples);
  log(
    `${args.paired ? 'pair' : 'round'} ${round_}, worker ${arm}, ${connections} client(s): ${phase.requests} bookings, ${phase.rps} /s, p50 ${phase.p50_ms} ms, p95 ${phase.p95_ms} ms, p99 ${phase.p99_ms} ms, errors ${phase.errors}; per booking: service CPU ${phase.service_cpu_ms} ms (main thread ${phase.main_thread_cpu_ms}, outbox worker ${phase.outbox_thread_cpu_ms}), PostgreSQL CPU ${phase.pg_cpu_ms} ms (outbox's ${phase.outbox_pg_cpu_ms}), ${phase.messages_per_booking} messages, WAL (server-wide) ${phase.wal_syncs_per_booking} syncs, ${phase.wal_records_per_booking} records, ${phase.wal_fpi_per_booking} full pages, ${phase.wal_bytes_per_booking} bytes; machine busy ${phase.machine_busy_cores} cores, steal ${phase.cpu_steal_pct} %, load ${phase.load_before} → ${phase.load_after}${phase.sched_wait_ms !== undefined ? `; waited for a CPU ${phase.sched_wait_ms} ms a booking, ${phase.sched_wait_behind_outbox_ms} of it behind the outbox` : ''}`,
  );
  return phase;
}

/** The instance's outbox process (outbox-process.ts), once it has started (at most 60 s). */
async function outboxProcessOf(servicePid: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [child] = childrenNamed(servicePid, OUTBOX_PROCESS_NAME);
    if (child !== undefined) return child;
    if (Date.now() > deadline) throw new Error('no outbox process under the service');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * --paired: one service, its outbox process frozen (SIGSTOP) for the off blocks and running for the
 * on blocks, alternating off/on and on/off, seconds apart. Between two blocks, untimed, the process
 * delivers everything waiting (what an off block left, what an on block had not finished) and its
 * instance lowers it back to nice 19 (and SCHED_IDLE where it uses it), so each block starts as the
 * rounds' phases do: nothing waiting, the worker idle at its lowest level. A frozen process uses no CPU and its connections sit idle, as with no
 * worker; the instance still sends it wakes (one small message over the channel at most every
 * 20 ms) and looks at its backlog's age every 100 ms, in both arms. Without a restart between blocks,
 * they can be short and many, so a pair shares the host's weather and the interval narrows.
 */
async function runPaired(): Promise<void> {
  const service = await startService(serviceEnv(true), profileArgs, args.tree);
  const servicePid = service.process.pid!;
  let outboxPid: number | undefined;
  const resume = () => {
    if (outboxPid !== undefined) process.kill(outboxPid, 'SIGCONT');
  };
  try {
    await warmUp(true);
    outboxPid = await outboxProcessOf(servicePid);
    // Its policy once caught up, as its instance sets it (SCHED_IDLE, or SCHED_OTHER in a tree
    // without it): each block waits for it.
    await new Promise((r) => setTimeout(r, 1_000));
    const steadyPolicy = policyOf(outboxPid);
    log(
      `outbox process ${outboxPid}: policy ${steadyPolicy === 5 ? 'SCHED_IDLE' : steadyPolicy} once caught up`,
    );
    const settle = async () => {
      resume();
      // The backlog is delivered at the instance's priority (untimed, no bookings meanwhile: at 19
      // on a busy host it took 5-10 s a block), then the process goes back to 19 as its instance
      // leaves it once caught up (it lowers, never raises, what it did not set itself).
      await allDelivered(() => setProcessNice(outboxPid!, 0));
      setProcessNice(outboxPid!, OUTBOX_PROCESS_NICE);
      const deadline = Date.now() + 30_000;
      while (
        (niceOf(outboxPid!) < OUTBOX_PROCESS_NICE || policyOf(outboxPid!) !== steadyPolicy) &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    for (const connections of args.connections) {
      for (let pair = 1; pair <= args.pairs; pair++) {
        const order: Arm[] = pair % 2 === 1 ? ['off', 'on'] : ['on', 'off'];
        for (const arm of order) {
          await settle();
          if (arm === 'off') process.kill(outboxPid, 'SIGSTOP');
          try {
            await measurePhase(servicePid, pair, arm, connections);
          } finally {
            resume();
          }
        }
      }
    }
  } finally {
    resume();
    await service.stop();
  }
}

/** The rounds: a service started anew for every phase, with the worker off or on (or in --compare's tree). */
async function runRounds(): Promise<void> {
  for (let round_ = 1; round_ <= args.rounds; round_++) {
    // off, on in odd rounds; on, off in even ones: a drift of the host's load falls on both. With a
    // third arm the order rotates: off, on, compared; on, compared, off; compared, off, on.
    const arms: Arm[] = args.compare ? ['off', 'on', 'compared'] : ['off', 'on'];
    const order = args.compare
      ? arms.map((_, i) => arms[(i + round_ - 1) % arms.length]!)
      : round_ % 2 === 1
        ? arms
        : [...arms].reverse();
    for (const arm of order) {
      const worker = arm !== 'off';
      const service = await startService(
        serviceEnv(worker),
        profileArgs,
        arm === 'compared' ? args.compare : undefined,
      );
      try {
        await warmUp(worker);
        for (const connections of args.connections) {
          await measurePhase(service.process.pid!, round_, arm, connections);
        }
      } finally {
        await service.stop();
      }
    }
  }
}

try {
  if (args.paired) await runPaired();
  else await runRounds();
} finally {
  await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(handle.db);
  await handle.close();
  await sinks?.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const p95Of = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    95,
  );

/**
 * The ratio of the pooled p95s (on over off) and its 90 % interval from resampling rounds: each
 * resample draws as many rounds as were run, with replacement, and pools their on and their off
 * bookings. Seeded, so the same run gives the same interval.
 */
function pooledRatio(rounds: { on: number[]; off: number[] }[]): {
  ratio: number;
  low: number;
  high: number;
} {
  const ratioOf = (picked: { on: number[]; off: number[] }[]) =>
    p95Of(picked.flatMap((r) => r.on)) / p95Of(picked.flatMap((r) => r.off));
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const resampled: number[] = [];
  for (let i = 0; i < 2000; i++) {
    resampled.push(ratioOf(rounds.map(() => rounds[Math.floor(rand() * rounds.length)]!)));
  }
  resampled.sort((a, b) => a - b);
  return {
    ratio: ratioOf(rounds),
    low: percentile(resampled, 5),
    high: percentile(resampled, 95),
  };
}

/** One arm against the off phases of the same rounds. */
function compareArm(connections: number, arm: Exclude<Arm, 'off'>) {
  const byRound = (a: Arm) =>
    new Map(
      phases.flatMap((p, i) => (p.connections === connections && p.arm === a ? [[p.round, i] as const] : [])),
    );
  const armPhases = byRound(arm);
  const offPhases = byRound('off');
  const paired = [...armPhases.keys()].filter((r) => offPhases.has(r));
  const on = paired.map((r) => phases[armPhases.get(r)!]!);
  const off = paired.map((r) => phases[offPhases.get(r)!]!);
  const rounds = paired.map((r) => ({
    on: latencies[armPhases.get(r)!]!,
    off: latencies[offPhases.get(r)!]!,
  }));
  const ratios = on.map((p, i) => p.p95_ms / off[i]!.p95_ms);
  const pooled = pooledRatio(rounds);
  const perMessage = (key: 'service_cpu_ms' | 'main_thread_cpu_ms' | 'pg_cpu_ms') =>
    (mean(on.map((p) => p[key])) - mean(off.map((p) => p[key]))) /
    Math.max(mean(on.map((p) => p.messages_per_booking)), 0.001);
  return {
    connections,
    arm,
    p95_ms_off: off.map((p) => p.p95_ms),
    p95_ms_on: on.map((p) => p.p95_ms),
    p95_ratio_per_round: ratios.map((r) => round(r, 3)),
    p95_ratio_median: round(median(ratios), 3),
    p95_ratio_of_means: round(mean(on.map((p) => p.p95_ms)) / mean(off.map((p) => p.p95_ms)), 3),
    p95_ms_pooled_off: round(p95Of(rounds.flatMap((r) => r.off))),
    p95_ms_pooled_on: round(p95Of(rounds.flatMap((r) => r.on))),
    p95_ratio_pooled: round(pooled.ratio, 3),
    p95_ratio_pooled_90ci: [round(pooled.low, 3), round(pooled.high, 3)],
    bookings_off: off.reduce((n, p) => n + p.requests, 0),
    bookings_on: on.reduce((n, p) => n + p.requests, 0),
    rps_off: round(mean(off.map((p) => p.rps)), 1),
    rps_on: round(mean(on.map((p) => p.rps)), 1),
    load_range: [
      Math.min(...[...on, ...off].map((p) => Math.min(p.load_before, p.load_after))),
      Math.max(...[...on, ...off].map((p) => Math.max(p.load_before, p.load_after))),
    ],
    outbox_service_cpu_ms_per_message: round(perMessage('service_cpu_ms'), 3),
    outbox_main_thread_cpu_ms_per_message: round(perMessage('main_thread_cpu_ms'), 3),
    outbox_thread_cpu_ms_per_message: round(
      mean(on.map((p) => p.outbox_thread_cpu_ms)) /
        Math.max(mean(on.map((p) => p.messages_per_booking)), 0.001),
      3,
    ),
    outbox_pg_cpu_ms_per_message: round(perMessage('pg_cpu_ms'), 3),
    /** Per booking: the booking's own backends' CPU (all but the outbox's), the outbox's backends', the server's WAL. */
    booking_pg_cpu_ms_off: round(mean(off.map((p) => p.pg_cpu_ms - p.outbox_pg_cpu_ms)), 3),
    booking_pg_cpu_ms_on: round(mean(on.map((p) => p.pg_cpu_ms - p.outbox_pg_cpu_ms)), 3),
    outbox_backend_cpu_ms_on: round(mean(on.map((p) => p.outbox_pg_cpu_ms)), 3),
    wal_bytes_per_booking_off: round(mean(off.map((p) => p.wal_bytes_per_booking)), 0),
    wal_bytes_per_booking_on: round(mean(on.map((p) => p.wal_bytes_per_booking)), 0),
    wal_fpi_per_booking_off: round(mean(off.map((p) => p.wal_fpi_per_booking)), 2),
    wal_fpi_per_booking_on: round(mean(on.map((p) => p.wal_fpi_per_booking)), 2),
    ...(on.some((p) => p.sched_wait_ms !== undefined)
      ? {
          sched_wait_ms_off: round(mean(off.map((p) => p.sched_wait_ms ?? NaN)), 3),
          sched_wait_ms_on: round(mean(on.map((p) => p.sched_wait_ms ?? NaN)), 3),
          sched_wait_behind_outbox_ms_on: round(mean(on.map((p) => p.sched_wait_behind_outbox_ms ?? NaN)), 3),
        }
      : {}),
  };
}

const summary = args.connections.flatMap((connections) => [
  compareArm(connections, 'on'),
  ...(args.compare ? [compareArm(connections, 'compared')] : []),
]);
for (const s of summary) {
  log(
    `${s.connections} client(s), worker ${s.arm}: p95 off ${s.p95_ms_off.join(', ')} ms, ${s.arm} ${s.p95_ms_on.join(', ')} ms; ${s.arm}/off per round ${s.p95_ratio_per_round.join(', ')} (median ${s.p95_ratio_median}); pooled p95 off ${s.p95_ms_pooled_off} ms (${s.bookings_off} bookings), ${s.arm} ${s.p95_ms_pooled_on} ms (${s.bookings_on}): ratio ${s.p95_ratio_pooled}, 90 % interval over rounds ${s.p95_ratio_pooled_90ci.join('–')}; bookings/s off ${s.rps_off}, ${s.arm} ${s.rps_on}; load ${s.load_range.join('–')}; outbox CPU per message: service ${s.outbox_service_cpu_ms_per_message} ms (main thread ${s.outbox_main_thread_cpu_ms_per_message}, outbox worker ${s.outbox_thread_cpu_ms_per_message}), PostgreSQL ${s.outbox_pg_cpu_ms_per_message} ms; per booking: the booking's backends off ${s.booking_pg_cpu_ms_off} ms, ${s.arm} ${s.booking_pg_cpu_ms_on} ms, the outbox's ${s.outbox_backend_cpu_ms_on} ms; WAL off ${s.wal_bytes_per_booking_off} bytes (${s.wal_fpi_per_booking_off} full pages), ${s.arm} ${s.wal_bytes_per_booking_on} (${s.wal_fpi_per_booking_on})${s.sched_wait_ms_on !== undefined ? `; waited for a CPU a booking: off ${s.sched_wait_ms_off} ms, ${s.arm} ${s.sched_wait_ms_on} ms, of which behind the outbox ${s.sched_wait_behind_outbox_ms_on} ms` : ''}`,
  );
}
if (args.json)
  console.log(
    JSON.stringify({
      scenario: args.scenario,
      smtp: args.smtp,
      compare: args.compare,
      paired: args.paired,
      tree: args.tree,
      seconds: args.seconds,
      phases,
      summary,
    }),
  );
process.exit(0);
