/**
 * A booking's fresh read: the technician-day as the database has it once the locks are held, in
 * one statement (readBookingDay), turned into the solver's problem.
 */
import type { Transaction } from 'kysely';
import type { Shift } from '../../../solver/problem.js';
import { readBookingDay, type BookingDayQuery } from '../../db/booking-statements.js';
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
  const ids = technicians.map((t) => t.id);
  const day = await readBookingDay(tx, { ...query, technicianIds: ids });
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
    const intervals = shiftsFor(rules, query.from, query.to, day.calendar);
    shifts.set(id, toSolverShifts(id, intervals, day.calendar.timezone));
  }
  const rows = day.holdRoutes.length > 0 ? [...day.visits, ...day.holdRoutes] : day.visits;
  const built = assembleBookingProblem(technicians, {
    timezone: day.calendar.timezone,
    shifts,
    rows,
    zoneKinds: day.zoneKinds,
  });
  return { built, clientBookings: day.clientBookings };
}
