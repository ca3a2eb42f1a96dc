/**
 * The planner's day: each technician's route as it is, a better plan from the
 * optimiser, applying it, and moving or pinning a visit by hand.
 *
 * Every plan that reaches the database passes checkPlan first, against a
 * problem rebuilt inside the writing transaction, so a proposal computed on
 * yesterday's working hours cannot be applied onto today's.
 */
import { DateTime } from 'luxon';
import type { Transaction } from 'kysely';
import { checkPlan } from '../../solver/check.js';
import { planRoutesInWorker } from '../../solver/optimiser/index.js';
import type { Plan, Problem, Route, Violation } from '../../solver/problem.js';
import { currentPlan } from '../../solver/slots.js';
import {
  deferOverlapCheck,
  findVisit,
  getCompanySettings,
  lockTechnicianDays,
  type Executor,
} from '../db/bookings.js';
import type { Db } from '../db/database.js';
import {
  bookedVisitVersions,
  findPlan,
  insertPlan,
  markOtherProposalsStale,
  markPlan,
  moveVisitIfUnchanged,
  planningTechnicians,
  servedPostcodes,
  serviceRequirements,
  technicianLabels,
  type PlanRow,
  type PlanningTechnicianRow,
} from '../db/plans.js';
import type { Database, VisitRow } from '../db/schema.js';
import { localDateOf, localIso } from './local-time.js';
import { buildBookingProblem, localDaySpan } from './booking-problem.js';
import { enqueueVisitMoved } from './outbox/index.js';
import { DomainError } from './errors.js';

/** Optimiser budget when the request names none, and the bounds a request may ask for. */
export const DEFAULT_TIME_LIMIT_MS = 4000;
export const MIN_TIME_LIMIT_MS = 200;
export const MAX_TIME_LIMIT_MS = 20_000;
/** Same day, same routes, same seed: the same proposal (within the time limit). */
export const DEFAULT_SEED = 20260325;

/**
 * Zones enter the solver as one pseudo-skill per postal code: a technician
 * "has" the postal codes of the zones they serve, a visit "needs" its own,
 * so the optimiser never sends a technician out of their area and checkPlan
 * reports it like a missing skill.
 */
const POSTCODE_SKILL = 'postcode:';

// ---------------------------------------------------------------------------
// The day as a solver problem

export interface DayProblem {
  date: string;
  timezone: string;
  span: { from: Date; to: Date };
  problem: Problem;
  visitRows: Map<string, VisitRow>;
  technicians: Map<string, PlanningTechnicianRow>;
  services: Map<string, { name: string; skills: string[] }>;
  /** What each visit of the problem needs, before any relaxation. */
  requirements: Map<string, string[]>;
  /** Booked visits the problem cannot route (technician absent or inactive): they stay where they are. */
  outsideRoutes: number;
  warnings: string[];
  placeFor: (lat: number, lon: number, postcode: string) => { key: number; lat: number; lon: number };
}

const shiftIdOf = (technicianId: string, date: string) => `${technicianId}:${date}`;

