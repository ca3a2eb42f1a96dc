/**
 * The planner API as the page sees it: same origin, bearer token from
 * sessionStorage (never a cookie, never in a URL). Types mirror the zod
 * schemas of src/http/routes/admin-plans.ts.
 */

export interface Moment {
  start: string;
  end: string;
}

export interface Stop {
  visitId: string;
  reference: string;
  service: string;
  customer: string;
  address: { line: string; postcode: string; city: string; lat: number; lon: number };
  window: Moment;
  planned: Moment;
  travelMinutes: number;
  idleMinutes: number;
  pinned: boolean;
}

export interface RouteView {
  technicianId: string;
  shift: { start: string; end: string; breaks: Moment[] };
  departAt: string | null;
  backAt: string | null;
  returnTravelMinutes: number;
  stops: Stop[];
  travelMinutes: number;
  idleMinutes: number;
  overtimeMinutes: number;
  distanceKm: number;
}

export interface Totals {
  visits: number;
  travelMinutes: number;
  idleMinutes: number;
  overtimeMinutes: number;
  distanceKm: number;
}

export interface DayRoutes {
  routes: RouteView[];
  totals: Totals;
}

export interface Technician {
  id: string;
  name: string;
  colour: string;
  home: { lat: number; lon: number };
}

export interface DayView {
  date: string;
  timezone: string;
  technicians: Technician[];
  current: DayRoutes;
  visitsOutsideRoutes: number;
  warnings: string[];
}

export interface Change {
  visitId: string;
  reference: string;
  service: string;
  customer: string;
  city: string;
  from: { technicianId: string; technicianName: string; start: string };
  to: { technicianId: string; technicianName: string; start: string };
  reassigned: boolean;
  shiftMinutes: number;
}

export interface PlanView extends DayView {
  id: string;
  status: 'proposed' | 'applied' | 'stale';
  proposed: DayRoutes;
  savings: Omit<Totals, 'visits'>;
  changes: Change[];
  optimiser: { timeLimitMs: number; seed: number; elapsedMs: number; iterations: number; keptCurrent: string | null };
}

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
  const headers: Record<string, string> = { authorization: `Bearer ${storedToken() ?? ''}`, 'accept-language': 'fr' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const payload = (await response.json().catch(() => ({}))) as { detail?: string; title?: string; code?: string };
  if (!response.ok) throw new ApiError(response.status, payload.detail ?? payload.title ?? `Erreur ${response.status}`, payload.code);
  return payload as T;
}

export const api = {
  routes: (date: string) => call<DayView>('GET', `/v1/admin/routes?date=${encodeURIComponent(date)}`),
  propose: (date: string, timeLimitMs?: number) => call<PlanView>('POST', '/v1/admin/plans', { date, ...(timeLimitMs ? { timeLimitMs } : {}) }),
  apply: (id: string) => call<PlanView & { moved: number }>('POST', `/v1/admin/plans/${id}/apply`),
  pin: (visitId: string, pinned: boolean) => call<unknown>('PATCH', `/v1/admin/visits/${visitId}`, { pinned }),
};
