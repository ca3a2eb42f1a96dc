/**
 * Routes as the planner reads them: each technician's day in local times and
 * minutes, the totals, and the list of changes between two plans. Every
 * figure comes from the solver's routeTimeline, so what the page shows is
 * what the optimiser counted.
 */
import type { Plan } from '../../../solver/problem.js';
import { currentPlan } from '../../../solver/slots.js';
import { routeTimeline } from '../../../solver/timeline.js';
import type { Executor } from '../../db/database.js';
import type { Db } from '../../db/database.js';
import { technicianLabels } from '../../db/plans.js';
import type { VisitProgress } from '../../db/schema.js';
import { localDateOf, localIso } from '../local-time.js';
import { shiftKey } from '../shift-key.js';
import { buildDayProblem, placements, requireDate, samePlacement, type DayProblem } from './day-problem.js';
import { unassignedView, type UnassignedView } from './lane.js';
import { freezeAt } from './now.js';

export interface StopView {
  visitId: string;
  reference: string;
  service: string;
  customer: string;
  address: { line: string; postcode: string; city: string; lat: number; lon: number };
  window: { start: string; end: string };
  planned: { start: string; end: string };
  /** Driving time from the previous place (home base or visit). */
  travelMinutes: number;
  /** Time waiting before this visit, after driving and breaks. */
  idleMinutes: number;
  pinned: boolean;
  progress: VisitProgress;
  /** Started, or due to have started by now: no proposal moves it. */
  frozen: boolean;
  version: number;
}

/** What a technician's day weighs: the figures fairness is judged on. */
export interface Workload {
  visits: number;
  /** Time on site (visit durations), minutes. */
  bookedMinutes: number;
  drivingKm: number;
  idleMinutes: number;
  overtimeMinutes: number;
}

export interface RouteView {
  technicianId: string;
  shift: { start: string; end: string; breaks: { start: string; end: string }[] };
  departAt: string | null;
  backAt: string | null;
  returnTravelMinutes: number;
  stops: StopView[];
  travelMinutes: number;
  idleMinutes: number;
  overtimeMinutes: number;
  distanceKm: number;
  workload: Workload;
}

export interface Totals {
  visits: number;
  travelMinutes: number;
  idleMinutes: number;
  overtimeMinutes: number;
  distanceKm: number;
}

export interface DayRoutesView {
  routes: RouteView[];
  totals: Totals;
}

export interface TechnicianView {
  id: string;
  name: string;
  colour: string;
  home: { lat: number; lon: number };
}

export interface ChangeView {
  visitId: string;
  reference: string;
  service: string;
  customer: string;
  city: string;
  from: { technicianId: string; technicianName: string; start: string };
  to: { technicianId: string; technicianName: string; start: string };
  reassigned: boolean;
  /** Placed from the unassigned lane (`from` is where it was booked). */
  fromUnassigned: boolean;
  /** Planned start moved by this many minutes (negative: earlier). */
  shiftMinutes: number;
}

export interface DayView {
  date: string;
  timezone: string;
  technicians: TechnicianView[];
  current: DayRoutesView;
  /** Booked visits of the day outside every route (the unassigned lane, and started visits of an absent technician). */
  visitsOutsideRoutes: number;
  /** The unassigned lane: booked visits of the day waiting for a technician. */
  unassigned: UnassignedView[];
  /** The current instant when the day is today (the page's "now" line), else null. */
  now: string | null;
  warnings: string[];
}

const minutes = (seconds: number) => Math.round(seconds / 60);
const km = (metres: number) => Math.round(metres / 100) / 10;

/** Every technician working that day, with their route in `plan` (an empty one when they have none). */
export function describePlan(
  day: DayProblem,
  plan: Plan,
  frozen: ReadonlySet<string> = new Set(),
): DayRoutesView {
  const iso = (s: number) => localIso(s, day.timezone);
  const routes: RouteView[] = [];
  const sums = { visits: 0, travel: 0, idle: 0, overtime: 0, distance: 0 };
  const visits = new Map(day.problem.visits.map((v) => [v.id, v]));
  for (const tech of day.problem.technicians) {
    const route = plan.routes.find((r) => r.technicianId === tech.id) ?? {
      technicianId: tech.id,
      shiftId: shiftKey(tech.id, day.date),
      stops: [],
    };
    const timeline = routeTimeline(day.problem, route);
    if (!timeline) continue;
    const stops = timeline.stops.map((stop): StopView => {
      const visit = visits.get(stop.visitId)!;
      const row = day.visitRows.get(stop.visitId)!;
      return {
        visitId: stop.visitId,
        reference: row.reference,
        service: day.services.get(row.service_id)?.name ?? '',
        customer: row.customer_name,
        address: {
          line: row.address_line,
          postcode: row.postcode,
          city: row.city,
          lat: row.lat,
          lon: row.lon,
        },
        window: { start: iso(visit.window.start), end: iso(visit.window.end) },
        planned: { start: iso(stop.start), end: iso(stop.end) },
        travelMinutes: minutes(stop.travel),
        idleMinutes: minutes(stop.wait),
        pinned: row.pinned,
        progress: row.progress,
        frozen: frozen.has(stop.visitId),
        version: row.version,
      };
    });
    const { totals } = timeline;
    routes.push({
      technicianId: tech.id,
      shift: {
        start: iso(timeline.shift.start),
        end: iso(timeline.shift.end),
        breaks: timeline.breaks.map((b) => ({ start: iso(b.start), end: iso(b.end) })),
      },
      departAt: timeline.departure === null ? null : iso(timeline.departure),
      backAt: timeline.back === null ? null : iso(timeline.back),
      returnTravelMinutes: minutes(timeline.returnTravel),
      stops,
      travelMinutes: minutes(totals.travelTime),
      idleMinutes: minutes(totals.waiting),
      overtimeMinutes: minutes(totals.overtime),
      distanceKm: km(totals.distance),
      workload: {
        visits: stops.length,
        bookedMinutes: minutes(timeline.stops.reduce((sum, s) => sum + (s.end - s.start), 0)),
        drivingKm: km(totals.distance),
        idleMinutes: minutes(totals.waiting),
        overtimeMinutes: minutes(totals.overtime),
      },
    });
    sums.visits += stops.length;
    sums.travel += totals.travelTime;
    sums.idle += totals.waiting;
    sums.overtime += totals.overtime;
    sums.distance += totals.distance;
  }
  return {
    routes,
    totals: {
      visits: sums.visits,
      travelMinutes: minutes(sums.travel),
      idleMinutes: minutes(sums.idle),
      overtimeMinutes: minutes(sums.overtime),
      distanceKm: km(sums.distance),
    },
  };
}

