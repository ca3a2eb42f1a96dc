/**
 * Make room on a busy day: how many more requests get a window when up to 3 booked visits may
 * move (solver/make-room.ts), on one day of an S-like company (12 technicians) booked until
 * the generator cannot fit more.
 *
 *   npm run bench:make-room            human-readable
 *   npm run bench:make-room -- --json  one JSON object
 *   options: --requests 300  --seed 1  --tries N (make-room's try budget per window)
 *            --compare (also run the first, subset search of test/solver/make-room.reference.ts on
 *            every window, --reference-tries 150, and count what one finds that the other misses)
 *            --warmup 20 (untimed requests first)
 *            --technicians 60 (an M-like company: 60 technicians, as busy, 50 km around Lyon)
 *
 * Costs, in ms (p50/p95/p99/max): offerSlots alone; one makeRoom call (one window); one
 * makeRoomForWindows call for the day's windows offerSlots did not offer (what a slot query
 * pays for a full day), also as process CPU time; and the slot query with it. Host CPU steal
 * over the timed part.
 *
 * Fullness = (service time + driving) / working time (shift minus lunch), over all technicians.
 * A request has "no window" when none of the day's 4 grid windows can be offered.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { checkPlan } from '../solver/check.js';
import { makeRoom, makeRoomForWindows } from '../solver/make-room.js';
import type { Problem, SlotRequest } from '../solver/problem.js';
import { currentPlan, offerSlots } from '../solver/slots.js';
import { routeTimeline } from '../solver/timeline.js';
import { greatCircleMetres } from '../solver/travel.js';
import { makeRoomBySubsets } from '../test/solver/make-room.reference.js';
import { cpuTicks, stealPercent } from './lib/machine.js';
import { round, summarise } from './lib/stats.js';
import { DAY, LYON, WINDOW_GRID, generateScenario, prng, randomPlaceNear } from './scenario.js';

const BUSY = { name: 'busy', technicians: 12, weeks: 1, visits: 290, areaKm: 30 };
const DAY_INDEX = 2; // the Wednesday
const DURATIONS_MIN = [30, 45, 60, 60, 90, 90, 120, 150, 180];

export interface BusyDay {
  problem: Problem;
  /** Radius of the served area, km (requests fall in it). */
  areaKm: number;
  day: number;
  /** (service + driving) / working time. */
  fullness: number;
}

/**
 * One day of a company booked as full as the scenario generator can make it: the S-like company
 * by default; with more technicians, an M-like one (as many visits per technician, a wider area).
 */
export function busyDay(seed = 1, staff = BUSY.technicians): BusyDay {
  const size =
    staff === BUSY.technicians
      ? BUSY
      : {
          ...BUSY,
          technicians: staff,
          visits: Math.round((BUSY.visits / BUSY.technicians) * staff),
          areaKm: staff >= 60 ? 50 : BUSY.areaKm,
        };
  const scenario = generateScenario(size, seed);
  const shiftId = `d${DAY_INDEX}`;
  const technicians = scenario.problem.technicians.map((t) => ({
    ...t,
    shifts: t.shifts.filter((s) => s.id === shiftId),
  }));
  const visits = scenario.problem.visits.filter((v) => v.assigned?.shiftId === shiftId);
  const problem: Problem = { technicians, visits, travel: scenario.problem.travel };
  let busy = 0;
  let working = 0;
  for (const t of technicians)
    for (const s of t.shifts)
      working += s.interval.end - s.interval.start - (s.breaks ?? []).reduce((a, b) => a + b.duration, 0);
  for (const v of visits) busy += v.duration;
  for (const route of currentPlan(problem).routes)
    busy += routeTimeline(problem, route)?.totals.travelTime ?? 0;
  return { problem, areaKm: size.areaKm, day: DAY_INDEX, fullness: busy / working };
}

/** Requests for that day: a place in the area, a duration, skills, the day's 4 windows, the technicians within 25 km. */
export function requestsForDay(day: BusyDay, count: number, seed = 2): SlotRequest[] {
  const rand = prng(seed * 104_729 + 17);
  const out: SlotRequest[] = [];
  for (let i = 0; i < count; i++) {
    const place = randomPlaceNear(rand, LYON, day.areaKm, 20_000_000 + i);
    const r = rand();
    const skills =
      r < 0.55
        ? ['elec']
        : r < 0.75
          ? []
          : r < 0.85
            ? ['irve']
            : r < 0.93
              ? ['pac']
              : ['elec', 'habilitation-br'];
    const technicianIds = day.problem.technicians
      .filter((t) => greatCircleMetres(t.start, place) <= 25_000)
      .map((t) => t.id);
    out.push({
      place,
      duration: DURATIONS_MIN[Math.floor(rand() * DURATIONS_MIN.length)]! * 60,
      skills,
      windows: WINDOW_GRID.map((w) => ({ start: day.day * DAY + w.start, end: day.day * DAY + w.end })),
      technicianIds,
    });
  }
  return out;
}

interface Options {
  json: boolean;
  count: number;
  seed: number;
  tries: number | undefined;
  compare: boolean;
  referenceTries: number;
  warmup: number;
  technicians: number;
}

