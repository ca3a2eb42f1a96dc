/**
 * npm run bench:outbox [-- --json] [--rate 50] [--seconds 20] [--scenario M] [--separate-worker]
 *
 * What the outbox costs and how fast it delivers, on PostgreSQL, with the service as its own process,
 * a local SMTP sink and a local webhook receiver (every booking makes one e-mail and one webhook):
 *  1. bookings at a fixed rate with the outbox worker off: the booking latency without deliveries
 *     (the event row is still written in the booking's transaction, as it must be);
 *  2. the worker started on that backlog: messages delivered per second while it drains;
 *  3. bookings at the same rate with the worker on: booking latency beside live deliveries, and the
 *     delay from the booking's commit (the outbox row's time) to each message's delivery.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DatabaseHandle } from '../src/db/database.js';
import { insertWebhook } from '../src/db/webhooks.js';
import { newWebhookSecret } from '../src/domain/webhooks/signature.js';
import { bookingCombos, bookingTraffic, type Combo } from './lib/booking-traffic.js';
import { runRate, type LoadResult } from './lib/load.js';
import { cpuTicks, stealPercent } from './lib/machine.js';
import { API_SCENARIOS, DEFAULT_DATABASE_URL, loadScenario, startService } from './lib/service.js';
import { startSmtpCounter, startWebhookCounter } from './lib/sinks.js';
import { round, summarise } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    rate: z.coerce.number().positive().default(50),
    seconds: z.coerce.number().positive().default(20),
    scenario: z.enum(Object.keys(API_SCENARIOS) as [keyof typeof API_SCENARIOS]).default('M'),
    /** Step 3 with the worker in an instance of its own, the bookings on another (TOURNEE_OUTBOX_WORKER=false). */
    'separate-worker': z.boolean().default(false),
  })
  .parse(
    parseArgs({
      options: {
        json: { type: 'boolean' },
        rate: { type: 'string' },
        seconds: { type: 'string' },
        scenario: { type: 'string' },
        'separate-worker': { type: 'boolean' },
      },
    }).values,
  );
const separateWorker = args['separate-worker'];
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const log = (line: string) => {
  if (!args.json) console.log(line);
};

const smtp = await startSmtpCounter();
const hooks = await startWebhookCounter();
log(`scenario ${args.scenario}: loading the company into PostgreSQL…`);
const { schema, handle } = await loadScenario(url, args.scenario, 'bench_outbox');
await insertWebhook(handle.db, {
  url: hooks.url,
  events: ['booking.created', 'booking.cancelled'],
  secret: newWebhookSecret(),
});

const serviceEnv = (worker: boolean) => ({
  DATABASE_URL: url,
  TOURNEE_DB_SCHEMA: schema,
  TOURNEE_POW_DIFFICULTY: '0',
  TOURNEE_RATE_LIMIT: '100000000',
  TOURNEE_DB_POOL_SIZE: '20',
  TOURNEE_SMTP_URL: smtp.url,
  TOURNEE_WEBHOOK_ALLOW_PRIVATE: 'true',
  TOURNEE_OUTBOX_WORKER: String(worker),
  TOURNEE_PURGE_INTERVAL_MS: '0',
});

