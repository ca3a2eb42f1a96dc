/**
 * npm run bench:busy-day-api [-- --json] [--requests 200] [--fullness 0.85] [--seconds 10] [--scenarios S,M] [--book 20] [--parts busy,slots]
 *
 * Make room through the API (issue 15, item 3), the service as its own process on PostgreSQL:
 *
 * 1. Busy day: the S company seeded with every window it can fill, then one weekday next week
 *    booked through POST /v1/bookings (make-room off) until it is at least `--fullness` full
 *    ((service + driving) / working time, over the technicians working that day) or nothing more
 *    fits. `--requests` random (service, postal code) asks for that day, with make-room off and on:
 *    the share with no window before (no ordinary window) and after (none, needsMoves included),
 *    and the /v1/slots latency of those asks both ways. Then up to `--book` of the asks that only
 *    make-room answered are booked as offered (needsMoves): booked / refused, visits moved, and the
 *    rules the day breaks afterwards that it did not break before (checkPlan, must be 0).
 * 2. /v1/slots under bench:api's slot traffic (random pair, 14 days, 1 client, `--seconds`) on the
 *    S and M companies as bench:api loads them, with make-room off (TOURNEE_MAKE_ROOM=false) and on.
 *
 * Every run reports the CPU the host stole meanwhile. Wrap in `flock /work/team/bench.lock`.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { sql } from 'kysely';
import { z } from 'zod';
import { checkPlan } from '../solver/check.js';
import type { Violation } from '../solver/problem.js';
import { currentPlan } from '../solver/slots.js';
import { routeTimeline } from '../solver/timeline.js';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { seedDemoCompany } from '../src/demo/seed.js';
import { buildDayProblem } from '../src/domain/planning/day-problem.js';
import { bookingCombos, type Combo } from './lib/booking-traffic.js';
import { runLoad, send, type LoadRequest } from './lib/load.js';
import { cpuTicks, stealPercent } from './lib/machine.js';
import {
  API_SCENARIOS,
  DEFAULT_DATABASE_URL,
  loadScenario,
  startService,
  type ApiScenarioName,
  type RunningService,
} from './lib/service.js';
import { round, summarise } from './lib/stats.js';

const args = z
  .object({
    json: z.boolean().default(false),
    requests: z.coerce.number().int().positive().default(200),
    fullness: z.coerce.number().min(0).max(1).default(0.85),
    seconds: z.coerce.number().positive().default(10),
    book: z.coerce.number().int().min(0).default(20),
    seed: z.coerce.number().int().default(1),
    /** Which parts to run: the busy day, the S/M slot latency, or both. */
    parts: z
      .string()
      .default('busy,slots')
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(['busy', 'slots']))),
    scenarios: z
      .string()
      .default('S,M')
      .transform((s) => (s === '' || s === 'none' ? [] : s.split(',')))
      .pipe(z.array(z.enum(Object.keys(API_SCENARIOS) as [ApiScenarioName, ...ApiScenarioName[]]))),
  })
  .parse(
    parseArgs({
      options: {
        json: { type: 'boolean' },
        requests: { type: 'string' },
        fullness: { type: 'string' },
        seconds: { type: 'string' },
        book: { type: 'string' },
        seed: { type: 'string' },
        parts: { type: 'string' },
        scenarios: { type: 'string' },
      },
    }).values,
  );

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const log = (line: string) => {
  if (!args.json) console.log(line);
};
const TIMEZONE = 'Europe/Paris';

function prng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function service(env: Record<string, string>, makeRoom: boolean): Promise<RunningService> {
  return startService({
    DATABASE_URL: url,
    TOURNEE_POW_DIFFICULTY: '0',
    TOURNEE_RATE_LIMIT: '100000000',
    TOURNEE_DB_POOL_SIZE: '20',
    TOURNEE_OUTBOX_WORKER: 'false',
    TOURNEE_MAKE_ROOM: String(makeRoom),
    ...env,
  });
}

type Window = { start: string; end: string; needsMoves?: true };
interface SlotsBody {
  days?: { windows: Window[] }[];
  reason?: { code: string };
}

