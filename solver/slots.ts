/**
 * Slot offering: which arrival windows can a new visit be promised, and to whom.
 *
 * Every technician-shift that already has bookings is a route: the booked
 * visits in planned-start order, between the home base at the shift start
 * and the home base at the shift end (+ allowed overtime). A new visit may be
 * inserted at any position; booked visits keep their technician and order but
 * may move within their own arrival windows (pinned ones do not move at all).
 *
 * Feasibility of an insertion is checked in constant time per position with
 * forward time slack (Savelsbergh 1992), extended to breaks:
 *
 *   E[i][j] = earliest start of node i, given that the first j breaks of the
 *             shift are taken before node i;
 *   L[i][j] = latest start of node i such that, with j breaks taken before it,
 *             the rest of the route (and the remaining breaks) still fits.
 *
 * Node 0 is the departure from the home base, node n+1 the return. Breaks are
 * taken in the order the shift lists them, each inside one gap between
 * activities; travel may be split around a break (drive, lunch, drive on).
 * That is exactly the model checkPlan enforces. A shift normally has zero or
 * one break, so the extra state costs little: an insertion test tries every
 * way of spreading breaks over the two new gaps, (k+1)(k+2)(k+3)/6 cases.
 *
 * Because every gap transition is monotone in the ready time, the earliest
 * schedule is optimal for everything downstream, which is what makes
 * "E[i] ... new visit ... L[i+1]" an exact test, not a heuristic.
 */
import type {
  Break,
  Interval,
  Place,
  Plan,
  PlannedStop,
  Problem,
  Route,
  Seconds,
  Shift,
  SlotOffer,
  SlotRequest,
  Technician,
  TravelModel,
  Visit,
} from './problem.js';
import { servesArea } from './problem.js';

/** Slack on time comparisons: float travel times must not turn a zero-slack insertion into a refusal. Far below checkPlan's 1e-6. */
const EPS = 1e-7;

export interface OfferOptions {
  /** A prepared index for this problem (see prepareSlotIndex). Built on the fly when absent. */
  index?: SlotIndex;
  /** Weight of added idle time against added travel in the ranking cost. Default 0.5. */
  waitingWeight?: number;
  /** An offer is `tight` when it joins an existing route adding at most this much travel. Default 15 min. */
  tightTravel?: Seconds;
  /** …and at most this much idle time. Default 30 min. */
  tightWaiting?: Seconds;
}

/**
 * One technician-shift with its booked visits and their precomputed time
 * slack. Immutable once built: bookings produce a new Problem and a new index.
 */
export interface ShiftRoute {
  readonly technician: Technician;
  readonly shift: Shift;
  /** Booked visits in planned-start order. */
  readonly visits: readonly Visit[];
  /** Nodes: 0 = home base at departure, 1..n = visits, n+1 = home base at return. */
  readonly places: readonly Place[];
  readonly duration: Float64Array;
  readonly windowStart: Float64Array;
  readonly windowEnd: Float64Array;
  /** leg[i] = travel time from node i to node i+1 (0 for an empty route). */
  readonly leg: Float64Array;
  readonly breaks: readonly Break[];
  /** breakTime[j] = total duration of breaks 0..j-1. */
  readonly breakTime: Float64Array;
  /** E[i * (k+1) + j], L[i * (k+1) + j]; see the file comment. */
  readonly earliest: Float64Array;
  readonly latest: Float64Array;
  /** The return deadline: shift end + maxOvertime. */
  readonly deadline: Seconds;
}

interface TechnicianEntry {
  technician: Technician;
  order: number;
  skills: ReadonlySet<string>;
  /** One route per shift, same order as technician.shifts (sorted by start). */
  routes: ShiftRoute[];
  /** Start of each shift and its return deadline, for binary search. */
  shiftStarts: Float64Array;
  shiftDeadlines: Float64Array;
}

/** Everything offerSlots needs that does not depend on the request. Build once per Problem. */
export interface SlotIndex {
  readonly problem: Problem;
  readonly technicians: readonly TechnicianEntry[];
  readonly byId: ReadonlyMap<string, TechnicianEntry>;
}

