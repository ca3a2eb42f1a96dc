/**
 * The public booking API as the widget sees it. Plain fetch, no cookies: the
 * service authorises embedding sites by their Origin (CORS allow-list).
 */

import { typeset } from './i18n.js';

// The widget reads exactly the server's shapes; type-only imports are erased from the bundle.
import type {
  BookingRules,
  BookingView,
  ChallengeView,
  CreatedBooking,
  DayOfWindows,
  PublicBookingBody,
  PublicSlotsView,
  ServiceView,
  TimeWindow,
} from '../domain/public-views.js';

export type { BookingRules, TimeWindow };
export type Service = ServiceView;
export type SlotDay = DayOfWindows;
export type Slots = PublicSlotsView;
export type Challenge = ChallengeView;
export type BookingRequest = PublicBookingBody;
export type Booking = BookingView;
export type BookingConfirmation = CreatedBooking;

/** The answer without the windows that need other visits moved (make-room): a reschedule moves only its own visit. */
export function withoutMoves(slots: Slots): Slots {
  const days = slots.days
    .map((d) => ({ ...d, windows: d.windows.filter((w) => !w.needsMoves) }))
    .filter((d) => d.windows.length > 0);
  return { ...slots, days };
}

/** An RFC 9457 problem; status 0 means the service could not be reached at all. */
export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  field?: string;
  errors?: { field: string; message: string }[];
  alternatives?: { days: SlotDay[] };
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

/** A capability to manage one booking: its id and the secret token from the manage link. */
export interface ManageKey {
  id: string;
  token: string;
}

/** A window kept for this customer while they type (POST /v1/holds). */
export interface HeldWindow {
  id: string;
  expiresAt: string;
  renewable: boolean;
}

/** What the widget asks of the desk: a call back, when booking online is not possible (POST /v1/requests). */
export type RequestKind = 'callback' | 'out_of_area' | 'no_window';
export interface CustomerRequestBody {
  kind: RequestKind;
  name: string;
  phone: string;
  email?: string;
  postcode?: string;
  serviceId?: string;
  message?: string;
  pow?: { challenge: string; nonce: string };
}

export interface Api {
  /** The services and the rules the form applies; with a postcode, whether each can be booked there. */
  services(postcode?: string): Promise<{ services: Service[]; rules: BookingRules }>;
  /** Every window up to the service's horizon (not two weeks: the first free day may be later). */
  slots(serviceId: string, postcode: string): Promise<Slots>;
  hold(serviceId: string, window: TimeWindow, postcode: string): Promise<HeldWindow>;
  renewHold(id: string): Promise<HeldWindow>;
  /** `leaving`: sent as the page goes away, so the request outlives it (fetch keepalive). */
  releaseHold(id: string, leaving?: boolean): Promise<void>;
  request(body: CustomerRequestBody): Promise<{ id: string; reference: string }>;
  challenge(): Promise<Challenge>;
  book(request: BookingRequest, idempotencyKey: string): Promise<BookingConfirmation>;
  booking(key: ManageKey): Promise<Booking>;
  reschedule(key: ManageKey, window: TimeWindow): Promise<Booking>;
  cancel(key: ManageKey): Promise<Booking>;
  /** The booking's .ics, asked with the manage token in its header (a link would put the token in a URL). */
  calendarFile(key: ManageKey): Promise<Blob>;
}

export function createApi(origin: string, lang: 'fr' | 'en'): Api {
  const base = origin.replace(/\/$/, '');

  async function call<T>(path: string, init?: RequestInit): Promise<T> {
    let response: Response;
    try {
      // Accept-Language is CORS-safelisted: the service words its messages in the widget's language.
      response = await fetch(base + path, {
        ...init,
        headers: { ...init?.headers, 'accept-language': lang },
        mode: 'cors',
        credentials: 'omit',
      });
    } catch {
      throw new ApiError({ status: 0 });
    }
    const body = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (!response.ok) {
      const problem: Problem = { ...(body as Problem | undefined), status: response.status };
      if (problem.detail) problem.detail = typeset(problem.detail, lang);
      throw new ApiError(problem);
    }
    return body as T;
  }

  const post = <T>(path: string, body?: unknown) =>
    call<T>(path, {
      method: 'POST',
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });

  return {
    services: (postcode) =>
      call<{ services: Service[]; rules: BookingRules }>(
        `/v1/services${postcode ? `?${new URLSearchParams({ postcode })}` : ''}`,
      ),
    slots: (serviceId, postcode) =>
      call<Slots>(`/v1/slots?${new URLSearchParams({ serviceId, postcode, range: 'horizon' })}`),
    hold: (serviceId, window, postcode) => post<HeldWindow>('/v1/holds', { serviceId, window, postcode }),
    renewHold: (id) => post<HeldWindow>(`/v1/holds/${encodeURIComponent(id)}/renew`),
    releaseHold: (id, leaving) =>
      call<void>(`/v1/holds/${encodeURIComponent(id)}`, { method: 'DELETE', keepalive: leaving === true }),
    request: (body) => post<{ id: string; reference: string }>('/v1/requests', body),
    challenge: () => call<Challenge>('/v1/challenge'),
    book: (request, idempotencyKey) =>
      call<BookingConfirmation>('/v1/bookings', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey } as Record<
          string,
          string
        >,
        body: JSON.stringify(request),
      }),
    // The token travels in a header, never in a URL the service would log.
    booking: (key) =>
      call<Booking>(`/v1/bookings/${encodeURIComponent(key.id)}`, {
        headers: { 'x-manage-token': key.token },
      }),
    reschedule: (key, window) =>
      call<Booking>(`/v1/bookings/${encodeURIComponent(key.id)}/reschedule`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-manage-token': key.token },
        body: JSON.stringify({ window }),
      }),
    cancel: (key) =>
      call<Booking>(`/v1/bookings/${encodeURIComponent(key.id)}/cancel`, {
        method: 'POST',
        headers: { 'x-manage-token': key.token },
      }),
    async calendarFile(key) {
      let response: Response;
      try {
        response = await fetch(`${base}/v1/bookings/${encodeURIComponent(key.id)}/calendar.ics`, {
          headers: { 'x-manage-token': key.token },
          mode: 'cors',
          credentials: 'omit',
        });
      } catch {
        throw new ApiError({ status: 0 });
      }
      if (!response.ok) throw new ApiError({ status: response.status });
      return response.blob();
    },
  };
}
