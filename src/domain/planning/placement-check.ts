/**
 * One visit placed on a technician at a start time, judged by checkPlan on
 * the day's routes: what a manual move writes only when it passes, and what
 * the move check answers while the planner drags (one insertion, no
 * optimiser). Rules the day already broke before the move are not blamed on it.
 */
import type { Violation } from '../../../solver/problem.js';
import { currentPlan } from '../../../solver/slots.js';
import type { VisitRow } from '../../db/schema.js';
import { shiftKey } from '../shift-key.js';
import { knownViolations, newViolations, type DayProblem } from './day-problem.js';

export type PlacementJudgement =
  { kind: 'unknown-technician' } | { kind: 'not-working' } | { kind: 'checked'; faults: Violation[] };

/** Mutates `day` (the visit's assignment): build one for this judgement only. */
export function judgePlacement(
  day: DayProblem,
  row: VisitRow,
  technicianId: string,
  start: number,
): PlacementJudgement {
  const target = day.problem.technicians.find((t) => t.id === technicianId);
  if (!target) return { kind: 'unknown-technician' };
  const shift = target.shifts.find((s) => s.id === shiftKey(technicianId, day.date));
  if (!shift) return { kind: 'not-working' };
  const known = knownViolations(day.problem, currentPlan(day.problem));
  let visit = day.problem.visits.find((v) => v.id === row.id);
  if (!visit) {
    // Outside every route today (e.g. in the unassigned lane): route it as a new stop.
    visit = {
      id: row.id,
      place: day.placeFor(row.lat, row.lon, row.postcode),
      duration: (row.planned_end.getTime() - row.planned_start.getTime()) / 1000,
      window: { start: row.window_start.getTime() / 1000, end: row.window_end.getTime() / 1000 },
      skills: [],
    };
    day.problem.visits.push(visit);
    day.visitRows.set(row.id, row);
  }
  // Wherever it goes, it needs its skills and its zone, even if a drifted booking relaxed them today.
  const needs = day.requirementsOf(row);
  visit.skills = needs.skills;
  if (needs.area !== undefined) visit.area = needs.area;
  else delete visit.area;
  visit.pinned = false;
  visit.assigned = { technicianId, shiftId: shift.id, plannedStart: start };
  const after = currentPlan(day.problem);
  const faults = newViolations(day.problem, after, known).filter(
    (v) => v.code !== 'pinned' || v.visitId !== row.id,
  );
  return { kind: 'checked', faults };
}
