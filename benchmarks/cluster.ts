/**
 * npm run bench:cluster [-- --json] [--seconds 20] [--rounds 3] [--clients 8] [--warmup 600]
 *   [--kill-bookings 50] [--idle-seconds 10] [--sizes 1,2,3]
 *
 * The deployment shape of deploy/: Debian's HAProxy with active /ready checks in front of 1, 2 and 3
 * service instances on one PostgreSQL (the S company), mixed traffic through the balancer (9 slot
 * reads for 1 booking, each booking after cancelling the client's previous one).
 *
 * Fair sizes: three instances run throughout, each warmed alike before any timing (`--warmup`
 * requests sent to it directly), so no size pays for compiling code and filling caches that another
 * had already paid for; a size of n is the first n of them, the others put in maintenance in the
 * balancer. The sizes take turns: `--rounds` rounds of one `--seconds` phase per size, so a
 * neighbour's load that comes and goes weighs on every size alike, and the figures of a size sum its
 * phases. The cost per request is CPU time by process, not the machine's (on a shared host that
 * counts the neighbours): the serving instances, the PostgreSQL backends, the balancer (and apart,
 * the load generator). The cluster idle (`--idle-seconds`, no traffic) is measured too: health
 * checks and timers cost per instance and per second, so at a few requests a second they weigh per
 * request in proportion to the instances; the cost less that idle share is what the requests cost.
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
import { cpuTicks, processCpuMs, processTreeCpuMs, stealPercent } from './lib/machine.js';
import { DEFAULT_DATABASE_URL, loadScenario } from './lib/service.js';
import { round, summarise } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    seconds: z.coerce.number().positive().default(20),
    rounds: z.coerce.number().int().positive().default(3),
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
          rounds: { type: 'string' },
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
  return cluster.instances.map((i) => (i?.process.pid ? processTreeCpuMs(i.process.pid) : 0));
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

/** CPU time (ms) of each part of the cluster over one traffic phase, with the first `active` instances serving. */
async function measured(cluster: Cluster, active: number, run: () => Promise<TrafficResult>) {
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
  const servicesMs = servicesCpuMs(cluster)
    .slice(0, active)
    .reduce((a, ms, i) => a + ms - servicesBefore[i]!, 0);
  const balancerMs = cluster.balancerPid ? processCpuMs(cluster.balancerPid) - balancerBefore : NaN;
  const machineMs = ((cpuTicks().busy - machineBefore.busy) * 1000) / 100; // USER_HZ ticks
  const eventsAfter = await slotCacheEvents(cluster);
  const events: Record<string, number> = {};
  for (const name of Object.keys(eventsAfter)) events[name] = eventsAfter[name]! - (eventsBefore[name] ?? 0);
  return {
    r,
    steal: stealPercent(machineBefore),
    serviceMs: servicesMs,
    databaseMs,
    balancerMs,
    generatorMs: (generator.user + generator.system) / 1000,
    machineMs,
    events,
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
  // One cluster of the largest size; a smaller size is its first instances, the others put in
  // maintenance in the balancer. Sizes take turns in short phases (--rounds of --seconds each), so a
  // neighbour's load that comes and goes weighs on every size alike.
  const largest = Math.max(3, ...args.sizes);
  const cluster = await startCluster({ databaseUrl: url, schema: SCHEMA, instances: largest, env: ENV });
  kept = cluster;
  // Warm-up, discarded: the same requests sent to every instance directly.
  for (let i = 0; i < largest; i++)
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
  const idlePerInstance = (await idleCpuMsPerSecond(cluster, args.idleSeconds)) / largest;
  type Phase = Awaited<ReturnType<typeof measured>> & { load: number };
  const phases = new Map<number, Phase[]>(args.sizes.map((n) => [n, []]));
  for (let round = 0; round < args.rounds; round++)
    for (const n of args.sizes) {
      await cluster.serve(n);
      // A few seconds through the balancer first: its connections, and the answers' new homes.
      await mixedTraffic({
        baseUrl: cluster.baseUrl,
        combos,
        clients: args.clients,
        seconds: 2,
        retries: 0,
        bookEvery: BOOK_EVERY,
        tag: 'warmup',
        seed: 99 + round,
      });
      const m = await measured(cluster, n, () =>
        mixedTraffic({
          baseUrl: cluster.baseUrl,
          combos,
          clients: args.clients,
          seconds: args.seconds,
          retries: 0,
          bookEvery: BOOK_EVERY,
          tag: `scale-${n}`,
          seed: 1 + round,
        }),
      );
      phases.get(n)!.push({ ...m, load: loadavg()[0]! });
      log(
        `  round ${round + 1}, ${n} instance(s): ${m.r.requests} requests, ${m.r.rps.toFixed(1)} req/s, cluster CPU ${((m.serviceMs + m.databaseMs + m.balancerMs) / m.r.requests).toFixed(3)} ms per request (host load ${loadavg()[0]!.toFixed(1)})`,
      );
    }
  await cluster.serve(largest);

  for (const n of args.sizes) {
    const ps = phases.get(n)!;
    const sum = (f: (p: Phase) => number) => ps.reduce((a, p) => a + f(p), 0);
    const requests = sum((p) => p.r.requests);
    const seconds = sum((p) => p.r.seconds);
    const per = (ms: number) => (requests ? ms / requests : NaN);
    const service = per(sum((p) => p.serviceMs));
    const database = per(sum((p) => p.databaseMs));
    const balancer = per(sum((p) => p.balancerMs));
    const clusterCpu = service + database + balancer;
    // What the requests themselves cost: less what the serving instances spend idle over as long.
    const marginal = clusterCpu - per(idlePerInstance * n * seconds);
    const event = (name: string) => sum((p) => p.events[name] ?? 0);
    const hits = event('answer_hit');
    const misses = event('answer_miss');
    const latency = summarise(ps.flatMap((p) => p.r.latencies));
    const servedBy: Record<string, number> = {};
    for (const p of ps)
      for (const [k, v] of Object.entries(p.r.servedBy)) servedBy[k] = (servedBy[k] ?? 0) + v;
    const load = sum((p) => p.load) / ps.length;
    const steal = sum((p) => p.steal) / ps.length;
    const perRequest = {
      freshness_questions: round(per(event('probe')), 3),
      route_days_read: round(per(event('read')), 3),
      slot_answers_computed: round(per(misses), 3),
      make_room_searches: round(per(event('room_miss')), 3),
    };
    instances.push({
      n,
      rps: round(requests / seconds, 1),
      p99_ms: round(latency.p99),
      p50_ms: round(latency.p50),
      requests,
      failed: sum((p) => p.r.failed),
      cpu_ms_per_request: {
        cluster: round(clusterCpu, 3),
        cluster_less_idle: round(marginal, 3),
        service_instances: round(service, 3),
        database_backends: round(database, 3),
        balancer: round(balancer, 3),
        load_generator: round(per(sum((p) => p.generatorMs)), 3),
        machine: round(per(sum((p) => p.machineMs)), 3),
      },
      idle_cpu_ms_per_s_per_instance: round(idlePerInstance, 1),
      slot_answers_from_memory_pct: round(hits + misses ? (100 * hits) / (hits + misses) : NaN, 1),
      per_request: perRequest,
      served_by: servedBy,
      load_1m: round(load, 2),
      cpu_steal_pct: round(steal, 1),
    });
    log(
      `  ${n} instance(s), ${ps.length} phases: ${requests} requests in ${seconds.toFixed(0)} s, ${(requests / seconds).toFixed(1)} req/s, p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, failed ${sum((p) => p.r.failed)}; ` +
        `CPU per request ${clusterCpu.toFixed(3)} ms, ${marginal.toFixed(3)} ms less the serving instances' idle ${idlePerInstance.toFixed(1)} ms per second each (instances ${service.toFixed(3)}, their PostgreSQL backends ${database.toFixed(3)}, balancer ${balancer.toFixed(3)}); ` +
        `slot answers from memory ${((100 * hits) / (hits + misses)).toFixed(0)} %, per request ${JSON.stringify(perRequest)}; served by ${JSON.stringify(servedBy)} (host load ${load.toFixed(1)}, CPU stolen ${steal.toFixed(1)} %)`,
    );
  }

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
