/**
 * The planner's day as a solver problem: every active technician's shift of
 * that day, their booked visits as the current routes, and what each visit
 * needs (skills, the area it lies in). Proposals, applying and manual moves
 * all judge plans against a problem built here, inside their own
 * transaction, so a plan computed on yesterday's data is never written onto
 * today's.
 */
import { DateTime } from 'luxon';
import { checkPlan } from '../../../solver/check.js';
import { servesArea, type Plan, type Problem, type Violation } from '../../../solver/problem.js';
import { getCompanySettings } from '../../db/company-settings.js';
import { type Executor } from '../../db/database.js';
import {
  planningTechnicians,
  servedPostcodes,
  serviceRequirements,
  type PlanningTechnicianFilter,
  type PlanningTechnicianRow,
} from '../../db/plans.js';
import type { UnassignedReason, VisitRow } from '../../db/schema.js';
import { bookedVisitRowsDuring } from '../../db/visit-progress.js';
import { buildBookingProblem, localDaySpan } from '../booking-problem.js';
import { badDate, wording } from './wording.js';

export interface DayProblem {
  date: string;
  timezone: string;
  span: { from: Date; to: Date };
  problem: Problem;
  visitRows: Map<string, VisitRow>;
  technicians: Map<string, PlanningTechnicianRow>;
  services: Map<string, { name: string; skills: string[] }>;
  /** What a visit needs wherever it goes: its service's skills, and its postal code when some zone covers it. */
  requirementsOf: (row: VisitRow) => { skills: string[]; area?: string };
  /** The same for a visit not yet booked. */
  requirementsFor: (serviceId: string, postcode: string) => { skills: string[]; area?: string };
  /** Booked visits of the day on no route (unassigned, or their technician absent or inactive); 0 for a technicianIds problem. */
  outsideRoutes: number;
  /**
   * The unassigned lane: booked, not started visits of the day on nobody's route. They are in
   * `problem` without an assignment, so a proposal places them first (they cost the optimiser
   * far more unserved than any detour); a manual move or a plan puts them back on a route.
   */
  unassigned: { row: VisitRow; reason: UnassignedReason }[];
  warnings: string[];
  placeFor: (lat: number, lon: number, postcode: string) => { key: number; lat: number; lon: number };
}

export function requireDate(date: string, field: string): void {
  if (!DateTime.fromISO(date).isValid) throw badDate(field);
}

/**
 * Zones enter the solver as areas named by postal code: a technician serves
 * the postal codes of their zones, a visit lies in its own. A visit whose
 * postal code no zone covers any more may go to anyone qualified.
 */