async function getJson<T>(
  baseUrl: string,
  request: LoadRequest,
): Promise<{ status: number; body: T; ms: number }> {
  const t0 = performance.now();
  const res = await send(baseUrl, request);
  const ms = performance.now() - t0;
  if (res.status === 'network') throw new Error(`${request.path}: no answer`);
  return { status: res.status, body: JSON.parse(res.body) as T, ms };
}

const slotsOf = (c: Combo, day: string): LoadRequest => ({
  method: 'GET',
  path: `/v1/slots?serviceId=${c.serviceId}&postcode=${c.postcode}&from=${day}&to=${day}`,
});

function bookingOf(c: Combo, window: Window): LoadRequest {
  return {
    method: 'POST',
    path: '/v1/bookings',
    headers: { 'idempotency-key': randomUUID() },
    body: {
      serviceId: c.serviceId,
      window: { start: window.start, end: window.end },
      ...(window.needsMoves ? { needsMoves: true } : {}),
      customer: { name: 'Client Bench', phone: '06 12 34 56 78', email: 'bench@example.fr' },
      address: { line: '1 rue du Test', postcode: c.postcode, city: 'Lyon' },
      consent: true,
      website: '',
    },
  };
}

/** (service + driving) / (working time − breaks), over the technicians working `day`; and the rules its plan breaks. */
async function dayState(
  handle: DatabaseHandle,
  day: string,
): Promise<{ fullness: number; violations: Violation[] }> {
  const built = await buildDayProblem(handle.db, day);
  const { problem } = built;
  const from = built.span.from.getTime() / 1000;
  const to = built.span.to.getTime() / 1000;
  let working = 0;
  for (const t of problem.technicians)
    for (const s of t.shifts)
      if (s.interval.start >= from && s.interval.start < to)
        working += s.interval.end - s.interval.start - (s.breaks ?? []).reduce((a, b) => a + b.duration, 0);
  let busy = 0;
  const plan = currentPlan(problem);
  for (const route of plan.routes) {
    busy += routeTimeline(problem, route)?.totals.travelTime ?? 0;
    for (const stop of route.stops) busy += problem.visits.find((v) => v.id === stop.visitId)!.duration;
  }
  // Planned times are stored to the millisecond: the plan is judged on no less.
  return {
    fullness: working > 0 ? busy / working : 0,
    violations: checkPlan(problem, plan, { epsilon: 0.01 }),
  };
}

/** A weekday of next week (Wednesday), inside every service's horizon. */
function busyDate(): string {
  const today = DateTime.now().setZone(TIMEZONE).startOf('day');
  return today.plus({ weeks: 1 }).set({ weekday: 3 }).toISODate()!;
}

interface Share {
  asked: number;
  no_window_before: number;
  no_window_after: number;
  no_window_before_pct: number;
  no_window_after_pct: number;
}

