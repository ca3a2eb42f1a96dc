/**
 * The day as read from the database, re-timed the way the slot engine sees it, before make-room
 * searches it. Rows keep planned times to the millisecond while the solver's are fractional, so a
 * route booked through the API is a fraction of a millisecond "late" by checkPlan's measure; older
 * rows may be off by minutes (another travel model). make-room returns only whole plans that pass
 * checkPlan, so one such route anywhere would veto every room. Each route is re-timed in its own
 * order, every visit as close to its planned start as its window and the travel allow (pinned ones
 * exactly where they are); a route no timetable fits is left out of the search altogether.
 */
import type { Plan, Problem, Route } from '../../../solver/problem.js';
import { currentPlan, prepareSlotIndex, schedule } from '../../../solver/slots.js';

export interface HealedDay {
  /** The problem make-room searches: re-timed routes, without the technicians whose day cannot be timed. */
  problem: Problem;
  /** Routes of the technicians left out, as they stand: the plan a room is judged on keeps them. */
  leftOut: Route[];
}

export function healDay(problem: Problem): HealedDay {
  const index = prepareSlotIndex(problem);
  const starts = new Map<string, number>();
  const broken = new Set<string>();
  for (const entry of index.technicians) {
    for (const route of entry.routes) {
      if (route.visits.length === 0) continue;
      const timed = schedule(
        route,
        route.visits.map((v) => v.assigned!.plannedStart),
      );
      if (timed === null) {
        broken.add(entry.technician.id);
        continue;
      }
      route.visits.forEach((v, i) => starts.set(v.id, timed.starts[i]!));
    }
  }
  const healed: Problem = {
    ...problem,
    technicians: problem.technicians.filter((t) => !broken.has(t.id)),
    visits: problem.visits
      .filter((v) => v.assigned === undefined || !broken.has(v.assigned.technicianId))
      .map((v) => {
        const start = starts.get(v.id);
        return start === undefined || start === v.assigned!.plannedStart
          ? v
          : { ...v, assigned: { ...v.assigned!, plannedStart: start } };
      }),
  };
  const leftOut =
    broken.size === 0 ? [] : currentPlan(problem).routes.filter((r) => broken.has(r.technicianId));
  return { problem: healed, leftOut };
}

/** A plan of the healed problem with the left-out routes put back: the whole day, to judge. */
export function wholeDay(plan: Plan, healed: HealedDay): Plan {
  return healed.leftOut.length === 0 ? plan : { ...plan, routes: [...plan.routes, ...healed.leftOut] };
}