export async function buildDayProblem(
  db: Executor,
  date: string,
  options: { technicianIds?: string[] } = {},
): Promise<DayProblem> {
  const settings = await getCompanySettings(db);
  const timezone = settings.timezone;
  const span = localDaySpan(date, date, timezone);
  const [allTechnicians, services, served] = await Promise.all([
    planningTechnicians(db),
    serviceRequirements(db),
    servedPostcodes(db),
  ]);
  const technicians = options.technicianIds
    ? allTechnicians.filter((t) => options.technicianIds!.includes(t.id))
    : allTechnicians;
  const built = await buildBookingProblem(
    db,
    technicians.map((t) => ({
      id: t.id,
      skills: [...t.skills, ...t.postcodes.map((p) => POSTCODE_SKILL + p)],
      home: { lat: t.homeLat, lon: t.homeLon },
    })),
    span.from,
    span.to,
  );
  const requirements = new Map<string, string[]>();
  const warnings: string[] = [];
  const skillsOf = new Map(built.problem.technicians.map((t) => [t.id, new Set(t.skills)]));
  for (const visit of built.problem.visits) {
    const row = built.visitRows.get(visit.id)!;
    const needs = [
      ...(services.get(row.service_id)?.skills ?? []),
      ...(served.has(row.postcode) ? [POSTCODE_SKILL + row.postcode] : []),
    ];
    requirements.set(visit.id, needs);
    const holder = skillsOf.get(visit.assigned!.technicianId);
    if (needs.every((k) => holder?.has(k))) {
      visit.skills = needs;
    } else {
      // Booked before a skill or zone was withdrawn: re-planning cannot make it right, so it stays put.
      visit.skills = [];
      visit.pinned = true;
      warnings.push(
        `La visite ${row.reference} est attribuée à un technicien qui n’a plus la compétence ou la zone requise : elle reste en place.`,
      );
    }
  }
  const allBooked = await bookedVisitVersions(db, span.from, span.to);
  const wanted = options.technicianIds ? new Set(options.technicianIds) : undefined;
  const outsideRoutes = allBooked.filter(
    (v) => !built.visitRows.has(v.id) && (!wanted || wanted.has(v.technicianId)),
  ).length;
  return {
    date,
    timezone,
    span,
    problem: built.problem,
    visitRows: built.visitRows,
    technicians: new Map(technicians.map((t) => [t.id, t])),
    services,
    requirements,
    outsideRoutes,
    warnings,
    placeFor: built.placeFor,
  };
}

// ---------------------------------------------------------------------------
// Routes as the planner reads them

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
  /** Planned start moved by this many minutes (negative: earlier). */
  shiftMinutes: number;
}

export interface DayView {
  date: string;
  timezone: string;
  technicians: TechnicianView[];
  current: DayRoutesView;
  /** Booked visits of the day outside every route (absence, inactive technician): left as they are. */
  visitsOutsideRoutes: number;
  warnings: string[];
}

export interface PlanView extends DayView {
  id: string;
  status: 'proposed' | 'applied' | 'stale';
  createdAt: string;
  createdBy: string;
  appliedAt: string | null;
  proposed: DayRoutesView;
  savings: Omit<Totals, 'visits'>;
  changes: ChangeView[];
  optimiser: {
    timeLimitMs: number;
    seed: number;
    elapsedMs: number;
    iterations: number;
    keptCurrent: string | null;
  };
}

/** What the plans table keeps: the view, and the solver plan that apply re-checks and writes. */
interface StoredProposal {
  view: Omit<PlanView, 'id' | 'status' | 'createdAt' | 'createdBy' | 'appliedAt'>;
  plan: Plan;
}

const minutes = (seconds: number) => Math.round(seconds / 60);
const km = (metres: number) => Math.round(metres / 100) / 10;

interface RouteFigures {
  view: RouteView;
  travel: number;
  idle: number;
  overtime: number;
  distance: number;
}

