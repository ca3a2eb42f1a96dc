/** How a request reads on the desk and in its events (no import of the customers module: it reads these). */
import type { Db } from '../../db/database.js';
import { customerRequestRows, type RequestWithCustomer } from '../../db/requests.js';
import type { RequestChannel, RequestKind, RequestStatus } from '../../db/schema.js';

export interface RequestSummary {
  id: string;
  reference: string;
  kind: RequestKind;
  status: RequestStatus;
  customer: { id: string; name: string; phone: string };
  text: string;
  serviceId: string | null;
  postcode: string | null;
  channel: RequestChannel;
  createdAt: string;
  /** Minutes since the request came in (the queue shows its age). */
  ageMinutes: number;
  takenBy: string | null;
  bookingId: string | null;
  /** What the customer said about when to call them back (public form). */
  preferredTime: string | null;
  /** Why it was closed (done or cancelled). */
  closeReason: string | null;
}

export function requestSummary(row: RequestWithCustomer, now: Date): RequestSummary {
  return {
    id: row.id,
    reference: row.reference,
    kind: row.kind,
    status: row.status,
    customer: { id: row.customer_id, name: row.customer_name, phone: row.customer_phones[0] ?? '' },
    text: row.text,
    serviceId: row.service_id,
    postcode: row.postcode,
    channel: row.channel,
    createdAt: row.created_at.toISOString(),
    ageMinutes: Math.max(0, Math.floor((now.getTime() - row.created_at.getTime()) / 60_000)),
    takenBy: row.taken_by,
    bookingId: row.booking_id,
    preferredTime: row.preferred_time,
    closeReason: row.close_reason,
  };
}

/** What webhooks receive as `data` for request.created / request.closed. */
export function requestEventData(row: RequestWithCustomer) {
  return {
    id: row.id,
    reference: row.reference,
    kind: row.kind,
    status: row.status,
    customer: {
      id: row.customer_id,
      name: row.customer_name,
      phone: row.customer_phones[0] ?? '',
      email: row.customer_email,
    },
    text: row.text,
    serviceId: row.service_id,
    postcode: row.postcode,
    channel: row.channel,
    preferredTime: row.preferred_time,
    createdAt: row.created_at.toISOString(),
    ...(row.closed_at
      ? { reason: row.close_reason ?? '', bookingId: row.booking_id, closedAt: row.closed_at.toISOString() }
      : {}),
  };
}

/** A customer's requests for their card, newest first. */
export async function requestsOfCustomer(db: Db, customerId: string, now: Date): Promise<RequestSummary[]> {
  return (await customerRequestRows(db, customerId)).map((r) => requestSummary(r, now));
}
