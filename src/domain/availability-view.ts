/** The planner's view of availability: each technician's expanded working intervals over a range. */
import { DateTime } from 'luxon';
import { loadCompanyCalendar, loadTechnicianAvailability } from '../db/availability.js';
import type { Db } from '../db/database.js';
import { listTechnicians } from '../db/technicians.js';
import { shiftsFor, type TimeInterval } from './availability.js';
import { invalidField, notFound } from './field-errors.js';

/** The longest range one request may expand: a quarter, like the booking horizon's upper bound. */
export const MAX_VIEW_DAYS = 92;

export interface TechnicianShifts {
  technicianId: string;
  name: string;
  shifts: TimeInterval[];
}

/**
 * A query bound: an ISO instant with offset as is, or a local date of the
 * company — `from` its midnight, `to` the midnight after it (the day is included).
 */
export function rangeBound(text: string, timezone: string, side: 'from' | 'to'): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const day = DateTime.fromISO(text, { zone: timezone }).startOf('day');
    return (side === 'to' ? day.plus({ days: 1 }).startOf('day') : day).toJSDate();
  }
  return new Date(text);
}

/** Shifts in [from, to) of one technician, or of every active technician when none is named. */
export async function availabilityView(
  db: Db,
  query: { technicianId?: string; from: string; to: string },
): Promise<{ timezone: string; technicians: TechnicianShifts[] }> {
  const timezone = (await loadCompanyCalendar(db, new Date(0), new Date(0))).timezone;
  const request = {
    technicianId: query.technicianId,
    from: rangeBound(query.from, timezone, 'from'),
    to: rangeBound(query.to, timezone, 'to'),
  };
  if (!(request.to > request.from)) throw invalidField('query.to', 'must be after from', 'doit suivre from');
  if (request.to.getTime() - request.from.getTime() > MAX_VIEW_DAYS * 86_400_000) {
    throw invalidField(
      'query.to',
      `at most ${MAX_VIEW_DAYS} days after from`,
      `au plus ${MAX_VIEW_DAYS} jours après from`,
    );
  }
  const technicians = (await listTechnicians(db, { activeOnly: !request.technicianId })).filter(
    (t) => !request.technicianId || t.id === request.technicianId,
  );
  if (request.technicianId && technicians.length === 0)
    throw notFound({ en: 'Technician', fr: 'Technicien' });
  const calendar = await loadCompanyCalendar(db, request.from, request.to);
  const availability = await loadTechnicianAvailability(
    db,
    technicians.map((t) => t.id),
    request.from,
    request.to,
  );
  return {
    timezone: calendar.timezone,
    technicians: technicians.map((t) => ({
      technicianId: t.id,
      name: t.name,
      shifts: shiftsFor(availability.get(t.id)!, request.from, request.to, calendar),
    })),
  };
}
