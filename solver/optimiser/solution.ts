/**
 * A candidate plan in the optimiser's index space, with per-route caches
 * for constant-time insertion checks (Savelsbergh's forward time slack):
 * for each position p of a route, `earliest[p]` is the earliest service
 * start given everything before p, and `latest[p]` the latest start that
 * keeps every later window and the return in time. Position 0 is the
 * start place, position n+1 the end place.
 */
import { reassignCost, type Instance } from './instance.js';
import { routeCost } from './schedule.js';

/** Marker for "every route" in Solution.syncFrom. */
const ALL = new Uint8Array(0);

/** Solution.removeMany's scratch: visits leaving in the current call (marked with its epoch), kept visits. */
let leavingMark = new Int32Array(0);
let leavingEpoch = 0;
const keptScratch: number[] = [];

export class RouteState {
  visits: number[] = [];
  earliest: number[] = [];
  latest: number[] = [];
  /** loadUpTo[p]: demand of the visits at positions 1..p. */
  loadUpTo: number[] = [];
  load = 0;
  cost = 0;
  /** The route pool's key for this route, cached until the route changes. */
  poolKey: string | undefined = undefined;

  constructor(readonly vehicle: number) {}

  /** Makes this route a copy of `o` (same vehicle), reusing this route's arrays. */
  copyFrom(o: RouteState): void {
    copyInto(this.visits, o.visits);
    copyInto(this.earliest, o.earliest);
    copyInto(this.latest, o.latest);
    copyInto(this.loadUpTo, o.loadUpTo);
    this.load = o.load;
    this.cost = o.cost;
    this.poolKey = o.poolKey;
  }

  clone(): RouteState {
    const r = new RouteState(this.vehicle);
    r.visits = this.visits.slice();
    r.earliest = this.earliest.slice();
    r.latest = this.latest.slice();
    r.loadUpTo = this.loadUpTo.slice();
    r.load = this.load;
    r.cost = this.cost;
    r.poolKey = this.poolKey;
    return r;
  }
}

function copyInto(to: number[], from: readonly number[]): void {
  const n = from.length;
  to.length = n;
  for (let i = 0; i < n; i++) to[i] = from[i]!;
}

export class Solution {
  routes: RouteState[];
  /** Per visit: the vehicle serving it, or -1. */
  routeOf: Int32Array;
  /** Per served visit: its position in its route (1..n), kept by refresh (stale for unserved visits). */
  posOf: Int32Array;
  /** Unserved visits, in a deterministic order. */
  unassigned: number[];
  /** Per route: 1 once the route changed since the caller last cleared it (see syncFrom). */
  touched: Uint8Array;

  constructor(
    readonly inst: Instance,
    init = true,
  ) {
    this.routes = init ? inst.vehicles.map((v) => new RouteState(v.index)) : [];
    this.routeOf = new Int32Array(inst.visitCount).fill(-1);
    this.posOf = new Int32Array(inst.visitCount);
    this.unassigned = [];
    this.touched = new Uint8Array(inst.vehicles.length);
    if (init) {
      for (let u = 0; u < inst.visitCount; u++) this.unassigned.push(u);
      for (let k = 0; k < this.routes.length; k++) this.refresh(k);
    }
  }

  clone(): Solution {
    const s = new Solution(this.inst, false);
    s.routes = this.routes.map((r) => r.clone());
    s.routeOf = this.routeOf.slice();
    s.posOf = this.posOf.slice();
    s.unassigned = this.unassigned.slice();
    return s;
  }

  /**
   * Makes this solution equal to `src`, copying only the routes flagged in
   * `changed` (the others must already be equal), without allocating.
   * Used by the search to keep a candidate and the current solution in step.
   */
  syncFrom(src: Solution, changed: Uint8Array = ALL): void {
    const all = changed === ALL;
    for (let k = 0; k < this.routes.length; k++)
      if (all || changed[k]) this.routes[k]!.copyFrom(src.routes[k]!);
    this.routeOf.set(src.routeOf);
    this.posOf.set(src.posOf);
    copyInto(this.unassigned, src.unassigned);
  }

  /** Total cost: routes plus penalties for unserved visits. */
  cost(): number {
    let c = 0;
    for (const r of this.routes) c += r.cost;
    for (const u of this.unassigned) c += this.inst.unassignedPenalty[u]!;
    return c;
  }

  /** Travel + overtime + stability, without the unserved penalties. */
  routingCost(): number {
    let c = 0;
    for (const r of this.routes) c += r.cost;
    return c;
  }

  usedVehicles(): number {
    let n = 0;
    for (const r of this.routes) if (r.visits.length > 0) n++;
    return n;
  }