/** The booked visits of one technician-shift, in planned order (ties by id, so the order is deterministic). */
function bookedRoutes(problem: Problem): Map<string, Map<string, Visit[]>> {
  const out = new Map<string, Map<string, Visit[]>>();
  for (const v of problem.visits) {
    if (v.assigned === undefined) continue;
    let byShift = out.get(v.assigned.technicianId);
    if (byShift === undefined) out.set(v.assigned.technicianId, (byShift = new Map()));
    let list = byShift.get(v.assigned.shiftId);
    if (list === undefined) byShift.set(v.assigned.shiftId, (list = []));
    list.push(v);
  }
  for (const byShift of out.values()) {
    for (const list of byShift.values()) {
      list.sort(
        (a, b) =>
          a.assigned!.plannedStart - b.assigned!.plannedStart || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
    }
  }
  return out;
}

/** The window a booked visit may move within: its promise, or its planned start when pinned. */
function movableWindow(v: Visit): Interval {
  if (v.pinned === true && v.assigned !== undefined) {
    return { start: v.assigned.plannedStart, end: v.assigned.plannedStart };
  }
  return v.window;
}

/**
 * Prepare the per-shift routes and their time slack. Cost: one pass over the
 * booked visits plus one travel look-up per consecutive pair. Visits booked on
 * an unknown technician or shift are ignored (they constrain nobody).
 */
export function prepareSlotIndex(problem: Problem): SlotIndex {
  const booked = bookedRoutes(problem);
  const technicians: TechnicianEntry[] = [];
  const byId = new Map<string, TechnicianEntry>();
  problem.technicians.forEach((technician, order) => {
    const mine = booked.get(technician.id);
    const shifts = [...technician.shifts].sort((a, b) => a.interval.start - b.interval.start);
    const routes = shifts.map((shift) => {
      const visits = mine?.get(shift.id) ?? [];
      return buildShiftRoute(
        problem.travel,
        technician,
        shift,
        visits,
        visits.map((v) => movableWindow(v)),
      );
    });
    const entry: TechnicianEntry = {
      technician,
      order,
      skills: new Set(technician.skills),
      routes,
      shiftStarts: Float64Array.from(routes, (r) => r.shift.interval.start),
      shiftDeadlines: Float64Array.from(routes, (r) => r.deadline),
    };
    technicians.push(entry);
    byId.set(technician.id, entry);
  });
  return { problem, technicians, byId };
}

function buildShiftRoute(
  travel: TravelModel,
  technician: Technician,
  shift: Shift,
  visits: readonly Visit[],
  windows: readonly Interval[],
): ShiftRoute {
  const n = visits.length;
  const breaks = shift.breaks ?? [];
  const k = breaks.length;
  const deadline = shift.interval.end + (shift.maxOvertime ?? 0);
  const places: Place[] = [technician.start, ...visits.map((v) => v.place), technician.end];
  const duration = new Float64Array(n + 2);
  const windowStart = new Float64Array(n + 2);
  const windowEnd = new Float64Array(n + 2);
  windowStart[0] = shift.interval.start;
  windowEnd[0] = Infinity;
  windowStart[n + 1] = -Infinity;
  windowEnd[n + 1] = deadline;
  for (let i = 0; i < n; i++) {
    duration[i + 1] = visits[i]!.duration;
    windowStart[i + 1] = windows[i]!.start;
    windowEnd[i + 1] = windows[i]!.end;
  }
  const leg = new Float64Array(n + 1);
  // An empty route costs no travel: the technician stays home.
  if (n > 0) for (let i = 0; i <= n; i++) leg[i] = travel.time(places[i]!, places[i + 1]!);
  const breakTime = new Float64Array(k + 1);
  for (let j = 0; j < k; j++) breakTime[j + 1] = breakTime[j]! + breaks[j]!.duration;
  const route: ShiftRoute = {
    technician,
    shift,
    visits,
    places,
    duration,
    windowStart,
    windowEnd,
    leg,
    breaks,
    breakTime,
    earliest: new Float64Array((n + 2) * (k + 1)).fill(Infinity),
    latest: new Float64Array((n + 2) * (k + 1)).fill(-Infinity),
    deadline,
  };
  computeSlack(route);
  return route;
}

/**
 * Arrival at the next node when ready to leave at `ready`, driving `drive`
 * and taking breaks j..j2-1 on the way (each as early as allowed; the waiting
 * before a break is spent driving). Infinity when a break cannot start by its
 * latest start.
 */
function gapArrival(r: ShiftRoute, ready: number, drive: number, j: number, j2: number): number {
  let time = ready;
  let left = drive;
  for (let b = j; b < j2; b++) {
    const brk = r.breaks[b]!;
    const start = time > brk.earliestStart ? time : brk.earliestStart;
    if (start > brk.latestStart + EPS) return Infinity;
    left -= start - time;
    if (left < 0) left = 0;
    time = start + brk.duration;
  }
  return time + left;
}

/** The mirror of gapArrival: the latest ready time that still arrives by `deadline`. -Infinity when impossible. */
function gapLatestReady(r: ShiftRoute, deadline: number, drive: number, j: number, j2: number): number {
  let time = deadline;
  let left = drive;
  for (let b = j2 - 1; b >= j; b--) {
    const brk = r.breaks[b]!;
    const end = Math.min(time, brk.latestStart + brk.duration);
    const start = end - brk.duration;
    if (start < brk.earliestStart - EPS) return -Infinity;
    left -= time - end;
    if (left < 0) left = 0;
    time = start;
  }
  return time - left;
}

function computeSlack(r: ShiftRoute): void {
  const n = r.visits.length;
  const k = r.breaks.length;
  const K = k + 1;
  const E = r.earliest as Float64Array;
  const L = r.latest as Float64Array;
  E[0] = r.windowStart[0]!;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= k; j++) {
      const e = E[i * K + j]!;
      if (e === Infinity) continue;
      const ready = e + r.duration[i]!;
      for (let j2 = j; j2 <= k; j2++) {
        const a = gapArrival(r, ready, r.leg[i]!, j, j2);
        if (a === Infinity) break; // more breaks in this gap only arrive later
        const s = a > r.windowStart[i + 1]! ? a : r.windowStart[i + 1]!;
        if (s > r.windowEnd[i + 1]! + EPS) continue;
        if (s < E[(i + 1) * K + j2]!) E[(i + 1) * K + j2] = s;
      }
    }
  }
  L[(n + 1) * K + k] = r.deadline;
  for (let i = n; i >= 0; i--) {
    for (let j = 0; j <= k; j++) {
      let best = -Infinity;
      for (let j2 = j; j2 <= k; j2++) {
        const next = L[(i + 1) * K + j2]!;
        if (next === -Infinity || r.windowStart[i + 1]! > next + EPS) continue;
        const ready = gapLatestReady(r, next, r.leg[i]!, j, j2);
        if (ready - r.duration[i]! > best) best = ready - r.duration[i]!;
      }
      L[i * K + j] = Math.min(best, r.windowEnd[i]!);
    }
  }
}