/** Figures per stop, counted exactly as planCost counts them, so totals agree with the solver's. */
function describeRoute(
  day: DayProblem,
  technicianId: string,
  route: Route | undefined,
): RouteFigures | undefined {
  const { problem, timezone } = day;
  const iso = (s: number) => localIso(s, timezone);
  const tech = problem.technicians.find((t) => t.id === technicianId);
  const shift = tech?.shifts.find((s) => s.id === (route?.shiftId ?? shiftIdOf(technicianId, day.date)));
  if (!tech || !shift) return undefined;
  const breaks = shift.breaks ?? [];
  const breakStarts = route?.breakStarts ?? breaks.map((b) => b.earliestStart);
  const visits = new Map(problem.visits.map((v) => [v.id, v]));
  const stops = (route?.stops ?? []).map((s) => ({ visit: visits.get(s.visitId)!, start: s.start }));
  const breakTimeIn = (lo: number, hi: number) =>
    breaks.reduce((sum, b, i) => {
      const s = breakStarts[i];
      return s !== undefined && s >= lo && s + b.duration <= hi ? sum + b.duration : sum;
    }, 0);

  let travel = 0;
  let idle = 0;
  let distance = 0;
  let overtime = 0;
  let returnTravel = 0;
  let firstLeg = 0;
  let backAt: number | null = null;
  const stopViews: StopView[] = [];
  stops.forEach(({ visit, start }, i) => {
    const prev = i === 0 ? undefined : stops[i - 1]!;
    const from = prev ? prev.visit.place : tech.start;
    const leg = problem.travel.time(from, visit.place);
    travel += leg;
    if (i === 0) firstLeg = leg;
    distance += problem.travel.distance(from, visit.place);
    const lo = prev ? prev.start + prev.visit.duration : shift.interval.start;
    const wait = prev ? Math.max(0, start - lo - leg - breakTimeIn(lo, start)) : 0;
    idle += wait;
    const row = day.visitRows.get(visit.id)!;
    stopViews.push({
      visitId: visit.id,
      reference: row.reference,
      service: day.services.get(row.service_id)?.name ?? '',
      customer: row.customer_name,
      address: { line: row.address_line, postcode: row.postcode, city: row.city, lat: row.lat, lon: row.lon },
      window: { start: iso(visit.window.start), end: iso(visit.window.end) },
      planned: { start: iso(start), end: iso(start + visit.duration) },
      travelMinutes: minutes(leg),
      idleMinutes: minutes(wait),
      pinned: row.pinned,
    });
  });
  const last = stops[stops.length - 1];
  if (last) {
    const lo = last.start + last.visit.duration;
    returnTravel = problem.travel.time(last.visit.place, tech.end);
    travel += returnTravel;
    distance += problem.travel.distance(last.visit.place, tech.end);
    backAt = lo + returnTravel + breakTimeIn(lo, Infinity);
    overtime = Math.max(0, backAt - shift.interval.end);
  }
  const first = stops[0];
  const departAt = first ? first.start - firstLeg - breakTimeIn(shift.interval.start, first.start) : null;
  return {
    travel,
    idle,
    overtime,
    distance,
    view: {
      technicianId,
      shift: {
        start: iso(shift.interval.start),
        end: iso(shift.interval.end),
        breaks: breaks.map((b, i) => ({
          start: iso(breakStarts[i] ?? b.earliestStart),
          end: iso((breakStarts[i] ?? b.earliestStart) + b.duration),
        })),
      },
      departAt: departAt === null ? null : iso(Math.max(shift.interval.start, departAt)),
      backAt: backAt === null ? null : iso(backAt),
      returnTravelMinutes: minutes(returnTravel),
      stops: stopViews,
      travelMinutes: minutes(travel),
      idleMinutes: minutes(idle),
      overtimeMinutes: minutes(overtime),
      distanceKm: km(distance),
    },
  };
}

function describePlan(day: DayProblem, plan: Plan): DayRoutesView {
  const routes: RouteView[] = [];
  const sums = { visits: 0, travel: 0, idle: 0, overtime: 0, distance: 0 };
  for (const tech of day.problem.technicians) {
    const figures = describeRoute(
      day,
      tech.id,
      plan.routes.find((r) => r.technicianId === tech.id),
    );
    if (!figures) continue;
    routes.push(figures.view);
    sums.visits += figures.view.stops.length;
    sums.travel += figures.travel;
    sums.idle += figures.idle;
    sums.overtime += figures.overtime;
    sums.distance += figures.distance;
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

function technicianViews(day: DayProblem): TechnicianView[] {
  return day.problem.technicians
    .filter((t) => t.shifts.some((s) => s.id === shiftIdOf(t.id, day.date)))
    .map((t) => {
      const row = day.technicians.get(t.id)!;
      return { id: t.id, name: row.name, colour: row.colour, home: { lat: row.homeLat, lon: row.homeLon } };
    });
}

interface Placement {
  technicianId: string;
  start: number;
}

function placements(plan: Plan): Map<string, Placement> {
  const out = new Map<string, Placement>();
  for (const r of plan.routes)
    for (const s of r.stops) out.set(s.visitId, { technicianId: r.technicianId, start: s.start });
  return out;
}

function listChanges(day: DayProblem, before: Plan, after: Plan): ChangeView[] {
  const was = placements(before);
  const now = placements(after);
  const nameOf = (id: string) => day.technicians.get(id)?.name ?? id;
  const iso = (s: number) => localIso(s, day.timezone);
  const changes: (ChangeView & { at: number })[] = [];
  for (const [visitId, from] of was) {
    const to = now.get(visitId);
    if (!to || (to.technicianId === from.technicianId && Math.abs(to.start - from.start) < 1)) continue;
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
      shiftMinutes: minutes(to.start - from.start),
    });
  }
  changes.sort(
    (a, b) =>
      Number(b.reassigned) - Number(a.reassigned) || a.at - b.at || a.reference.localeCompare(b.reference),
  );
  return changes.map(({ at: _at, ...change }) => change);
}

