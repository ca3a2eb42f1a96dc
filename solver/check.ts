/**
 * checkPlan: an independent checker of every rule a plan must keep.
 *
 * It shares no code with the builders (slots, optimiser) on purpose: tests and
 * benchmarks validate everything the builders produce against it, so a bug in
 * a builder's cleverness cannot hide behind the same bug in the checker.
 * It is written to be obviously right rather than fast.
 *
 * The timing model it enforces, per route (one technician, one shift):
 *
 *   shift.start ── gap 0 ── stop 1 ── gap 1 ── stop 2 … stop n ── gap n ── shift.end + maxOvertime
 *
 * Each gap holds the travel between its two ends (home base → first visit,
 * visit → visit, last visit → home base) and any breaks taken in it. Travel
 * may be split around a break (drive, lunch, drive on), so a gap is long
 * enough when  gap start + travel + Σ break durations in the gap ≤ gap end.
 * A break must lie entirely inside one gap (it never interrupts a visit),
 * start within [earliestStart, latestStart], and breaks are taken in the order
 * the shift lists them, without overlapping each other.
 */
import type { Plan, Problem, Route, Shift, Technician, Violation, Visit } from './problem.js';

export interface CheckOptions {
  /** Report every visit of the problem that no route serves. */
  requireAll?: boolean;
  /** Tolerance on every time comparison, for float benchmarks. Default 1e-6. */
  epsilon?: number;
}

export function checkPlan(problem: Problem, plan: Plan, options: CheckOptions = {}): Violation[] {
  const eps = options.epsilon ?? 1e-6;
  const out: Violation[] = [];
  const visits = new Map<string, Visit>();
  for (const v of problem.visits) visits.set(v.id, v);
  const technicians = new Map<string, Technician>();
  for (const t of problem.technicians) technicians.set(t.id, t);

  const servedBy = new Map<string, { technicianId: string; start: number }>();
  // One technician works one shift along one route: two routes for it would let both use the same hours.
  const routedShifts = new Set<string>();

  for (const route of plan.routes) {
    const tech = technicians.get(route.technicianId);
    const shiftKey = JSON.stringify([route.technicianId, route.shiftId]);
    if (routedShifts.has(shiftKey)) {
      out.push({
        code: 'shift-routed-twice',
        technicianId: route.technicianId,
        shiftId: route.shiftId,
        message: `technician ${route.technicianId} has more than one route for shift ${route.shiftId}`,
      });
    }
    routedShifts.add(shiftKey);
    // Collect the route's known visits first, so identity rules are reported even when timing cannot be checked.
    const known: { visit: Visit; start: number }[] = [];
    for (const stop of route.stops) {
      const visit = visits.get(stop.visitId);
      if (visit === undefined) {
        out.push({
          code: 'unknown-visit',
          visitId: stop.visitId,
          technicianId: route.technicianId,
          shiftId: route.shiftId,
          message: `route of ${route.technicianId}/${route.shiftId} serves unknown visit ${stop.visitId}`,
        });
        continue;
      }
      if (servedBy.has(visit.id)) {
        out.push({
          code: 'visit-served-twice',
          visitId: visit.id,
          technicianId: route.technicianId,
          shiftId: route.shiftId,
          message: `visit ${visit.id} is served more than once`,
        });
      } else {
        servedBy.set(visit.id, { technicianId: route.technicianId, start: stop.start });
      }
      known.push({ visit, start: stop.start });
    }

    if (tech === undefined) {
      out.push({
        code: 'unknown-technician',
        technicianId: route.technicianId,
        shiftId: route.shiftId,
        message: `route refers to unknown technician ${route.technicianId}`,
      });
      continue;
    }
    const shift = tech.shifts.find((s) => s.id === route.shiftId);
    if (shift === undefined) {
      out.push({
        code: 'unknown-shift',
        technicianId: tech.id,
        shiftId: route.shiftId,
        message: `technician ${tech.id} has no shift ${route.shiftId}`,
      });
      // Skills and windows do not depend on the shift: still check them.
    }

    let load = 0;
    for (const { visit, start } of known) {
      const missing = visit.skills.filter((s) => !tech.skills.includes(s));
      if (missing.length > 0) {
        out.push({
          code: 'skill',
          visitId: visit.id,
          technicianId: tech.id,
          shiftId: route.shiftId,
          missingSkills: missing,
          message: `technician ${tech.id} lacks skill(s) ${missing.join(', ')} for visit ${visit.id}`,
        });
      }
      if (visit.area !== undefined && tech.serves !== undefined && !tech.serves.includes(visit.area)) {
        out.push({
          code: 'zone',
          visitId: visit.id,
          technicianId: tech.id,
          shiftId: route.shiftId,
          area: visit.area,
          message: `technician ${tech.id} does not serve area ${visit.area} of visit ${visit.id}`,
        });
      }
      if (!(start >= visit.window.start - eps && start <= visit.window.end + eps)) {
        out.push({
          code: 'window',
          visitId: visit.id,
          technicianId: tech.id,
          shiftId: route.shiftId,
          message: `visit ${visit.id} starts at ${start}, outside its window [${visit.window.start}, ${visit.window.end}]`,
        });
      }
      load += visit.demand ?? 0;
    }
    if (tech.capacity !== undefined && load > tech.capacity + eps) {
      out.push({
        code: 'capacity',
        technicianId: tech.id,
        shiftId: route.shiftId,
        message: `route of ${tech.id}/${route.shiftId} carries ${load} > capacity ${tech.capacity}`,
      });
    }

    if (shift !== undefined) {
      // Timing is only meaningful when every stop is a known visit.
      if (known.length === route.stops.length) checkTiming(problem, tech, shift, route, known, eps, out);
      else if (known.length === 0) checkTiming(problem, tech, shift, route, [], eps, out);
    }
  }

  for (const id of plan.unassigned) {
    if (!visits.has(id)) {
      out.push({ code: 'unknown-visit', visitId: id, message: `unassigned list names unknown visit ${id}` });
    }
  }

  for (const visit of problem.visits) {
    const served = servedBy.get(visit.id);
    if (visit.pinned === true && visit.assigned !== undefined) {
      const a = visit.assigned;
      if (served === undefined) {
        out.push({
          code: 'pinned',
          visitId: visit.id,
          technicianId: a.technicianId,
          shiftId: a.shiftId,
          message: `pinned visit ${visit.id} is not served`,
        });
      } else if (served.technicianId !== a.technicianId || Math.abs(served.start - a.plannedStart) > eps) {
        out.push({
          code: 'pinned',
          visitId: visit.id,
          technicianId: served.technicianId,
          message: `pinned visit ${visit.id} must stay with ${a.technicianId} at ${a.plannedStart}, got ${served.technicianId} at ${served.start}`,
        });
      }
    }
    if (options.requireAll === true && served === undefined) {
      out.push({ code: 'visit-not-served', visitId: visit.id, message: `visit ${visit.id} is not served` });
    }
  }
  return out;
}