/** The best way to put the new visit at one position of one route, for one window. */
interface Insertion {
  position: number; // between node `position` and node `position + 1`
  plannedStart: number;
  addedTravel: number;
  addedWaiting: number;
  cost: number;
}

/**
 * Try the new visit between node i and node i+1. O(k³) with k breaks, i.e. O(1)
 * for a shift with one lunch. `toNew` = travel node i → new visit,
 * `fromNew` = new visit → node i+1.
 */
function tryPosition(
  r: ShiftRoute,
  i: number,
  toNew: number,
  fromNew: number,
  serviceTime: number,
  window: Interval,
  waitingWeight: number,
): Insertion | undefined {
  const n = r.visits.length;
  const k = r.breaks.length;
  const K = k + 1;
  const E = r.earliest;
  const L = r.latest;
  const nextWindowStart = r.windowStart[i + 1]!;
  let best: Insertion | undefined;
  for (let j0 = 0; j0 <= k; j0++) {
    const e = E[i * K + j0]!;
    if (e === Infinity) continue;
    const ready = e + r.duration[i]!;
    for (let j1 = j0; j1 <= k; j1++) {
      const a = gapArrival(r, ready, toNew, j0, j1);
      if (a === Infinity) break;
      const start = a > window.start ? a : window.start;
      if (start > window.end + EPS) break; // more breaks before it only make it later
      const readyNew = start + serviceTime;
      for (let j2 = j1; j2 <= k; j2++) {
        const a2 = gapArrival(r, readyNew, fromNew, j1, j2);
        if (a2 === Infinity) break;
        const next = a2 > nextWindowStart ? a2 : nextWindowStart;
        if (next > L[(i + 1) * K + j2]! + EPS) continue;
        // Idle time, as the technician would live it in the earliest schedule.
        // Waiting before the first visit or after the last is not idle: the
        // technician leaves home later or goes home early.
        const idleBefore =
          i === 0 ? 0 : Math.max(0, start - ready - toNew - (r.breakTime[j1]! - r.breakTime[j0]!));
        const idleAfter =
          i === n ? 0 : Math.max(0, next - readyNew - fromNew - (r.breakTime[j2]! - r.breakTime[j1]!));
        let idleBeforeInsertion = 0;
        if (i > 0 && i < n) {
          const old = gapArrival(r, ready, r.leg[i]!, j0, j2);
          if (old !== Infinity) {
            const oldNext = old > nextWindowStart ? old : nextWindowStart;
            idleBeforeInsertion = Math.max(
              0,
              oldNext - ready - r.leg[i]! - (r.breakTime[j2]! - r.breakTime[j0]!),
            );
          }
        }
        const addedWaiting = Math.max(0, idleBefore + idleAfter - idleBeforeInsertion);
        const addedTravel = toNew + fromNew - (n === 0 ? 0 : r.leg[i]!);
        const cost = addedTravel + waitingWeight * addedWaiting;
        if (
          best === undefined ||
          cost < best.cost - EPS ||
          (cost <= best.cost + EPS && start < best.plannedStart)
        ) {
          best = { position: i, plannedStart: start, addedTravel, addedWaiting, cost };
        }
      }
    }
  }
  return best;
}

