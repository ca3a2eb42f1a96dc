/** What a booking looks like to its reader (customer or desk), and the request shapes. */
import type { BookingChannel, VisitRow } from '../../db/schema.js';
import { changeWindow } from '../customer-rules.js';
import { localIso } from '../local-time.js';
import type { AddressInput } from '../slots.js';

export interface CustomerDetails {
  name: string;
  phone: string;
  email?: string | null;
}

export interface BookingAddress extends AddressInput {
  line: string;
  city: string;
}

export interface Booker {
  channel: BookingChannel;
  /** Who booked: 'web' for the public site, the token's name for the desk. */
  bookedBy: string;
  /** Desk agents may book inside the minimum notice and change bookings after the cut-off. */
  isStaff: boolean;
}

export interface BookingRequest {
  serviceId: string;
  window: { start: string; end: string };
  customer: CustomerDetails;
  address: BookingAddress;
  notes?: string;
  /** The customer's language for e-mails; French when absent. */
  locale?: 'fr' | 'en';
  /** The hold placed on this window while the customer typed (POST /v1/holds): consumed by the booking. */
  holdId?: string;
  /** The window was offered with `needsMoves`: the booking may move a few booked visits to take it. */
  needsMoves?: boolean;
}

export interface BookingView {
  id: string;
  reference: string;
  status: VisitRow['status'];
  version: number;
  service: { id: string; name: string };
  window: { start: string; end: string };
  address: { line: string; postcode: string; city: string };
  customer: { name: string; phone: string; email: string | null };
  notes: string;
  channel: BookingChannel;
  createdAt: string;
  updatedAt: string;
  /** Whether the reader may still change or cancel it (customers: until the cut-off; the desk: while booked). */
  changeable: boolean;
  /** When online changes close for the customer. */
  changeableUntil: string;
}

/** Who reads a booking, and when: it decides whether they may still change it. */
export interface Reader {
  now: Date;
  isStaff: boolean;
}

export interface CreatedBooking {
  booking: BookingView;
  /** The links carry secrets shown once: a replay of the Idempotency-Key answers without them. */
  manageUrl?: string;
  icsUrl?: string;
}

export interface BookingLinks {
  manageUrl(id: string, token: string): string;
  icsUrl(id: string, token: string): string;
}

export function bookingView(
  row: VisitRow,
  serviceName: string,
  timezone: string,
  reader: Reader,
): BookingView {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    version: row.version,
    service: { id: row.service_id, name: serviceName },
    window: {
      start: localIso(row.window_start.getTime() / 1000, timezone),
      end: localIso(row.window_end.getTime() / 1000, timezone),
    },
    address: { line: row.address_line, postcode: row.postcode, city: row.city },
    customer: { name: row.customer_name, phone: row.customer_phone, email: row.customer_email },
    notes: row.notes,
    channel: row.channel,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    ...changeWindow(row, reader.now, reader.isStaff),
  };
}