// ---------------------------------------------------------------------------
// Checking plans

const violationKey = (v: Violation) => `${v.rule}|${v.visitId ?? ''}|${v.technicianId ?? ''}`;

/** Violations of `plan` that the day's current plan does not already have (data that drifted after booking). */
function newViolations(problem: Problem, plan: Plan, baseline: Plan | Set<string>): Violation[] {
  const known = baseline instanceof Set ? baseline : knownViolations(problem, baseline);
  return checkPlan(problem, plan).filter((v) => !known.has(violationKey(v)));
}

function knownViolations(problem: Problem, plan: Plan): Set<string> {
  return new Set(checkPlan(problem, plan).map(violationKey));
}

/**
 * The optimiser times visits to the second; a dispatcher writes 09:35, not
 * 09:31:47. Round each moved start up to 5 minutes (else to the minute) when
 * the route stays valid; unchanged visits keep their time.
 */
function tidyStarts(problem: Problem, plan: Plan, before: Plan): Plan {
  const was = placements(before);
  const routes = plan.routes.map((route) => {
    for (const step of [300, 60]) {
      const candidate: Route = {
        ...route,
        stops: route.stops.map((s) => {
          const old = was.get(s.visitId);
          const unchanged =
            old && old.technicianId === route.technicianId && Math.abs(old.start - s.start) < 1;
          return {
            visitId: s.visitId,
            start: unchanged ? old.start : Math.ceil(s.start / step - 1e-9) * step,
          };
        }),
      };
      const ids = new Set(candidate.stops.map((s) => s.visitId));
      const faults = checkPlan(problem, { routes: [candidate], unassigned: [] }).filter(
        (v) => v.rule !== 'pinned' || ids.has(v.visitId ?? ''),
      );
      if (faults.length === 0) return candidate;
    }
    return route;
  });
  return { routes, unassigned: plan.unassigned };
}

// ---------------------------------------------------------------------------
// Reading the day

function requireDate(date: string, field: string): void {
  if (!DateTime.fromISO(date).isValid) {
    throw new DomainError('invalid', 'bad-date', { fr: 'Date invalide.', en: 'Invalid date.' }, field);
  }
}

export async function dayRoutes(db: Db, date: string): Promise<DayView> {
  requireDate(date, 'query.date');
  const day = await buildDayProblem(db, date);
  return {
    date,
    timezone: day.timezone,
    technicians: technicianViews(day),
    current: describePlan(day, currentPlan(day.problem)),
    visitsOutsideRoutes: day.outsideRoutes,
    warnings: day.warnings,
  };
}

// ---------------------------------------------------------------------------
// Proposing

export interface ProposeInput {
  date: string;
  createdBy: string;
  timeLimitMs?: number;
  seed?: number;
}

function toPlanView(row: PlanRow): PlanView {
  const stored = row.proposal as StoredProposal;
  return {
    ...stored.view,
    id: row.id,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    appliedAt: row.applied_at ? row.applied_at.toISOString() : null,
  };
}

