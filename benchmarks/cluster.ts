/**
 * npm run bench:cluster [-- --json] [--seconds 60] [--clients 8] [--warmup 600] [--kill-bookings 50]
 *   [--idle-seconds 10] [--sizes 1,2,3]
 *
 * The deployment shape of deploy/: Debian's HAProxy with active /ready checks in front of 1, 2 and 3
 * service instances on one PostgreSQL (the S company), mixed traffic through the balancer (9 slot
 * reads for 1 booking, each booking after cancelling the client's previous one).
 *
 * Fair sizes: before timing, every instance is warmed alike (`--warmup` requests sent to it
 * directly, then a few seconds through the balancer), so no size pays for compiling code and
 * filling caches that another size had already paid for. A timed phase lasts a whole minute by
 * default: slot answers are kept within their minute, so each phase holds one minute change.
 * The cost per request is CPU time by process, not the machine's (on a shared host that counts the
 * neighbours): the instances, their PostgreSQL backends, the balancer and the load generator. Each
 * size also measures the cluster idle (`--idle-seconds`, no traffic): health checks and timers cost
 * per instance and per second, so at a few requests a second they weigh per request in proportion
 * to the instances; the cost less that idle share is what the requests themselves cost.
 *
 * Then, on the 3 warm instances: one is killed with SIGKILL once `--kill-bookings`/2 bookings are
 * made, and the traffic (half bookings, clients retrying with their Idempotency-Key) goes on until
 * `--kill-bookings` more are made after the kill; and all three are restarted one after the other
 * (SIGTERM, drain, start) under traffic whose clients never retry.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BackendCpu } from './lib/backend-cpu.js';
import { startCluster, type Cluster } from './lib/cluster.js';
import {
  bookingIntegrity,
  missingBookings,
  mixedTraffic,
  type Combo,
  type TrafficResult,
} from './lib/cluster-traffic.js';
import { cpuTicks, processCpuMs, stealPercent } from './lib/machine.js';
import { DEFAULT_DATABASE_URL, loadScenario } from './lib/service.js';
import { round } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    seconds: z.coerce.number().positive().default(60),
    clients: z.coerce.number().int().positive().default(8),
    warmup: z.coerce.number().int().nonnegative().default(600),
    killBookings: z.coerce.number().int().positive().default(50),
    idleSeconds: z.coerce.number().positive().default(10),
    sizes: z
      .string()
      .default('1,2,3')
      .transform((s) => s.split(',').map(Number))
      .pipe(z.array(z.number().int().min(1).max(8))),
  })
  .parse(
    (({ 'kill-bookings': killBookings, 'idle-seconds': idleSeconds, ...rest }) => ({
      ...rest,
      killBookings,
      idleSeconds,
    }))(
      parseArgs({
        options: {
          json: { type: 'boolean' },
          seconds: { type: 'string' },
          clients: { type: 'string' },
          warmup: { type: 'string' },
          'kill-bookings': { type: 'string' },
          'idle-seconds': { type: 'string' },
          sizes: { type: 'string' },
        },
      }).values,
    ),
  );
const killBookings = args.killBookings;
const log = (line: string) => {
  if (!args.json) console.log(line);
};
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const SCHEMA = 'bench_cluster';
const ENV = {
  TOURNEE_POW_DIFFICULTY: '0',
  TOURNEE_RATE_LIMIT: '100000000',
  TOURNEE_DB_POOL_SIZE: '8',
  LOG_LEVEL: 'error',
};
const BOOK_EVERY = 10;

log(`loading the S company into PostgreSQL (schema ${SCHEMA})…`);
const { handle } = await loadScenario(url, 'S', SCHEMA);
const combos: Combo[] = [];
for (const service of await handle.db
  .selectFrom('services')
  .select('id')
  .where('active', '=', true)
  .execute())
  for (const { postcode } of await handle.db
    .selectFrom('zone_postcodes')
    .select('postcode')
    .distinct()
    .execute())
    combos.push({ serviceId: service.id, postcode });
const loadAtStart = loadavg()[0]!;

/** CPU time (ms) the cluster's live service instances have used so far, by instance. */
function servicesCpuMs(cluster: Cluster): number[] {
  return cluster.instances.map((i) => (i?.process.pid ? processCpuMs(i.process.pid) : 0));
}

