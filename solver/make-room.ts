/**
 * Make room: when no route can take a new visit in a window as the day stands, move a few booked
 * visits of that day (at most 3) to another technician or another place in a route, each inside
 * its own promised window, never a pinned one.
 *
 * The search is an ejection chain with iterative deepening on the number of moves, so the first
 * level that finds anything has the fewest moves:
 *
 *   place(x): for each route that may take x, for each set E of its movable visits (E = ∅ first,
 *     then 1, 2, 3 visits, never more than the moves left), test x in the route without E at
 *     every position; where it fits, E becomes visits to place in turn (E's own removal counts
 *     as its moves).
 *
 * The new visit is the first x. Every test is the exact insertion test of slots.ts (forward and
 * backward slack per route position, breaks included), on the route as changed so far, so a
 * test costs one route build of a handful of visits and O(1) per position, not a simulation of
 * the day. Each route looked at is a cached state (its visits, its slack, the answers it gave);
 * states without the new visit are shared by all windows of a call (makeRoomForWindows).
 * Pruning, all deterministic:
 *   - only visits whose planned time lies within `near` (`chainNear` down a chain) of the window
 *     of the visit being placed are taken off;
 *   - a route is not opened for a visit if the visit does not fit even with every such movable
 *     visit taken off (with travel times obeying the triangle inequality, taking visits off a
 *     route never makes it tighter);
 *   - down a chain, only sets no smaller set already makes room with (not for the new visit:
 *     with more off it may fit at another place, leaving room for the visits taken off);
 *   - a configuration (visits still to place, visits moved, changed routes' contents) is
 *     explored once per level, and a route's contents are one state whatever the path that
 *     built them: chains moving the same visits in another order ask nothing new;
 *   - `maxTries` route tests per window: a question counts once per window, cached or not, so
 *     one window's answer does not depend on the others of the call; a moved visit read
 *     against every route as booked counts once, not once per route (those answers are the
 *     same in every search, and a company of 60 would otherwise spend its budget on them).
 *
 * Within the level of fewest moves, one move ranks every way by added driving (then the one
 * found first); two or three moves take the first found. Only that winner becomes a whole plan,
 * checked by checkPlan before it is returned: it breaks no rule the day as booked did not
 * already break (a route elsewhere that is already off by a millisecond must not hide a room),
 * and a room made here never breaks a promise. Pure and deterministic.
 */
import { checkPlan } from './check.js';
import type {
  Interval,
  Place,
  Plan,
  Problem,
  Route,
  Seconds,
  SlotRequest,
  Technician,
  TravelModel,
  Violation,
  Visit,
} from './problem.js';
import { servesArea } from './problem.js';
import {
  buildShiftRoute,
  currentPlan,
  movableWindow,
  prepareSlotIndex,
  schedule,
  tryPosition,
  type ShiftRoute,
  type SlotIndex,
} from './slots.js';

export interface MakeRoomOptions {
  /** Most booked visits moved for one new visit. Default 3. */
  maxMoves?: number;
  /** Most route tests (a route, some visits taken off, one visit to fit) per window. Default 800. */
  maxTries?: number;
  /** Booked visits farther than this (in time) from the new visit's window are not moved. Default 3 h. */
  near?: Seconds;
  /** The same for making room for a moved visit, further down a chain. Default 1 h. */
  chainNear?: Seconds;
  /** Id of the new visit in the returned plan. Default "new-visit". */
  visitId?: string;
  /** A prepared slot index for this problem (the one the slot query built), to skip building it again. */
  index?: SlotIndex;
}

export interface RoomMove {
  visitId: string;
  from: { technicianId: string; shiftId: string; plannedStart: Seconds };
  to: { technicianId: string; shiftId: string; plannedStart: Seconds };
}

