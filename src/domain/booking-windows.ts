/** A window a client asks for (to book or to hold): parsed, checked against the grid, and what to offer instead. */
import type { Interval } from '../../solver/problem.js';
import type { Db } from '../db/database.js';
import type { ServiceWithSkills } from '../db/catalogue.js';
import type { CompanySettings } from '../db/company-settings.js';
import { candidateWindows, groupByDay, type DayOfWindows } from './arrival-windows.js';
import { markChangeCutoff } from './customer-rules.js';
import type { HoldView } from './booking-problem.js';
import type { ResolvedAddress } from './eligibility.js';
import { DomainError } from './errors.js';
import { addDays } from './local-time.js';
import type { SlotReads } from './slot-reads.js';
import { bookableWindows, windowRulesFor } from './slots.js';

/** A window as the client sent it, parsed to Unix seconds; the field is named on error. */
export function parseWindow(window: { start: string; end: string }, field: string): Interval {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  if (!Number.isFinite(start))
    throw new DomainError(
      'invalid',
      'bad-window',
      { fr: 'Début de créneau invalide.', en: 'Invalid window start.' },
      `${field}.start`,
    );
  if (!Number.isFinite(end) || end <= start)
    throw new DomainError(
      'invalid',
      'bad-window',
      { fr: 'Fin de créneau invalide.', en: 'Invalid window end.' },
      `${field}.end`,
    );
  return { start: start / 1000, end: end / 1000 };
}

export function windowTaken(alternatives: DayOfWindows[], field = 'body.window'): DomainError {
  return new DomainError(
    'conflict',
    'window-taken',
    {
      fr: 'Ce créneau vient d’être réservé. Choisissez-en un autre.',
      en: 'This window was just taken. Please choose another one.',
    },
    field,
    { alternatives: { days: alternatives } },
  );
}

/**
 * Fresh windows around the wanted day, for a 409 answer: that day and the next week. Read from the
 * database, or from `reads` (the slot queries' read cache) brought up to date first: it then sees
 * every change committed before this call — the booking that took the window included — and reads
 * only the technician-days that changed since it last looked, instead of nine days of routes,
 * working hours and technicians at every refusal.
 */
export async function alternativesFor(
  db: Db,
  service: ServiceWithSkills,
  address: ResolvedAddress,
  settings: CompanySettings,
  day: string,
  now: Date,
  isStaff: boolean,
  holds?: HoldView,
  reads?: SlotReads,
): Promise<DayOfWindows[]> {
  const lastDay = addDays(day, 7);
  const windows = candidateWindows(windowRulesFor(settings, service), day, lastDay, now, isStaff);
  return markChangeCutoff(
    groupByDay(
      await bookableWindows(db, service, address, windows, await reads?.upToDate(), holds),
      settings.timezone,
    ),
    now,
  );
}
