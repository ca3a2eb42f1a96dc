/**
 * What the public booking API shows customers: the catalogue, a slot search, a challenge and the
 * booking body. The routes build their answers with these functions, and the widget reads exactly
 * these types (type-only imports, erased from its bundle), so the two can never drift apart.
 */
import type { ServiceRecord } from '../db/catalogue.js';
import type { DayOfWindows } from './arrival-windows.js';
import type { BookingRequest, ProofOfWork } from './bookings/index.js';
import type { issueChallenge } from './challenge.js';
import type { Bookability, SlotReason } from './slot-reasons.js';
import type { SlotAnswer } from './slots.js';

export type { BookingView, CreatedBooking } from './bookings/index.js';
export type { BookingRules } from './customer-rules.js';
export type { DayOfWindows } from './arrival-windows.js';

export interface TimeWindow {
  start: string;
  end: string;
  /** Offered by moving a few booked visits (make-room): the booking sends it back as `needsMoves`. */
  needsMoves?: true;
  /** Starts within the change cut-off: once booked, the customer cannot change or cancel it online. */
  withinChangeCutoff?: true;
}

/** A service as a customer chooses it: no skills, no internal rules. */
export interface ServiceView {
  id: string;
  slug: string;
  name: string;
  description: string;
  durationMinutes: number;
  windowMinutes: number;
  priceLabel: string | null;
  /** With ?postcode=: whether the service can be booked there at all, and why not. */
  bookableHere?: boolean;
  reason?: Bookability['reason'];
}

export function serviceView(s: ServiceRecord): ServiceView {
  return {
    id: s.id,
    slug: s.slug,
    name: s.name,
    description: s.description,
    durationMinutes: s.durationMinutes,
    windowMinutes: s.windowMinutes,
    priceLabel: s.priceLabel,
  };
}

/** The bookable arrival windows for one service at one address, grouped by local day. */
export interface SlotsView {
  serviceId: string;
  postcode: string;
  city: string;
  timezone: string;
  /** Local dates, inclusive. */
  from: string;
  to: string;
  days: DayOfWindows[];
  /** Why there is no window, when there is none. */
  reason?: SlotReason;
}

export function slotsView(answer: SlotAnswer): SlotsView {
  return {
    serviceId: answer.service.id,
    postcode: answer.address.postcode,
    city: answer.address.city,
    timezone: answer.timezone,
    from: answer.from,
    to: answer.to,
    days: answer.days,
    ...(answer.reason ? { reason: answer.reason } : {}),
  };
}

export type ChallengeView = ReturnType<typeof issueChallenge>;

/** GET /v1/slots as the public gets it: with a proof-of-work challenge of its own when it offers windows. */
export interface PublicSlotsView extends SlotsView {
  challenge?: ChallengeView;
}

/** POST /v1/bookings from the public site: the request plus what only the web edge checks. */
export interface PublicBookingBody extends BookingRequest {
  consent: true;
  /** Honeypot: people leave it empty. */
  website?: string;
  pow?: ProofOfWork;
  locale?: 'fr' | 'en';
}