  /** Served visits per used route (0 when none is used). */
  servedPerRoute(): number {
    let served = 0;
    let used = 0;
    for (const r of this.routes) {
      if (r.visits.length === 0) continue;
      served += r.visits.length;
      used++;
    }
    return used === 0 ? 0 : served / used;
  }

  node(r: RouteState, p: number): number {
    const veh = this.inst.vehicles[r.vehicle]!;
    return p === 0 ? veh.startNode : p === r.visits.length + 1 ? veh.endNode : r.visits[p - 1]!;
  }

  /** Recomputes route k's time slack caches, load and cost. */
  refresh(k: number): void {
    const inst = this.inst;
    const r = this.routes[k]!;
    const veh = inst.vehicles[k]!;
    const M = inst.nodeCount;
    const T = inst.time;
    const n = r.visits.length;
    this.touched[k] = 1;
    r.poolKey = undefined;
    // The caches are rewritten in place: no allocation per refresh.
    const es = r.earliest;
    const ls = r.latest;
    const pre = r.loadUpTo;
    es.length = n + 2;
    ls.length = n + 2;
    pre.length = n + 2;
    pre[0] = 0;
    es[0] = veh.shiftStart;
    let prev = veh.startNode;
    let load = 0;
    for (let p = 1; p <= n + 1; p++) {
      const node = p === n + 1 ? veh.endNode : r.visits[p - 1]!;
      const arrive = es[p - 1]! + inst.duration[prev]! + T[prev * M + node]!;
      es[p] = p === n + 1 ? arrive : Math.max(arrive, inst.windowStart[node]!);
      if (p <= n) {
        load += inst.demand[node]!;
        this.posOf[node] = p;
      }
      pre[p] = load;
      prev = node;
    }
    ls[n + 1] = veh.endLimit;
    let next = veh.endNode;
    for (let p = n; p >= 0; p--) {
      const node = p === 0 ? veh.startNode : r.visits[p - 1]!;
      const limit = p === 0 ? Infinity : inst.windowEnd[node]!;
      ls[p] = Math.min(limit, ls[p + 1]! - T[node * M + next]! - inst.duration[node]!);
      next = node;
    }
    r.load = load;
    if (inst.exact) {
      r.cost = routeCost(inst, k, r.visits);
    } else {
      let c = 0;
      prev = veh.startNode;
      for (let p = 0; p < n; p++) {
        const u = r.visits[p]!;
        c += T[prev * M + u]! + reassignCost(inst, u, k);
        prev = u;
      }
      r.cost = n === 0 ? 0 : c + T[prev * M + veh.endNode]!;
    }
  }

  /**
   * Added cost of inserting visit u into route k after position p (0..n),
   * Infinity when infeasible. O(1) in the arc-cost case.
   */
  insertionCost(u: number, k: number, p: number): number {
    const inst = this.inst;
    const r = this.routes[k]!;
    if (r.load + inst.demand[u]! > inst.vehicles[k]!.capacity) return Infinity;
    const M = inst.nodeCount;
    const T = inst.time;
    const i = this.node(r, p);
    const j = this.node(r, p + 1);
    const start = Math.max(r.earliest[p]! + inst.duration[i]! + T[i * M + u]!, inst.windowStart[u]!);
    if (start > inst.windowEnd[u]!) return Infinity;
    if (start + inst.duration[u]! + T[u * M + j]! > r.latest[p + 1]!) return Infinity;
    if (!inst.exact) return T[i * M + u]! + T[u * M + j]! - T[i * M + j]! + reassignCost(inst, u, k);
    const seq = r.visits.slice();
    seq.splice(p, 0, u);
    return routeCost(inst, k, seq) - r.cost;
  }

  /** Inserts visit u into route k after position p. */
  insert(u: number, k: number, p: number): void {
    const r = this.routes[k]!;
    r.visits.splice(p, 0, u);
    this.routeOf[u] = k;
    const idx = this.unassigned.indexOf(u);
    if (idx >= 0) this.unassigned.splice(idx, 1);
    this.refresh(k);
  }

  /**
   * Removes a served visit and marks it unserved. Returns false (and changes
   * nothing) when the route would become infeasible without it, which only
   * happens without the triangle inequality or around breaks.
   */
  remove(u: number, check = true): boolean {
    const k = this.routeOf[u]!;
    if (k < 0) return false;
    const r = this.routes[k]!;
    const pos = r.visits.indexOf(u);
    if (check && !this.removable(r, pos + 1)) return false;
    r.visits.splice(pos, 1);
    this.routeOf[u] = -1;
    this.unassigned.push(u);
    this.refresh(k);
    return true;
  }