export interface RoomOffer {
  window: Interval;
  technicianId: string;
  shiftId: string;
  plannedStart: Seconds;
  /** The booked visits moved to another technician or another place in a route (none when the window was free). */
  moves: RoomMove[];
  /** Booked visits only re-timed within their windows, as any insertion may do. */
  retimed: { visitId: string; from: Seconds; to: Seconds }[];
  /** The whole plan with the new visit and the moves, checked by checkPlan: it breaks no rule the booked day did not already break. */
  plan: Plan;
  /** The problem the plan is for: the original visits re-assigned, plus the new one. */
  problem: Problem;
  /** Route tests spent on this window. */
  tries: number;
}

/** Slack on time comparisons, as in slots.ts. */
const EPS = 1e-7;
/** Ranking weight of added idle time in slots.ts; positions are all kept here, the weight only fills the field. */
const WAITING_WEIGHT = 0.5;

/**
 * One route holding exactly `list`, in order: built once, asked many questions. States without
 * the new visit are shared by every window of a call; those with it belong to one search.
 */
interface RouteState {
  rid: number;
  list: readonly Visit[];
  built?: ShiftRoute;
  /** Positions where a booked visit (by number) fits. */
  fits?: Map<number, readonly number[]>;
  /** The search that last asked about each visit: a question counts one try once per search. */
  askedIn?: Map<number, number>;
  /** This route without some visits (key: their numbers). */
  without?: Map<string, RouteState>;
  /** This route with a booked visit put in (key: number * 1024 + position). */
  with?: Map<number, RouteState>;
}

/** Everything that does not depend on the window: built once per call, shared by a day's windows. */
interface Context {
  problem: Problem;
  index: SlotIndex;
  travel: TravelModel;
  /** Every technician-shift of the index, numbered. */
  routes: ShiftRoute[];
  /** Each route as booked. */
  roots: RouteState[];
  /** Route numbers eligible for the new visit (skills, area, request.technicianIds). */
  forRequest: number[];
  /** Route numbers whose technician may take a booked visit (skills, area), per visit id. */
  forVisit: Map<string, number[]>;
  /** Original driving time per route number. */
  baseTravel: Float64Array;
  /** States without the new visit, by content (see canonical). */
  states: Map<string, RouteState>;
  /** A small number per booked visit, for cache keys. */
  number: Map<Visit, number>;
  near: Seconds;
  chainNear: Seconds;
  maxMoves: number;
  maxTries: number;
  visitId: string;
  /** Searches started, to tell them apart in RouteState.askedIn. */
  searches: number;
  basePlan?: Plan;
  /** What checkPlan already finds wrong with the day as booked (see violationKey). */
  knownFaults?: Set<string>;
}

/** One way of making room: the changed routes and the visits moved. */
interface Solution {
  routes: Map<number, RouteState>;
  moved: readonly Visit[];
  cost: number;
}

/** The search for one window. */
interface Search {
  ctx: Context;
  serial: number;
  newVisit: Visit;
  /** Where the new visit fits in a shared state (its window is this search's). */
  newFits: Map<RouteState, readonly number[]>;
  /** A shared state with the new visit put in, by position. */
  withNew: Map<RouteState, Map<number, RouteState>>;
  /** States holding the new visit, by content (see canonical). */
  states: Map<string, RouteState>;
  /** Booked visits (by number) already tested against the routes as booked in this search. */
  readBooked: Set<number>;
  /** Configurations already explored at this level (see configurationKey). */
  explored: Set<string>;
  limit: number;
  tries: number;
  exhausted: boolean;
  found: Solution[];
}

function eligibleFor(t: Technician, skills: readonly string[], area: string | undefined): boolean {
  return skills.every((s) => t.skills.includes(s)) && servesArea(t, area);
}

function overlaps(route: ShiftRoute, window: Interval): boolean {
  return route.shift.interval.start <= window.end && route.deadline >= window.start;
}

function routeTravel(travel: TravelModel, route: ShiftRoute, list: readonly Visit[]): number {
  if (list.length === 0) return 0;
  let sum = travel.time(route.technician.start, list[0]!.place);
  for (let i = 1; i < list.length; i++) sum += travel.time(list[i - 1]!.place, list[i]!.place);
  return sum + travel.time(list[list.length - 1]!.place, route.technician.end);
}

