/**
 * npm run bench:load [-- --json] [--seconds 20] [--rate 300] [--connections 16]
 *
 * The S company on PostgreSQL, the service as its own process. Two runs:
 *  1. slots at a fixed open-loop rate (default 300 req/s): can the service
 *     hold it, with what p99;
 *  2. sustained mixed traffic from closed-loop clients — 70 % slot requests,
 *     20 % calendar feeds (technician and team), 10 % bookings — for a fixed
 *     time: throughput, latency percentiles per route, errors.
 * Memory: the service process's resident set, sampled every 200 ms. Per phase: the service's CPU per
 * request (steadier than latency on a shared machine), the host's load average, and what the slot
 * read cache did (its counters on the service's metrics port: whole answers and make-room searches
 * served from memory or computed, technician-days forgotten).
 */
import { newSecret, sha256Hex } from '../src/domain/secrets.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runLoad, runRate, type LoadRequest, type LoadResult } from './lib/load.js';
import { cpuTicks, processTreeCpuMs, stealPercent } from './lib/machine.js';
import { DEFAULT_DATABASE_URL, freePort, loadScenario, startService } from './lib/service.js';
import { round, summarise } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    seconds: z.coerce.number().positive().default(20),
    rate: z.coerce.number().positive().default(300),
    connections: z.coerce.number().int().positive().default(16),
  })
  .parse(
    parseArgs({
      options: {
        json: { type: 'boolean' },
        seconds: { type: 'string' },
        rate: { type: 'string' },
        connections: { type: 'string' },
      },
    }).values,
  );

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const log = (line: string) => {
  if (!args.json) console.log(line);
};

function residentMegabytes(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const { schema, handle } = await loadScenario(url, 'S');
const metricsPort = await freePort();
const service = await startService({
  DATABASE_URL: url,
  TOURNEE_DB_SCHEMA: schema,
  TOURNEE_POW_DIFFICULTY: '0',
  TOURNEE_RATE_LIMIT: '100000000',
  TOURNEE_DB_POOL_SIZE: '20',
  TOURNEE_METRICS_PORT: String(metricsPort),
});

/** The slot read cache's counters (tournee_slot_cache_total by event) and make-room's searched days. */
async function cacheCounters(): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const counters: Record<string, number> = {};
  for (const m of text.matchAll(/^tournee_slot_cache_total\{event="(\w+)"\} (\S+)$/gm))
    counters[m[1]!] = Number(m[2]);
  for (const m of text.matchAll(/^tournee_make_room_days_total\{outcome="(\w+)"\} (\S+)$/gm))
    counters.room_days_searched = (counters.room_days_searched ?? 0) + Number(m[2]);
  return counters;
}

/** What one phase cost: the service's CPU per request, the host's load, the cache's counters. */
async function phaseStart() {
  return { cpu: processTreeCpuMs(service.process.pid!), counters: await cacheCounters() };
}
async function phaseCost(start: Awaited<ReturnType<typeof phaseStart>>, requests: number) {
  const counters = await cacheCounters();
  const delta = Object.fromEntries(
    Object.entries(counters).map(([k, v]) => [k, round(v - (start.counters[k] ?? 0), 0)]),
  );
  const hits = delta.answer_hit ?? 0;
  const misses = delta.answer_miss ?? 0;
  return {
    service_cpu_ms_per_request: round((processTreeCpuMs(service.process.pid!) - start.cpu) / requests, 3),
    load_1m: round(loadavg()[0]!, 2),
    answers_from_memory_pct: hits + misses > 0 ? round((100 * hits) / (hits + misses), 1) : 0,
    cache: delta,
  };
}
const describeCost = (c: Awaited<ReturnType<typeof phaseCost>>) =>
  `service CPU ${c.service_cpu_ms_per_request} ms/request, host load ${c.load_1m}, answers from memory ${c.answers_from_memory_pct} %, cache ${JSON.stringify(c.cache)}`;