/** The slot read cache's events (tournee_slot_cache_total) summed over the live instances, from their metrics. */
async function slotCacheEvents(cluster: Cluster): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < cluster.instances.length; i++) {
    const text = await cluster.metrics(i).catch(() => '');
    for (const m of text.matchAll(/^tournee_slot_cache_total\{event="(\w+)"\} (\d+)/gm))
      counts[m[1]!] = (counts[m[1]!] ?? 0) + Number(m[2]);
  }
  return counts;
}

/** CPU per request of each part of the cluster over one traffic phase. */
async function measured(cluster: Cluster, run: () => Promise<TrafficResult>) {
  const backends = new BackendCpu(handle, cluster.applicationName);
  const eventsBefore = await slotCacheEvents(cluster);
  const machineBefore = cpuTicks();
  const servicesBefore = servicesCpuMs(cluster);
  const balancerBefore = cluster.balancerPid ? processCpuMs(cluster.balancerPid) : 0;
  const generatorBefore = process.cpuUsage();
  await backends.start();
  const r = await run();
  const databaseMs = await backends.stop();
  const generator = process.cpuUsage(generatorBefore);
  const servicesMs = servicesCpuMs(cluster).reduce((a, ms, i) => a + ms - servicesBefore[i]!, 0);
  const balancerMs = cluster.balancerPid ? processCpuMs(cluster.balancerPid) - balancerBefore : NaN;
  const machineMs = ((cpuTicks().busy - machineBefore.busy) * 1000) / 100; // USER_HZ ticks
  const eventsAfter = await slotCacheEvents(cluster);
  const events = (name: string) => (eventsAfter[name] ?? 0) - (eventsBefore[name] ?? 0);
  const hits = events('answer_hit');
  const misses = events('answer_miss');
  const per = (ms: number) => (r.requests ? ms / r.requests : NaN);
  return {
    r,
    steal: stealPercent(machineBefore),
    service: per(servicesMs),
    database: per(databaseMs),
    balancer: per(balancerMs),
    generator: per((generator.user + generator.system) / 1000),
    machine: per(machineMs),
    answersFromMemory: hits + misses ? (100 * hits) / (hits + misses) : NaN,
    // What the instances asked PostgreSQL for their slot answers, per request of the phase.
    perRequest: {
      freshness_questions: round(per(events('probe')), 3),
      route_days_read: round(per(events('read')), 3),
      slot_answers_computed: round(per(misses), 3),
      make_room_searches: round(per(events('room_miss')), 3),
    },
  };
}

/**
 * CPU per second the cluster spends with no traffic at all (health checks, timers, pools): a cost per
 * instance and per second, not per request, which weighs per request only when requests are few.
 */
async function idleCpuMsPerSecond(cluster: Cluster, seconds: number): Promise<number> {
  const backends = new BackendCpu(handle, cluster.applicationName);
  const servicesBefore = servicesCpuMs(cluster);
  const balancerBefore = cluster.balancerPid ? processCpuMs(cluster.balancerPid) : 0;
  const started = performance.now();
  await backends.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const databaseMs = await backends.stop();
  const servicesMs = servicesCpuMs(cluster).reduce((a, ms, i) => a + ms - servicesBefore[i]!, 0);
  const balancerMs = cluster.balancerPid ? processCpuMs(cluster.balancerPid) - balancerBefore : 0;
  return ((servicesMs + databaseMs + balancerMs) * 1000) / (performance.now() - started);
}

