/**
 * npm run bench:api [-- --json] [--seconds 10] [--connections 1,8] [--scenarios S,M] (L: 600 technicians)
 *   [--routes slots,bookings] [--cpu-prof DIR] (the service's V8 CPU profile, written to DIR when it stops)
 *   [--warmup-bookings 1500] (untimed booking cycles before the timed booking runs; 0: none)
 *   [--http-client raw|node] (the bookings' client: raw HTTP/1.1 on kept-alive sockets, or node:http)
 *   [--vacuum runs|load] (VACUUM ANALYZE also after the booking warm-up and before each timed run)
 *
 * The service as its own process on loopback, on PostgreSQL (DATABASE_URL or
 * the local server) with the S and M companies loaded; slot requests, then
 * bookings, under a closed-loop load; latency percentiles, requests/s, and
 * double bookings counted in the table afterwards. A 409 (window just taken)
 * is a correct answer, not an error.
 *
 * Bookings are made as real customers make them, with the guards on at their
 * defaults (daily caps per customer and per address, escalating proof of
 * work): each booking is a new customer from a new address (X-Forwarded-For
 * behind TOURNEE_TRUST_PROXY=1), gets a challenge, solves it and books. The
 * challenge comes with the windows' answer when the customer read the windows
 * (as the widget takes it); one given windows an earlier customer read asks
 * GET /v1/challenge.
 * The proof of work is 2 bits (TOURNEE_POW_DIFFICULTY=2): verifying costs the
 * server the same at any difficulty, solving is the customer's CPU, not the
 * server's, and must not load this machine. Timed: the POST /v1/bookings
 * only. Untimed but on the same server: the challenge, and the cancellation of
 * the client's previous booking (so the company keeps its free windows).
 * The outbox worker runs elsewhere (TOURNEE_OUTBOX_WORKER=false, as README
 * recommends; bench:outbox measures it): events are written by every booking.
 * --unguarded: the previous set-up (no proof of work, caps off, one customer).
 * --outbox-worker: the worker in the same process.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { z } from 'zod';
import { bookingCombos, bookingTraffic } from './lib/booking-traffic.js';
import { runLoad, send, type LoadRequest, type LoadResult } from './lib/load.js';
import { RawHttpClient } from './lib/raw-http.js';
import { cpuTicks, processCpuMs, processTreeCpuMs, stealPercent } from './lib/machine.js';
import {
  API_SCENARIOS,
  countOverlaps,
  DEFAULT_DATABASE_URL,
  freePort,
  loadScenario,
  startService,
  vacuumAnalyze,
  type ApiScenarioName,
} from './lib/service.js';
import { round, summarise } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    unguarded: z.boolean().default(false),
    'outbox-worker': z.boolean().default(false),
    seconds: z.coerce.number().positive().default(10),
    /** Concurrent clients: a light load (latency) and a heavy one (throughput). */
    connections: z
      .string()
      .default('1,8')
      .transform((s) => s.split(',').map(Number))
      .pipe(z.array(z.number().int().positive())),
    scenarios: z
      .string()
      .default('S,M')
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(Object.keys(API_SCENARIOS) as [ApiScenarioName, ...ApiScenarioName[]]))),
    /** Which runs: profiling the slot path alone needs the bookings left out. */
    routes: z
      .string()
      .default('slots,bookings')
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(['slots', 'bookings']))),
    cpuProf: z.string().optional(),
    /**
     * Untimed booking cycles (2 clients) before the timed booking runs. The booking path is code the
     * slot warm-up never runs: cold, V8 compiles it over its first ~1,000 cycles (bench:booking-cpu:
     * 18.5 ms of service CPU a cycle after 50 cycles, 9.0 after 1,500, same host and load), so
     * without it the 1-client run measured the service's JIT warming up.
     */
    warmupBookings: z.coerce.number().int().nonnegative().default(1500),
    /**
     * The bookings' HTTP client: 'raw' (benchmarks/lib/raw-http.ts) writes and parses HTTP/1.1 by
     * hand; 'node' is node:http's, ~3× its CPU a cycle, taken from the service's two cores.
     */
    httpClient: z.enum(['raw', 'node']).default('raw'),
    /**
     * When the schema's tables are vacuumed and analysed: 'runs' after loading, after the booking
     * warm-up and before each timed booking run, as autovacuum does for a database in service (it is
     * off on the shared benchmark server); 'load' after loading only.
     */
    vacuum: z.enum(['runs', 'load']).default('runs'),
  })
  .parse(
    ((values) => ({
      ...values,
      cpuProf: values['cpu-prof'],
      warmupBookings: values['warmup-bookings'],
      httpClient: values['http-client'],
    }))(
      parseArgs({
        options: {
          'http-client': { type: 'string' },
          vacuum: { type: 'string' },
          json: { type: 'boolean' },
          unguarded: { type: 'boolean' },
          'outbox-worker': { type: 'boolean' },
          seconds: { type: 'string' },
          connections: { type: 'string' },
          scenarios: { type: 'string' },
          routes: { type: 'string' },
          'cpu-prof': { type: 'string' },
          'warmup-bookings': { type: 'string' },
        },
      }).values,
    ),
  );

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const log = (line: string) => {
  if (!args.json) console.log(line);
};

