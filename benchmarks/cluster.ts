/**
 * npm run bench:cluster [-- --json] [--seconds 8] [--clients 8]
 *
 * The deployment shape of deploy/: Debian's HAProxy with active /ready checks in front of 1, 2 and 3
 * service instances on one PostgreSQL (the S company). Mixed traffic (9 slot reads for 1 booking)
 * through the balancer at each size; then, with 3 instances, one is killed with SIGKILL mid-run
 * (clients retry bookings with their Idempotency-Key) and all three are restarted one after the other
 * (SIGTERM, drain, start) while clients do not retry at all. Prints req/s and p99 per size, the CPU
 * time per request (the whole machine's, and the service instances' own: on a shared host only the
 * latter says whether the cost per request stays flat), the double bookings and failed requests, and
 * the host's load and CPU steal.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startCluster } from './lib/cluster.js';
import { bookingIntegrity, mixedTraffic, type Combo } from './lib/cluster-traffic.js';
import { cpuTicks, processCpuMs, stealPercent } from './lib/machine.js';
import { DEFAULT_DATABASE_URL, loadScenario } from './lib/service.js';
import { round } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    seconds: z.coerce.number().positive().default(8),
    clients: z.coerce.number().int().positive().default(8),
  })
  .parse(
    parseArgs({
      options: { json: { type: 'boolean' }, seconds: { type: 'string' }, clients: { type: 'string' } },
    }).values,
  );
const log = (line: string) => {
  if (!args.json) console.log(line);
};
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const ENV = {
  TOURNEE_POW_DIFFICULTY: '0',
  TOURNEE_RATE_LIMIT: '100000000',
  TOURNEE_DB_POOL_SIZE: '8',
  LOG_LEVEL: 'error',
};

log('loading the S company into PostgreSQL (schema bench_cluster)…');
const { handle } = await loadScenario(url, 'S', 'bench_cluster');
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

/** Whole-machine CPU time per request, in ms (both cores; the balancer and the load generator included). */
function cpuMsPerRequest(before: ReturnType<typeof cpuTicks>, requests: number): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  return requests ? ((cpuTicks().busy - before.busy) * 1000) / ticksPerSecond / requests : NaN;
}

/** CPU time (ms) the cluster's service instances have used so far. */
function servicesCpuMs(cluster: { instances: ({ process: { pid?: number } } | null)[] }): number {
  return cluster.instances.reduce((sum, i) => sum + (i?.process.pid ? processCpuMs(i.process.pid) : 0), 0);
}

const instances: {
  n: number;
  rps: number;
  p99_ms: number;
  cpu_ms_per_request: number;
  service_cpu_ms_per_request: number;
  load_1m: number;
  cpu_steal_pct: number;
}[] = [];
for (const n of [1, 2, 3]) {
  const cluster = await startCluster({ databaseUrl: url, schema: 'bench_cluster', instances: n, env: ENV });
  try {
    await mixedTraffic({
      baseUrl: cluster.baseUrl,
      combos,
      clients: 2,
      seconds: 2,
      retries: 0,
      bookEvery: 10,
      tag: 'warmup',
    });
    const before = cpuTicks();
    const servicesBefore = servicesCpuMs(cluster);
    const r = await mixedTraffic({
      baseUrl: cluster.baseUrl,
      combos,
      clients: args.clients,
      seconds: args.seconds,
      retries: 0,
      bookEvery: 10,
      tag: `scale-${n}`,
    });
    const steal = stealPercent(before);
    const cpu = cpuMsPerRequest(before, r.requests);
    const serviceCpu = r.requests ? (servicesCpuMs(cluster) - servicesBefore) / r.requests : NaN;
    const load = loadavg()[0]!;
    instances.push({
      n,
      rps: round(r.rps, 1),
      p99_ms: round(r.p99_ms),
      cpu_ms_per_request: round(cpu),
      service_cpu_ms_per_request: round(serviceCpu),
      load_1m: round(load, 2),
      cpu_steal_pct: round(steal, 1),
    });
    log(
      `  ${n} instance(s): ${r.requests} requests, ${r.rps.toFixed(1)} req/s, p50 ${r.p50_ms.toFixed(1)} ms, p99 ${r.p99_ms.toFixed(1)} ms, failed ${r.failed}, CPU per request: machine ${cpu.toFixed(2)} ms, service instances ${serviceCpu.toFixed(2)} ms (host load ${load.toFixed(1)}, CPU stolen ${steal.toFixed(0)} %)`,
    );
  } finally {
    await cluster.stop();
  }
}

const cluster = await startCluster({ databaseUrl: url, schema: 'bench_cluster', instances: 3, env: ENV });
let kill: { double_bookings: number; booked_twice: number; failed_after_retry: number; booked: number };
let rolling: { failed_requests: number; requests: number };
try {
  const traffic = mixedTraffic({
    baseUrl: cluster.baseUrl,
    combos,
    clients: args.clients,
    seconds: args.seconds,
    retries: 4,
    bookEvery: 10,
    tag: 'kill',
  });
  await new Promise((r) => setTimeout(r, (args.seconds * 1000) / 3));
  await cluster.kill(1);
  const killed = await traffic;
  const integrity = await bookingIntegrity(handle, 'kill');
  kill = { ...integrity, failed_after_retry: killed.failed, booked: killed.booked.length };
  log(
    `  SIGKILL of one of 3 instances mid-run: ${killed.requests} requests, ${killed.booked.length} booked (bookings answered ${JSON.stringify(killed.bookingStatuses)}), failed after retries ${killed.failed} ${JSON.stringify(killed.failures)}, double bookings ${integrity.double_bookings}, keys booked twice ${integrity.booked_twice}`,
  );

  await cluster.start(1);
  let restarting = true;
  const restarts = (async () => {
    for (let i = 0; i < 3; i++) await cluster.restart(i);
    restarting = false;
  })();
  const during: Awaited<ReturnType<typeof mixedTraffic>>[] = [];
  while (restarting)
    during.push(
      await mixedTraffic({
        baseUrl: cluster.baseUrl,
        combos,
        clients: args.clients,
        seconds: 1,
        retries: 0,
        bookEvery: 10,
        tag: 'rolling',
      }),
    );
  await restarts;
  rolling = {
    failed_requests: during.reduce((a, r) => a + r.failed, 0),
    requests: during.reduce((a, r) => a + r.requests, 0),
  };
  const failures = during.reduce<Record<string, number>>((a, r) => {
    for (const [k, v] of Object.entries(r.failures)) a[k] = (a[k] ?? 0) + v;
    return a;
  }, {});
  log(
    `  rolling restart of 3 instances (SIGTERM, drain, start): ${rolling.requests} requests, failed ${rolling.failed_requests} ${JSON.stringify(failures)}, clients never retry`,
  );
} finally {
  await cluster.stop();
  await handle.close();
}

if (args.json) console.log(JSON.stringify({ instances, kill, rolling_restart: rolling }));