  /**
   * Removes several served visits (a ruin step), refreshing each route's caches once rather than once per
   * visit: at 1000 visits with routes of ~50, the per-visit refreshes were ~5 % of the search. Where costs
   * are sums of arcs, a route whose remaining visits still keep every window loses them all at once;
   * elsewhere (or should one not keep them: only without the triangle inequality) its visits leave one
   * by one with remove()'s check. Returns the visits removed, in the given order.
   */
  removeMany(visits: readonly number[]): number[] {
    const inst = this.inst;
    const removed: number[] = [];
    if (inst.exact) {
      for (const u of visits) if (this.remove(u)) removed.push(u);
      return removed;
    }
    // Marks by epoch instead of a Set per call: a ruin runs every iteration (it was ~9 % of the search's
    // CPU on Homberger r1_10_1 with its sets and filtered copies, garbage collection aside).
    if (leavingMark.length < inst.visitCount) leavingMark = new Int32Array(inst.visitCount);
    if (++leavingEpoch > 0x3fffffff) {
      leavingMark.fill(0);
      leavingEpoch = 1;
    }
    const epoch = leavingEpoch;
    const routes: number[] = [];
    for (const u of visits) {
      const k = this.routeOf[u]!;
      if (k < 0 || leavingMark[u] === epoch) continue;
      leavingMark[u] = epoch;
      if (!routes.includes(k)) routes.push(k);
    }
    let fallback: number[] | undefined;
    const kept = keptScratch;
    for (const k of routes) {
      const r = this.routes[k]!;
      kept.length = 0;
      for (const u of r.visits) if (leavingMark[u] !== epoch) kept.push(u);
      if (!this.keepsWindows(k, kept)) {
        (fallback ??= []).push(k);
        continue;
      }
      copyInto(r.visits, kept);
      this.refresh(k);
    }
    for (const u of visits) {
      if (leavingMark[u] !== epoch) continue;
      leavingMark[u] = 0;
      const k = this.routeOf[u]!;
      if (fallback !== undefined && fallback.includes(k)) {
        if (this.remove(u)) removed.push(u);
        continue;
      }
      this.routeOf[u] = -1;
      this.unassigned.push(u);
      removed.push(u);
    }
    return removed;
  }

  /** Arc-cost case: whether vehicle k can serve `seq` in this order within every window and its end limit. */
  private keepsWindows(k: number, seq: readonly number[]): boolean {
    const inst = this.inst;
    const veh = inst.vehicles[k]!;
    const M = inst.nodeCount;
    const T = inst.time;
    let t = veh.shiftStart;
    let prev = veh.startNode;
    for (const u of seq) {
      t = Math.max(t + inst.duration[prev]! + T[prev * M + u]!, inst.windowStart[u]!);
      if (t > inst.windowEnd[u]!) return false;
      prev = u;
    }
    return t + inst.duration[prev]! + T[prev * M + veh.endNode]! <= veh.endLimit;
  }

  /** Whether the visit at position p (1..n) can leave its route. */
  removable(r: RouteState, p: number): boolean {
    const inst = this.inst;
    if (inst.exact) {
      const seq = r.visits.slice();
      seq.splice(p - 1, 1);
      return routeCost(inst, r.vehicle, seq) < Infinity;
    }
    const M = inst.nodeCount;
    const i = this.node(r, p - 1);
    const j = this.node(r, p + 1);
    return r.earliest[p - 1]! + inst.duration[i]! + inst.time[i * M + j]! <= r.latest[p + 1]!;
  }

  /** Cost saved by removing the visit at position p (1..n) of route r (arc approximation). */
  removalGain(r: RouteState, p: number): number {
    const inst = this.inst;
    const M = inst.nodeCount;
    const T = inst.time;
    const i = this.node(r, p - 1);
    const u = this.node(r, p);
    const j = this.node(r, p + 1);
    return T[i * M + u]! + T[u * M + j]! - T[i * M + j]! + reassignCost(inst, u, r.vehicle);
  }

  /** Replaces route k's visits wholesale (local search, set partitioning). */
  setRoute(k: number, visits: number[]): void {
    const r = this.routes[k]!;
    // Only visits still recorded here: a move that rewrites two routes in turn (swap, 2-opt*) has
    // already given some of them to the other route, which must keep them.
    for (const u of r.visits) if (this.routeOf[u] === k) this.routeOf[u] = -1;
    r.visits = visits;
    for (const u of visits) this.routeOf[u] = k;
    this.refresh(k);
  }

  /** Rebuilds the unserved list from routeOf (after wholesale route changes). */
  syncUnassigned(): void {
    this.unassigned = [];
    for (let u = 0; u < this.inst.visitCount; u++) if (this.routeOf[u]! < 0) this.unassigned.push(u);
  }
}