export async function buildDayProblem(
  db: Executor,
  date: string,
  options: {
    technicianIds?: string[];
    /**
     * Only the technicians who could take this work (its service's skills, its zone) and, for a
     * booked visit, its own: where it could go, without reading the routes of those who never
     * could (on a 600-technician company, most of the day). Like technicianIds, the unassigned
     * lane is not read.
     */
    eligibleFor?: { serviceId: string; postcode: string; technicianId?: string };
  } = {},
): Promise<DayProblem> {
  const settings = await getCompanySettings(db);
  const timezone = settings.timezone;
  const span = localDaySpan(date, date, timezone);
  const [services, served] = await Promise.all([serviceRequirements(db), servedPostcodes(db)]);
  const requirementsFor = (serviceId: string, postcode: string) => ({
    skills: services.get(serviceId)?.skills ?? [],
    ...(served.has(postcode) ? { area: postcode } : {}),
  });
  const requirementsOf = (row: VisitRow) => requirementsFor(row.service_id, row.postcode);
  // Who the day is built for is asked of the database: reading 600 technicians' rows and zones to
  // keep two (a move) or a score (the move dialog's places) cost more than judging them.
  const work = options.eligibleFor;
  const needs = work ? requirementsFor(work.serviceId, work.postcode) : undefined;
  const filter: PlanningTechnicianFilter | undefined =
    work && needs
      ? {
          canTake: { skills: needs.skills, ...(needs.area ? { postcode: needs.area } : {}) },
          ...(work.technicianId ? { orId: work.technicianId } : {}),
        }
      : options.technicianIds
        ? { ids: options.technicianIds }
        : undefined;
  const technicians = await planningTechnicians(db, filter);
  const built = await buildBookingProblem(
    db,
    technicians.map((t) => ({ id: t.id, skills: t.skills, home: { lat: t.homeLat, lon: t.homeLon } })),
    span.from,
    span.to,
  );
  const areas = new Map(technicians.map((t) => [t.id, t.postcodes]));
  for (const t of built.problem.technicians) t.serves = areas.get(t.id) ?? [];

  const warnings: string[] = [];
  const byId = new Map(built.problem.technicians.map((t) => [t.id, t]));
  for (const visit of built.problem.visits) {
    const row = built.visitRows.get(visit.id)!;
    const needs = requirementsOf(row);
    const holder = byId.get(visit.assigned!.technicianId);
    if (holder && needs.skills.every((k) => holder.skills.includes(k)) && servesArea(holder, needs.area)) {
      visit.skills = needs.skills;
      if (needs.area !== undefined) visit.area = needs.area;
    } else {
      // Booked before a skill or zone was withdrawn: re-planning cannot make it right, so it stays put.
      visit.skills = [];
      visit.pinned = true;
      warnings.push(wording.visitKeptInPlace(row.reference));
    }
  }
  const wanted = options.technicianIds || work ? new Set(technicians.map((t) => t.id)) : undefined;
  // A move (or its check, asked while dragging) judges two routes only: the day's other rows are not read.
  const allBooked = wanted ? [] : await bookedVisitRowsDuring(db, span.from, span.to);
  const outside = allBooked.filter(
    (v) => !built.visitRows.has(v.id) && (!wanted || wanted.has(v.technician_id)),
  );
  const unassigned: DayProblem['unassigned'] = [];
  if (!wanted) {
    const active = new Set(technicians.map((t) => t.id));
    for (const row of outside) {
      // A started visit stays with whoever started it, even if their day was since cut short.
      if (row.progress !== 'planned') continue;
      const reason =
        row.unassigned_reason ?? (active.has(row.technician_id) ? 'technician-absent' : 'no-technician');
      unassigned.push({ row, reason });
      const needs = requirementsOf(row);
      built.problem.visits.push({
        id: row.id,
        place: built.placeFor(row.lat, row.lon, row.postcode),
        duration: (row.planned_end.getTime() - row.planned_start.getTime()) / 1000,
        window: { start: row.window_start.getTime() / 1000, end: row.window_end.getTime() / 1000 },
        skills: needs.skills,
        ...(needs.area !== undefined ? { area: needs.area } : {}),
      });
      built.visitRows.set(row.id, row);
    }
  }
  const outsideRoutes = outside.length;
  return {
    date,
    timezone,
    span,
    problem: built.problem,
    visitRows: built.visitRows,
    technicians: new Map(technicians.map((t) => [t.id, t])),
    services,
    requirementsOf,
    requirementsFor,
    outsideRoutes,
    unassigned,
    warnings,
    placeFor: built.placeFor,
  };
}

export interface Placement {
  technicianId: string;
  start: number;
}

/** Where each visit of a plan goes. */
export function placements(plan: Plan): Map<string, Placement> {
  const out = new Map<string, Placement>();
  for (const r of plan.routes)
    for (const s of r.stops) out.set(s.visitId, { technicianId: r.technicianId, start: s.start });
  return out;
}

/** True when the visit would keep its technician and (to the second) its start. */
export function samePlacement(a: Placement | undefined, b: Placement): boolean {
  return a !== undefined && a.technicianId === b.technicianId && Math.abs(a.start - b.start) < 1;
}

const violationKey = (v: Violation) => `${v.code}|${v.visitId ?? ''}|${v.technicianId ?? ''}`;

/** The rules a plan already breaks (data that drifted after booking): a new plan is not blamed for them. */
export function knownViolations(problem: Problem, plan: Plan): Set<string> {
  return new Set(checkPlan(problem, plan).map(violationKey));
}

/** Violations of `plan` that the baseline (the day's current plan, or its known violations) does not have. */
export function newViolations(problem: Problem, plan: Plan, baseline: Plan | Set<string>): Violation[] {
  const known = baseline instanceof Set ? baseline : knownViolations(problem, baseline);
  return checkPlan(problem, plan).filter((v) => !known.has(violationKey(v)));
}
