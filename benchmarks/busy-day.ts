/**
 * Make room on a busy day: how many more requests get a window when up to 3 booked visits may
 * move (solver/make-room.ts), on one day of an S-like company (12 technicians) booked until
 * the generator cannot fit more.
 *
 *   npm run bench:make-room            human-readable
 *   npm run bench:make-room -- --json  one JSON object
 *   options: --requests 300  --seed 1  --tries 150
 *
 * Fullness = (service time + driving) / working time (shift minus lunch), over all technicians.
 * A request has "no window" when none of the day's 4 grid windows can be offered.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { checkPlan } from '../solver/check.js';
import { makeRoom } from '../solver/make-room.js';
import type { Problem, SlotRequest } from '../solver/problem.js';
import { currentPlan, offerSlots } from '../solver/slots.js';
import { routeTimeline } from '../solver/timeline.js';
import { greatCircleMetres } from '../solver/travel.js';
import { DAY, LYON, WINDOW_GRID, generateScenario, prng, randomPlaceNear } from './scenario.js';

const BUSY = { name: 'busy', technicians: 12, weeks: 1, visits: 290, areaKm: 30 };
const DAY_INDEX = 2; // the Wednesday
const DURATIONS_MIN = [30, 45, 60, 60, 90, 90, 120, 150, 180];

export interface BusyDay {
  problem: Problem;
  day: number;
  /** (service + driving) / working time. */
  fullness: number;
}

/** One day of a company booked as full as the scenario generator can make it. */
export function busyDay(seed = 1): BusyDay {
  const scenario = generateScenario(BUSY, seed);
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
  return { problem, day: DAY_INDEX, fullness: busy / working };
}

/** Requests for that day: a place in the area, a duration, skills, the day's 4 windows, the technicians within 25 km. */
export function requestsForDay(day: BusyDay, count: number, seed = 2): SlotRequest[] {
  const rand = prng(seed * 104_729 + 17);
  const out: SlotRequest[] = [];
  for (let i = 0; i < count; i++) {
    const place = randomPlaceNear(rand, LYON, BUSY.areaKm, 20_000_000 + i);
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

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
};
const round = (x: number, d = 3) => Number(x.toFixed(d));

function main(argv: string[]): void {
  let json = false;
  let count = 300;
  let seed = 1;
  let tries = 150;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--requests') count = Number(argv[++i]);
    else if (argv[i] === '--seed') seed = Number(argv[++i]);
    else if (argv[i] === '--tries') tries = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  const day = busyDay(seed);
  const violations = checkPlan(day.problem, currentPlan(day.problem)).length;
  const requests = requestsForDay(day, count, seed + 1);
  let noneBefore = 0;
  let noneAfter = 0;
  let windowsBefore = 0;
  let windowsAfter = 0;
  let badRooms = 0;
  const moves: number[] = [];
  const offerMs: number[] = [];
  const withRoomMs: number[] = [];
  for (const request of requests) {
    const t0 = performance.now();
    const offered = offerSlots(day.problem, request);
    const t1 = performance.now();
    const taken = new Set(offered.map((o) => o.window.start));
    let extra = 0;
    for (const window of request.windows) {
      if (taken.has(window.start)) continue;
      const room = makeRoom(day.problem, request, window, { maxTries: tries });
      if (!room) continue;
      extra++;
      moves.push(room.moves.length);
      if (checkPlan(room.problem, room.plan, { requireAll: true }).length > 0) badRooms++;
    }
    const t2 = performance.now();
    offerMs.push(t1 - t0);
    withRoomMs.push(t2 - t0);
    windowsBefore += offered.length;
    windowsAfter += offered.length + extra;
    if (offered.length === 0) noneBefore++;
    if (offered.length + extra === 0) noneAfter++;
  }
  const result = {
    technicians: day.problem.technicians.length,
    visits: day.problem.visits.length,
    fullness: round(day.fullness),
    booked_plan_violations: violations,
    requests: count,
    no_window_before: round(noneBefore / count),
    no_window_after: round(noneAfter / count),
    windows_per_request_before: round(windowsBefore / count),
    windows_per_request_after: round(windowsAfter / count),
    mean_moves: round(moves.reduce((a, b) => a + b, 0) / Math.max(1, moves.length), 2),
    rooms_breaking_a_promise: badRooms,
    offer_p95_ms: round(quantile(offerMs, 0.95)),
    with_make_room_p50_ms: round(quantile(withRoomMs, 0.5)),
    with_make_room_p95_ms: round(quantile(withRoomMs, 0.95)),
    max_tries: tries,
  };
  if (json) console.log(JSON.stringify(result));
  else for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(28)} ${v}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
