/**
 * What planRoutes does with broken input. A problem it cannot plan at all
 * (a bad budget, a shift that ends before it starts, two visits with one
 * id) is refused with a RangeError naming the field. A visit it cannot
 * place is reported unassigned with the reason: its own data is broken, no
 * technician may serve it (skills, capacity, shift, reach), or it did not
 * fit beside the others. Never a hang, never a crash of the worker.
 */
import type { Problem, Visit } from '../problem.js';
import type { Instance } from './instance.js';
import type { Solution } from './solution.js';

export type UnassignedReason = 'invalid-visit' | 'no-technician-can-serve' | 'no-room';

const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);

export function checkPlanRoutesInput(problem: Problem, timeLimitMs: number, seed: number): void {
  if (!finite(timeLimitMs) || timeLimitMs < 0)
    throw new RangeError(`timeLimitMs must be a finite number ≥ 0, got ${timeLimitMs}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const techIds = new Set<string>();
  for (const t of problem.technicians) {
    if (techIds.has(t.id)) throw new RangeError(`technician ${t.id} is listed twice`);
    techIds.add(t.id);
    const shiftIds = new Set<string>();
    for (const s of t.shifts) {
      const where = `technician ${t.id}, shift ${s.id}`;
      if (shiftIds.has(s.id)) throw new RangeError(`${where}: shift listed twice`);
      shiftIds.add(s.id);
      if (!finite(s.interval.start) || !finite(s.interval.end) || s.interval.end < s.interval.start)
        throw new RangeError(`${where}: interval must be finite with end ≥ start`);
      if (s.maxOvertime !== undefined && !(finite(s.maxOvertime) && s.maxOvertime >= 0))
        throw new RangeError(`${where}: maxOvertime must be a finite number ≥ 0`);
      for (const b of s.breaks ?? []) {
        if (!finite(b.earliestStart) || !finite(b.latestStart) || !(finite(b.duration) && b.duration >= 0))
          throw new RangeError(`${where}: break times must be finite, duration ≥ 0`);
      }
    }
  }
  const visitIds = new Set<string>();
  for (const v of problem.visits) {
    if (visitIds.has(v.id)) throw new RangeError(`visit ${v.id} is listed twice`);
    visitIds.add(v.id);
  }
}

/** True when a visit's own data makes it impossible to plan (whoever the technician). */
export function invalidVisit(v: Visit): boolean {
  return !(
    finite(v.place.lat) &&
    finite(v.place.lon) &&
    finite(v.duration) &&
    v.duration >= 0 &&
    finite(v.window.start) &&
    finite(v.window.end) &&
    v.window.end >= v.window.start &&
    (v.demand === undefined || (finite(v.demand) && v.demand >= 0))
  );
}

/** Why each unserved visit of `sol` is unserved, by visit id. */
export function unassignedReasons(inst: Instance, sol: Solution): Record<string, UnassignedReason> {
  const V = inst.vehicles.length;
  const out: Record<string, UnassignedReason> = {};
  for (const u of sol.unassigned) {
    const visit = inst.problem.visits[u]!;
    let servable = false;
    for (let k = 0; k < V && !servable; k++) servable = inst.canServe[u * V + k] === 1;
    out[visit.id] = invalidVisit(visit) ? 'invalid-visit' : servable ? 'no-room' : 'no-technician-can-serve';
  }
  return out;
}