export function technicianViews(day: DayProblem): TechnicianView[] {
  return day.problem.technicians
    .filter((t) => t.shifts.some((s) => s.id === shiftKey(t.id, day.date)))
    .map((t) => {
      const row = day.technicians.get(t.id)!;
      return { id: t.id, name: row.name, colour: row.colour, home: { lat: row.homeLat, lon: row.homeLon } };
    });
}

/** Visits placed differently in `after`: reassignments first, then by their old time. */
export function listChanges(day: DayProblem, before: Plan, after: Plan): ChangeView[] {
  const was = placements(before);
  const now = placements(after);
  const nameOf = (id: string) => day.technicians.get(id)?.name ?? id;
  const iso = (s: number) => localIso(s, day.timezone);
  const changes: (ChangeView & { at: number })[] = [];
  const lane = new Set(day.unassigned.map((u) => u.row.id));
  for (const [visitId] of now) {
    if (!lane.has(visitId) || was.has(visitId)) continue;
    const row = day.visitRows.get(visitId)!;
    was.set(visitId, { technicianId: row.technician_id, start: row.planned_start.getTime() / 1000 });
  }
  for (const [visitId, from] of was) {
    const to = now.get(visitId);
    if (!to || samePlacement(from, to)) continue;
    const row = day.visitRows.get(visitId)!;
    changes.push({
      at: from.start,
      visitId,
      reference: row.reference,
      service: day.services.get(row.service_id)?.name ?? '',
      customer: row.customer_name,
      city: row.city,
      from: {
        technicianId: from.technicianId,
        technicianName: nameOf(from.technicianId),
        start: iso(from.start),
      },
      to: { technicianId: to.technicianId, technicianName: nameOf(to.technicianId), start: iso(to.start) },
      reassigned: to.technicianId !== from.technicianId,
      fromUnassigned: lane.has(visitId),
      shiftMinutes: minutes(to.start - from.start),
    });
  }
  changes.sort(
    (a, b) =>
      Number(b.fromUnassigned) - Number(a.fromUnassigned) ||
      Number(b.reassigned) - Number(a.reassigned) ||
      a.at - b.at ||
      a.reference.localeCompare(b.reference),
  );
  return changes.map(({ at: _at, ...change }) => change);
}

/** The unassigned lane of a day, with the previous technicians' names (inactive ones too). */
export async function laneOf(db: Executor, day: DayProblem): Promise<UnassignedView[]> {
  const labels = await technicianLabels(db, [...new Set(day.unassigned.map((u) => u.row.technician_id))]);
  const names = new Map(labels.map((l) => [l.id, l.name]));
  return day.unassigned.map((entry) => unassignedView(day, entry, names));
}

/** `now` as the page's "now" line when `date` is today in the company's zone, else null. */
export function nowOnDay(day: DayProblem, now: Date | undefined): string | null {
  if (!now) return null;
  const seconds = now.getTime() / 1000;
  return localDateOf(seconds, day.timezone) === day.date ? localIso(seconds, day.timezone) : null;
}

/** The day's routes as the bookings left them; `now` freezes started and past visits (today). */
export async function dayRoutes(db: Db, date: string, now?: Date): Promise<DayView> {
  requireDate(date, 'query.date');
  const day = await buildDayProblem(db, date);
  const { frozen } = freezeAt(day, now ? now.getTime() / 1000 : undefined);
  return {
    date,
    timezone: day.timezone,
    technicians: technicianViews(day),
    current: describePlan(day, currentPlan(day.problem), frozen),
    visitsOutsideRoutes: day.outsideRoutes,
    unassigned: await laneOf(db, day),
    now: nowOnDay(day, now),
    warnings: day.warnings,
  };
}
