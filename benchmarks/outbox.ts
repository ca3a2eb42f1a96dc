/**
 * npm run bench:outbox [-- --json] [--rate 50] [--seconds 20] [--scenario M] [--separate-worker [--worker-nice N]] [--profile DIR]
 *
 * What the outbox costs and how fast it delivers, on PostgreSQL, with the service as its own process,
 * a local SMTP sink and a local webhook receiver (every booking makes one e-mail and one webhook):
 *  1. bookings at a fixed rate with the outbox worker off: the booking latency without deliveries
 *     (the event row is still written in the booking's transaction, as it must be);
 *  2. the worker started on that backlog: messages delivered per second while it drains;
 *  3. bookings at the same rate with the worker on, after the same warm-up as step 1: booking latency
 *     beside live deliveries, and the delay from the booking's commit (the outbox row's time) to each
 *     message's delivery.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DatabaseHandle } from '../src/db/database.js';
import { insertWebhook } from '../src/db/webhooks.js';
import { newWebhookSecret } from '../src/domain/webhooks/signature.js';
import { bookingCombos, bookingTraffic, type Combo } from './lib/booking-traffic.js';
import { runRate, type LoadResult } from './lib/load.js';
import { readdirSync } from 'node:fs';
import { cpus, getPriority, setPriority } from 'node:os';
import { OUTBOX_PROCESS_NAME } from '../src/domain/messages/process-priority.js';
import { childrenNamed, cpuTicks, niceOf, policyOf, processTreeCpuMs, stealPercent } from './lib/machine.js';

/**
 * A process's CPU so far with its children's (ms; an instance's outbox worker is a child process of
 * it), 0 when there is none or it is gone.
 */
const cpuOf = (pid: number | undefined) => (pid ? processTreeCpuMs(pid) || 0 : 0);
import {
  API_SCENARIOS,
  DEFAULT_DATABASE_URL,
  loadScenario,
  startService,
  type RunningService,
} from './lib/service.js';
import { startSinkProcess } from './lib/sinks.js';
import { round, summarise } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    rate: z.coerce.number().positive().default(50),
    seconds: z.coerce.number().positive().default(20),
    scenario: z.enum(Object.keys(API_SCENARIOS) as [keyof typeof API_SCENARIOS]).default('M'),
    /** Step 3 with the worker in an instance of its own, the bookings on another (TOURNEE_OUTBOX_WORKER=false). */
    'separate-worker': z.boolean().default(false),
    /**
     * With --separate-worker: the worker instance's CPU priority this much below the booking
     * instance's (nice), so on a shared host deliveries take the CPU the bookings leave.
     */
    'worker-nice': z.coerce.number().int().min(0).max(19).default(0),
    /** Writes each service instance's CPU profile (node --cpu-prof) into this folder, read at its exit. */
    profile: z.string().optional(),
  })
  .parse(
    parseArgs({
      options: {
        json: { type: 'boolean' },
        rate: { type: 'string' },
        seconds: { type: 'string' },
        scenario: { type: 'string' },
        'separate-worker': { type: 'boolean' },
        'worker-nice': { type: 'string' },
        profile: { type: 'string' },
      },
    }).values,
  );
const separateWorker = args['separate-worker'];
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const nodeArgs = args.profile ? ['--cpu-prof', '--cpu-prof-dir', args.profile] : [];
const log = (line: string) => {
  if (!args.json) console.log(line);
};

// The SMTP sink and the webhook receiver run in a process of their own (not in the load generator's).
const sinks = await startSinkProcess();
log(`scenario ${args.scenario}: loading the company into PostgreSQL…`);
const { schema, handle } = await loadScenario(url, args.scenario, 'bench_outbox');
await insertWebhook(handle.db, {
  url: sinks.hookUrl,
  events: ['booking.created', 'booking.cancelled'],
  secret: newWebhookSecret(),
});

const serviceEnv = (worker: boolean) => ({
  DATABASE_URL: url,
  TOURNEE_DB_SCHEMA: schema,
  TOURNEE_POW_DIFFICULTY: '0',
  TOURNEE_RATE_LIMIT: '100000000',
  TOURNEE_DB_POOL_SIZE: '20',
  TOURNEE_SMTP_URL: sinks.smtpUrl,
  TOURNEE_WEBHOOK_ALLOW_PRIVATE: 'true',
  TOURNEE_OUTBOX_WORKER: String(worker),
  TOURNEE_PURGE_INTERVAL_MS: '0',
});

