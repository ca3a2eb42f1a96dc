/**
 * The planner API as the page sees it: same origin, bearer token from
 * sessionStorage (never a cookie, never in a URL).
 */
import { ApiError, staffSession } from '../staff/session.js';

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

export type { DayView, PlanView, Totals };
export type Technician = TechnicianView;
export type Change = ChangeView;
export type Stop = StopView;
export type Route = RouteView;
export type DayRoutes = DayRoutesView;
export type Progress = StopView['progress'];
export type Workload = RouteView['workload'];
export type Unassigned = DayView['unassigned'][number];

export interface MoveCheck {
  feasible: boolean;
  reasons: { code: string; text: string }[];
}
/** A place where the visit fits, as GET /v1/admin/visits/:id/move-options ranks them. */
export interface MoveOption {
  technicianId: string;
  technicianName: string;
  date: string;
  start: string;
  drivingAddedMinutes: number;
}
export interface MoveOptions {
  visitId: string;
  date: string;
  window: { start: string; end: string };
  options: MoveOption[];
}
export interface PlacedVisit {
  id: string;
  reference: string;
  technician: { id: string; name: string };
  planned: { start: string; end: string };
  version: number;
}
export interface Service {
  id: string;
  name: string;
  durationMinutes: number;
}
export interface UrgentRequest {
  serviceId: string;
  address: { street: string; postcode: string; city: string };
  deadline: string;
  durationMinutes?: number;
}
export interface UrgentOption {
  technicianId: string;
  technicianName: string;
  start: string;
  travelAddedMinutes: number;
  movedVisits: { visitId: string; reference: string; from: string; to: string }[];
  lateMinutes: number;
}

/** A technician as GET /v1/admin/technicians lists them (the fields the page reads). */
export interface StaffTechnician {
  id: string;
  name: string;
  active: boolean;
}
/** An absence as the availability API answers it. */
export interface AbsenceView {
  id: string;
  technicianId: string | null;
  start: string;
  end: string;
  reason: string;
}
export interface RecordedAbsence extends AbsenceView {
  unassignedVisits: { visitId: string; reference: string }[];
}

export { ApiError };

const session = staffSession('planner');
export const { storedToken, storeToken } = session;
const { call } = session;

export const api = {
  routes: (date: string) => call<DayView>('GET', `/v1/admin/routes?date=${encodeURIComponent(date)}`),
  propose: (date: string, timeLimitMs?: number) =>
    call<PlanView>('POST', '/v1/admin/plans', { date, ...(timeLimitMs ? { timeLimitMs } : {}) }),
  apply: (id: string) => call<PlanView & { moved: number }>('POST', `/v1/admin/plans/${id}/apply`),
  pin: (visitId: string, pinned: boolean) =>
    call<unknown>('PATCH', `/v1/admin/visits/${visitId}`, { pinned }),
  move: (visitId: string, to: { technicianId: string; plannedStart: string; version?: number }) =>
    call<PlacedVisit>('PATCH', `/v1/admin/visits/${visitId}`, to),
  moveCheck: (visitId: string, to: { technicianId: string; start: string }) =>
    call<MoveCheck>('POST', `/v1/admin/visits/${visitId}/move-check`, to),
  moveOptions: (visitId: string, technicianId?: string) =>
    call<MoveOptions>(
      'GET',
      `/v1/admin/visits/${encodeURIComponent(visitId)}/move-options${technicianId ? `?${new URLSearchParams({ technicianId, limit: '6' })}` : ''}`,
    ),
  makeRoom: (visitId: string) =>
    call<PlanView>('POST', `/v1/admin/visits/${encodeURIComponent(visitId)}/make-room`),
  progress: (visitId: string, progress: Progress, version?: number) =>
    call<PlacedVisit>('PATCH', `/v1/admin/visits/${visitId}`, { progress, version }),
  services: () => call<{ services: Service[] }>('GET', '/v1/services'),
  technicians: () => call<StaffTechnician[]>('GET', '/v1/admin/technicians'),
  absences: (date: string) =>
    call<AbsenceView[]>(
      'GET',
      `/v1/admin/availability/exceptions?${new URLSearchParams({ kind: 'absence', from: date, to: date })}`,
    ),
  recordAbsence: (
    body: { technicianId: string; reason?: string } & ({ from: string } | { start: string; end: string }),
  ) => call<RecordedAbsence>('POST', '/v1/admin/availability/exceptions', { kind: 'absence', ...body }),
  deleteAbsence: (id: string) =>
    call<{ restoredVisits: { visitId: string; reference: string }[] }>(
      'DELETE',
      `/v1/admin/availability/exceptions/${encodeURIComponent(id)}`,
    ),
  urgentOptions: (request: UrgentRequest) =>
    call<{ options: UrgentOption[] }>('POST', '/v1/admin/urgent/options', request),
  urgent: (request: UrgentRequest & { technicianId: string; customer: { name: string; phone: string } }) =>
    call<PlacedVisit & { movedVisits: UrgentOption['movedVisits'] }>('POST', '/v1/admin/urgent', request),
};

/** The French sentence for a failed call: the service's own detail, or what to do about the token. */
export function explain(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Jeton refusé : saisissez un jeton de planificateur valide.';
    if (error.status === 403) return 'Ce jeton n’a pas le rôle planificateur.';
    return error.message;
  }
  return 'Le service ne répond pas. Réessayez dans un instant.';
}
