/**
 * Proposing a better plan for a day: the optimiser runs in a worker on the
 * day's problem; its answer is tidied to round times, checked independently
 * (it must serve every visit and break no rule the current plan keeps), and
 * stored with the visit versions it is based on. A proposal that fails the
 * check is stored as "keep the current plan", with the reason.
 */
import { checkPlan } from '../../../solver/check.js';
import { planRoutesInWorker } from '../../../solver/optimiser/index.js';
import type { Plan, Problem, Route } from '../../../solver/problem.js';
import { currentPlan } from '../../../solver/slots.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import { bookedVisitVersions, findPlan, insertPlan, type PlanRow } from '../../db/plans.js';
import { localDaySpan } from '../booking-problem.js';
import {
  buildDayProblem,
  newViolations,
  placements,
  requireDate,
  samePlacement,
  type DayProblem,
} from './day-problem.js';
import { localIso } from '../local-time.js';
import { notKeptText } from './lane.js';
import { freezeAt, withoutAnchors, type FrozenDay } from './now.js';
import {
  describePlan,
  laneOf,
  listChanges,
  nowOnDay,
  technicianViews,
  type ChangeView,
  type DayRoutesView,
  type DayView,
  type Totals,
} from './route-views.js';
import { optimiserRuns, timed } from '../../observability/metrics.js';
import { optimiserUnavailable, planNotFound, wording } from './wording.js';

/** Optimiser budget when the request names none, and the bounds a request may ask for. */
export const DEFAULT_TIME_LIMIT_MS = 4000;
export const MIN_TIME_LIMIT_MS = 200;
export const MAX_TIME_LIMIT_MS = 20_000;
/** Same day, same routes, same seed: the same proposal (within the time limit). */
export const DEFAULT_SEED = 20260325;

export interface PlanView extends DayView {
  id: string;
  status: 'proposed' | 'applied' | 'stale';
  createdAt: string;
  createdBy: string;
  appliedAt: string | null;
  proposed: DayRoutesView;
  savings: Omit<Totals, 'visits'>;
  changes: ChangeView[];
  /** Visits of the unassigned lane the proposal cannot place: promises to renegotiate with the customer. */
  notKept: NotKeptView[];
  /** max − min booked hours over the technicians at work, before and after the proposal. */
  workloadSpread: { beforeHours: number; afterHours: number };
  optimiser: {
    timeLimitMs: number;
    seed: number;
    elapsedMs: number;
    iterations: number;
    keptCurrent: string | null;
  };
  /** Set when the plan is not the optimiser's: what it is for, e.g. the room made for one visit. */
  purpose?: string;
}

/** What the plans table keeps: the view, and the solver plan that apply re-checks and writes. */
export interface StoredProposal {
  view: Omit<PlanView, 'id' | 'status' | 'createdAt' | 'createdBy' | 'appliedAt'>;
  plan: Plan;
}

export interface NotKeptView {
  visitId: string;
  reference: string;
  windowStart: string;
  windowEnd: string;
  reasonText: string;
}

export interface ProposeInput {
  date: string;
  createdBy: string;
  timeLimitMs?: number;
  seed?: number;
  /** The current instant: started and past visits stay, the rest is planned from where each technician is. */
  now?: Date;
  /** Weight of even workloads against driving (0: driving only). See planRoutes' balanceWeight. */
  balanceWeight?: number;
}

/**
 * The optimiser times visits to the second; a dispatcher writes 09:35, not
 * 09:31:47. Round each moved start up to 5 minutes (else up to the minute,
 * else down to it: a route tight against its end only fits earlier) when the
 * route stays valid; unchanged visits keep their time.
 */
