/**
 * Windows offered by making room: on a day where no route can take the new visit as it stands
 * (the "fully-booked" case), the windows make-room can open by moving a few booked visits inside
 * their own promised windows. Bounded so a slot query pays a fixed price: only days before the
 * first ordinary window (an answer with a window on its first working day costs nothing more),
 * the first few such days, a fixed number of route tests per window and per request.
 */
import type { Interval } from '../../../solver/problem.js';
import { makeRoomForWindows } from '../../../solver/make-room.js';
import type { ServiceWithSkills } from '../../db/catalogue.js';
import type { Executor } from '../../db/database.js';
import type { DayOfWindows } from '../arrival-windows.js';
import { localDaySpan, type HoldView } from '../booking-problem.js';
import type { ResolvedAddress } from '../eligibility.js';
import { localDateOf, localIso } from '../local-time.js';
import { makeRoomDays } from '../../observability/metrics.js';
import type { SlotReads } from '../slot-reads.js';
import { buildRoomProblem, dayOf, roomTechnicians } from './problem.js';

/** Days of one request make-room is tried on: the first ones with nothing to offer. */
export const ROOM_DAYS_PER_REQUEST = 3;
/** Route tests for one window (one visit tested in one route, some visits taken off): make-room's own default. */
export const ROOM_TRIES_PER_WINDOW = 800;
/** Route tests over the whole request (3 full days of 4 windows); a window that finds nothing is charged its full bound. */
export const ROOM_TRIES_PER_REQUEST = 9600;
/** Below this a window's search finds too little to be worth its set-up. */
const MIN_TRIES_PER_WINDOW = 100;

export interface RoomSearch {
  service: ServiceWithSkills;
  address: ResolvedAddress;
  timezone: string;
  /** Every candidate window of the range. */
  candidates: Interval[];
  /** The windows offered without moving anyone. */
  offered: Interval[];
  reads: SlotReads;
  holds?: HoldView;
}

/**
 * The windows that moving at most three booked visits opens, on the first working days of the
 * range that have no ordinary window and come before the first one that has.
 */
export async function windowsMakingRoom(db: Executor, search: RoomSearch): Promise<Interval[]> {
  const { timezone } = search;
  // Only the days before the first ordinary window: the customer's earliest options, where a
  // window is missing. A later full day is asked for by starting the range on it (as the desk does).
  let firstOffered = Infinity;
  for (const w of search.offered) if (w.start < firstOffered) firstOffered = w.start;
  const firstDay = firstOffered === Infinity ? undefined : localDateOf(firstOffered, timezone);
  const fullDays = new Map<string, Interval[]>();
  for (const w of search.candidates) {
    const day = localDateOf(w.start, timezone);
    if (firstDay !== undefined && day >= firstDay) continue;
    const list = fullDays.get(day) ?? [];
    list.push(w);
    fullDays.set(day, list);
  }
  if (fullDays.size === 0) return [];
  const eligible = await search.reads.eligible(search.service.id, search.address);
  if (eligible.length === 0) return [];
  const dates = [...fullDays.keys()].sort();
  const range = localDaySpan(dates[0]!, dates[dates.length - 1]!, timezone);
  const shifts = await search.reads.shifts(
    eligible.map((t) => t.id),
    range.from,
    range.to,
  );
  const worked = [...shifts.values()].flat().map((s) => s.interval);
  // A day nobody eligible works (a Sunday, a holiday) has no visit to move: not worth a try.
  const days = dates
    .filter((d) => fullDays.get(d)!.some((w) => worked.some((s) => s.start < w.end && w.start < s.end)))
    .slice(0, ROOM_DAYS_PER_REQUEST);
  if (days.length === 0) return [];

  // The same search again (a recomputed answer) while none of the routes it reads changed: kept.
  const { service, address } = search;
  const key = [
    service.id,
    address.postcode,
    address.lat,
    address.lon,
    timezone,
    ...days.map(
      (d) =>
        `${d}:${fullDays
          .get(d)!
          .map((w) => `${w.start}-${w.end}`)
          .join(',')}`,
    ),
  ].join('|');
  return search.reads.roomWindows(key, search.holds, (reads) =>
    searchDays(db, { ...search, reads }, eligible, days, fullDays),
  );
}

/** Make-room on each of `days`, within one budget of route tests for the whole request. */
async function searchDays(
  db: Executor,
  search: RoomSearch,
  eligible: { id: string }[],
  days: string[],
  fullDays: Map<string, Interval[]>,
): Promise<Interval[]> {
  const { timezone } = search;
  const span = localDaySpan(days[0]!, days[days.length - 1]!, timezone);
  const room = await buildRoomProblem(db, {
    service: search.service,
    address: search.address,
    eligibleIds: eligible.map((t) => t.id),
    technicians: await roomTechnicians(
      db,
      eligible.map((t) => t.id),
      search.reads,
    ),
    from: span.from,
    to: span.to,
    holds: search.holds,
    reads: search.reads,
    withRows: false,
  });
  const found: Interval[] = [];
  let budget = ROOM_TRIES_PER_REQUEST;
  for (const day of days) {
    const windows = fullDays.get(day)!;
    // The search's own bound per window, less when the request's budget runs low.
    const maxTries = Math.min(ROOM_TRIES_PER_WINDOW, Math.floor(budget / windows.length));
    if (maxTries < MIN_TRIES_PER_WINDOW) break;
    const daySpan = localDaySpan(day, day, timezone);
    const problem = dayOf(room.problem, {
      start: daySpan.from.getTime() / 1000,
      end: daySpan.to.getTime() / 1000,
    });
    // One call per day: the windows share its set-up and the routes built with visits taken off.
    const offers = makeRoomForWindows(problem, { ...room.request, windows }, windows, { maxTries });
    let opened = false;
    offers.forEach((offer, i) => {
      budget -= offer?.tries ?? maxTries;
      if (offer) found.push(windows[i]!);
      if (offer) opened = true;
    });
    makeRoomDays.inc({ outcome: opened ? 'opened' : 'none' });
  }
  return found;
}

/** The days of the answer with the make-room windows among them, marked so the booking re-runs make-room. */
export function withRoomWindows(days: DayOfWindows[], room: Interval[], timezone: string): DayOfWindows[] {
  if (room.length === 0) return days;
  const byDate = new Map(days.map((d) => [d.date, { date: d.date, windows: [...d.windows] }]));
  for (const w of [...room].sort((a, b) => a.start - b.start)) {
    const date = localDateOf(w.start, timezone);
    const day = byDate.get(date) ?? { date, windows: [] };
    day.windows.push({
      start: localIso(w.start, timezone),
      end: localIso(w.end, timezone),
      needsMoves: true,
    });
    byDate.set(date, day);
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