function stateOf(rid: number, list: readonly Visit[], built?: ShiftRoute): RouteState {
  return built ? { rid, list, built } : { rid, list };
}

function prepare(problem: Problem, request: SlotRequest, options: MakeRoomOptions): Context {
  const index = options.index ?? prepareSlotIndex(problem);
  if (index.problem !== problem) throw new Error('makeRoom: the index was prepared for another Problem');
  const routes: ShiftRoute[] = [];
  const forRequest: number[] = [];
  for (const entry of index.technicians) {
    const t = entry.technician;
    const mayTake =
      (request.technicianIds === undefined || request.technicianIds.includes(t.id)) &&
      eligibleFor(t, request.skills, request.area);
    for (const route of entry.routes) {
      if (mayTake) forRequest.push(routes.length);
      routes.push(route);
    }
  }
  // Nearest technicians first, for the new visit as for a moved one (see routesFor).
  byDistance(problem.travel, routes, forRequest, request.place);
  const baseTravel = Float64Array.from(routes, (r) => routeTravel(problem.travel, r, r.visits));
  return {
    problem,
    index,
    travel: problem.travel,
    routes,
    // The index's routes are the booked ones, slack included.
    roots: routes.map((r, rid) => stateOf(rid, r.visits, r)),
    forRequest,
    forVisit: new Map(),
    baseTravel,
    number: new Map(problem.visits.map((v, i) => [v, i])),
    states: new Map(),
    near: options.near ?? 3 * 3600,
    chainNear: options.chainNear ?? 3 * 3600,
    maxMoves: Math.min(3, Math.max(0, options.maxMoves ?? 3)),
    maxTries: options.maxTries ?? 800,
    visitId: options.visitId ?? 'new-visit',
    searches: 0,
  };
}

/** Sort route numbers by the drive from their technician's base to `place` (then by number). */
function byDistance(travel: TravelModel, routes: readonly ShiftRoute[], rids: number[], place: Place): void {
  const drive = new Map(rids.map((rid) => [rid, travel.time(routes[rid]!.technician.start, place)]));
  rids.sort((a, b) => drive.get(a)! - drive.get(b)! || a - b);
}

function routesFor(ctx: Context, v: Visit): number[] {
  let out = ctx.forVisit.get(v.id);
  if (out === undefined) {
    out = [];
    for (let rid = 0; rid < ctx.routes.length; rid++) {
      const route = ctx.routes[rid]!;
      if (overlaps(route, v.window) && eligibleFor(route.technician, v.skills, v.area)) out.push(rid);
    }
    // A moved visit tries the nearest technicians first: past one move the first way found wins,
    // and on a company of 60 the near ones are where a chain closes.
    byDistance(ctx.travel, ctx.routes, out, v.place);
    ctx.forVisit.set(v.id, out);
  }
  return out;
}

/**
 * The one state holding `list` on route `rid`: the same visits in the same order reached by
 * another path (a taken off then b put in, or the other way round) share their answers. States
 * with the new visit belong to one search; the others to the call.
 */
function canonical(s: Search, rid: number, list: readonly Visit[]): RouteState {
  const hasNew = list.includes(s.newVisit);
  const states = hasNew ? s.states : s.ctx.states;
  let key = rid + ':';
  for (const v of list) key += (v === s.newVisit ? -1 : s.ctx.number.get(v)!) + ',';
  let state = states.get(key);
  if (state === undefined) states.set(key, (state = stateOf(rid, list)));
  return state;
}

/** `state` without the visits `taken` (all in it). */
function without(s: Search, state: RouteState, taken: readonly Visit[]): RouteState {
  let key = '';
  for (const v of taken) key += s.ctx.number.get(v)! + ',';
  state.without ??= new Map();
  let child = state.without.get(key);
  if (child === undefined) {
    child = canonical(
      s,
      state.rid,
      state.list.filter((v) => !taken.includes(v)),
    );
    state.without.set(key, child);
  }
  return child;
}