interface RateRun extends LoadResult {
  steal: number;
  /** CPU the instance taking the bookings used during the run, ms. */
  serviceCpuMs: number;
  /** CPU of the separate worker instance, if any, ms. */
  workerCpuMs: number;
  /** CPU of the SMTP sink and webhook receiver's process, ms. */
  sinkCpuMs: number;
  /** The whole machine's busy time (both cores, PostgreSQL and the load generator included), in cores. */
  busyCores: number;
}

async function bookAtRate(
  service: RunningService,
  combos: Combo[],
  workerInstance?: RunningService,
): Promise<RateRun> {
  // Each booking made is cancelled before the next starts: the company keeps free windows, and the
  // cancellation's own e-mail and webhook go through the outbox too.
  const traffic = bookingTraffic(service.baseUrl, combos, { cancelEach: true });
  const before = cpuTicks();
  const serviceBefore = cpuOf(service.process.pid);
  const workerBefore = cpuOf(workerInstance?.process.pid);
  const sinkBefore = cpuOf(sinks.pid);
  const result = await runRate({
    baseUrl: service.baseUrl,
    rate: args.rate,
    seconds: args.seconds,
    next: traffic.next,
    onResponse: traffic.onResponse,
    // 409: the window was taken meanwhile; 422: none left for that pair. Both correct answers.
    expected: (s) => s === 201 || s === 409 || s === 422,
  });
  const after = cpuTicks();
  return {
    ...result,
    steal: stealPercent(before),
    serviceCpuMs: cpuOf(service.process.pid) - serviceBefore,
    workerCpuMs: workerInstance ? cpuOf(workerInstance.process.pid) - workerBefore : 0,
    sinkCpuMs: cpuOf(sinks.pid) - sinkBefore,
    busyCores:
      after.total > before.total
        ? ((after.busy - before.busy) / (after.total - before.total)) * cpus().length
        : 0,
  };
}