export async function proposePlan(db: Db, input: ProposeInput): Promise<PlanView> {
  requireDate(input.date, 'body.date');
  const timeLimitMs = input.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const seed = input.seed ?? DEFAULT_SEED;
  const settings = await getCompanySettings(db);
  const span = localDaySpan(input.date, input.date, settings.timezone);
  // Versions first, problem second: a visit changed in between makes the plan stale rather than silently wrong.
  const versions = await bookedVisitVersions(db, span.from, span.to);
  const day = await buildDayProblem(db, input.date);
  const before = currentPlan(day.problem);

  let proposed = before;
  let keptCurrent: string | null = null;
  let elapsedMs = 0;
  let iterations = 0;
  if (day.problem.visits.length === 0) {
    keptCurrent = 'Aucune visite à planifier ce jour-là.';
  } else {
    const result = await planRoutesInWorker(day.problem, { timeLimitMs, seed }).catch((error: unknown) => {
      // A crashed or overrunning optimiser is a temporary outage of one feature, not a server bug.
      throw new DomainError(
        'unavailable',
        'optimiser-unavailable',
        {
          fr: 'L’optimiseur n’a pas pu répondre ; réessayez dans un instant.',
          en: 'The optimiser could not answer; please retry shortly.',
        },
        undefined,
        { reason: error instanceof Error ? error.message.slice(0, 200) : 'unknown' },
      );
    });
    elapsedMs = Math.round(result.stats.elapsedMs);
    iterations = result.stats.iterations;
    const candidate = tidyStarts(day.problem, result.plan, before);
    const served = new Set(placements(candidate).keys());
    const lost = [...placements(before).keys()].filter((id) => !served.has(id));
    const faults = newViolations(day.problem, candidate, before);
    if (lost.length > 0)
      keptCurrent = `L’optimiseur laissait ${lost.length} visite(s) sans technicien : plan actuel conservé.`;
    else if (faults.length > 0)
      keptCurrent = `La proposition enfreignait ${faults.length} règle(s) : plan actuel conservé.`;
    else proposed = candidate;
  }

  const current = describePlan(day, before);
  const next = describePlan(day, proposed);
  const view: StoredProposal['view'] = {
    date: input.date,
    timezone: day.timezone,
    technicians: technicianViews(day),
    current,
    proposed: next,
    visitsOutsideRoutes: day.outsideRoutes,
    warnings: day.warnings,
    savings: {
      travelMinutes: current.totals.travelMinutes - next.totals.travelMinutes,
      idleMinutes: current.totals.idleMinutes - next.totals.idleMinutes,
      overtimeMinutes: current.totals.overtimeMinutes - next.totals.overtimeMinutes,
      distanceKm: Math.round((current.totals.distanceKm - next.totals.distanceKm) * 10) / 10,
    },
    changes: listChanges(day, before, proposed),
    optimiser: { timeLimitMs, seed, elapsedMs, iterations, keptCurrent },
  };
  const row = await insertPlan(db, {
    date: input.date,
    createdBy: input.createdBy,
    basedOn: Object.fromEntries(versions.map((v) => [v.id, v.version])),
    proposal: { view, plan: proposed } satisfies StoredProposal,
  });
  return toPlanView(row);
}

export async function getPlan(db: Db, id: string): Promise<PlanView> {
  const row = await findPlan(db, id);
  if (!row) throw planNotFound();
  return toPlanView(row);
}

function planNotFound(): DomainError {
  return new DomainError('not-found', 'plan-not-found', { fr: 'Plan introuvable.', en: 'Plan not found.' });
}

// ---------------------------------------------------------------------------
// Applying

function stalePlan(detail: Record<string, unknown>): DomainError {
  return new DomainError(
    'conflict',
    'plan-stale',
    {
      fr: 'Les tournées de ce jour ont changé depuis cette proposition : relancez une optimisation.',
      en: 'The routes of this day changed since this proposal: re-plan.',
    },
    undefined,
    detail,
  );
}

