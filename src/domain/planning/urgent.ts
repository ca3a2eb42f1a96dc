/**
 * Urgent work today: a job that must be started before a deadline. For each
 * technician at work who may do it, the best place in the rest of their day
 * (from where they are at now: started and past visits stay, as in a
 * proposal), found by the optimiser's insertion on that one route — the
 * other visits of the route may shift, never outside their promised
 * windows, and none is handed to anyone else. Each option says what it
 * costs: the start, the driving it adds, the visits it moves.
 */
import { checkPlan } from '../../../solver/check.js';
import { planRoutes } from '../../../solver/optimiser/index.js';
import type { Plan, Problem, Visit } from '../../../solver/problem.js';
import { currentPlan } from '../../../solver/slots.js';
import { routeTimeline } from '../../../solver/timeline.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Executor } from '../../db/database.js';
import { localDateOf, localIso } from '../local-time.js';
import { shiftKey } from '../shift-key.js';
import { buildDayProblem, knownViolations, newViolations, type DayProblem } from './day-problem.js';
import { freezeAt, isAnchor } from './now.js';
import { tidyStarts } from './propose.js';

export const URGENT_ID = 'urgent';

export interface UrgentJob {
  serviceId: string;
  place: { lat: number; lon: number; postcode: string };
  /** Latest start, Unix seconds. */
  deadline: number;
  /** Seconds on site. */
  duration: number;
}

export interface UrgentOption {
  technicianId: string;
  technicianName: string;
  start: string;
  travelAddedMinutes: number;
  movedVisits: { visitId: string; reference: string; from: string; to: string }[];
  lateMinutes: 0;
}

/** An option with what creating it writes: the technician's new route. */
export interface UrgentPlacement {
  option: UrgentOption;
  startSeconds: number;
  moved: { visitId: string; version: number; start: number; end: number }[];
  day: DayProblem;
}

const minutes = (seconds: number) => Math.round(seconds / 60);

/** Every technician's best placement of the job, cheapest first; `only` limits it to one technician. */
export async function urgentPlacements(
  db: Executor,
  job: UrgentJob,
  now: Date,
  only?: string,
): Promise<UrgentPlacement[]> {
  const nowS = now.getTime() / 1000;
  const settings = await getCompanySettings(db);
  // Only who could take the job (or the one chosen): on a large company, the others' routes were
  // most of the read, and each was then skipped below anyway.
  const day = await buildDayProblem(
    db,
    localDateOf(nowS, settings.timezone),
    only !== undefined
      ? { technicianIds: [only] }
      : { eligibleFor: { serviceId: job.serviceId, postcode: job.place.postcode } },
  );
  const today = freezeAt(day, nowS);
  const needs = day.requirementsFor(job.serviceId, job.place.postcode);
  const urgent: Visit = {
    id: URGENT_ID,
    place: day.placeFor(job.place.lat, job.place.lon, job.place.postcode),
    duration: job.duration,
    window: { start: nowS, end: job.deadline },
    skills: needs.skills,
    ...(needs.area !== undefined ? { area: needs.area } : {}),
  };
  const out: UrgentPlacement[] = [];
  for (const tech of today.problem.technicians) {
    if (only !== undefined && tech.id !== only) continue;
    const shift = tech.shifts.find((s) => s.id === shiftKey(tech.id, day.date));
    if (!shift) continue;
    if (!needs.skills.every((k) => tech.skills.includes(k))) continue;
    if (needs.area !== undefined && tech.serves !== undefined && !tech.serves.includes(needs.area)) continue;
    const theirs = today.problem.visits.filter((v) => v.assigned?.technicianId === tech.id);
    const sub: Problem = { technicians: [tech], visits: [...theirs, urgent], travel: day.problem.travel };
    const placed = await insertOnRoute(sub);
    if (!placed) continue;
    out.push(describe(day, sub, placed, tech.id));
  }
  out.sort(
    (a, b) =>
      a.option.travelAddedMinutes - b.option.travelAddedMinutes ||
      a.startSeconds - b.startSeconds ||
      a.option.technicianName.localeCompare(b.option.technicianName),
  );
  return out;
}

/**
 * The optimiser's own insertion (the current route, the job inserted where it
 * costs least, later visits re-timed inside their windows), with no search
 * beyond it: the answer is the cheapest insertion, not a re-plan of the day.
 */
async function insertOnRoute(sub: Problem): Promise<Plan | undefined> {
  const result = await planRoutes(sub, {
    timeLimitMs: 1000,
    seed: 1,
    maxIterations: 0,
    setPartitioning: false,
    threads: 1,
  });
  if (result.plan.unassigned.includes(URGENT_ID)) return undefined;
  const before = currentPlan(sub);
  const plan = tidyStarts(sub, result.plan, before);
  // Checked independently: nothing late, nothing started moved, nothing before now.
  if (newViolations(sub, plan, knownViolations(sub, before)).length > 0) return undefined;
  if (checkPlan(sub, plan).some((v) => v.visitId === URGENT_ID)) return undefined;
  return plan;
}

function describe(day: DayProblem, sub: Problem, plan: Plan, technicianId: string): UrgentPlacement {
  const iso = (s: number) => localIso(s, day.timezone);
  const route = plan.routes.find((r) => r.technicianId === technicianId)!;
  const before = currentPlan(sub).routes.find((r) => r.technicianId === technicianId);
  // An anchor stands where the technician already is: it adds no driving to either figure.
  const travelBefore = before ? (routeTimeline(sub, before)?.totals.travelTime ?? 0) : 0;
  const travelAfter = routeTimeline(sub, route)?.totals.travelTime ?? 0;
  const start = route.stops.find((s) => s.visitId === URGENT_ID)!.start;
  const moved: UrgentPlacement['moved'] = [];
  const movedVisits: UrgentOption['movedVisits'] = [];
  for (const stop of route.stops) {
    if (stop.visitId === URGENT_ID || isAnchor(stop.visitId)) continue;
    const visit = sub.visits.find((v) => v.id === stop.visitId)!;
    const from = visit.assigned!.plannedStart;
    if (Math.abs(stop.start - from) < 60) continue;
    const row = day.visitRows.get(stop.visitId)!;
    moved.push({
      visitId: stop.visitId,
      version: row.version,
      start: stop.start,
      end: stop.start + visit.duration,
    });
    movedVisits.push({
      visitId: stop.visitId,
      reference: row.reference,
      from: iso(from),
      to: iso(stop.start),
    });
  }
  return {
    option: {
      technicianId,
      technicianName: day.technicians.get(technicianId)?.name ?? '',
      start: iso(start),
      travelAddedMinutes: minutes(travelAfter - travelBefore),
      movedVisits,
      lateMinutes: 0,
    },
    startSeconds: start,
    moved,
    day,
  };
}
