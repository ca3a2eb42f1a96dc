/**
 * Today is real: what a plan may still change at `now`. Visits that have
 * started (en route, on site, done, no-show) or whose planned start is past
 * are frozen where they are; every other visit starts at `now` or later; and
 * each technician at work carries on from where they are — the visit they
 * are busy with, else an anchor (a pinned stop of no duration at `now`) at
 * the place of their last visit, or at home when they have not left yet.
 *
 * The result is a copy of the day's problem for the optimiser and the
 * checks; anchors never leave this module's callers (withoutAnchors).
 */
import type { Place, Plan, Problem, Shift, Visit } from '../../../solver/problem.js';
import { shiftKey } from '../shift-key.js';
import type { DayProblem } from './day-problem.js';

export interface FrozenDay {
  problem: Problem;
  /** Visits no plan may move: started, or planned to start before now. */
  frozen: Set<string>;
  /** Ids of the synthetic anchor stops (one per technician carrying on from somewhere at now). */
  anchors: Set<string>;
  /** Unassigned visits whose promised window closed before now: no plan can keep them. */
  expired: Set<string>;
}

const ANCHOR_PREFIX = 'now:';

export const isAnchor = (visitId: string) => visitId.startsWith(ANCHOR_PREFIX);

/** True when the visit is past planning: started by the technician, or due to have started. */
export function isFrozen(
  progress: string,
  plannedStart: number | undefined,
  now: number | undefined,
): boolean {
  return progress !== 'planned' || (now !== undefined && plannedStart !== undefined && plannedStart < now);
}

/** The earliest instant from `at` on that no break of the shift necessarily covers. */
function clearOfBreaks(shift: Shift, at: number): number {
  let t = at;
  for (const b of shift.breaks ?? []) {
    // Could not have ended before t, and may not start after it: it is going on.
    if (b.earliestStart + b.duration > t && b.latestStart < t) t = Math.max(t, b.latestStart + b.duration);
  }
  return t;
}

export function freezeAt(day: DayProblem, now: number | undefined): FrozenDay {
  const frozen = new Set<string>();
  const anchors = new Set<string>();
  const expired = new Set<string>();
  const visits: Visit[] = [];
  for (const v of day.problem.visits) {
    const row = day.visitRows.get(v.id);
    const progress = row?.progress ?? 'planned';
    if (v.assigned && isFrozen(progress, v.assigned.plannedStart, now)) {
      frozen.add(v.id);
      visits.push({ ...v, pinned: true });
      continue;
    }
    if (now !== undefined && v.window.end < now) {
      // Only an unassigned visit can be here (a routed one planned after now has its window open).
      expired.add(v.id);
      continue;
    }
    visits.push(
      now === undefined ? v : { ...v, window: { ...v.window, start: Math.max(v.window.start, now) } },
    );
  }

  if (now !== undefined) {
    for (const tech of day.problem.technicians) {
      const shift = tech.shifts.find((s) => s.id === shiftKey(tech.id, day.date));
      if (!shift || now <= shift.interval.start || now >= shift.interval.end + (shift.maxOvertime ?? 0))
        continue;
      const theirs = visits
        .filter((v) => frozen.has(v.id) && v.assigned?.technicianId === tech.id)
        .sort((a, b) => a.assigned!.plannedStart - b.assigned!.plannedStart);
      const last = theirs.at(-1);
      // Busy with (or driving to) a frozen visit: it already holds the rest of the day behind it.
      if (last && last.assigned!.plannedStart + last.duration > now) continue;
      const place: Place = last ? last.place : tech.start;
      const at = clearOfBreaks(shift, now);
      const id = `${ANCHOR_PREFIX}${tech.id}`;
      anchors.add(id);
      visits.push({
        id,
        place,
        duration: 0,
        window: { start: at, end: at },
        skills: [],
        pinned: true,
        assigned: { technicianId: tech.id, shiftId: shift.id, plannedStart: at },
      });
    }
  }
  return { problem: { ...day.problem, visits }, frozen, anchors, expired };
}

/** The plan without its anchor stops: what is stored, shown and applied. */
export function withoutAnchors(plan: Plan): Plan {
  return {
    routes: plan.routes
      .map((r) => ({ ...r, stops: r.stops.filter((s) => !isAnchor(s.visitId)) }))
      .filter((r) => r.stops.length > 0),
    unassigned: plan.unassigned.filter((id) => !isAnchor(id)),
  };
}