/** Every technician's day is locked: bookings of any of them may have touched the plan's visits. */
async function lockWholeDay(tx: Transaction<Database>, date: string): Promise<void> {
  const ids = await tx.selectFrom('technicians').select('id').execute();
  await lockTechnicianDays(
    tx,
    ids.map((t) => `${t.id}:${date}`),
  );
}

export async function applyPlan(
  db: Db,
  input: { id: string; now: Date },
): Promise<PlanView & { moved: number }> {
  const outcome = await db
    .transaction()
    .execute(async (tx) => {
      const plan = await findPlan(tx, input.id, { forUpdate: true });
      if (!plan) throw planNotFound();
      if (plan.status === 'applied') {
        throw new DomainError('conflict', 'plan-already-applied', {
          fr: 'Ce plan est déjà appliqué.',
          en: 'This plan was already applied.',
        });
      }
      if (plan.status === 'stale') throw stalePlan({});
      await lockWholeDay(tx, plan.plan_date);

      const settings = await getCompanySettings(tx);
      const span = localDaySpan(plan.plan_date, plan.plan_date, settings.timezone);
      const versions = await bookedVisitVersions(tx, span.from, span.to);
      const basedOn = plan.based_on;
      const changed = versions.filter((v) => basedOn[v.id] !== v.version).map((v) => v.id);
      const present = new Set(versions.map((v) => v.id));
      const gone = Object.keys(basedOn).filter((id) => !present.has(id));
      if (changed.length > 0 || gone.length > 0) {
        await markPlan(tx, plan.id, 'stale', input.now);
        return { stale: { changedVisits: changed, goneVisits: gone } };
      }

      // Working hours or absences may have changed without touching a visit: re-check on today's data.
      const stored = plan.proposal as StoredProposal;
      const day = await buildDayProblem(tx, plan.plan_date);
      const before = currentPlan(day.problem);
      const faults = newViolations(day.problem, stored.plan, before);
      if (faults.length > 0) {
        await markPlan(tx, plan.id, 'stale', input.now);
        return { stale: { violations: faults.map((f) => ({ rule: f.rule, visitId: f.visitId ?? null })) } };
      }

      await deferOverlapCheck(tx);
      const was = placements(before);
      let moved = 0;
      for (const [visitId, to] of placements(stored.plan)) {
        const from = was.get(visitId);
        if (from && from.technicianId === to.technicianId && Math.abs(from.start - to.start) < 1) continue;
        const row = day.visitRows.get(visitId)!;
        const duration = row.planned_end.getTime() - row.planned_start.getTime();
        const ok = await moveVisitIfUnchanged(tx, {
          id: visitId,
          expectedVersion: basedOn[visitId]!,
          technicianId: to.technicianId,
          plannedStart: new Date(to.start * 1000),
          plannedEnd: new Date(to.start * 1000 + duration),
          now: input.now,
        });
        if (!ok) throw stalePlan({ changedVisits: [visitId] });
        await enqueueVisitMoved(tx, visitId, settings.timezone);
        moved++;
      }
      await markPlan(tx, plan.id, 'applied', input.now);
      await markOtherProposalsStale(tx, plan.plan_date, plan.id);
      return { moved };
    })
    .catch((error: unknown) => {
      if ((error as { code?: string })?.code === '23P01') throw stalePlan({});
      throw error;
    });
  if ('stale' in outcome && outcome.stale) throw stalePlan(outcome.stale);
  return { ...(await getPlan(db, input.id)), moved: outcome.moved };
}

// ---------------------------------------------------------------------------
// Moving or pinning one visit by hand

export interface MoveVisitInput {
  visitId: string;
  technicianId?: string;
  /** ISO 8601 with offset. */
  plannedStart?: string;
  pinned?: boolean;
  /** When given, the visit must still be at this version. */
  version?: number;
  now: Date;
}

export interface PlacedVisitView {
  id: string;
  reference: string;
  technician: { id: string; name: string };
  window: { start: string; end: string };
  planned: { start: string; end: string };
  pinned: boolean;
  version: number;
}

