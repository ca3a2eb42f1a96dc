/**
 * What the company asks of a customer booking online and lets them do afterwards: which phone
 * numbers it calls back, whether an e-mail is required, and until when they may change or cancel.
 * The widget is told these rules up front (GET /v1/services) so it never offers what we refuse.
 */
import { findCompanySettings } from '../db/company-settings.js';
import { type Executor } from '../db/database.js';
import type { DayOfWindows } from './arrival-windows.js';
import type { CompanySettings } from '../db/company-settings.js';
import { DomainError } from './errors.js';
import { FRANCE, judgePhone } from './phone.js';

/** Customers may change or cancel up to this long before their window opens; the desk at any time. */
export const CUSTOMER_CHANGE_CUTOFF_HOURS = 24;

export interface ContactRules {
  /** International dialling codes whose numbers the company calls; France ("33") always first. */
  phoneCountryCodes: string[];
  emailRequired: boolean;
}

export function contactRules(
  settings: Pick<CompanySettings, 'phoneCountryCodes' | 'emailRequired'>,
): ContactRules {
  const codes = settings.phoneCountryCodes.filter((c) => c !== FRANCE);
  return { phoneCountryCodes: [FRANCE, ...codes], emailRequired: settings.emailRequired };
}

/** The rules the booking form shows and applies before it sends anything. */
export interface BookingRules extends ContactRules {
  changeCutoffHours: number;
}

export async function readBookingRules(db: Executor): Promise<BookingRules> {
  // A database with no company yet offers no service either; the form still gets sane rules.
  const settings = (await findCompanySettings(db)) ?? {
    phoneCountryCodes: [FRANCE],
    emailRequired: false,
  };
  return { ...contactRules(settings), changeCutoffHours: CUSTOMER_CHANGE_CUTOFF_HOURS };
}

export function checkContact(
  customer: { phone: string; email?: string | null },
  rules: ContactRules,
  isStaff: boolean,
): void {
  const verdict = judgePhone(customer.phone, rules.phoneCountryCodes);
  if (verdict === 'country-refused')
    throw new DomainError(
      'unprocessable',
      'phone-country-refused',
      {
        fr: `Nous rappelons les numéros ${rules.phoneCountryCodes.map((c) => `+${c}`).join(', ')} ; donnez-nous un de ces numéros.`,
        en: `We call back ${rules.phoneCountryCodes.map((c) => `+${c}`).join(', ')} numbers; please give one of those.`,
      },
      'body.customer.phone',
    );
  if (verdict === 'invalid')
    throw new DomainError(
      'invalid',
      'phone-invalid',
      { fr: 'Ce numéro de téléphone n’est pas valide.', en: 'This phone number is not valid.' },
      'body.customer.phone',
    );
  // The desk books callers who may have no e-mail: the requirement is for the online form.
  if (rules.emailRequired && !isStaff && !customer.email?.trim())
    throw new DomainError(
      'unprocessable',
      'email-required',
      { fr: 'Une adresse e-mail est nécessaire.', en: 'An e-mail address is required.' },
      'body.customer.email',
    );
}

/** Until when the customer may change the booking online, and whether they still may now. */
export function changeWindow(
  booking: { status: string; window_start: Date },
  now: Date,
  isStaff: boolean,
): { changeable: boolean; changeableUntil: string } {
  const until = booking.window_start.getTime() - CUSTOMER_CHANGE_CUTOFF_HOURS * 3_600_000;
  return {
    changeable: booking.status === 'booked' && (isStaff || now.getTime() <= until),
    changeableUntil: new Date(until).toISOString(),
  };
}

/** The visit starting at `windowStart` (ms) is within the cut-off at `now`: no online change any more. */
export function withinChangeCutoff(windowStart: number, now: Date): boolean {
  return windowStart - CUSTOMER_CHANGE_CUTOFF_HOURS * 3_600_000 < now.getTime();
}

/**
 * The windows of a slot answer that start within the cut-off, marked `withinChangeCutoff`: booked,
 * the customer could no longer change or cancel them online, and the widget says so before they
 * book (and gives the phone) instead of "up to 24 h before". Days are in time order and every window
 * of a day starts after those of the days before, so only the first day or two are read.
 */
export function markChangeCutoff(days: DayOfWindows[], now: Date): DayOfWindows[] {
  const closed = (w: { start: string }) => withinChangeCutoff(Date.parse(w.start), now);
  let marked = days;
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    if (!day.windows.some(closed)) break;
    if (marked === days) marked = [...days];
    marked[i] = {
      date: day.date,
      windows: day.windows.map((w) => (closed(w) ? { ...w, withinChangeCutoff: true } : w)),
    };
  }
  return marked;
}