function parse(argv: string[]): Options {
  const o: Options = {
    json: false,
    count: 300,
    seed: 1,
    tries: undefined,
    compare: false,
    referenceTries: 150,
    warmup: 20,
    technicians: 12,
  };
  const num = (i: number): number => {
    const x = Number(argv[i]);
    if (!Number.isFinite(x) || x < 0) throw new Error(`${argv[i - 1]} needs a number >= 0`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (a === '--requests') o.count = num(++i);
    else if (a === '--seed') o.seed = num(++i);
    else if (a === '--tries') o.tries = num(++i);
    else if (a === '--compare') o.compare = true;
    else if (a === '--reference-tries') o.referenceTries = num(++i);
    else if (a === '--warmup') o.warmup = num(++i);
    else if (a === '--technicians') o.technicians = num(++i);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const ms = (xs: number[]) => {
  const s = summarise(xs);
  return { p50: round(s.p50, 3), p95: round(s.p95, 3), p99: round(s.p99, 3), max: round(s.max, 3) };
};

function main(argv: string[]): void {
  const o = parse(argv);
  const day = busyDay(o.seed, o.technicians);
  const violations = checkPlan(day.problem, currentPlan(day.problem)).length;
  const requests = requestsForDay(day, o.count, o.seed + 1);
  const options = o.tries === undefined ? {} : { maxTries: o.tries };
  // The JIT warms up on other requests of the same day, so the first timed calls are not compile time.
  for (const request of requestsForDay(day, o.warmup, o.seed + 1000)) {
    const offered = new Set(offerSlots(day.problem, request).map((x) => x.window.start));
    const windows = request.windows.filter((w) => !offered.has(w.start));
    makeRoomForWindows(day.problem, request, windows, options);
    for (const w of windows) makeRoom(day.problem, request, w, options);
  }

  let noneBefore = 0;
  let noneAfter = 0;
  let windowsBefore = 0;
  let windowsAfter = 0;
  let badRooms = 0;
  let lost = 0;
  let gained = 0;
  let moreMoves = 0;
  let fewerMoves = 0;
  let noneReference = 0;
  const moves: number[] = [];
  const tries: number[] = [];
  const offerMs: number[] = [];
  const dayMs: number[] = [];
  const dayCpuMs: number[] = [];
  const callMs: number[] = [];
  const slotQueryMs: number[] = [];
  const referenceMs: number[] = [];
  const steal = cpuTicks();
  for (const request of requests) {
    const t0 = performance.now();
    const offered = offerSlots(day.problem, request);
    const t1 = performance.now();
    const taken = new Set(offered.map((x) => x.window.start));
    const windows = request.windows.filter((w) => !taken.has(w.start));
    const c1 = process.cpuUsage();
    const rooms = makeRoomForWindows(day.problem, request, windows, options);
    const cpu = process.cpuUsage(c1);
    const t2 = performance.now();
    offerMs.push(t1 - t0);
    if (windows.length > 0) {
      dayMs.push(t2 - t1);
      dayCpuMs.push((cpu.user + cpu.system) / 1000);
    }
    slotQueryMs.push(t2 - t0);
    for (const w of windows) {
      const c0 = performance.now();
      makeRoom(day.problem, request, w, options);
      callMs.push(performance.now() - c0);
    }
    let extra = 0;
    let extraReference = 0;
    rooms.forEach((room, i) => {
      if (room) {
        extra++;
        moves.push(room.moves.length);
        if (checkPlan(room.problem, room.plan, { requireAll: true }).length > 0) badRooms++;
      }
      tries.push(room?.tries ?? NaN);
      if (!o.compare) return;
      const r0 = performance.now();
      const reference = makeRoomBySubsets(day.problem, request, windows[i]!, { maxTries: o.referenceTries });
      referenceMs.push(performance.now() - r0);
      if (reference) extraReference++;
      if (reference && !room) lost++;
      if (room && !reference) gained++;
      if (room && reference && room.moves.length > reference.moves.length) moreMoves++;
      if (room && reference && room.moves.length < reference.moves.length) fewerMoves++;
    });
    windowsBefore += offered.length;
    windowsAfter += offered.length + extra;
    if (offered.length === 0) noneBefore++;
    if (offered.length + extra === 0) noneAfter++;
    if (offered.length + extraReference === 0) noneReference++;
  }
  const count = requests.length;
  const result = {
    technicians: day.problem.technicians.length,
    visits: day.problem.visits.length,
    fullness: round(day.fullness, 3),
    booked_plan_violations: violations,
    requests: count,
    no_window_before: round(noneBefore / count, 3),
    no_window_after: round(noneAfter / count, 3),
    windows_per_request_before: round(windowsBefore / count, 3),
    windows_per_request_after: round(windowsAfter / count, 3),
    mean_moves: round(moves.reduce((a, b) => a + b, 0) / Math.max(1, moves.length), 2),
    rooms_breaking_a_promise: badRooms,
    max_tries: o.tries ?? 'default',
    offer_slots_ms: ms(offerMs),
    make_room_per_call_ms: ms(callMs),
    make_room_per_day_ms: ms(dayMs),
    // The process's own CPU time for the same calls: what other tenants of a shared host cannot inflate.
    make_room_per_day_cpu_ms: ms(dayCpuMs),
    tries_per_room_made: ms(tries.filter((t) => t === t)),
    slot_query_with_make_room_ms: ms(slotQueryMs),
    cpu_steal_pct: round(stealPercent(steal), 1),
    ...(o.compare
      ? {
          reference: {
            max_tries: o.referenceTries,
            no_window_after: round(noneReference / count, 3),
            per_call_ms: ms(referenceMs),
            windows_it_finds_and_we_miss: lost,
            windows_we_find_and_it_misses: gained,
            windows_where_we_move_more: moreMoves,
            windows_where_we_move_fewer: fewerMoves,
          },
        }
      : {}),
  };
  if (o.json) console.log(JSON.stringify(result));
  else
    for (const [k, v] of Object.entries(result))
      console.log(`${k.padEnd(30)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