const RULE_WORDING: Record<Violation['rule'], string> = {
  skill: 'le technicien n’a pas la compétence requise',
  window: 'l’heure prévue sort du créneau promis au client',
  shift: 'la tournée sort des horaires de travail du technicien',
  travel: 'le temps de trajet entre deux visites ne tient pas',
  overlap: 'la visite chevauche une autre visite',
  break: 'la visite empiète sur une pause',
  pinned: 'une visite épinglée serait déplacée',
  capacity: 'capacité dépassée',
  'unknown-visit': 'visite inconnue',
  'unknown-technician': 'technicien inconnu',
  'unknown-shift': 'pas de service ce jour-là',
  'visit-served-twice': 'visite planifiée deux fois',
  'shift-routed-twice': 'deux tournées pour la même journée du technicien',
  'visit-not-served': 'visite non planifiée',
};

function describeViolation(v: Violation): string {
  if (v.rule === 'skill' && v.message.includes(POSTCODE_SKILL))
    return 'le technicien ne dessert pas ce code postal';
  return RULE_WORDING[v.rule];
}

function placedVisitView(row: VisitRow, technicianName: string, timezone: string): PlacedVisitView {
  const iso = (d: Date) => localIso(d.getTime() / 1000, timezone);
  return {
    id: row.id,
    reference: row.reference,
    technician: { id: row.technician_id, name: technicianName },
    window: { start: iso(row.window_start), end: iso(row.window_end) },
    planned: { start: iso(row.planned_start), end: iso(row.planned_end) },
    pinned: row.pinned,
    version: row.version,
  };
}

function visitChanged(field: string): DomainError {
  return new DomainError(
    'conflict',
    'visit-changed',
    {
      fr: 'Cette visite a changé entre-temps : rechargez la journée.',
      en: 'This visit changed meanwhile: reload the day.',
    },
    field,
  );
}