/** Where the best insertion for a window landed. */
interface Candidate extends Insertion {
  entry: TechnicianEntry;
  route: ShiftRoute;
}

function better(a: Candidate, b: Candidate | undefined): boolean {
  if (b === undefined) return true;
  if (a.cost < b.cost - EPS) return true;
  if (a.cost > b.cost + EPS) return false;
  if (a.plannedStart !== b.plannedStart) return a.plannedStart < b.plannedStart;
  return a.entry.order < b.entry.order;
}

/** Technicians allowed to take the request: all its skills, its area served, and in its list when it has one. */
function eligible(index: SlotIndex, request: SlotRequest, only?: string): TechnicianEntry[] {
  const pool =
    only !== undefined
      ? [index.byId.get(only)].filter((e): e is TechnicianEntry => e !== undefined)
      : request.technicianIds !== undefined
        ? request.technicianIds
            .map((id) => index.byId.get(id))
            .filter((e): e is TechnicianEntry => e !== undefined)
        : index.technicians;
  const seen = new Set<TechnicianEntry>();
  const out: TechnicianEntry[] = [];
  for (const e of pool) {
    if (seen.has(e)) continue;
    seen.add(e);
    if (
      only !== undefined &&
      request.technicianIds !== undefined &&
      !request.technicianIds.includes(e.technician.id)
    )
      continue;
    if (request.skills.every((s) => e.skills.has(s)) && servesArea(e.technician, request.area)) out.push(e);
  }
  return out;
}