/** `state` with `x` put in at position p. */
function withVisit(s: Search, state: RouteState, p: number, x: Visit): RouteState {
  const list = [...state.list.slice(0, p), x, ...state.list.slice(p)];
  if (x === s.newVisit) {
    let byPosition = s.withNew.get(state);
    if (byPosition === undefined) s.withNew.set(state, (byPosition = new Map()));
    let child = byPosition.get(p);
    if (child === undefined) byPosition.set(p, (child = canonical(s, state.rid, list)));
    return child;
  }
  const key = s.ctx.number.get(x)! * 1024 + p;
  state.with ??= new Map();
  let child = state.with.get(key);
  if (child === undefined) state.with.set(key, (child = canonical(s, state.rid, list)));
  return child;
}

/**
 * Positions (0 = before the first visit) where `x` fits in the route, arriving within its
 * window: the exact test of slots.ts. A question not asked before in this search counts one
 * try (iterative deepening asks the same questions again at every level).
 */
function fitPositions(s: Search, state: RouteState, x: Visit, booked = false): readonly number[] {
  const isNew = x === s.newVisit;
  const xn = isNew ? -1 : s.ctx.number.get(x)!;
  if (isNew) {
    const known = s.newFits.get(state);
    if (known !== undefined) return known;
  } else {
    if (booked) {
      // The routes as booked (and as booked minus what x may take off) give a booked visit the
      // same answers in every search: they count as one try per visit and window, not one per
      // route, or a company of 60 technicians would spend its budget re-reading them.
      if (!s.readBooked.has(xn)) {
        s.readBooked.add(xn);
        s.tries++;
      }
    } else {
      state.askedIn ??= new Map();
      if (state.askedIn.get(xn) !== s.serial) {
        state.askedIn.set(xn, s.serial);
        s.tries++;
      }
    }
    const known = state.fits?.get(xn);
    if (known !== undefined) return known;
  }
  if (isNew) s.tries++;
  const base = s.ctx.routes[state.rid]!;
  const r = (state.built ??= buildShiftRoute(
    s.ctx.travel,
    base.technician,
    base.shift,
    state.list,
    state.list.map(movableWindow),
  ));
  const window = x.window;
  const travel = s.ctx.travel;
  const n = state.list.length;
  const K = r.breaks.length + 1;
  const out: number[] = [];
  for (let i = 0; i <= n; i++) {
    let minE = Infinity;
    let maxL = -Infinity;
    for (let j = 0; j < K; j++) {
      minE = Math.min(minE, r.earliest[i * K + j]!);
      maxL = Math.max(maxL, r.latest[(i + 1) * K + j]!);
    }
    // Positions are in time order: once node i cannot end before the window closes, none later can.
    if (minE === Infinity || minE + r.duration[i]! > window.end + EPS) break;
    if (maxL < window.start - EPS) continue;
    const toNew = travel.time(r.places[i]!, x.place);
    const fromNew = travel.time(x.place, r.places[i + 1]!);
    if (tryPosition(r, i, toNew, fromNew, x.duration, window, WAITING_WEIGHT) !== undefined) out.push(i);
  }
  if (isNew) s.newFits.set(state, out);
  else (state.fits ??= new Map()).set(xn, out);
  return out;
}

/** Visits of `list` that may be taken off to make room for `x`: booked, not pinned, not moved yet, near x's window. */
function takeable(s: Search, list: readonly Visit[], x: Visit, moved: ReadonlySet<string>): Visit[] {
  const near = x === s.newVisit ? s.ctx.near : s.ctx.chainNear;
  const from = x.window.start - near;
  const to = x.window.end + x.duration + near;
  const out: Visit[] = [];
  for (const v of list) {
    if (v === s.newVisit || v.pinned === true || moved.has(v.id) || v.assigned === undefined) continue;
    const start = v.assigned.plannedStart;
    if (start + v.duration >= from && start <= to) out.push(v);
  }
  return out;
}

function* subsets<T>(items: readonly T[], k: number, from = 0): Generator<T[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= items.length - k; i++)
    for (const rest of subsets(items, k - 1, i + 1)) yield [items[i]!, ...rest];
}