async function bookAtRate(baseUrl: string, combos: Combo[]): Promise<LoadResult & { steal: number }> {
  // Each booking made is cancelled before the next starts: the company keeps free windows, and the
  // cancellation's own e-mail and webhook go through the outbox too.
  const traffic = bookingTraffic(baseUrl, combos, { cancelEach: true });
  const before = cpuTicks();
  const result = await runRate({
    baseUrl,
    rate: args.rate,
    seconds: args.seconds,
    next: traffic.next,
    onResponse: traffic.onResponse,
    // 409: the window was taken meanwhile; 422: none left for that pair. Both correct answers.
    expected: (s) => s === 201 || s === 409 || s === 422,
  });
  return { ...result, steal: stealPercent(before) };
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

const bookingFigures = (r: LoadResult & { steal: number }) => ({
  requests: r.requests,
  booked: r.statuses['201'] ?? 0,
  p50_ms: round(r.p50_ms),
  p95_ms: round(r.p95_ms),
  p99_ms: round(r.p99_ms),
  errors: r.errors,
  cpu_steal_pct: round(r.steal, 1),
});

// 1. Worker off.
let service = await startService(serviceEnv(false));
const combos = await bookingCombos(service.baseUrl, handle);
await bookAtRate(service.baseUrl, combos.slice(0, 20)).catch(() => undefined); // warm-up
const off = await bookAtRate(service.baseUrl, combos);
await service.stop();
log(
  `bookings at ${args.rate}/s, outbox worker off: p50 ${off.p50_ms.toFixed(1)} ms, p95 ${off.p95_ms.toFixed(1)} ms, p99 ${off.p99_ms.toFixed(1)} ms (${off.statuses['201'] ?? 0} booked)`,
);

// 2. Drain the backlog.
const backlog = await undelivered(handle.db);
const mailsBefore = smtp.arrivals.length;
const hooksBefore = hooks.arrivals.length;
const drainStart = Date.now();
service = await startService(serviceEnv(true));
const drained = await waitUntilDelivered(handle.db, 600_000);
const drainSeconds = (Date.now() - drainStart) / 1000;
const drainedMails = smtp.arrivals.length - mailsBefore;
const drainedHooks = hooks.arrivals.length - hooksBefore;
// From the first delivery to the last: the worker's own pace, without the service's start-up.
const drainArrivals = [...smtp.arrivals.slice(mailsBefore), ...hooks.arrivals.slice(hooksBefore)];
const drainSpan = (Math.max(...drainArrivals) - Math.min(...drainArrivals)) / 1000;
const drainRate = drainArrivals.length / Math.max(drainSpan, 0.001);
log(
  `backlog of ${backlog} events/messages drained ${drained ? 'fully' : 'PARTLY'} in ${drainSeconds.toFixed(1)} s (start-up included): ${drainedMails} e-mails + ${drainedHooks} webhooks, ${drainRate.toFixed(1)} messages/s from first to last delivery`,
);

// 3. Worker on, live: in the instance taking the bookings, or (--separate-worker) in one of its own.
let worker: Awaited<ReturnType<typeof startService>> | undefined;
if (separateWorker) {
  await service.stop();
  worker = await startService(serviceEnv(true));
  service = await startService(serviceEnv(false));
}
const liveStart = new Date();
const on = await bookAtRate(service.baseUrl, combos);
await waitUntilDelivered(handle.db, 300_000);
await service.stop();
await worker?.stop();
const delays = await sql<{ channel: string; ms: number }>`
  SELECT m.channel, EXTRACT(EPOCH FROM (m.sent_at - o.created_at)) * 1000 AS ms
  FROM messages m JOIN outbox o ON o.id = m.outbox_id
  WHERE o.created_at >= ${liveStart} AND m.status = 'sent'`.execute(handle.db);
const byChannel = (channel: string) => {
  const ms = delays.rows.filter((r) => r.channel === channel).map((r) => Number(r.ms));
  const s = summarise(ms);
  return {
    messages: ms.length,
    p50_ms: round(s.p50),
    p95_ms: round(s.p95),
    p99_ms: round(s.p99),
    max_ms: round(s.max),
  };
};
const delay = { email: byChannel('email'), webhook: byChannel('webhook') };
const p95Ratio = on.p95_ms / off.p95_ms;
log(
  `bookings at ${args.rate}/s, outbox worker on:  p50 ${on.p50_ms.toFixed(1)} ms, p95 ${on.p95_ms.toFixed(1)} ms, p99 ${on.p99_ms.toFixed(1)} ms (${on.statuses['201'] ?? 0} booked); p95 on/off ${p95Ratio.toFixed(2)}`,
);
for (const [channel, d] of Object.entries(delay)) {
  log(
    `  commit → ${channel} delivered: ${d.messages} messages, p50 ${d.p50_ms} ms, p95 ${d.p95_ms} ms, p99 ${d.p99_ms} ms, max ${d.max_ms} ms`,
  );
}
log(`CPU stolen by the host: ${off.steal.toFixed(0)} % (off), ${on.steal.toFixed(0)} % (on)`);

if (args.json) {
  console.log(
    JSON.stringify({
      scenario: args.scenario,
      rate: args.rate,
      seconds: args.seconds,
      bookings_worker_off: bookingFigures(off),
      bookings_worker_on: bookingFigures(on),
      worker: separateWorker ? 'separate instance' : 'in the booking instance',
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
    }),
  );
}
await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(handle.db);
await handle.close();
await smtp.close();
await hooks.close();
process.exit(0);
