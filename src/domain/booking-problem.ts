import type { Place, Problem, Shift, Technician, Visit } from '../../solver/problem.js';
import { HaversineTravel } from '../../solver/travel.js';
import { bookedVisitsOf, routeVisitOf, type RouteVisitRow } from '../db/visits.js';
import { type Executor } from '../db/database.js';
import { liveHoldRoutesOf } from '../db/holds.js';
import type { VisitRow, ZoneKind } from '../db/schema.js';
import { addDays, instantAt } from './local-time.js';
import { freshReads, type SlotReads } from './slot-reads.js';

export interface RoutedTechnician {
  id: string;
  skills: string[];
  home: { lat: number; lon: number };
}

/**
 * Which live holds a problem counts: all of them at `now`, except a client's
 * own (they never block the client who placed them) and the hold a booking
 * is consuming.
 */
export interface HoldView {
  now: Date;
  exceptClient?: string;
  exceptHold?: string;
}

export interface BookingProblem {
  problem: Problem;
  /** The database rows behind the problem's visits, by id. */
  visitRows: Map<string, VisitRow>;
  /** A solver place for a new location, with a key of its own. */
  placeFor(lat: number, lon: number, postcode: string): Place;
  timezone: string;
}

/**
 * The solver's view of some technicians over [from, to): their shifts from
 * the working-hour rules, and their booked visits as fixed routes. Visits
 * outside every shift (an absence added after booking) are left out: they
 * still hold their time through the exclusion constraint.
 */
export async function buildBookingProblem(
  db: Executor,
  technicians: RoutedTechnician[],
  from: Date,
  to: Date,
  options: {
    excludeVisitId?: string;
    reads?: SlotReads;
    /** Slot queries need only the routes, not the rows behind them: fewer columns to read and parse. */
    withRows?: boolean;
    /** Count live holds as booked visits (public requests); absent for the desk, which holds never block. */
    holds?: HoldView;
  } = {},
): Promise<BookingProblem> {
  const ids = technicians.map((t) => t.id);
  const reads = options.reads ?? freshReads(db);
  const [settings, shifts, booked, holds, zoneKinds] = await Promise.all([
    reads.settings(),
    reads.shifts(ids, from, to),
    options.withRows === false
      ? reads.routes(ids, from, to, options.holds)
      : bookedVisitsOf(db, ids, from, to),
    options.holds && options.withRows !== false ? liveHoldRoutesOf(db, ids, from, to, options.holds) : [],
    reads.zoneKinds(),
  ]);
  const rows: (VisitRow | RouteVisitRow)[] = holds.length > 0 ? [...booked, ...holds] : booked;
  return assembleBookingProblem(
    technicians,
    { timezone: settings.timezone, shifts, rows, zoneKinds },
    options,
  );
}

/** What a booking problem is made of, however it was read (several queries, or a booking's one statement). */
export interface BookingProblemData {
  timezone: string;
  shifts: Map<string, Shift[]>;
  /** Booked visits (full rows or route rows) and live holds in the route shape. */
  rows: (VisitRow | RouteVisitRow)[];
  zoneKinds: Map<string, ZoneKind>;
}

/** The solver's problem from rows already read: no database access. */
export function assembleBookingProblem(
  technicians: RoutedTechnician[],
  data: BookingProblemData,
  options: { excludeVisitId?: string } = {},
): BookingProblem {
  const { shifts, rows, zoneKinds } = data;
  let nextKey = 0;
  const kindOfKey = new Map<number, ZoneKind>();
  const placeFor = (lat: number, lon: number, postcode: string): Place => {
    const key = nextKey++;
    kindOfKey.set(key, zoneKinds.get(postcode) ?? 'periurban');
    return { key, lat, lon };
  };
  // A request touches a few hundred legs: a small cache, not the 8 MB default allocated per request.
  const travel = new HaversineTravel({ zoneOf: (p) => kindOfKey.get(p.key) ?? 'periurban', cacheSize: 2048 });

  const solverTechnicians: Technician[] = technicians.map((t) => {
    const home: Place = { key: nextKey++, lat: t.home.lat, lon: t.home.lon };
    return { id: t.id, skills: t.skills, start: home, end: home, shifts: shifts.get(t.id) ?? [] };
  });
  const shiftsByTech = new Map(solverTechnicians.map((t) => [t.id, t.shifts]));

  const visits: Visit[] = [];
  const visitRows = new Map<string, VisitRow>();
  for (const row of rows) {
    if (row.id === options.excludeVisitId) continue;
    const route = 'planned_start_s' in row ? row : routeVisitOf(row);
    const plannedStart = route.planned_start_s;
    const shift = shiftsByTech
      .get(route.technician_id)
      ?.find((s) => s.interval.start <= plannedStart && plannedStart <= s.interval.end);
    if (!shift) continue;
    if (!('planned_start_s' in row)) visitRows.set(row.id, row);
    visits.push({
      id: route.id,
      place: placeFor(route.lat, route.lon, route.postcode),
      duration: route.planned_end_s - route.planned_start_s,
      window: { start: route.window_start_s, end: route.window_end_s },
      // Skills of booked visits were checked when they were booked; the solver only needs them to re-plan.
      skills: [],
      assigned: { technicianId: route.technician_id, shiftId: shift.id, plannedStart },
      pinned: route.pinned,
    });
  }
  return {
    problem: { technicians: solverTechnicians, visits, travel },
    visitRows,
    placeFor,
    timezone: data.timezone,
  };
}

/** [start of the first day, start of the day after the last] in the company's zone, as Dates. */
export function localDaySpan(
  firstDate: string,
  lastDate: string,
  timezone: string,
): { from: Date; to: Date } {
  return {
    from: new Date(instantAt(firstDate, '00:00', timezone) * 1000),
    to: new Date(instantAt(addDays(lastDate, 1), '00:00', timezone) * 1000),
  };
}