function record(s: Search, routes: Map<number, RouteState>, moved: readonly Visit[]): void {
  let cost = 0;
  for (const [rid, state] of routes) {
    cost += routeTravel(s.ctx.travel, s.ctx.routes[rid]!, state.list) - s.ctx.baseTravel[rid]!;
  }
  s.found.push({ routes, moved, cost });
}

/** The state `place` works from: the visit to place now and the rest. */
interface Step {
  x: Visit;
  rest: readonly Visit[];
  routes: Map<number, RouteState>;
  moved: readonly Visit[];
  movedIds: ReadonlySet<string>;
}

/**
 * Test `step.x` in `state` (a route as changed so far, minus `taken`) and go on with every
 * position where it fits. True when it fits somewhere.
 */
function tryIn(s: Search, step: Step, state: RouteState, taken: readonly Visit[]): boolean {
  if (s.tries >= s.ctx.maxTries) {
    s.exhausted = true;
    return false;
  }
  const positions = fitPositions(s, state, step.x, state === s.ctx.roots[state.rid]);
  for (const p of positions) {
    const next = new Map(step.routes);
    next.set(state.rid, withVisit(s, state, p, step.x));
    if (taken.length === 0) place(s, step.rest, next, step.moved, step.movedIds);
    else {
      const ids = new Set(step.movedIds);
      for (const v of taken) ids.add(v.id);
      place(s, [...step.rest, ...taken], next, [...step.moved, ...taken], ids);
    }
    if (s.exhausted) break;
  }
  return positions.length > 0;
}

/** A route x might go in once some visits are off it. */
interface Opening {
  state: RouteState;
  candidates: Visit[];
  /** Sets taken off that made room: their supersets are not tried. */
  enough: Visit[][];
}

/** The visits still to place (in order), the visits moved so far, and each changed route's visits in order. */
function configurationKey(
  s: Search,
  pending: readonly Visit[],
  routes: ReadonlyMap<number, RouteState>,
  movedIds: ReadonlySet<string>,
): string {
  const n = (v: Visit): number => (v === s.newVisit ? -1 : s.ctx.number.get(v)!);
  let key = pending.map(n).join(',') + '|' + [...movedIds].sort().join(',');
  for (const rid of [...routes.keys()].sort((a, b) => a - b))
    key += '|' + rid + ':' + routes.get(rid)!.list.map(n).join(',');
  return key;
}

/**
 * Place the pending visits in order, taking off at most `limit - used` more; every way found is
 * recorded. Every route as it stands first, then every route with one visit off, then two…
 */
