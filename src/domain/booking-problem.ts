import type { Place, Problem, Technician, Visit } from '../../solver/problem.js';
import { HaversineTravel } from '../../solver/travel.js';
import { bookedVisitsOf, bookedVisitTimesOf, type Executor } from '../db/bookings.js';
import type { VisitRow, ZoneKind } from '../db/schema.js';
import { addDays, instantAt } from './local-time.js';
import { freshReads, type SlotReads } from './slot-reads.js';

export interface RoutedTechnician {
  id: string;
  skills: string[];
  home: { lat: number; lon: number };
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
  } = {},
): Promise<BookingProblem> {
  const ids = technicians.map((t) => t.id);
  const reads = options.reads ?? freshReads(db);
  const [settings, shifts, rows, zoneKinds] = await Promise.all([
    reads.settings(),
    reads.shifts(ids, from, to),
    options.withRows === false ? bookedVisitTimesOf(db, ids, from, to) : bookedVisitsOf(db, ids, from, to),
    reads.zoneKinds(),
  ]);

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
    const plannedStart = row.planned_start.getTime() / 1000;
    const shift = shiftsByTech.get(row.technician_id)?.find((s) => s.interval.start <= plannedStart && plannedStart <= s.interval.end);
    if (!shift) continue;
    if (options.withRows !== false) visitRows.set(row.id, row as VisitRow);
    visits.push({
      id: row.id,
      place: placeFor(row.lat, row.lon, row.postcode),
      duration: (row.planned_end.getTime() - row.planned_start.getTime()) / 1000,
      window: { start: row.window_start.getTime() / 1000, end: row.window_end.getTime() / 1000 },
      // Skills of booked visits were checked when they were booked; the solver only needs them to re-plan.
      skills: [],
      assigned: { technicianId: row.technician_id, shiftId: shift.id, plannedStart },
      pinned: row.pinned,
    });
  }
  return { problem: { technicians: solverTechnicians, visits, travel }, visitRows, placeFor, timezone: settings.timezone };
}

/** [start of the first day, start of the day after the last] in the company's zone, as Dates. */
export function localDaySpan(firstDate: string, lastDate: string, timezone: string): { from: Date; to: Date } {
  return {
    from: new Date(instantAt(firstDate, '00:00', timezone) * 1000),
    to: new Date(instantAt(addDays(lastDate, 1), '00:00', timezone) * 1000),
  };
}
