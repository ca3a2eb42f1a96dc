/**
 * The desk's API as the page sees it: same origin, the agent's bearer token
 * from sessionStorage (never a cookie, never in a URL). Customers and
 * requests follow the contract in TEAM.md; slots, bookings, moves and
 * cancellations are the public routes, which lift the notice for staff.
 */

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
  customer: { name: string; phone: string; email?: string | null };
  address: { line: string; postcode: string; city: string };
  notes?: string;
  consent: true;
  channel: Channel;
}

/** An RFC 9457 problem, in French (the page asks for it). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'tournee.desk.token';
export const UNAUTHORISED_EVENT = 'tournee-desk-unauthorised';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${storedToken() ?? ''}`,
    'accept-language': 'fr',
    ...extraHeaders,
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'Le service ne répond pas. Réessayez dans un instant.');
  }
  const payload = (await response.json().catch(() => ({}))) as {
    detail?: string;
    title?: string;
    field?: string;
    errors?: { field: string; message: string }[];
  };
  // Every part of the page reacts the same way to a refused token: back to the token form.
  if (response.status === 401) window.dispatchEvent(new Event(UNAUTHORISED_EVENT));
  if (!response.ok)
    throw new ApiError(
      response.status,
      payload.detail ?? payload.title ?? `Erreur ${response.status}`,
      payload.field ?? payload.errors?.[0]?.field,
    );
  return payload as T;
}

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));

export const api = {
  searchCustomers: (q: string, signal?: AbortSignal) =>
    call<CustomerSearch>('GET', `/v1/admin/customers?${query({ q, limit: '8' })}`, undefined, {}, signal),
  customer: (id: string) => call<CustomerCard>('GET', `/v1/admin/customers/${encodeURIComponent(id)}`),
  createCustomer: (body: NewCustomer) => call<CustomerCard>('POST', '/v1/admin/customers', body),
  updateCustomer: (id: string, patch: { notes?: string }) =>
    call<CustomerCard>('PATCH', `/v1/admin/customers/${encodeURIComponent(id)}`, patch),

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