async function busyDayRun() {
  const schema = 'bench_busy_day_api';
  const admin = await openDatabase({ url });
  await sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).execute(admin.db);
  await admin.close();
  const handle = await openDatabase({ url, schema, poolSize: 4 });
  await migrate(handle.db);
  await seedDemoCompany(handle.db, { ...API_SCENARIOS.S, occupancy: 1 });
  const day = busyDate();
  const rand = prng(args.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  try {
    // Fill the day through the API, make-room off, as customers would.
    let svc = await service({ TOURNEE_DB_SCHEMA: schema }, false);
    const combos = await bookingCombos(svc.baseUrl, handle);
    let state = await dayState(handle, day);
    const seededFullness = state.fullness;
    let filled = 0;
    let misses = 0;
    log(
      `busy day ${day}: seeded ${(seededFullness * 100).toFixed(1)} % full; booking it up to ${args.fullness * 100} %…`,
    );
    while (state.fullness < args.fullness && misses < 150) {
      const c = pick(combos);
      const asked = await getJson<SlotsBody>(svc.baseUrl, slotsOf(c, day));
      const windows = (asked.body.days ?? []).flatMap((d) => d.windows);
      if (windows.length === 0) {
        misses++;
        continue;
      }
      const booked = await send(svc.baseUrl, bookingOf(c, pick(windows)));
      if (booked.status !== 201) {
        misses++;
        continue;
      }
      misses = 0;
      filled++;
      state = await dayState(handle, day);
    }
    state = await dayState(handle, day);
    log(`  ${filled} bookings made: ${(state.fullness * 100).toFixed(1)} % full`);

    // The same asks, make-room off then on.
    const asks = Array.from({ length: args.requests }, () => pick(combos));
    const timed = async (svc_: RunningService) => {
      const before = cpuTicks();
      const answers: { body: SlotsBody; ms: number }[] = [];
      for (const c of asks) answers.push(await getJson<SlotsBody>(svc_.baseUrl, slotsOf(c, day)));
      return { answers, steal: stealPercent(before) };
    };
    // Warm-up: JIT, pool, prepared plans.
    for (const c of asks.slice(0, 20)) await getJson(svc.baseUrl, slotsOf(c, day));
    const off = await timed(svc);
    await svc.stop();
    svc = await service({ TOURNEE_DB_SCHEMA: schema }, true);
    for (const c of asks.slice(0, 20)) await getJson(svc.baseUrl, slotsOf(c, day));
    const on = await timed(svc);

    const servable = (b: SlotsBody) =>
      b.reason?.code !== 'zone-not-served' && b.reason?.code !== 'service-not-offered-here';
    let asked = 0;
    let noneBefore = 0;
    let noneAfter = 0;
    const roomOnly: number[] = [];
    on.answers.forEach((a, i) => {
      if (!servable(a.body)) return;
      asked++;
      const windows = (a.body.days ?? []).flatMap((d) => d.windows);
      const ordinary = windows.filter((w) => !w.needsMoves);
      if (ordinary.length === 0) noneBefore++;
      if (windows.length === 0) noneAfter++;
      if (ordinary.length === 0 && windows.length > 0) roomOnly.push(i);
    });
    // The make-room-off service must agree on the ordinary windows: same day, same rows.
    const disagree = off.answers.filter((a, i) => {
      const plain = (a.body.days ?? []).flatMap((d) => d.windows).length;
      const ordinary = (on.answers[i]!.body.days ?? [])
        .flatMap((d) => d.windows)
        .filter((w) => !w.needsMoves).length;
      return plain !== ordinary;
    }).length;
    const share: Share = {
      asked,
      no_window_before: noneBefore,
      no_window_after: noneAfter,
      no_window_before_pct: round((100 * noneBefore) / Math.max(1, asked), 1),
      no_window_after_pct: round((100 * noneAfter) / Math.max(1, asked), 1),
    };
    const latency = (answers: { ms: number }[], steal: number) => {
      const s = summarise(answers.map((a) => a.ms));
      return {
        p50_ms: round(s.p50),
        p95_ms: round(s.p95),
        p99_ms: round(s.p99),
        cpu_steal_pct: round(steal, 1),
      };
    };
    const slotsOff = latency(off.answers, off.steal);
    const slotsOn = latency(on.answers, on.steal);
    log(
      `  ${asked} asks for that day (of ${args.requests}; the rest not served there): no window ${share.no_window_before_pct} % → ${share.no_window_after_pct} % with make-room (${noneBefore} → ${noneAfter}); answers disagreeing on ordinary windows: ${disagree}`,
    );
    log(
      `  /v1/slots that day, 1 client: make-room off p50 ${slotsOff.p50_ms} ms, p95 ${slotsOff.p95_ms} ms, p99 ${slotsOff.p99_ms} ms (CPU stolen ${slotsOff.cpu_steal_pct} %); on p50 ${slotsOn.p50_ms} ms, p95 ${slotsOn.p95_ms} ms, p99 ${slotsOn.p99_ms} ms (CPU stolen ${slotsOn.cpu_steal_pct} %)`,
    );

    // Book what only make-room offered, as offered; the day must break no new rule.
    const known = new Set(
      state.violations.map((v) => `${v.code}|${v.visitId ?? ''}|${v.technicianId ?? ''}`),
    );
    const movedBefore = await movedEvents(handle);
    const statuses: Record<string, number> = {};
    const bookMs: number[] = [];
    for (const i of roomOnly.slice(0, args.book)) {
      const c = asks[i]!;
      // Asked again: earlier bookings of this phase may have changed the day.
      const fresh = await getJson<SlotsBody>(svc.baseUrl, slotsOf(c, day));
      const windows = (fresh.body.days ?? []).flatMap((d) => d.windows);
      if (windows.length === 0) {
        statuses['gone'] = (statuses['gone'] ?? 0) + 1;
        continue;
      }
      const w = windows.find((x) => x.needsMoves) ?? windows[0]!;
      const t0 = performance.now();
      const res = await send(svc.baseUrl, bookingOf(c, w));
      bookMs.push(performance.now() - t0);
      const key = `${res.status}${w.needsMoves ? '' : ' (ordinary)'}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    await svc.stop();
    const after = await dayState(handle, day);
    const broken = after.violations.filter(
      (v) => !known.has(`${v.code}|${v.visitId ?? ''}|${v.technicianId ?? ''}`),
    );
    const moved = (await movedEvents(handle)) - movedBefore;
    const bookLatency = bookMs.length ? summarise(bookMs) : undefined;
    log(
      `  booked what only make-room offered (${Math.min(roomOnly.length, args.book)} asks): ${JSON.stringify(statuses)}, ${moved} visits moved, ${broken.length} new rule violations; booking p50 ${bookLatency ? round(bookLatency.p50) : '-'} ms`,
    );
    return {
      day,
      fullness_seeded: round(seededFullness, 3),
      fullness: round(state.fullness, 3),
      bookings_to_fill: filled,
      ...share,
      answers_disagreeing: disagree,
      slots_off: slotsOff,
      slots_on: slotsOn,
      booked_room_only: statuses,
      visits_moved: moved,
      new_violations: broken.length,
      booking_p50_ms: bookLatency ? round(bookLatency.p50) : null,
    };
  } finally {
    await handle.close();
  }
}

async function movedEvents(handle: DatabaseHandle): Promise<number> {
  const row = await handle.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('type', '=', 'visit.moved')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** bench:api's slot traffic, make-room off then on. */
async function slotsRuns(name: ApiScenarioName) {
  log(`\nscenario ${name}: loading ${API_SCENARIOS[name].technicians} technicians into PostgreSQL…`);
  const { schema, handle } = await loadScenario(url, name, `bench_room_${name.toLowerCase()}`);
  const out = [];
  try {
    for (const makeRoom of [false, true]) {
      const svc = await service({ TOURNEE_DB_SCHEMA: schema }, makeRoom);
      try {
        const combos = await bookingCombos(svc.baseUrl, handle);
        const rand = prng(7);
        const next = (): LoadRequest => {
          const c = combos[Math.floor(rand() * combos.length)]!;
          return { method: 'GET', path: `/v1/slots?serviceId=${c.serviceId}&postcode=${c.postcode}` };
        };
        await runLoad({ baseUrl: svc.baseUrl, connections: 2, seconds: 2, expected: (s) => s === 200, next });
        const before = cpuTicks();
        const r = await runLoad({
          baseUrl: svc.baseUrl,
          connections: 1,
          seconds: args.seconds,
          expected: (s) => s === 200,
          next,
        });
        const steal = stealPercent(before);
        const run = {
          scenario: name,
          make_room: makeRoom,
          requests: r.requests,
          p50_ms: round(r.p50_ms),
          p95_ms: round(r.p95_ms),
          p99_ms: round(r.p99_ms),
          errors: r.errors,
          cpu_steal_pct: round(steal, 1),
        };
        out.push(run);
        log(
          `  slots, make-room ${makeRoom ? 'on ' : 'off'}: ${r.requests} requests, p50 ${run.p50_ms} ms, p95 ${run.p95_ms} ms, p99 ${run.p99_ms} ms, errors ${r.errors} (CPU stolen ${run.cpu_steal_pct} %)`,
        );
      } finally {
        await svc.stop();
      }
    }
  } finally {
    await handle.close();
  }
  return out;
}

const busy = args.parts.includes('busy') ? await busyDayRun() : null;
const slots = [];
if (args.parts.includes('slots')) for (const name of args.scenarios) slots.push(...(await slotsRuns(name)));
if (args.json) console.log(JSON.stringify({ busy_day: busy, slots }));
process.exit(0);