/** First index whose value is >= x in a sorted array. */
function lowerBound(values: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The cheapest insertion per candidate window (undefined where none is
 * feasible). Touches only eligible technicians' shifts that overlap the
 * windows, found by binary search.
 */
function bestPerWindow(
  index: SlotIndex,
  request: SlotRequest,
  windows: readonly Interval[],
  waitingWeight: number,
  only?: string,
): (Candidate | undefined)[] {
  const best: (Candidate | undefined)[] = new Array(windows.length).fill(undefined);
  if (windows.length === 0) return best;
  const travel = index.problem.travel;
  // Windows sorted by start so that a shift finds its windows by binary search.
  const order = windows.map((_, w) => w).sort((a, b) => windows[a]!.start - windows[b]!.start);
  const starts = Float64Array.from(order, (w) => windows[w]!.start);
  let longest = 0;
  let lastEnd = -Infinity;
  for (const w of windows) {
    longest = Math.max(longest, w.end - w.start);
    lastEnd = Math.max(lastEnd, w.end);
  }
  const firstStart = starts[0]!;
  const place = request.place;

  for (const entry of eligible(index, request, only)) {
    // The home base recurs in every shift of the technician: its legs are computed once per request.
    let fromHome = Number.NaN;
    let toHome = Number.NaN;
    // Shifts whose return deadline is after the first window opens, and that start before the last window closes.
    // Deadlines are sorted too: shifts do not overlap.
    for (let s = lowerBound(entry.shiftDeadlines, firstStart); s < entry.routes.length; s++) {
      const route = entry.routes[s]!;
      const shiftStart = route.shift.interval.start;
      if (shiftStart > lastEnd) break;
      const n = route.visits.length;
      // Travel to and from the new place, computed only for positions that survive the time pruning.
      let toNew: Float64Array | undefined;
      let fromNew: Float64Array | undefined;
      for (
        let o = lowerBound(starts, shiftStart - longest);
        o < order.length && starts[o]! <= route.deadline;
        o++
      ) {
        const w = order[o]!;
        const window = windows[w]!;
        if (window.end < shiftStart) continue;
        if (toNew === undefined || fromNew === undefined) {
          toNew = new Float64Array(n + 1).fill(Number.NaN);
          fromNew = new Float64Array(n + 2).fill(Number.NaN);
        }
        const K = route.breaks.length + 1;
        for (let i = 0; i <= n; i++) {
          // Positions are in time order: once the earliest start at node i is past the window, stop.
          let minE = Infinity;
          let maxL = -Infinity;
          for (let j = 0; j < K; j++) {
            minE = Math.min(minE, route.earliest[i * K + j]!);
            maxL = Math.max(maxL, route.latest[(i + 1) * K + j]!);
          }
          if (minE === Infinity || minE + route.duration[i]! > window.end + EPS) break;
          if (maxL < window.start - EPS) continue;
          let tIn = toNew[i]!;
          if (tIn !== tIn) {
            if (i === 0) {
              if (fromHome !== fromHome) fromHome = travel.time(entry.technician.start, place);
              tIn = fromHome;
            } else {
              tIn = travel.time(route.places[i]!, place);
            }
            toNew[i] = tIn;
          }
          let tOut = fromNew[i + 1]!;
          if (tOut !== tOut) {
            if (i === n) {
              if (toHome !== toHome) toHome = travel.time(place, entry.technician.end);
              tOut = toHome;
            } else {
              tOut = travel.time(place, route.places[i + 1]!);
            }
            fromNew[i + 1] = tOut;
          }
          const ins = tryPosition(route, i, tIn, tOut, request.duration, window, waitingWeight);
          if (ins === undefined) continue;
          const held = best[w];
          if (held !== undefined && ins.cost > held.cost + EPS) continue;
          const cand = ins as Candidate;
          cand.entry = entry;
          cand.route = route;
          if (better(cand, held)) best[w] = cand;
        }
      }
    }
  }
  return best;
}

function checkRequest(request: SlotRequest): void {
  if (!(request.duration >= 0) || !Number.isFinite(request.duration)) {
    throw new RangeError(`slot request duration must be a finite number >= 0, got ${request.duration}`);
  }
  for (const w of request.windows) {
    if (!(w.end >= w.start))
      throw new RangeError(`slot request window [${w.start}, ${w.end}] ends before it starts`);
  }
}

/**
 * Every candidate window some eligible technician can take while every
 * promise already made still holds, each with its cheapest insertion, ranked
 * by cost (then by time). Windows nobody can take are left out.
 */
export function offerSlots(problem: Problem, request: SlotRequest, options: OfferOptions = {}): SlotOffer[] {
  checkRequest(request);
  const index = options.index ?? prepareSlotIndex(problem);
  if (index.problem !== problem) throw new Error('offerSlots: the index was prepared for another Problem');
  const waitingWeight = options.waitingWeight ?? 0.5;
  const tightTravel = options.tightTravel ?? 15 * 60;
  const tightWaiting = options.tightWaiting ?? 30 * 60;
  const best = bestPerWindow(index, request, request.windows, waitingWeight);
  const offers: SlotOffer[] = [];
  best.forEach((c, w) => {
    if (c === undefined) return;
    offers.push({
      window: request.windows[w]!,
      technicianId: c.entry.technician.id,
      shiftId: c.route.shift.id,
      plannedStart: c.plannedStart,
      addedTravel: c.addedTravel,
      addedWaiting: c.addedWaiting,
      cost: c.cost,
      // Opening an empty day is never "tight": the point is to fill routes that already run.
      tight: c.route.visits.length > 0 && c.addedTravel <= tightTravel && c.addedWaiting <= tightWaiting,
    });
  });
  offers.sort(
    (a, b) => a.cost - b.cost || a.window.start - b.window.start || a.plannedStart - b.plannedStart,
  );
  return offers;
}

export interface InsertOptions {
  index?: SlotIndex;
  /** Id of the new visit in the returned route. Default "new-visit". */
  visitId?: string;
  waitingWeight?: number;
  /** false: leave `plan` empty (callers that only need the route skip rebuilding every other one). */
  withPlan?: boolean;
}

export interface InsertionResult {
  /** The new visit as it would be booked (window = the chosen window, with `assigned`). */
  visit: Visit;
  technicianId: string;
  shiftId: string;
  plannedStart: Seconds;
  addedTravel: Seconds;
  addedWaiting: Seconds;
  /** The technician-shift's new route, booked visits re-timed within their windows, breaks placed. */
  route: Route;
  /** Booked visits whose planned start the insertion changes. */
  moved: { visitId: string; from: Seconds; to: Seconds }[];
  /**
   * The whole plan after the insertion: every booked route (see currentPlan)
   * with this one replaced. Check it with checkPlan against the problem plus `visit`.
   */
  plan: Plan;
}

/**
 * Book-side twin of offerSlots: insert the new visit in `window`, on
 * `technicianId` if given (else on whoever offerSlots would pick), at the
 * cheapest position, and return the resulting route and plan; null when the
 * window is not (or no longer) feasible. Booked visits move only as much as
 * needed: each keeps its planned start when it can.
 */
export function insertVisit(
  problem: Problem,
  request: SlotRequest,
  window: Interval,
  technicianId?: string,
  options: InsertOptions = {},
): InsertionResult | null {
  checkRequest({ ...request, windows: [window] });
  const index = options.index ?? prepareSlotIndex(problem);
  if (index.problem !== problem) throw new Error('insertVisit: the index was prepared for another Problem');
  const [best] = bestPerWindow(index, request, [window], options.waitingWeight ?? 0.5, technicianId);
  if (best === undefined) return null;
  const route = best.route;
  const visitId = options.visitId ?? 'new-visit';
  const visit: Visit = {
    id: visitId,
    place: request.place,
    duration: request.duration,
    window: { start: window.start, end: window.end },
    skills: [...request.skills],
    ...(request.area !== undefined ? { area: request.area } : {}),
    assigned: { technicianId: route.technician.id, shiftId: route.shift.id, plannedStart: best.plannedStart },
  };
  const visits = [...route.visits];
  visits.splice(best.position, 0, visit);
  const windows = visits.map((v) =>
    v === visit ? { start: best.plannedStart, end: best.plannedStart } : movableWindow(v),
  );
  const rebuilt = buildShiftRoute(problem.travel, route.technician, route.shift, visits, windows);
  const targets = visits.map((v) => v.assigned!.plannedStart);
  const timed = schedule(rebuilt, targets);
  if (timed === null) return null; // cannot happen unless float noise ate the last slack
  const newRoute: Route = {
    technicianId: route.technician.id,
    shiftId: route.shift.id,
    stops: visits.map((v, i) => ({ visitId: v.id, start: timed.starts[i]! })),
    ...(route.breaks.length > 0 ? { breakStarts: timed.breakStarts } : {}),
  };
  const moved = visits
    .map((v, i) => ({ visitId: v.id, from: v.assigned!.plannedStart, to: timed.starts[i]! }))
    .filter((m) => m.visitId !== visitId && m.from !== m.to);
  const plan = options.withPlan === false ? { routes: [], unassigned: [] } : currentPlan(problem, index);
  const at = plan.routes.findIndex(
    (r) => r.technicianId === newRoute.technicianId && r.shiftId === newRoute.shiftId,
  );
  if (at >= 0) plan.routes[at] = newRoute;
  else plan.routes.push(newRoute);
  return {
    visit,
    technicianId: route.technician.id,
    shiftId: route.shift.id,
    plannedStart: timed.starts[best.position]!,
    addedTravel: best.addedTravel,
    addedWaiting: best.addedWaiting,
    route: newRoute,
    moved,
    plan,
  };
}

/**
 * A concrete timetable for a route whose slack is computed: each visit as
 * close to its target start as the slack allows, breaks as early as allowed
 * in the gap they fall in. null when the route has no feasible timetable.
 */
function schedule(
  r: ShiftRoute,
  targets: readonly number[],
): { starts: number[]; breakStarts: number[] } | null {
  const n = r.visits.length;
  const k = r.breaks.length;
  const K = k + 1;
  if (!(r.earliest[(n + 1) * K + k]! <= r.latest[(n + 1) * K + k]! + EPS)) return null;
  const starts: number[] = [];
  const breakStarts: number[] = [];
  let time = r.windowStart[0]!;
  let j = 0;
  for (let i = 0; i <= n; i++) {
    const ready = time + r.duration[i]!;
    let pick: { j2: number; start: number } | undefined;
    for (let j2 = j; j2 <= k; j2++) {
      const a = gapArrival(r, ready, r.leg[i]!, j, j2);
      if (a === Infinity) break;
      const earliest = Math.max(a, r.windowStart[i + 1]!);
      const latest = r.latest[(i + 1) * K + j2]!;
      if (earliest > latest + EPS) continue;
      const target = i < n ? targets[i]! : earliest;
      const start = Math.max(earliest, Math.min(target, latest));
      if (pick === undefined || Math.abs(start - target) < Math.abs(pick.start - target))
        pick = { j2, start };
    }
    if (pick === undefined) return null;
    // Replay the gap to record where its breaks start.
    let t = ready;
    for (let b = j; b < pick.j2; b++) {
      const brk = r.breaks[b]!;
      const s = Math.max(t, brk.earliestStart);
      breakStarts.push(s);
      t = s + brk.duration;
    }
    if (i < n) starts.push(pick.start);
    time = pick.start;
    j = pick.j2;
  }
  return { starts, breakStarts };
}

/**
 * The plan the bookings describe: one route per technician-shift with booked
 * visits, at their planned starts, with breaks placed where they fit. When the
 * planned starts leave no room for a break, it is put at its earliest start and
 * checkPlan will say so.
 */
export function currentPlan(problem: Problem, index: SlotIndex = prepareSlotIndex(problem)): Plan {
  const routes: Route[] = [];
  for (const entry of index.technicians) {
    for (const r of entry.routes) {
      if (r.visits.length === 0) continue;
      const planned = r.visits.map((v) => v.assigned!.plannedStart);
      const stops: PlannedStop[] = r.visits.map((v, i) => ({ visitId: v.id, start: planned[i]! }));
      const route: Route = { technicianId: entry.technician.id, shiftId: r.shift.id, stops };
      if (r.breaks.length > 0) {
        const fixed = buildShiftRoute(
          problem.travel,
          r.technician,
          r.shift,
          r.visits,
          planned.map((p) => ({ start: p, end: p })),
        );
        const timed = schedule(fixed, planned);
        route.breakStarts = timed?.breakStarts ?? r.breaks.map((b) => b.earliestStart);
      }
      routes.push(route);
    }
  }
  return { routes, unassigned: problem.visits.filter((v) => v.assigned === undefined).map((v) => v.id) };
}

/**
 * The insertion test's building blocks, for searches that change several routes at once
 * (make-room.ts): they must judge an insertion exactly as offerSlots does.
 */
export { buildShiftRoute, movableWindow, schedule, tryPosition };