interface Run {
  scenario: string;
  route: 'slots' | 'bookings';
  connections: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  errors: number;
  conflicts?: number;
  /** CPU the host stole from this VM during the run, %. */
  cpu_steal_pct: number;
  /** CPU the service process used per request, ms (user + system; slot runs). */
  service_cpu_ms?: number;
  /** CPU this load generator used per request, ms: on one machine it competes with the service. */
  client_cpu_ms?: number;
  /** CPU the service's PostgreSQL backends used per request, ms (bookings runs). */
  postgres_cpu_ms?: number;
  /** The host's 1-minute load average at the end of the run (2 cores). */
  load_1min?: number;
  /**
   * Bookings runs: how the bookings that reached a write were written (tournee_booking_paths_total):
   * "snapshot" in two round trips, "stale" the snapshot overtaken and the locked transaction after it,
   * "locked" the locked transaction from the start.
   */
  paths?: Record<string, number>;
  /** Bookings runs: latency by answer (201 booked, 409 window taken with alternatives, 422 none left). */
  by_status?: Record<string, { requests: number; p50_ms: number; p95_ms: number }>;
  /**
   * Bookings runs: the untimed requests a booking brought along, per booking (the previous booking's
   * cancellation, a slot read when the client's windows went stale, a challenge on remembered windows).
   */
  untimed_per_booking?: Record<string, number>;
  /**
   * Bookings runs: the slot reads' memory events per booking (tournee_slot_cache_total: freshness
   * probes asked, probes reused, technician-days read, days found changed), the untimed requests' included.
   */
  slot_cache_per_booking?: Record<string, number>;
  /** Bookings runs: the share of both cores the whole machine kept busy during the run, % (100: saturated). */
  host_busy_pct?: number;
}

const runs: Run[] = [];
/** The service's connections carry this application_name, so their backends' CPU can be read. */
const appName = `bench-api-${process.pid}`;

