/**
 * The first make-room search (commit 2fd8aca), kept as an oracle for the tests and for
 * `npm run bench:make-room -- --compare`: what it finds, solver/make-room.ts must find too.
 *
 * Make room: when no route can take a new visit in a window as the day stands, try moving a few
 * booked visits of that day (at most 3) to another technician or another place in a route, each
 * inside its own promised window, never a pinned one. A bounded search, fewest moves first:
 *
 *   for k = 1, 2, 3: for each set S of k movable visits near the window (closest first),
 *     take S off their routes; if the new visit now fits in the window, put S back one by one
 *     (every order) with the exact insertion test of slots.ts; the first set that all fit wins.
 *
 * The result is a whole plan, checked by checkPlan before it is returned: a room made here
 * never breaks a promise. The search is pure and deterministic, and stops after `maxTries`
 * sets, so a slot query pays a bounded price for it.
 */
import { checkPlan } from '../../solver/check.js';
import type { Interval, Problem, Seconds, SlotRequest, Visit } from '../../solver/problem.js';
import { servesArea } from '../../solver/problem.js';
import { currentPlan, insertVisit } from '../../solver/slots.js';
import type { RoomMove, RoomOffer } from '../../solver/make-room.js';

export interface ReferenceOptions {
  maxMoves?: number;
  maxTries?: number;
  near?: Seconds;
  visitId?: string;
}

/** The problem with the visits of one route re-timed (and assigned) as the route says. */
function withRoute(
  problem: Problem,
  added: Visit | null,
  plan: { technicianId: string; shiftId: string; stops: { visitId: string; start: Seconds }[] },
): Problem {
  const starts = new Map(plan.stops.map((s) => [s.visitId, s.start]));
  const assign = (v: Visit): Visit => {
    const start = starts.get(v.id);
    return start === undefined
      ? v
      : { ...v, assigned: { technicianId: plan.technicianId, shiftId: plan.shiftId, plannedStart: start } };
  };
  const visits = problem.visits.map(assign);
  if (added) visits.push(assign(added));
  return { ...problem, visits };
}

function* combinations<T>(items: readonly T[], k: number, from = 0): Generator<T[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= items.length - k; i++)
    for (const rest of combinations(items, k - 1, i + 1)) yield [items[i]!, ...rest];
}

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const p of permutations(rest)) yield [items[i]!, ...p];
  }
}

/** Booked visits whose moving could free the window: on an eligible technician's shift, near it in time. */
function movableNear(problem: Problem, request: SlotRequest, window: Interval, near: Seconds): Visit[] {
  const allowed = new Set(
    problem.technicians
      .filter(
        (t) =>
          (request.technicianIds === undefined || request.technicianIds.includes(t.id)) &&
          request.skills.every((s) => t.skills.includes(s)) &&
          servesArea(t, request.area),
      )
      .map((t) => t.id),
  );
  const centre = (window.start + window.end) / 2;
  return problem.visits
    .filter(
      (v) =>
        v.assigned !== undefined &&
        v.pinned !== true &&
        allowed.has(v.assigned.technicianId) &&
        v.assigned.plannedStart + v.duration >= window.start - near &&
        v.assigned.plannedStart <= window.end + near,
    )
    .sort(
      (a, b) =>
        Math.abs(a.assigned!.plannedStart - centre) - Math.abs(b.assigned!.plannedStart - centre) ||
        (a.id < b.id ? -1 : 1),
    );
}

/**
 * A way to take the new visit in `window` by moving at most `maxMoves` booked visits; null when
 * none is found within the bounds. Call it only for windows offerSlots does not offer.
 */
export function makeRoomBySubsets(
  problem: Problem,
  request: SlotRequest,
  window: Interval,
  options: ReferenceOptions = {},
): RoomOffer | null {
  const maxMoves = options.maxMoves ?? 3;
  const maxTries = options.maxTries ?? 150;
  const visitId = options.visitId ?? 'new-visit';
  const candidates = movableNear(problem, request, window, options.near ?? 3 * 3600);
  let tries = 0;
  for (let k = 1; k <= maxMoves; k++) {
    for (const set of combinations(candidates, k)) {
      if (++tries > maxTries) return null;
      const out = new Set(set.map((v) => v.id));
      const without: Problem = {
        ...problem,
        visits: problem.visits.map((v) => (out.has(v.id) ? { ...v, assigned: undefined } : v)),
      };
      // Only the routes the set leaves can have room now: ask them alone first (cheap), then for real.
      const freed = new Set(set.map((v) => v.assigned!.technicianId));
      const fits = insertVisit(
        {
          technicians: problem.technicians.filter((t) => freed.has(t.id)),
          visits: without.visits.filter(
            (v) => v.assigned !== undefined && freed.has(v.assigned.technicianId),
          ),
          travel: problem.travel,
        },
        request,
        window,
        undefined,
        { visitId, withPlan: false },
      );
      if (fits === null) continue;
      const placed = insertVisit(without, request, window, fits.technicianId, { visitId, withPlan: false });
      if (placed === null) continue;
      const withNew = withRoute(without, { ...placed.visit, assigned: undefined }, placed.route);
      for (const order of permutations(set)) {
        let current: Problem | null = withNew;
        for (const v of order) {
          const back = insertVisit(
            current,
            { place: v.place, duration: v.duration, skills: v.skills, area: v.area, windows: [v.window] },
            v.window,
            undefined,
            { visitId: v.id, withPlan: false },
          );
          if (back === null) {
            current = null;
            break;
          }
          // The visit is already in `current.visits` (unassigned): withRoute assigns it.
          current = withRoute(current, null, back.route);
        }
        if (current === null) continue;
        const plan = currentPlan(current);
        if (checkPlan(current, plan).length > 0) continue;
        const after = new Map(current.visits.map((v) => [v.id, v.assigned]));
        const moves: RoomMove[] = set.map((v) => ({
          visitId: v.id,
          from: { ...v.assigned! },
          to: { ...after.get(v.id)! },
        }));
        const retimed = problem.visits
          .filter((v) => v.assigned !== undefined && !out.has(v.id))
          .map((v) => ({ visitId: v.id, from: v.assigned!.plannedStart, to: after.get(v.id)!.plannedStart }))
          .filter((m) => m.from !== m.to);
        const mine = after.get(visitId)!;
        return {
          window,
          technicianId: mine.technicianId,
          shiftId: mine.shiftId,
          plannedStart: mine.plannedStart,
          moves,
          retimed,
          plan,
          problem: current,
          tries,
        };
      }
    }
  }
  return null;
}
