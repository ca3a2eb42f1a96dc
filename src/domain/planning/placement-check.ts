/**
 * One visit placed on a technician at a start time, judged by checkPlan on
 * the day's routes: what a manual move writes only when it passes, what the
 * move check answers while the planner drags (one insertion, no optimiser),
 * and what vets each move suggestion. Rules the day already broke before the
 * move are not blamed on it.
 */
import type { Plan, Problem, Visit, Violation } from '../../../solver/problem.js';
import { currentPlan } from '../../../solver/slots.js';
import type { VisitRow } from '../../db/schema.js';
import { shiftKey } from '../shift-key.js';
import { knownViolations, newViolations, type DayProblem } from './day-problem.js';

export type PlacementJudgement =
  | { kind: 'unknown-technician' }
  | { kind: 'not-working' }
  /** `problem` and `plan`: the day with the visit placed there (its figures, e.g. driving, come from them). */
  | { kind: 'checked'; faults: Violation[]; problem: Problem; plan: Plan };

/**
 * Leaves `day` as it was, so one day can judge many placements (the move
 * suggestions); `baseline` is the day's knownViolations when the caller
 * already has them.
 */
export function judgePlacement(
  day: DayProblem,
  row: VisitRow,
  technicianId: string,
  start: number,
  baseline?: Set<string>,
): PlacementJudgement {
  const target = day.problem.technicians.find((t) => t.id === technicianId);
  if (!target) return { kind: 'unknown-technician' };
  const shift = target.shifts.find((s) => s.id === shiftKey(technicianId, day.date));
  if (!shift) return { kind: 'not-working' };
  const known = baseline ?? knownViolations(day.problem, currentPlan(day.problem));
  const current = day.problem.visits.find((v) => v.id === row.id);
  // Wherever it goes, it needs its skills and its zone, even if a drifted booking relaxed them today.
  const needs = day.requirementsOf(row);
  const placed: Visit = {
    // Outside every route today (e.g. in the unassigned lane): routed as a new stop.
    ...(current ?? {
      id: row.id,
      place: day.placeFor(row.lat, row.lon, row.postcode),
      duration: (row.planned_end.getTime() - row.planned_start.getTime()) / 1000,
      window: { start: row.window_start.getTime() / 1000, end: row.window_end.getTime() / 1000 },
    }),
    skills: needs.skills,
    pinned: false,
    assigned: { technicianId, shiftId: shift.id, plannedStart: start },
  };
  if (needs.area !== undefined) placed.area = needs.area;
  else delete placed.area;
  const problem: Problem = {
    ...day.problem,
    visits: current
      ? day.problem.visits.map((v) => (v === current ? placed : v))
      : [...day.problem.visits, placed],
  };
  const plan = currentPlan(problem);
  const faults = newViolations(problem, plan, known).filter(
    (v) => v.code !== 'pinned' || v.visitId !== row.id,
  );
  return { kind: 'checked', faults, problem, plan };
}
