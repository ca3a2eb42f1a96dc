/**
 * A booking's read of its technicians' day, in one statement, turned into the solver's problem:
 * the locked transaction's fresh read (readBookingDay, once the locks are held), or the day a public
 * booking's unlocked snapshot carries (readBookingSnapshot, re-checked by book_visit).
 */
import type { Transaction } from 'kysely';
import type { Shift } from '../../../solver/problem.js';
import { readBookingDay, type BookingDay, type BookingDayQuery } from '../../db/booking-statements.js';
import type { Database } from '../../db/schema.js';
import type { TechnicianAvailability } from '../availability.js';
import { shiftsFor, toSolverShifts } from '../availability.js';
import { assembleBookingProblem, type BookingProblem, type RoutedTechnician } from '../booking-problem.js';

export interface FreshDay {
  built: BookingProblem;
  /** The client's online bookings in the caps' window (0 when not asked). */
  clientBookings: number;
}

export async function readFreshDay(
  tx: Transaction<Database>,
  technicians: RoutedTechnician[],
  query: Omit<BookingDayQuery, 'technicianIds'>,
): Promise<FreshDay> {
  const day = await readBookingDay(tx, { ...query, technicianIds: technicians.map((t) => t.id) });
  return { built: problemOfDay(technicians, day, query), clientBookings: day.clientBookings };
}

/** The solver's problem for these technicians over the span [from, to) from their day as read. */
export function problemOfDay(
  technicians: RoutedTechnician[],
  day: BookingDay,
  span: { from: Date; to: Date },
): BookingProblem {
  const ids = technicians.map((t) => t.id);
  const availability = new Map<string, TechnicianAvailability>(
    ids.map((id) => [id, { technicianId: id, workingHours: [], absences: [], extraShifts: [] }]),
  );
  for (const h of day.workingHours) availability.get(h.technicianId)?.workingHours.push(h);
  for (const e of day.exceptions) {
    const entry = availability.get(e.technicianId);
    if (entry)
      (e.kind === 'absence' ? entry.absences : entry.extraShifts).push({ start: e.start, end: e.end });
  }
  const shifts = new Map<string, Shift[]>();
  for (const [id, rules] of availability) {
    const intervals = shiftsFor(rules, span.from, span.to, day.calendar);
    shifts.set(id, toSolverShifts(id, intervals, day.calendar.timezone));
  }
  const rows = day.holdRoutes.length > 0 ? [...day.visits, ...day.holdRoutes] : day.visits;
  return assembleBookingProblem(technicians, {
    timezone: day.calendar.timezone,
    shifts,
    rows,
    zoneKinds: day.zoneKinds,
  });
}