/** Shift bounds, travel, overlap and breaks for one route whose stops are all known visits. */
function checkTiming(
  problem: Problem,
  tech: Technician,
  shift: Shift,
  route: Route,
  stops: readonly { visit: Visit; start: number }[],
  eps: number,
  out: Violation[],
): void {
  const travel = problem.travel;
  const where = `${tech.id}/${shift.id}`;
  const shiftEnd = shift.interval.end + (shift.maxOvertime ?? 0);
  const breaks = shift.breaks ?? [];
  const breakStarts = route.breakStarts ?? [];
  const n = stops.length;

  // Gap g runs from gapStart[g] to gapEnd[g]; gap 0 starts at the shift start, gap n ends at the latest return.
  const gapStart: number[] = [];
  const gapEnd: number[] = [];
  const gapTravel: number[] = [];
  for (let g = 0; g <= n; g++) {
    const prev = g === 0 ? undefined : stops[g - 1];
    const next = g === n ? undefined : stops[g];
    gapStart.push(prev === undefined ? shift.interval.start : prev.start + prev.visit.duration);
    gapEnd.push(next === undefined ? shiftEnd : next.start);
    const from = prev === undefined ? tech.start : prev.visit.place;
    const to = next === undefined ? tech.end : next.visit.place;
    // An empty route needs no travel: the technician simply stays at home.
    gapTravel.push(n === 0 ? 0 : travel.time(from, to));
  }

  // Breaks: each must be scheduled (once the route does anything), inside its allowed start range,
  // within the shift, in listed order, and inside one gap.
  const breakTimeInGap = new Array<number>(n + 1).fill(0);
  if (breakStarts.length > breaks.length) {
    out.push({
      code: 'break',
      technicianId: tech.id,
      shiftId: shift.id,
      message: `route ${where} schedules ${breakStarts.length} breaks but the shift has ${breaks.length}`,
    });
  }
  let previousBreakEnd = -Infinity;
  for (let b = 0; b < breaks.length; b++) {
    const brk = breaks[b]!;
    const start = breakStarts[b];
    if (start === undefined) {
      if (n > 0) {
        out.push({
          code: 'break',
          technicianId: tech.id,
          shiftId: shift.id,
          message: `route ${where} does not schedule break ${b} (route.breakStarts)`,
        });
      }
      continue;
    }
    const end = start + brk.duration;
    if (start < brk.earliestStart - eps || start > brk.latestStart + eps) {
      out.push({
        code: 'break',
        technicianId: tech.id,
        shiftId: shift.id,
        message: `route ${where}: break ${b} starts at ${start}, outside [${brk.earliestStart}, ${brk.latestStart}]`,
      });
    }
    if (start < shift.interval.start - eps || end > shiftEnd + eps) {
      out.push({
        code: 'break',
        technicianId: tech.id,
        shiftId: shift.id,
        message: `route ${where}: break ${b} [${start}, ${end}] lies outside the shift`,
      });
    }
    if (start < previousBreakEnd - eps) {
      out.push({
        code: 'break',
        technicianId: tech.id,
        shiftId: shift.id,
        message: `route ${where}: break ${b} starts at ${start}, before the previous break ends at ${previousBreakEnd}`,
      });
    }
    previousBreakEnd = Math.max(previousBreakEnd, end);
    let gap = -1;
    for (let g = 0; g <= n; g++) {
      if (gapStart[g]! <= start + eps && end <= gapEnd[g]! + eps) {
        gap = g;
        break;
      }
    }
    if (gap < 0) {
      out.push({
        code: 'break',
        technicianId: tech.id,
        shiftId: shift.id,
        message: `route ${where}: break ${b} [${start}, ${end}] overlaps a visit`,
      });
    } else {
      breakTimeInGap[gap] = breakTimeInGap[gap]! + brk.duration;
    }
  }

  for (let g = 0; g <= n; g++) {
    if (n === 0) break;
    const need = gapStart[g]! + gapTravel[g]! + breakTimeInGap[g]!;
    if (g > 0 && g < n) {
      const prev = stops[g - 1]!;
      const next = stops[g]!;
      if (next.start < prev.start - eps || gapStart[g]! > next.start + eps) {
        out.push({
          code: 'overlap',
          visitId: next.visit.id,
          technicianId: tech.id,
          shiftId: shift.id,
          message: `route ${where}: visit ${next.visit.id} at ${next.start} overlaps or precedes visit ${prev.visit.id} (${prev.start}–${gapStart[g]})`,
        });
        continue; // the travel rule would only repeat the same fault
      }
      if (need > gapEnd[g]! + eps) {
        out.push({
          code: 'travel',
          visitId: next.visit.id,
          technicianId: tech.id,
          shiftId: shift.id,
          message: `route ${where}: cannot reach visit ${next.visit.id} by ${next.start} from visit ${prev.visit.id} (needs ${need})`,
        });
      }
    } else if (g === 0) {
      const first = stops[0]!;
      if (need > gapEnd[0]! + eps) {
        out.push({
          code: 'shift',
          visitId: first.visit.id,
          technicianId: tech.id,
          shiftId: shift.id,
          message: `route ${where}: first visit ${first.visit.id} at ${first.start} cannot be reached from the start of the shift at ${shift.interval.start} (needs ${need})`,
        });
      }
    } else {
      const last = stops[n - 1]!;
      if (need > gapEnd[n]! + eps) {
        out.push({
          code: 'shift',
          visitId: last.visit.id,
          technicianId: tech.id,
          shiftId: shift.id,
          message: `route ${where}: back at the end place at ${need}, after the shift end + overtime ${shiftEnd}`,
        });
      }
    }
  }
}

// Cost figures live beside the route timeline they are summed from; re-exported for existing callers.
export { planCost, type PlanCost } from './timeline.js';