const instances: Record<string, unknown>[] = [];
let kept: Cluster | undefined;
try {
  for (const n of args.sizes) {
    const cluster = await startCluster({ databaseUrl: url, schema: SCHEMA, instances: n, env: ENV });
    try {
      // Warm-up, discarded: the same requests sent to every instance directly, then through the balancer.
      for (let i = 0; i < n; i++)
        await mixedTraffic({
          baseUrl: cluster.instances[i]!.baseUrl,
          combos,
          clients: args.clients,
          seconds: 600,
          until: (p) => p.requests >= args.warmup,
          retries: 0,
          bookEvery: BOOK_EVERY,
          tag: 'warmup',
          seed: 100 + i,
        });
      await mixedTraffic({
        baseUrl: cluster.baseUrl,
        combos,
        clients: args.clients,
        seconds: 3,
        retries: 0,
        bookEvery: BOOK_EVERY,
        tag: 'warmup',
        seed: 99,
      });
      const idle = await idleCpuMsPerSecond(cluster, args.idleSeconds);
      const m = await measured(cluster, () =>
        mixedTraffic({
          baseUrl: cluster.baseUrl,
          combos,
          clients: args.clients,
          seconds: args.seconds,
          retries: 0,
          bookEvery: BOOK_EVERY,
          tag: `scale-${n}`,
        }),
      );
      const load = loadavg()[0]!;
      const clusterCpu = m.service + m.database + m.balancer;
      // What the requests themselves cost: the cluster's CPU less what it spends idle over as long.
      const marginal = clusterCpu - (idle * m.r.seconds) / m.r.requests;
      instances.push({
        n,
        rps: round(m.r.rps, 1),
        p99_ms: round(m.r.p99_ms),
        p50_ms: round(m.r.p50_ms),
        requests: m.r.requests,
        failed: m.r.failed,
        cpu_ms_per_request: {
          cluster: round(clusterCpu, 3),
          cluster_less_idle: round(marginal, 3),
          service_instances: round(m.service, 3),
          database_backends: round(m.database, 3),
          balancer: round(m.balancer, 3),
          load_generator: round(m.generator, 3),
          machine: round(m.machine, 3),
        },
        idle_cluster_cpu_ms_per_s: round(idle, 1),
        slot_answers_from_memory_pct: round(m.answersFromMemory, 1),
        per_request: m.perRequest,
        served_by: m.r.servedBy,
        load_1m: round(load, 2),
        cpu_steal_pct: round(m.steal, 1),
      });
      log(
        `  ${n} instance(s): ${m.r.requests} requests in ${m.r.seconds.toFixed(0)} s, ${m.r.rps.toFixed(1)} req/s, p50 ${m.r.p50_ms.toFixed(1)} ms, p99 ${m.r.p99_ms.toFixed(1)} ms, failed ${m.r.failed}; ` +
          `CPU per request ${clusterCpu.toFixed(3)} ms, ${marginal.toFixed(3)} ms less the idle cluster's ${idle.toFixed(1)} ms per second (instances ${m.service.toFixed(3)}, their PostgreSQL backends ${m.database.toFixed(3)}, balancer ${m.balancer.toFixed(3)}; load generator ${m.generator.toFixed(3)}, whole machine ${m.machine.toFixed(3)}); ` +
          `slot answers from memory ${m.answersFromMemory.toFixed(0)} %, per request ${JSON.stringify(m.perRequest)}; served by ${JSON.stringify(m.r.servedBy)} (host load ${load.toFixed(1)}, CPU stolen ${m.steal.toFixed(1)} %)`,
      );
    } finally {
      if (n === 3) kept = cluster;
      else await cluster.stop();
    }
  }

  const cluster = (kept ??= await startCluster({ databaseUrl: url, schema: SCHEMA, instances: 3, env: ENV }));
  // SIGKILL of one instance among bookings: half the requests are bookings, clients retry with their key.
  const victim = 1;
  const killAfter = Math.ceil(killBookings / 2);
  const progress = { requests: 0, booked: 0, servedBy: {} };
  let killedAt = Infinity;
  let bookedAtKill = 0;
  const traffic = mixedTraffic({
    baseUrl: cluster.baseUrl,
    combos,
    clients: args.clients,
    seconds: 600,
    until: (p) => p.booked >= bookedAtKill + killBookings && killedAt < Infinity,
    retries: 4,
    bookEvery: 2,
    tag: 'kill',
    seed: 7,
    progress,
  });
  while (progress.booked < killAfter) await new Promise((r) => setTimeout(r, 5));
  bookedAtKill = progress.booked;
  killedAt = performance.now();
  await cluster.kill(victim);
  const killed = await traffic;
  const integrity = await bookingIntegrity(handle, 'kill');
  const missing = await missingBookings(handle, 'kill', killed.booked);
  const victimName = cluster.names[victim]!;
  const inFlight = killed.bookings.filter((b) => b.startedAt <= killedAt && b.endedAt >= killedAt);
  const kill = {
    double_bookings: integrity.double_bookings,
    failed_after_retry: killed.failed,
    booked: killed.booked.length,
    booked_after_kill: killed.bookings.filter((b) => b.status === 201 && b.startedAt > killedAt).length,
    bookings_in_flight_at_kill: inFlight.length,
    bookings_retried_by_client: killed.bookings.filter((b) => b.tries > 1).length,
    booked_twice: integrity.booked_twice,
    acknowledged_but_missing: missing,
    killed_instance_answered: killed.servedBy[victimName] ?? 0,
    answered_by_killed_after_kill: killed.bookings.filter(
      (b) => b.startedAt > killedAt && b.servedBy.includes(victimName),
    ).length,
    requests: killed.requests,
    booking_statuses: killed.bookingStatuses,
    failure_samples: killed.failureSamples,
  };
  log(
    `  SIGKILL of one of 3 instances after ${bookedAtKill} bookings: ${killed.requests} requests, ${kill.booked} booked (${kill.booked_after_kill} after the kill; bookings answered ${JSON.stringify(killed.bookingStatuses)}), ` +
      `${kill.bookings_in_flight_at_kill} bookings in flight at the kill, ${kill.bookings_retried_by_client} retried by their client; failed after retries ${killed.failed} ${JSON.stringify(killed.failures)}, ` +
      `double bookings ${integrity.double_bookings}, keys booked twice ${integrity.booked_twice}, acknowledged but missing ${missing}; the killed instance had answered ${kill.killed_instance_answered} requests` +
      (killed.failureSamples.length ? `; failed answers: ${JSON.stringify(killed.failureSamples)}` : ''),
  );

  // Rolling restart: one after the other, SIGTERM (drain), start, back in rotation; clients never retry.
  await cluster.start(victim);
  let restarting = true;
  const outBeforeExit: boolean[] = [];
  const restarts = (async () => {
    try {
      for (let i = 0; i < 3; i++) outBeforeExit.push((await cluster.restart(i)).outBeforeExit);
    } finally {
      restarting = false;
    }
  })();
  const during = await mixedTraffic({
    baseUrl: cluster.baseUrl,
    combos,
    clients: args.clients,
    seconds: 600,
    until: () => !restarting,
    retries: 0,
    bookEvery: BOOK_EVERY,
    tag: 'rolling',
    seed: 8,
  });
  await restarts;
  const rolling = {
    failed_requests: during.failed,
    requests: during.requests,
    taken_out_before_exit: outBeforeExit,
    failures: during.failures,
    failure_samples: during.failureSamples,
  };
  log(
    `  rolling restart of 3 instances (SIGTERM, drain, start): ${during.requests} requests, failed ${during.failed} ${JSON.stringify(during.failures)}; ` +
      `the balancer took each out before it exited: ${outBeforeExit.join(', ')}; clients never retry` +
      (during.failureSamples.length ? `; failed answers: ${JSON.stringify(during.failureSamples)}` : ''),
  );
  const loadAtEnd = loadavg()[0]!;
  log(`  host load ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end`);
  if (args.json)
    console.log(
      JSON.stringify({
        instances,
        kill,
        rolling_restart: rolling,
        host: { load_1m_start: round(loadAtStart, 2), load_1m_end: round(loadAtEnd, 2) },
        note: 'one host, 2 cores: instances share them, so req/s cannot grow much with instances; the CPU per request (cluster) is what should stay flat',
      }),
    );
} finally {
  await kept?.stop();
  await handle.close();
}