function place(
  s: Search,
  pending: readonly Visit[],
  routes: Map<number, RouteState>,
  moved: readonly Visit[],
  movedIds: ReadonlySet<string>,
): void {
  if (s.exhausted) return;
  if (pending.length === 0) {
    record(s, routes, moved);
    // Past one move a level is too wide to rank every way: the first found wins.
    if (s.limit >= 2) s.exhausted = true;
    return;
  }
  // Chains that move the same visits the same way reach the same configuration in many orders
  // (take a then b, or b then a); what can be completed from it does not depend on the path, and
  // past one move a level stops at its first way, so a configuration explored once is done.
  const key = configurationKey(s, pending, routes, movedIds);
  if (s.explored.has(key)) return;
  s.explored.add(key);
  const x = pending[0]!;
  const isNew = x === s.newVisit;
  const step: Step = { x, rest: pending.slice(1), routes, moved, movedIds };
  const left = s.limit - moved.length;
  const openings: Opening[] = [];
  for (const rid of isNew ? s.ctx.forRequest : routesFor(s.ctx, x)) {
    if (!overlaps(s.ctx.routes[rid]!, x.window)) continue;
    const state = routes.get(rid) ?? s.ctx.roots[rid]!;
    // Where it fits as the route stands, taking visits off would only move more.
    if (tryIn(s, step, state, [])) continue;
    if (s.exhausted) return;
    if (left === 0) continue;
    const candidates = takeable(s, state.list, x, movedIds);
    if (candidates.length > 0) openings.push({ state, candidates, enough: [] });
  }
  if (openings.length === 0) return;
  const centre = (x.window.start + x.window.end) / 2;
  for (const o of openings) {
    // Closest to x's window first: the likeliest to free it.
    o.candidates.sort(
      (a, b) =>
        Math.abs(a.assigned!.plannedStart - centre) - Math.abs(b.assigned!.plannedStart - centre) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }
  for (let k = 1; k <= left; k++) {
    for (const o of openings) {
      if (k === 1 && o.candidates.length > 1) {
        // If x does not fit even with every candidate off, no subset of them makes room.
        if (s.tries >= s.ctx.maxTries) {
          s.exhausted = true;
          return;
        }
        const booked = o.state === s.ctx.roots[o.state.rid];
        if (fitPositions(s, without(s, o.state, o.candidates), x, booked).length === 0) o.candidates = [];
      }
      if (k > o.candidates.length) continue;
      for (const taken of subsets(o.candidates, k)) {
        // Further down a chain, only sets no smaller set already makes room with. Not for the new
        // visit: with more taken off it may fit at another place, which can leave room for the
        // others (taking visits off a route later does not move what was put in it).
        if (!isNew && o.enough.some((e) => e.every((v) => taken.includes(v)))) continue;
        if (tryIn(s, step, without(s, o.state, taken), taken)) o.enough.push(taken);
        if (s.exhausted) return;
      }
    }
  }
}

function checkWindow(request: SlotRequest, window: Interval): void {
  if (!(request.duration >= 0) || !Number.isFinite(request.duration)) {
    throw new RangeError(`slot request duration must be a finite number >= 0, got ${request.duration}`);
  }
  if (!(window.end >= window.start))
    throw new RangeError(`slot request window [${window.start}, ${window.end}] ends before it starts`);
}

/** A violation's identity: the same rule broken at the same place. */
function violationKey(v: Violation): string {
  return `${v.code}|${v.visitId ?? ''}|${v.technicianId ?? ''}|${v.shiftId ?? ''}`;
}

/**
 * The solution as a whole plan and problem, checked; null if checkPlan finds anything the day
 * as booked did not already have. A route elsewhere that already breaks a rule (planned starts
 * read back truncated to the millisecond, a desk booking that ignored a hold) is not this
 * room's doing and must not hide it; the routes the room changes are re-timed and checked whole.
 */
function offerOf(
  ctx: Context,
  newVisit: Visit,
  window: Interval,
  found: Solution,
  tries: number,
): RoomOffer | null {
  const assigned = new Map<string, { technicianId: string; shiftId: string; plannedStart: Seconds }>();
  const changed = new Map<ShiftRoute, Route | null>();
  for (const [rid, state] of found.routes) {
    const list = state.list;
    const base = ctx.routes[rid]!;
    if (list.length === 0) {
      changed.set(base, null);
      continue;
    }
    const built = buildShiftRoute(ctx.travel, base.technician, base.shift, list, list.map(movableWindow));
    // Everyone as close to their booked time as the route allows; the new visit as early as it can.
    const timed = schedule(
      built,
      list.map((v) => (v === newVisit ? window.start : v.assigned!.plannedStart)),
    );
    if (timed === null) return null;
    const route: Route = {
      technicianId: base.technician.id,
      shiftId: base.shift.id,
      stops: list.map((v, i) => ({ visitId: v.id, start: timed.starts[i]! })),
      ...(base.breaks.length > 0 ? { breakStarts: timed.breakStarts } : {}),
    };
    changed.set(base, route);
    list.forEach((v, i) =>
      assigned.set(v.id, {
        technicianId: base.technician.id,
        shiftId: base.shift.id,
        plannedStart: timed.starts[i]!,
      }),
    );
  }
  ctx.basePlan ??= currentPlan(ctx.problem, ctx.index);
  const byKey = new Map<string, ShiftRoute>();
  for (const r of changed.keys()) byKey.set(r.technician.id + '\u0000' + r.shift.id, r);
  const routes: Route[] = [];
  for (const r of ctx.basePlan.routes) {
    const key = byKey.get(r.technicianId + '\u0000' + r.shiftId);
    if (key === undefined) routes.push(r);
    else {
      const route = changed.get(key);
      if (route) routes.push(route);
      changed.delete(key);
    }
  }
  for (const route of changed.values()) if (route) routes.push(route);
  const plan: Plan = { routes, unassigned: ctx.basePlan.unassigned };
  const mine = assigned.get(newVisit.id)!;
  const problem: Problem = {
    ...ctx.problem,
    visits: [
      ...ctx.problem.visits.map((v) => {
        const a = assigned.get(v.id);
        return a === undefined ? v : { ...v, assigned: a };
      }),
      { ...newVisit, assigned: mine },
    ],
  };
  ctx.knownFaults ??= new Set(checkPlan(ctx.problem, ctx.basePlan).map(violationKey));
  const known = ctx.knownFaults;
  if (checkPlan(problem, plan).some((v) => !known.has(violationKey(v)))) return null;
  const movedIds = new Set(found.moved.map((v) => v.id));
  const retimed: RoomOffer['retimed'] = [];
  for (const v of ctx.problem.visits) {
    const a = assigned.get(v.id);
    if (a === undefined || movedIds.has(v.id) || v.assigned === undefined) continue;
    if (a.plannedStart !== v.assigned.plannedStart)
      retimed.push({ visitId: v.id, from: v.assigned.plannedStart, to: a.plannedStart });
  }
  return {
    window,
    technicianId: mine.technicianId,
    shiftId: mine.shiftId,
    plannedStart: mine.plannedStart,
    moves: found.moved.map((v) => ({
      visitId: v.id,
      from: { ...v.assigned! },
      to: { ...assigned.get(v.id)! },
    })),
    retimed,
    plan,
    problem,
    tries,
  };
}

function roomFor(ctx: Context, request: SlotRequest, window: Interval): RoomOffer | null {
  checkWindow(request, window);
  const newVisit: Visit = {
    id: ctx.visitId,
    place: request.place,
    duration: request.duration,
    window: { start: window.start, end: window.end },
    skills: [...request.skills],
    ...(request.area !== undefined ? { area: request.area } : {}),
  };
  const s: Search = {
    ctx,
    serial: ++ctx.searches,
    newVisit,
    newFits: new Map(),
    withNew: new Map(),
    states: new Map(),
    readBooked: new Set(),
    explored: new Set(),
    limit: 0,
    tries: 0,
    exhausted: false,
    found: [],
  };
  for (let limit = 0; limit <= ctx.maxMoves && !s.exhausted; limit++) {
    s.limit = limit;
    s.explored.clear();
    place(s, [newVisit], new Map(), [], new Set());
    if (s.found.length === 0) continue;
    // Least added driving first; the sort is stable, so ties keep the order they were found in.
    const ranked = [...s.found].sort((a, b) => a.cost - b.cost);
    for (const found of ranked) {
      const offer = offerOf(ctx, newVisit, window, found, s.tries);
      if (offer !== null) return offer;
    }
    s.found = [];
  }
  return null;
}

/**
 * A way to take the new visit in `window` by moving at most `maxMoves` booked visits, fewest
 * first; null when none is found within the bounds. A window the day can take as it stands
 * comes back with no moves.
 */
export function makeRoom(
  problem: Problem,
  request: SlotRequest,
  window: Interval,
  options: MakeRoomOptions = {},
): RoomOffer | null {
  return roomFor(prepare(problem, request, options), request, window);
}

/**
 * makeRoom for several windows of the same request (a day's grid), sharing the set-up and the
 * routes built with visits taken off. Entry i is exactly makeRoom(problem, request, windows[i]).
 */
export function makeRoomForWindows(
  problem: Problem,
  request: SlotRequest,
  windows: readonly Interval[],
  options: MakeRoomOptions = {},
): (RoomOffer | null)[] {
  const ctx = prepare(problem, request, options);
  return windows.map((w) => roomFor(ctx, request, w));
}
