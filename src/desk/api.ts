/**
 * The desk's API as the page sees it: same origin, the agent's bearer token
 * from sessionStorage (never a cookie, never in a URL). Customers and
 * requests follow the contract in TEAM.md; slots, bookings, moves and
 * cancellations are the public routes, which lift the notice for staff.
 */
import { ApiError, staffSession } from '../staff/session.js';

// Type-only imports are erased from the bundle: the page reads the server's own shapes.
import type {
  BookingView,
  CreatedBooking,
  ServiceView,
  SlotsView,
  TimeWindow,
} from '../domain/public-views.js';

export type { BookingView, CreatedBooking, ServiceView, SlotsView, TimeWindow };

import type {
  CustomerCard,
  CustomerListItem as CustomerHit,
  CustomerVisit as CardVisit,
} from '../domain/customers/index.js';
import type { RequestSummary } from '../domain/requests/summary.js';
import type { CustomerAddress as Address, RequestKind, RequestStatus } from '../db/schema.js';

export type { Address, CardVisit, CustomerCard, CustomerHit, RequestKind, RequestStatus, RequestSummary };
export type MatchedOn = CustomerHit['matchedOn'];

export interface CustomerSearch {
  items: CustomerHit[];
  total: number;
  truncated: boolean;
  nextOffset: number | null;
}

/** In the order the queue's filter lists them (the server's RequestKind, as values the page can loop over). */
export const REQUEST_KINDS = [
  'callback',
  'out_of_area',
  'no_window',
  'quote',
  'field',
  'other',
] as const satisfies readonly RequestKind[];
export type Channel = 'phone' | 'email' | 'desk';

export interface NewCustomer {
  name: string;
  phone: string;
  email?: string;
  address?: Address;
}

export interface NewRequest {
  kind: RequestKind;
  customerId?: string;
  customer?: { name: string; phone: string; email?: string };
  text: string;
  serviceId?: string;
  postcode?: string;
  channel: Channel;
}

export interface BookingBody {
  serviceId: string;
  window: TimeWindow;
  /** The window was offered with needsMoves: the booking may move a few booked visits to take it. */
  needsMoves?: boolean;
  customer: { name: string; phone: string; email?: string | null };
  address: { line: string; postcode: string; city: string };
  notes?: string;
  consent: true;
  channel: Channel;
}

export { ApiError };
export const UNAUTHORISED_EVENT = 'tournee-desk-unauthorised';

const session = staffSession('desk', UNAUTHORISED_EVENT);
export const { storedToken, storeToken } = session;
const { call } = session;

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));

export const api = {
  searchCustomers: (q: string, signal?: AbortSignal) =>
    call<CustomerSearch>('GET', `/v1/admin/customers?${query({ q, limit: '8' })}`, undefined, {}, signal),
  customer: (id: string) => call<CustomerCard>('GET', `/v1/admin/customers/${encodeURIComponent(id)}`),
  createCustomer: (body: NewCustomer) => call<CustomerCard>('POST', '/v1/admin/customers', body),
  updateCustomer: (
    id: string,
    patch: { notes?: string; name?: string; phones?: string[]; email?: string | null },
  ) => call<CustomerCard>('PATCH', `/v1/admin/customers/${encodeURIComponent(id)}`, patch),

  services: (postcode?: string) =>
    call<{ services: ServiceView[] }>('GET', `/v1/services?${query({ postcode })}`),
  slots: (serviceId: string, postcode: string, from?: string) =>
    call<SlotsView>('GET', `/v1/slots?${query({ serviceId, postcode, from })}`),
  book: (body: BookingBody, idempotencyKey: string) =>
    call<CreatedBooking>('POST', '/v1/bookings', body, { 'idempotency-key': idempotencyKey }),
  reschedule: (id: string, window: TimeWindow) =>
    call<BookingView>('POST', `/v1/bookings/${encodeURIComponent(id)}/reschedule`, { window }),
  cancel: (id: string) => call<BookingView>('POST', `/v1/bookings/${encodeURIComponent(id)}/cancel`),

  requests: (filter: { status: string; kind?: RequestKind }) =>
    call<{ items: RequestSummary[]; total: number; truncated: boolean }>(
      'GET',
      `/v1/admin/requests?${query(filter)}`,
    ),
  createRequest: (body: NewRequest) => call<RequestSummary>('POST', '/v1/admin/requests', body),
  updateRequest: (id: string, body: { status: RequestStatus; reason?: string; bookingId?: string }) =>
    call<RequestSummary>('PATCH', `/v1/admin/requests/${encodeURIComponent(id)}`, body),
};
