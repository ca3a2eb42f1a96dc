/**
 * The planner API as the page sees it: same origin, bearer token from
 * sessionStorage (never a cookie, never in a URL).
 */

// The page reads exactly the server's view types; type-only imports are erased from the bundle.
import type {
  ChangeView,
  DayRoutesView,
  DayView,
  PlanView,
  RouteView,
  StopView,
  TechnicianView,
  Totals,
} from '../domain/planning/index.js';

export type { DayView, PlanView, RouteView, Totals };
export type Stop = StopView;
export type DayRoutes = DayRoutesView;
export type Technician = TechnicianView;
export type Change = ChangeView;
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'tournee.planner.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${storedToken() ?? ''}`,
    'accept-language': 'fr',
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const payload = (await response.json().catch(() => ({}))) as {
    detail?: string;
    title?: string;
    code?: string;
  };
  if (!response.ok)
    throw new ApiError(
      response.status,
      payload.detail ?? payload.title ?? `Erreur ${response.status}`,
      payload.code,
    );
  return payload as T;
}

export const api = {
  routes: (date: string) => call<DayView>('GET', `/v1/admin/routes?date=${encodeURIComponent(date)}`),
  propose: (date: string, timeLimitMs?: number) =>
    call<PlanView>('POST', '/v1/admin/plans', { date, ...(timeLimitMs ? { timeLimitMs } : {}) }),
  apply: (id: string) => call<PlanView & { moved: number }>('POST', `/v1/admin/plans/${id}/apply`),
  pin: (visitId: string, pinned: boolean) =>
    call<unknown>('PATCH', `/v1/admin/visits/${visitId}`, { pinned }),
};