/** CPU (ms) used so far by each PostgreSQL backend serving the service, by pid. */
async function backendCpu(db: Parameters<typeof countOverlaps>[0]['db']): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE application_name = ${appName}`.execute(db);
  return new Map(rows.map((r) => [r.pid, processCpuMs(r.pid)]));
}
/** CPU the backends used since `before`; a backend that appeared since counts whole. */
function backendCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of after) if (Number.isFinite(now)) ms += now - (before.get(pid) ?? 0);
  return ms;
}
let doubleBookings = 0;

/**
 * The service's booking-path counters and the slot reads' memory events (freshness probes, days
 * read, probes reused), from its metrics listener, keyed "path:<path>" and "cache:<event>".
 */
async function bookingPaths(metricsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const paths = new Map<string, number>();
  for (const m of text.matchAll(/^tournee_booking_paths_total\{path="(\w+)"\} (\d+)/gm))
    paths.set(`path:${m[1]!}`, Number(m[2]));
  for (const m of text.matchAll(/^tournee_slot_cache_total\{event="(\w+)"\} (\d+)/gm))
    paths.set(`cache:${m[1]!}`, Number(m[2]));
  return paths;
}

function toRun(
  scenario: string,
  route: Run['route'],
  connections: number,
  r: LoadResult,
  steal: number,
  extra: Partial<Run> = {},
): Run {
  return {
    scenario,
    route,
    connections,
    requests: r.requests,
    rps: round(r.rps, 1),
    p50_ms: round(r.p50_ms),
    p95_ms: round(r.p95_ms),
    p99_ms: round(r.p99_ms),
    errors: r.errors,
    ...extra,
    cpu_steal_pct: round(steal, 1),
  };
}

for (const name of args.scenarios) {
  log(
    `\nbookings ${args.unguarded ? 'unguarded (no proof of work, caps off, one customer)' : 'as distinct customers: challenge + 2-bit proof of work, caps on'}; outbox worker ${args['outbox-worker'] ? 'in the service' : 'elsewhere'}`,
  );
  log(`scenario ${name}: loading ${API_SCENARIOS[name].technicians} technicians into PostgreSQL…`);
  const { schema, handle, visits } = await loadScenario(url, name);
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const service = await startService(
    {
      TOURNEE_METRICS_PORT: String(metricsPort),
      DATABASE_URL: url,
      TOURNEE_DB_SCHEMA: schema,
      TOURNEE_RATE_LIMIT: '100000000',
      TOURNEE_DB_POOL_SIZE: '20',
      TOURNEE_OUTBOX_WORKER: String(args['outbox-worker']),
      PGAPPNAME: appName,
      ...(args.unguarded
        ? { TOURNEE_POW_DIFFICULTY: '0' }
        : {
            TOURNEE_POW_DIFFICULTY: '2',
            TOURNEE_TRUST_PROXY: '1',
            TOURNEE_BOOKING_CAP_PER_CUSTOMER: '3',
            TOURNEE_BOOKING_CAP_PER_CLIENT: '8',
            TOURNEE_POW_ESCALATION_BITS: '2',
          }),
    },
    args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', args.cpuProf] : [],
  );
  try {
    const combos = await bookingCombos(service.baseUrl, handle);
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;

    // warm-up: JIT, pool, prepared plans
    const slotRequest = (): LoadRequest => {
      const c = pick(combos);
      return { method: 'GET', path: `/v1/slots?serviceId=${c.serviceId}&postcode=${c.postcode}` };
    };
    await runLoad({
      baseUrl: service.baseUrl,
      connections: 2,
      seconds: 2,
      expected: (s) => s === 200,
      next: slotRequest,
    });
    for (const connections of args.routes.includes('slots') ? args.connections : []) {
      const before = cpuTicks();
      const serviceBefore = processTreeCpuMs(service.process.pid!);
      const clientBefore = process.cpuUsage();
      const slots = await runLoad({
        baseUrl: service.baseUrl,
        connections,
        seconds: args.seconds,
        expected: (s) => s === 200,
        next: slotRequest,
      });
      const steal = stealPercent(before);
      const serviceCpu = (processTreeCpuMs(service.process.pid!) - serviceBefore) / slots.requests;
      const clientCpu = process.cpuUsage(clientBefore);
      const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000 / slots.requests;
      runs.push(
        toRun(name, 'slots', connections, slots, steal, {
          service_cpu_ms: round(serviceCpu, 3),
          client_cpu_ms: round(clientCpuMs, 3),
        }),
      );
      log(
        `  slots,    ${connections} client(s): ${slots.requests} requests, ${slots.rps.toFixed(1)} req/s, p50 ${slots.p50_ms.toFixed(1)} ms, p95 ${slots.p95_ms.toFixed(1)} ms, p99 ${slots.p99_ms.toFixed(1)} ms, errors ${slots.errors}, CPU per request: service ${serviceCpu.toFixed(3)} ms, load generator ${clientCpuMs.toFixed(3)} ms (visits loaded: ${visits}; CPU stolen ${steal.toFixed(0)} %)`,
      );
    }

    // Every booking made is cancelled before the client's next one (untimed), so the company keeps
    // its free windows through the runs instead of filling up and answering cheap 422s.
    const raw = new RawHttpClient(service.baseUrl);
    const sendBooking =
      args.httpClient === 'raw'
        ? (request: LoadRequest) => raw.send(request)
        : (request: LoadRequest) => send(service.baseUrl, request);
    const traffic = bookingTraffic(service.baseUrl, combos, {
      cancelEach: true,
      asCustomers: !args.unguarded,
      send: sendBooking,
    });
    if (args.routes.includes('bookings') && args.warmupBookings > 0) {
      // Two clients until the count is reached, as the timed runs book (cancellations and slot reads too).
      const started = performance.now();
      let sent = 0;
      const client = async () => {
        while (sent < args.warmupBookings) {
          sent++;
          const request = await traffic.next();
          const { status, body } = await sendBooking(request);
          if (status === 'network') throw new Error('booking warm-up: no answer from the service');
          traffic.onResponse(request, status, body);
        }
      };
      await Promise.all([client(), client()]);
      log(
        `  booking warm-up: ${sent} bookings untimed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    for (const connections of args.routes.includes('bookings') ? args.connections : []) {
      // Without autovacuum, the plans each connection cached in the first seconds of the warm-up
      // (web_bookings empty) stayed sequential scans of a table growing by a row a booking, and the
      // technician-days' change marks piled up dead row versions: a state no database in service is in.
      if (args.vacuum === 'runs') await vacuumAnalyze(handle, schema);
      const before = cpuTicks();
      const serviceBefore = processTreeCpuMs(service.process.pid!);
      const clientBefore = process.cpuUsage();
      const pgBefore = await backendCpu(handle.db);
      const pathsBefore = await bookingPaths(metricsUrl);
      const untimedBefore = { ...traffic.untimedSent };
      // Each request's latency by its answer: from the moment it is handed to the load generator (its
      // untimed requests done) to its answer, as runLoad times it.
      const sentAt = new Map<LoadRequest, number>();
      const byStatus = new Map<string, number[]>();
      const bookings = await runLoad({
        baseUrl: service.baseUrl,
        send: sendBooking,
        connections,
        seconds: args.seconds,
        // 409 = the window was taken meanwhile, 422 = no window left in that combo: both correct answers.
        expected: (s) => s === 201 || s === 409 || s === 422,
        next: async () => {
          const request = await traffic.next();
          sentAt.set(request, performance.now());
          return request;
        },
        onResponse: (request, status, body) => {
          const at = sentAt.get(request);
          sentAt.delete(request);
          if (at !== undefined) {
            const list = byStatus.get(String(status)) ?? [];
            list.push(performance.now() - at);
            byStatus.set(String(status), list);
          }
          traffic.onResponse(request, status, body);
        },
      });
      const pathsAfter = await bookingPaths(metricsUrl);
      const counted = (prefix: string, per = 1) =>
        Object.fromEntries(
          [...pathsAfter]
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, n]) => [key.slice(prefix.length), round((n - (pathsBefore.get(key) ?? 0)) / per, 3)]),
        );
      const paths = counted('path:');
      const slotCachePerBooking = counted('cache:', bookings.requests);
      const busy = cpuTicks();
      const byStatusSummary = Object.fromEntries(
        [...byStatus].map(([status, list]) => {
          const s = summarise(list);
          return [status, { requests: list.length, p50_ms: round(s.p50), p95_ms: round(s.p95) }];
        }),
      );
      const untimed = Object.fromEntries(
        Object.entries(traffic.untimedSent).map(([kind, n]) => [
          kind,
          round((n - untimedBefore[kind as keyof typeof untimedBefore]) / bookings.requests, 3),
        ]),
      );
      const steal = stealPercent(before);
      const hostBusy =
        busy.total > before.total ? (100 * (busy.busy - before.busy)) / (busy.total - before.total) : 0;
      // Per booking, with what it brings along untimed (its challenge, the previous one's cancellation,
      // a slot read when the client's windows went stale): the service's CPU, PostgreSQL's not included.
      const serviceCpu = (processTreeCpuMs(service.process.pid!) - serviceBefore) / bookings.requests;
      const clientUsage = process.cpuUsage(clientBefore);
      const clientCpu = (clientUsage.user + clientUsage.system) / 1000 / bookings.requests;
      const pgCpu = backendCpuSince(pgBefore, await backendCpu(handle.db)) / bookings.requests;
      const load = loadavg()[0]!;
      runs.push(
        toRun(name, 'bookings', connections, bookings, steal, {
          conflicts: bookings.statuses['409'] ?? 0,
          service_cpu_ms: round(serviceCpu, 3),
          postgres_cpu_ms: round(pgCpu, 3),
          client_cpu_ms: round(clientCpu, 3),
          load_1min: round(load, 2),
          by_status: byStatusSummary,
          untimed_per_booking: untimed,
          paths,
          slot_cache_per_booking: slotCachePerBooking,
          host_busy_pct: round(hostBusy, 1),
        }),
      );
      log(
        `  bookings, ${connections} client(s): ${bookings.requests} requests (${bookings.statuses['201'] ?? 0} booked, ${bookings.statuses['409'] ?? 0} window taken), ${bookings.rps.toFixed(1)} req/s, p50 ${bookings.p50_ms.toFixed(1)} ms, p95 ${bookings.p95_ms.toFixed(1)} ms, p99 ${bookings.p99_ms.toFixed(1)} ms, errors ${bookings.errors}, CPU per booking (with its challenge and a cancellation): service ${serviceCpu.toFixed(2)} ms, its PostgreSQL backends ${pgCpu.toFixed(2)} ms, load generator ${clientCpu.toFixed(2)} ms (CPU stolen ${steal.toFixed(0)} %, load ${load.toFixed(1)})`,
      );
      log(
        `    by answer: ${Object.entries(byStatusSummary)
          .map(([status, s]) => `${status} × ${s.requests} p50 ${s.p50_ms} ms, p95 ${s.p95_ms} ms`)
          .join('; ')}; written: ${Object.entries(paths)
          .map(([path, n]) => `${path} ${n}`)
          .join(', ')}; host busy ${hostBusy.toFixed(0)} %; slot reads' memory per booking: ${Object.entries(
          slotCachePerBooking,
        )
          .map(([event, n]) => `${event} ${n}`)
          .join(', ')}; untimed per booking: ${Object.entries(untimed)
          .map(([kind, n]) => `${kind} ${n}`)
          .join(', ')}`,
      );
    }
    const overlaps = await countOverlaps(handle);
    doubleBookings += overlaps;
    log(`  double bookings in the table: ${overlaps}`);
    raw.close();
  } finally {
    await service.stop();
    await handle.close();
  }
}

const setup = { guards: !args.unguarded, outbox_worker: args['outbox-worker'] };
if (args.json) console.log(JSON.stringify({ setup, runs, double_bookings: doubleBookings }));
else console.log(`\ndouble bookings: ${doubleBookings}`);
process.exit(0);