const memory: number[] = [];
const sampler = setInterval(() => memory.push(residentMegabytes(service.process.pid!)), 200);
try {
  const base = service.baseUrl;
  const services = ((await (await fetch(`${base}/v1/services`)).json()) as { services: { id: string }[] })
    .services;
  const postcodes = (
    await handle.db.selectFrom('zone_postcodes').select('postcode').distinct().execute()
  ).map((r) => r.postcode);
  // Feed tokens are stored hashed: give every feed a token this run knows, as an admin rotating them would.
  const feeds: string[] = [];
  for (const { id } of await handle.db.selectFrom('technicians').select('id').execute()) {
    const token = newSecret('feed');
    await handle.db
      .updateTable('technicians')
      .set({ feed_token_hash: sha256Hex(token) })
      .where('id', '=', id)
      .execute();
    feeds.push(`/v1/feeds/technicians/${token}.ics`);
  }
  const team = newSecret('feed');
  await handle.db
    .updateTable('company_settings')
    .set({ team_feed_token_hash: sha256Hex(team) })
    .execute();
  feeds.push(`/v1/feeds/team/${team}.ics`);
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const slotRequest = (): LoadRequest => ({
    method: 'GET',
    path: `/v1/slots?serviceId=${pick(services).id}&postcode=${pick(postcodes)}`,
  });

  await runLoad({ baseUrl: base, connections: 4, seconds: 3, expected: (s) => s === 200, next: slotRequest });
  const baseline = memory.at(-1) ?? NaN;

  const stealBefore = cpuTicks();
  const fixedStart = await phaseStart();
  const fixed = await runRate({
    baseUrl: base,
    rate: args.rate,
    seconds: args.seconds,
    expected: (s) => s === 200,
    next: slotRequest,
  });
  const fixedSteal = stealPercent(stealBefore);
  const fixedCost = await phaseCost(fixedStart, fixed.requests);
  log(
    `slots at ${args.rate} req/s for ${args.seconds} s: achieved ${fixed.rps.toFixed(1)} req/s, p50 ${fixed.p50_ms.toFixed(1)} ms, p95 ${fixed.p95_ms.toFixed(1)} ms, p99 ${fixed.p99_ms.toFixed(1)} ms, max ${fixed.max_ms.toFixed(0)} ms, errors ${fixed.errors} (CPU stolen by the host: ${fixedSteal.toFixed(0)} %)`,
  );
  log(`  ${describeCost(fixedCost)}`);

  // Mixed traffic: record per-route latencies through the request path.
  const perRoute: Record<string, number[]> = { slots: [], feeds: [], bookings: [] };
  const windowsFor = new Map<string, { start: string; end: string }[]>();
  const routeOf = (path: string) =>
    path.startsWith('/v1/slots') ? 'slots' : path.startsWith('/v1/feeds') ? 'feeds' : 'bookings';
  const mixedNext = async (): Promise<LoadRequest> => {
    const r = rand();
    if (r < 0.7) return slotRequest();
    if (r < 0.9) return { method: 'GET', path: pick(feeds) };
    const serviceId = pick(services).id;
    const postcode = pick(postcodes);
    const key = `${serviceId}:${postcode}`;
    let windows = windowsFor.get(key);
    if (!windows) {
      const body = (await (
        await fetch(`${base}/v1/slots?serviceId=${serviceId}&postcode=${postcode}`)
      ).json()) as { days?: { windows: { start: string; end: string }[] }[] };
      windows = (body.days ?? []).flatMap((d) => d.windows);
      windowsFor.set(key, windows);
    }
    return {
      method: 'POST',
      path: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID() },
      body: {
        serviceId,
        window: windows.length
          ? pick(windows)
          : { start: '2000-01-03T08:00:00+01:00', end: '2000-01-03T10:00:00+01:00' },
        customer: { name: 'Client Charge', phone: '06 12 34 56 78' },
        address: { line: '2 rue du Test', postcode, city: 'Lyon' },
        consent: true,
      },
    };
  };
  const started = new Map<LoadRequest, number>();
  const mixedStealBefore = cpuTicks();
  const mixedStart = await phaseStart();
  const mixed: LoadResult = await runLoad({
    baseUrl: base,
    connections: args.connections,
    seconds: args.seconds,
    expected: (s) => s === 200 || s === 201 || s === 409 || s === 422,
    next: async () => {
      const request = await mixedNext();
      started.set(request, performance.now());
      return request;
    },
    onResponse: (request, status) => {
      const t0 = started.get(request);
      started.delete(request);
      if (t0 !== undefined) perRoute[routeOf(request.path)]!.push(performance.now() - t0);
      if (status === 409) windowsFor.clear();
    },
  });
  const routes = Object.fromEntries(
    Object.entries(perRoute).map(([name, samples]) => {
      const s = summarise(samples);
      return [
        name,
        { requests: samples.length, p50_ms: round(s.p50), p95_ms: round(s.p95), p99_ms: round(s.p99) },
      ];
    }),
  );
  const mixedSteal = stealPercent(mixedStealBefore);
  const mixedCost = await phaseCost(mixedStart, mixed.requests);
  const mem = {
    baseline_mb: round(baseline, 1),
    peak_mb: round(Math.max(...memory.filter(Number.isFinite)), 1),
    end_mb: round(memory.at(-1) ?? NaN, 1),
  };
  log(
    `mixed traffic, ${args.connections} clients for ${args.seconds} s: ${mixed.requests} requests, ${mixed.rps.toFixed(1)} req/s, errors ${mixed.errors}, statuses ${JSON.stringify(mixed.statuses)} (CPU stolen: ${mixedSteal.toFixed(0)} %)`,
  );
  for (const [name, r] of Object.entries(routes))
    log(
      `  ${name.padEnd(8)}: ${r.requests} requests, p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms, p99 ${r.p99_ms} ms`,
    );
  log(`  ${describeCost(mixedCost)}`);
  log(
    `memory (RSS of the service): ${mem.baseline_mb} MB after warm-up, peak ${mem.peak_mb} MB, end ${mem.end_mb} MB`,
  );
  if (args.json) {
    console.log(
      JSON.stringify({
        fixed_rate_slots: {
          target_rps: args.rate,
          rps: round(fixed.rps, 1),
          requests: fixed.requests,
          p50_ms: round(fixed.p50_ms),
          p95_ms: round(fixed.p95_ms),
          p99_ms: round(fixed.p99_ms),
          errors: fixed.errors,
          cpu_steal_pct: round(fixedSteal, 1),
          ...fixedCost,
        },
        mixed: {
          seconds: round(mixed.seconds, 1),
          requests: mixed.requests,
          rps: round(mixed.rps, 1),
          errors: mixed.errors,
          statuses: mixed.statuses,
          routes,
          cpu_steal_pct: round(mixedSteal, 1),
          ...mixedCost,
        },
        memory: mem,
      }),
    );
  }
} finally {
  clearInterval(sampler);
  await service.stop();
  await handle.close();
}
process.exit(0);