export async function moveVisit(db: Db, input: MoveVisitInput): Promise<PlacedVisitView> {
  const settings = await getCompanySettings(db);
  const timezone = settings.timezone;
  let requestedStart: number | undefined;
  if (input.plannedStart !== undefined) {
    const ms = Date.parse(input.plannedStart);
    if (!Number.isFinite(ms))
      throw new DomainError(
        'invalid',
        'bad-time',
        { fr: 'Heure invalide.', en: 'Invalid time.' },
        'body.plannedStart',
      );
    requestedStart = ms / 1000;
  }

  const result = await db
    .transaction()
    .execute(async (tx) => {
      const row = await findVisit(tx, input.visitId);
      if (!row)
        throw new DomainError('not-found', 'visit-not-found', {
          fr: 'Visite introuvable.',
          en: 'Visit not found.',
        });
      if (row.status !== 'booked') {
        throw new DomainError('conflict', 'visit-not-booked', {
          fr: 'Cette visite n’est plus planifiable (annulée ou faite).',
          en: 'This visit is cancelled or done.',
        });
      }
      if (input.version !== undefined && input.version !== row.version) throw visitChanged('body.version');

      const date = localDateOf(row.window_start.getTime() / 1000, timezone);
      const fromTech = row.technician_id;
      const toTech = input.technicianId ?? fromTech;
      const oldStart = row.planned_start.getTime() / 1000;
      const newStart = requestedStart ?? oldStart;
      const duration = (row.planned_end.getTime() - row.planned_start.getTime()) / 1000;
      const moves = toTech !== fromTech || Math.abs(newStart - oldStart) >= 1;

      await lockTechnicianDays(tx, [`${fromTech}:${date}`, `${toTech}:${date}`]);
      // The row may have moved while we waited for the lock.
      const locked = (await findVisit(tx, input.visitId))!;
      if (locked.version !== row.version)
        throw visitChanged(input.version !== undefined ? 'body.version' : 'body');

      if (moves) {
        const day = await buildDayProblem(tx, date, { technicianIds: [...new Set([fromTech, toTech])] });
        const target = day.problem.technicians.find((t) => t.id === toTech);
        if (!target) {
          throw new DomainError(
            'unprocessable',
            'technician-unknown',
            { fr: 'Technicien inconnu ou inactif.', en: 'Unknown or inactive technician.' },
            'body.technicianId',
          );
        }
        const shift = target.shifts.find((s) => s.id === shiftIdOf(toTech, date));
        if (!shift) {
          throw new DomainError(
            'unprocessable',
            'technician-not-working',
            {
              fr: 'Ce technicien ne travaille pas ce jour-là.',
              en: 'This technician does not work that day.',
            },
            'body.technicianId',
          );
        }
        const known = knownViolations(day.problem, currentPlan(day.problem));
        let visit = day.problem.visits.find((v) => v.id === row.id);
        if (!visit) {
          // Outside every route today (e.g. its technician is now absent): route it as a new stop.
          visit = {
            id: row.id,
            place: day.placeFor(row.lat, row.lon, row.postcode),
            duration,
            window: { start: row.window_start.getTime() / 1000, end: row.window_end.getTime() / 1000 },
            skills: [],
          };
          day.problem.visits.push(visit);
          day.visitRows.set(row.id, row);
        }
        const services = day.services.get(row.service_id)?.skills ?? [];
        const served = (await servedPostcodes(tx)).has(row.postcode);
        visit.skills = [...services, ...(served ? [POSTCODE_SKILL + row.postcode] : [])];
        visit.pinned = false;
        visit.assigned = { technicianId: toTech, shiftId: shift.id, plannedStart: newStart };
        const after = currentPlan(day.problem);
        const faults = newViolations(day.problem, after, known).filter(
          (v) => v.rule !== 'pinned' || v.visitId !== row.id,
        );
        if (faults.length > 0) throw moveRefused(faults, input.plannedStart !== undefined);
      }

      const ok = await moveVisitIfUnchanged(tx, {
        id: row.id,
        expectedVersion: locked.version,
        technicianId: toTech,
        plannedStart: new Date(newStart * 1000),
        plannedEnd: new Date((newStart + duration) * 1000),
        ...(input.pinned !== undefined ? { pinned: input.pinned } : {}),
        now: input.now,
      });
      if (!ok) throw visitChanged('body');
      if (moves) await enqueueVisitMoved(tx, row.id, timezone);
      return (await findVisit(tx, row.id))!;
    })
    .catch((error: unknown) => {
      if ((error as { code?: string })?.code === '23P01') {
        throw new DomainError(
          'conflict',
          'visit-overlap',
          {
            fr: 'Ce créneau chevauche une autre visite du technicien.',
            en: 'This overlaps another visit of the technician.',
          },
          input.plannedStart !== undefined ? 'body.plannedStart' : 'body.technicianId',
        );
      }
      throw error;
    });
  const [label] = await technicianLabels(db, [result.technician_id]);
  return placedVisitView(result, label?.name ?? '', timezone);
}

/** A manual move that breaks a rule: 422 when the visit can never go there (skill, window), 409 when today's routes are in the way. */
function moveRefused(faults: Violation[], timed: boolean): DomainError {
  const fieldOf = (v: Violation) =>
    v.rule === 'skill'
      ? 'body.technicianId'
      : v.rule === 'window' || timed
        ? 'body.plannedStart'
        : 'body.technicianId';
  const intrinsic = faults.some((v) => v.rule === 'skill' || v.rule === 'window');
  const first = faults.find((v) => v.rule === 'skill' || v.rule === 'window') ?? faults[0]!;
  const violations = faults.map((v) => ({ rule: v.rule, field: fieldOf(v), message: describeViolation(v) }));
  const unique = [...new Set(violations.map((v) => v.message))];
  return new DomainError(
    intrinsic ? 'unprocessable' : 'conflict',
    'move-breaks-rules',
    {
      fr: `Déplacement impossible : ${unique.join(' ; ')}.`,
      en: `This move breaks a rule: ${faults.map((f) => f.rule).join(', ')}.`,
    },
    fieldOf(first),
    { violations, errors: violations.map((v) => ({ field: v.field, message: v.message })) },
  );
}