async function undelivered(db: DatabaseHandle['db']): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT (SELECT count(*) FROM outbox WHERE dispatched_at IS NULL)
         + (SELECT count(*) FROM messages WHERE status = 'pending') AS n`.execute(db);
  return Number(rows[0]!.n);
}

async function waitUntilDelivered(db: DatabaseHandle['db'], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await undelivered(db)) === 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const bookingFigures = (r: RateRun) => ({
  requests: r.requests,
  booked: r.statuses['201'] ?? 0,
  p50_ms: round(r.p50_ms),
  p95_ms: round(r.p95_ms),
  p99_ms: round(r.p99_ms),
  errors: r.errors,
  cpu_steal_pct: round(r.steal, 1),
  service_cpu_s: round(r.serviceCpuMs / 1000, 2),
  ...(r.workerCpuMs ? { worker_cpu_s: round(r.workerCpuMs / 1000, 2) } : {}),
  sinks_cpu_s: round(r.sinkCpuMs / 1000, 2),
  machine_busy_cores: round(r.busyCores, 2),
});

// 1. Worker off.
let service = await startService(serviceEnv(false), nodeArgs);
const combos = await bookingCombos(service.baseUrl, handle);
await bookAtRate(service, combos.slice(0, 20)).catch(() => undefined); // warm-up
const off = await bookAtRate(service, combos);
await service.stop();
log(
  `bookings at ${args.rate}/s, outbox worker off: p50 ${off.p50_ms.toFixed(1)} ms, p95 ${off.p95_ms.toFixed(1)} ms, p99 ${off.p99_ms.toFixed(1)} ms (${off.statuses['201'] ?? 0} booked)`,
);

// 2. Drain the backlog.
const backlog = await undelivered(handle.db);
const before = await sinks.arrivals();
const mailsBefore = before.smtp.length;
const hooksBefore = before.hooks.length;
const drainStart = Date.now();
service = await startService(serviceEnv(true), nodeArgs);
const drained = await waitUntilDelivered(handle.db, 600_000);
const drainSeconds = (Date.now() - drainStart) / 1000;
const afterDrain = await sinks.arrivals();
const drainedMails = afterDrain.smtp.length - mailsBefore;
const drainedHooks = afterDrain.hooks.length - hooksBefore;
// From the first delivery to the last: the worker's own pace, without the service's start-up.
const drainArrivals = [...afterDrain.smtp.slice(mailsBefore), ...afterDrain.hooks.slice(hooksBefore)];
const drainSpan = (Math.max(...drainArrivals) - Math.min(...drainArrivals)) / 1000;
const drainRate = drainArrivals.length / Math.max(drainSpan, 0.001);
log(
  `backlog of ${backlog} events/messages drained ${drained ? 'fully' : 'PARTLY'} in ${drainSeconds.toFixed(1)} s (start-up included): ${drainedMails} e-mails + ${drainedHooks} webhooks, ${drainRate.toFixed(1)} messages/s from first to last delivery`,
);

// 3. Worker on, live: in the instance taking the bookings, or (--separate-worker) in one of its own.
let worker: Awaited<ReturnType<typeof startService>> | undefined;
if (separateWorker) {
  await service.stop();
  worker = await startService(serviceEnv(true), nodeArgs);
  if (args['worker-nice'] > 0 && worker.process.pid) {
    // Every thread of it (on Linux a priority is a thread's; threads made later inherit it).
    for (const task of readdirSync(`/proc/${worker.process.pid}/task`)) {
      const tid = Number(task);
      setPriority(tid, Math.min(19, getPriority(tid) + args['worker-nice']));
    }
  }
  service = await startService(serviceEnv(false), nodeArgs);
}
// The instance taking the bookings warms up as in step 1 (a fresh process books slowly until its code
// is compiled and its pool and caches are filled); its messages are delivered before the timed run.
await bookAtRate(service, combos.slice(0, 20)).catch(() => undefined);
await waitUntilDelivered(handle.db, 300_000);
/**
 * The outbox process's level through the timed run, sampled every 100 ms (its main thread's):
 * how long it ran under SCHED_IDLE ("idle") or at nice 19, and how long it was raised (a backlog's
 * age: "nice_10" and up).
 */
function sampleNice(instancePid: number | undefined): () => Record<string, number> {
  const counts = new Map<string, number>();
  const pid = instancePid ? childrenNamed(instancePid, OUTBOX_PROCESS_NAME)[0] : undefined;
  const timer = setInterval(() => {
    if (!pid) return;
    const nice = niceOf(pid);
    if (Number.isNaN(nice)) return; // restarted or gone
    const level = policyOf(pid) === 5 ? 'idle' : `nice_${nice}`;
    counts.set(level, (counts.get(level) ?? 0) + 1);
  }, 100);
  return () => {
    clearInterval(timer);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const rank = (level: string) => (level === 'idle' ? 20 : Number(level.slice(5)));
    return Object.fromEntries(
      [...counts]
        .sort((a, b) => rank(b[0]) - rank(a[0]))
        .map(([level, n]) => [level, round(n / Math.max(total, 1), 3)]),
    );
  };
}

const liveStart = new Date();
const niceShares = sampleNice((worker ?? service).process.pid);
const on = await bookAtRate(service, combos, worker);
const outboxNice = niceShares();
await waitUntilDelivered(handle.db, 300_000);
await service.stop();
await worker?.stop();
// The delay in two parts: commit to the event's dispatch (the worker's wake-up, its gathering and
// its queue of runs), and dispatch to delivery (composing and sending within a run).
const delays = await sql<{ channel: string; ms: number; dispatch_ms: number; send_ms: number }>`
  SELECT m.channel, EXTRACT(EPOCH FROM (m.sent_at - o.created_at)) * 1000 AS ms,
    EXTRACT(EPOCH FROM (o.dispatched_at - o.created_at)) * 1000 AS dispatch_ms,
    EXTRACT(EPOCH FROM (m.sent_at - o.dispatched_at)) * 1000 AS send_ms
  FROM messages m JOIN outbox o ON o.id = m.outbox_id
  WHERE o.created_at >= ${liveStart} AND m.status = 'sent'`.execute(handle.db);
const byChannel = (channel: string) => {
  const rows = delays.rows.filter((r) => r.channel === channel);
  const ms = rows.map((r) => Number(r.ms));
  const s = summarise(ms);
  const toDispatch = summarise(rows.map((r) => Number(r.dispatch_ms)));
  const toSend = summarise(rows.map((r) => Number(r.send_ms)));
  return {
    messages: ms.length,
    p50_ms: round(s.p50),
    p95_ms: round(s.p95),
    p99_ms: round(s.p99),
    max_ms: round(s.max),
    commit_to_dispatch_p50_ms: round(toDispatch.p50),
    commit_to_dispatch_p95_ms: round(toDispatch.p95),
    dispatch_to_sent_p50_ms: round(toSend.p50),
    dispatch_to_sent_p95_ms: round(toSend.p95),
  };
};
const delay = { email: byChannel('email'), webhook: byChannel('webhook') };
const p95Ratio = on.p95_ms / off.p95_ms;
log(
  `bookings at ${args.rate}/s, outbox worker on:  p50 ${on.p50_ms.toFixed(1)} ms, p95 ${on.p95_ms.toFixed(1)} ms, p99 ${on.p99_ms.toFixed(1)} ms (${on.statuses['201'] ?? 0} booked); p95 on/off ${p95Ratio.toFixed(2)}`,
);
for (const [channel, d] of Object.entries(delay)) {
  log(
    `  commit → ${channel} delivered: ${d.messages} messages, p50 ${d.p50_ms} ms, p95 ${d.p95_ms} ms, p99 ${d.p99_ms} ms, max ${d.max_ms} ms (commit → dispatch p50 ${d.commit_to_dispatch_p50_ms}, p95 ${d.commit_to_dispatch_p95_ms} ms; dispatch → sent p50 ${d.dispatch_to_sent_p50_ms}, p95 ${d.dispatch_to_sent_p95_ms} ms)`,
  );
}
// What the deliveries cost the service: its CPU with the worker on less the same traffic's with it off.
const liveMessages = delay.email.messages + delay.webhook.messages;
const outboxCpuPerMessage = (on.serviceCpuMs + on.workerCpuMs - off.serviceCpuMs) / Math.max(liveMessages, 1);
log(
  `service CPU: ${(off.serviceCpuMs / 1000).toFixed(1)} s (off), ${((on.serviceCpuMs + on.workerCpuMs) / 1000).toFixed(1)} s (on${separateWorker ? ', both instances' : ''}): ${outboxCpuPerMessage.toFixed(2)} ms per message; machine busy ${off.busyCores.toFixed(2)} cores (off), ${on.busyCores.toFixed(2)} (on)`,
);
log(`CPU stolen by the host: ${off.steal.toFixed(0)} % (off), ${on.steal.toFixed(0)} % (on)`);
log(
  `outbox process's level through the timed run (share of 100 ms samples): ${
    Object.entries(outboxNice)
      .map(([k, v]) => `${k.replace('_', ' ')}: ${(v * 100).toFixed(0)} %`)
      .join(', ') || 'not found'
  }`,
);

if (args.json) {
  console.log(
    JSON.stringify({
      scenario: args.scenario,
      rate: args.rate,
      seconds: args.seconds,
      bookings_worker_off: bookingFigures(off),
      bookings_worker_on: bookingFigures(on),
      worker: separateWorker
        ? `separate instance${args['worker-nice'] ? `, nice +${args['worker-nice']}` : ''}`
        : 'in the booking instance',
      booking_p95_ratio_on_off: round(p95Ratio, 3),
      drain: {
        backlog,
        complete: drained,
        seconds: round(drainSeconds, 1),
        emails: drainedMails,
        webhooks: drainedHooks,
        delivery_span_s: round(drainSpan, 1),
        messages_per_s: round(drainRate, 1),
      },
      commit_to_delivery: delay,
      outbox_cpu_ms_per_message: round(outboxCpuPerMessage, 2),
      outbox_process_nice_share: outboxNice,
    }),
  );
}
await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(handle.db);
await handle.close();
await sinks.close();
process.exit(0);