export function tidyStarts(problem: Problem, plan: Plan, before: Plan): Plan {
  const was = placements(before);
  const roundings = [
    (t: number) => Math.ceil(t / 300 - 1e-9) * 300,
    (t: number) => Math.ceil(t / 60 - 1e-9) * 60,
    (t: number) => Math.floor(t / 60 + 1e-9) * 60,
  ];
  const routes = plan.routes.map((route) => {
    for (const round of roundings) {
      const candidate: Route = {
        ...route,
        stops: route.stops.map((s) => {
          const old = was.get(s.visitId);
          const unchanged = samePlacement(old, { technicianId: route.technicianId, start: s.start });
          return { visitId: s.visitId, start: unchanged ? old!.start : round(s.start) };
        }),
      };
      const ids = new Set(candidate.stops.map((s) => s.visitId));
      const faults = checkPlan(problem, { routes: [candidate], unassigned: [] }).filter(
        (v) => v.code !== 'pinned' || ids.has(v.visitId ?? ''),
      );
      if (faults.length === 0) return candidate;
    }
    return route;
  });
  return { routes, unassigned: plan.unassigned };
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
  const today = freezeAt(day, input.now ? input.now.getTime() / 1000 : undefined);
  const before = currentPlan(day.problem);
  const beforeToday = currentPlan(today.problem);

  let proposed = before;
  let keptCurrent: string | null = null;
  let elapsedMs = 0;
  let iterations = 0;
  const movable = today.problem.visits.filter((v) => !today.frozen.has(v.id) && !today.anchors.has(v.id));
  if (movable.length === 0) {
    keptCurrent = wording.nothingToPlan;
  } else {
    const options = {
      timeLimitMs,
      seed,
      ...(input.balanceWeight ? { balanceWeight: input.balanceWeight } : {}),
    };
    const result = await timed(optimiserRuns, () => planRoutesInWorker(today.problem, options)).catch(
      (error: unknown) => {
        throw optimiserUnavailable(error);
      },
    );
    elapsedMs = Math.round(result.stats.elapsedMs);
    iterations = result.stats.iterations;
    const tidied = tidyStarts(today.problem, result.plan, beforeToday);
    const candidate = withoutAnchors(tidied);
    const served = new Set(placements(candidate).keys());
    const lost = [...placements(before).keys()].filter((id) => !served.has(id));
    // Judged twice: on today's terms (nothing started moves, nothing before now) and on the whole day's rules.
    const faults = [
      ...newViolations(today.problem, tidied, beforeToday),
      ...newViolations(day.problem, candidate, before),
    ];
    if (lost.length > 0) keptCurrent = wording.optimiserLeftVisits(lost.length);
    else if (faults.length > 0) keptCurrent = wording.optimiserBrokeRules(faults.length);
    else proposed = candidate;
  }

  return storeProposal(db, {
    date: input.date,
    createdBy: input.createdBy,
    versions,
    day,
    today,
    before,
    proposed,
    ...(input.now ? { now: input.now } : {}),
    optimiser: { timeLimitMs, seed, elapsedMs, iterations, keptCurrent },
  });
}

/**
 * A plan for the day stored as a proposal, with the visit versions it is based on: what the page
 * shows (current and proposed routes, changes, promises not kept) and what apply re-checks and
 * writes. The optimiser's proposals and a room made for one visit (make-room-plan.ts) alike.
 */
export async function storeProposal(
  db: Db,
  input: {
    date: string;
    createdBy: string;
    versions: { id: string; version: number }[];
    day: DayProblem;
    today: FrozenDay;
    before: Plan;
    proposed: Plan;
    now?: Date;
    optimiser: PlanView['optimiser'];
    purpose?: string;
  },
): Promise<PlanView> {
  const { day, today, before, proposed } = input;
  const current = describePlan(day, before, today.frozen);
  const next = describePlan(day, proposed, today.frozen);
  const placed = placements(proposed);
  const view: StoredProposal['view'] = {
    date: input.date,
    timezone: day.timezone,
    technicians: technicianViews(day),
    current,
    proposed: next,
    visitsOutsideRoutes: day.outsideRoutes,
    unassigned: await laneOf(db, day),
    now: nowOnDay(day, input.now),
    warnings: day.warnings,
    savings: {
      travelMinutes: current.totals.travelMinutes - next.totals.travelMinutes,
      idleMinutes: current.totals.idleMinutes - next.totals.idleMinutes,
      overtimeMinutes: current.totals.overtimeMinutes - next.totals.overtimeMinutes,
      distanceKm: Math.round((current.totals.distanceKm - next.totals.distanceKm) * 10) / 10,
    },
    changes: listChanges(day, before, proposed),
    notKept: day.unassigned
      .filter((u) => !placed.has(u.row.id))
      .map(({ row }) => ({
        visitId: row.id,
        reference: row.reference,
        windowStart: localIso(row.window_start.getTime() / 1000, day.timezone),
        windowEnd: localIso(row.window_end.getTime() / 1000, day.timezone),
        reasonText: notKeptText(row, day.timezone, today.expired.has(row.id)),
      })),
    workloadSpread: { beforeHours: workloadSpread(current), afterHours: workloadSpread(next) },
    optimiser: input.optimiser,
    ...(input.purpose !== undefined ? { purpose: input.purpose } : {}),
  };
  const row = await insertPlan(db, {
    date: input.date,
    createdBy: input.createdBy,
    basedOn: Object.fromEntries(input.versions.map((v) => [v.id, v.version])),
    proposal: { view, plan: proposed } satisfies StoredProposal,
  });
  return toPlanView(row);
}

/** max − min booked hours over the technicians working that day, to the tenth. */
export function workloadSpread(routes: DayRoutesView): number {
  if (routes.routes.length === 0) return 0;
  const hours = routes.routes.map((r) => r.workload.bookedMinutes / 60);
  return Math.round((Math.max(...hours) - Math.min(...hours)) * 10) / 10;
}

export async function getPlan(db: Db, id: string): Promise<PlanView> {
  const row = await findPlan(db, id);
  if (!row) throw planNotFound();
  return toPlanView(row);
}
