/** Queries behind availability: company calendar, working-hour rules and exceptions. */
import { findCompanySettings } from './company-settings.js';
import type { Db } from './database.js';

export interface CompanyCalendar {
  timezone: string;
  holidayRegion: '57' | '67' | '68' | null;
  whitMondayWorked: boolean;
  closures: { start: Date; end: Date }[];
}

export interface WorkingHoursRule {
  rrule: string;
  /** 'HH:MM' or 'HH:MM:SS', local wall-clock time. */
  startTime: string;
  endTime: string;
  /** YYYY-MM-DD, inclusive. */
  validFrom: string;
  /** YYYY-MM-DD, inclusive; null = open-ended. */
  validUntil: string | null;
}

export interface TechnicianAvailability {
  technicianId: string;
  workingHours: WorkingHoursRule[];
  absences: { start: Date; end: Date }[];
  extraShifts: { start: Date; end: Date }[];
}

const DAY_MS = 86_400_000;

/** ISO date a day either side of an instant: rules are local dates, so a day of margin covers any offset. */
function marginDate(instant: Date, days: number): string {
  return new Date(instant.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** The company's time zone and holiday settings, with the closures overlapping [from, to). */
export async function loadCompanyCalendar(db: Db, from: Date, to: Date): Promise<CompanyCalendar> {
  const settings = await findCompanySettings(db);
  const closures = await db
    .selectFrom('availability_exceptions')
    .select(['starts_at', 'ends_at'])
    .where('kind', '=', 'closure')
    .where('starts_at', '<', to)
    .where('ends_at', '>', from)
    .orderBy('starts_at')
    .execute();
  return {
    timezone: settings?.timezone ?? 'Europe/Paris',
    holidayRegion: settings?.holidayRegion ?? null,
    whitMondayWorked: settings?.whitMondayWorked ?? false,
    closures: closures.map((c) => ({ start: c.starts_at, end: c.ends_at })),
  };
}

/** Working-hour rules valid around [from, to) and absences / extra shifts overlapping it, per technician (every id gets an entry). */
export async function loadTechnicianAvailability(
  db: Db,
  technicianIds: string[],
  from: Date,
  to: Date,
): Promise<Map<string, TechnicianAvailability>> {
  const result = new Map<string, TechnicianAvailability>();
  for (const id of technicianIds)
    result.set(id, { technicianId: id, workingHours: [], absences: [], extraShifts: [] });
  if (technicianIds.length === 0) return result;

  const rules = await db
    .selectFrom('working_hours')
    .select(['technician_id', 'rrule', 'start_time', 'end_time', 'valid_from', 'valid_until'])
    .where('technician_id', 'in', technicianIds)
    .where('valid_from', '<=', marginDate(to, 1))
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', marginDate(from, -1))]))
    .orderBy('technician_id')
    .orderBy('valid_from')
    .orderBy('start_time')
    .execute();
  for (const r of rules) {
    result.get(r.technician_id)?.workingHours.push({
      rrule: r.rrule,
      startTime: r.start_time,
      endTime: r.end_time,
      validFrom: r.valid_from,
      validUntil: r.valid_until,
    });
  }

  const exceptions = await db
    .selectFrom('availability_exceptions')
    .select(['technician_id', 'kind', 'starts_at', 'ends_at'])
    .where('technician_id', 'in', technicianIds)
    .where('kind', 'in', ['absence', 'extra_shift'])
    .where('starts_at', '<', to)
    .where('ends_at', '>', from)
    .orderBy('starts_at')
    .execute();
  for (const e of exceptions) {
    const entry = e.technician_id ? result.get(e.technician_id) : undefined;
    if (!entry) continue;
    (e.kind === 'absence' ? entry.absences : entry.extraShifts).push({ start: e.starts_at, end: e.ends_at });
  }
  return result;
}
