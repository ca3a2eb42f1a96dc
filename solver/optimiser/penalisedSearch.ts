/**
 * Local search through infeasible space (the "education" of hybrid genetic
 * search, Vidal et al. 2013): late arrivals and overloads are allowed at a
 * price, time warp × warp weight plus excess load × load weight, so a
 * sequence of moves may cross plans that break a window to reach a better
 * feasible one. Every move is costed in O(1) by joining time-warp segments
 * (timeWarp.ts). The weights adapt so that about a third of the searches end
 * feasible; one that ends infeasible is repaired by searching again with the
 * weights ×10, then ×100, and dropped if it still breaks a window.
 *
 * Moves, tried from each visit u towards its nearest neighbours v, first
 * improvement: relocate a string of 1–3 visits (also reversed) after or
 * before v, u to the best place of v's route (once per route), swap strings
 * of 1–2 visits, 2-opt* (two variants), moves within a route (relocate, swap
 * of 1–2-visit strings, two 2-opt reversals), and moving u to an empty route.
 * A visit's neighbourhood is re-examined only when its route or the
 * neighbour's changed since it was last examined. When no such move
 * improves, SWAP* (Vidal 2022) between routes holding neighbouring visits,
 * then the node moves again.
 *
 * Tried and left out (12 hard Solomon instances — R2/RC2 and RC1 — at 2 s of
 * CPU, 1 thread, seeds 3–5, mean gap; single runs move by ±2 points on R211
 * and RC208, so only clear differences count): splitting a route, its tail
 * after u going to an empty vehicle (1.50 % against 1.45 % without);
 * neighbour lists by Vidal et al.'s time-window correlation (travel + 0.2 ×
 * least wait + least warp) instead of travel alone (R211 over seeds 1–8:
 * +3.20 % against +2.55 %); CROSS exchange of strings of 1–3 visits, each
 * also reversed, instead of 1–2 unreversed (1.16 % against 1.45 % on the 12,
 * but all 56 at seed 1 ended at +0.65 % against +0.48 %, R2 +1.13 % against
 * +0.49 %: not proven, left out).
 *
 * Arc-cost instances only (Instance.arcCost); others keep the feasible-only
 * local search of localSearch.ts.
 */
import type { Instance } from './instance.js';
import type { Random } from './prng.js';
import { routeCost } from './schedule.js';
import type { Solution } from './solution.js';
import { penalisedCost, Segment, WarpRoute } from './timeWarp.js';

const EPS = 1e-7;
/** Warp below this counts as none (rounding in the joins); the exact check afterwards decides. */
const WARP_TOLERANCE = 1e-6;

export class PenaltyWeights {
  warp: number;
  load: number;
  private warpFeasible = 0;
  private loadFeasible = 0;
  private seen = 0;

  constructor(
    inst: Instance,
    /** Searches between two updates of the weights. */
    private readonly every = 40,
    /** Share of searches that should end without warp / overload. */
    private readonly target: readonly [number, number] = [0.2, 0.45],
  ) {
    // One unit of warp costs about one unit of travel at first; a unit of excess load about an average arc
    // per average demand (HGS's starting point).
    let maxT = 0;
    let maxQ = 0;
    const M = inst.nodeCount;
    for (let u = 0; u < inst.visitCount; u++) {
      maxQ = Math.max(maxQ, inst.demand[u]!);
      for (let v = 0; v < inst.visitCount; v++) {
        const t = inst.time[u * M + v]!;
        if (t > maxT && t < Infinity) maxT = t;
      }
    }
    this.warp = 1;
    this.load = maxQ > 0 ? Math.max(0.1, Math.min(1000, (maxT || 1) / maxQ)) : 1;
  }

  /** Records how a search ended (before repair) and adapts the weights every `every` searches. */
  record(warpFree: boolean, loadFree: boolean): void {
    this.seen++;
    if (warpFree) this.warpFeasible++;
    if (loadFree) this.loadFeasible++;
    if (this.seen < this.every) return;
    this.warp = adapt(this.warp, this.warpFeasible / this.seen, this.target);
    this.load = adapt(this.load, this.loadFeasible / this.seen, this.target);
    this.seen = this.warpFeasible = this.loadFeasible = 0;
  }
}

function adapt(weight: number, feasibleShare: number, [low, high]: readonly [number, number]): number {
  if (feasibleShare < low) return Math.min(1e5, weight * 1.2);
  if (feasibleShare > high) return Math.max(0.01, weight * 0.85);
  return weight;
}

export interface PenalisedSearchStats {
  moves: number;
  /** Ended feasible before any repair. */
  feasible: boolean;
  /** Ended feasible (possibly after repair) and was written back. */
  applied: boolean;
}

export class PenalisedSearch {
  readonly routes: WarpRoute[];
  private readonly routeOf: Int32Array;
  private readonly pos: Int32Array;
  private readonly cost: Float64Array;
  private readonly testedAt: Int32Array;
  private readonly order: number[] = [];
  private counter = 0;
  private warpWeight = 1;
  private loadWeight = 1;
  private readonly s = new Segment();
  private readonly seenClass: Uint8Array;
  private readonly V: number;
  private readonly oneClass: boolean;
  /** SWAP*: per route pair (a·V + b, a < b), the counter value when it was last searched. */
  private readonly pairTestedAt: Int32Array;
  /** SWAP*: route pairs holding neighbouring visits (a·V + b, a < b), rebuilt each round. */
  private readonly pairClose: Uint8Array;
  /** Per route: the value of seenStamp when the visit being examined last met it. */
  private readonly routeSeen: Int32Array;
  private seenStamp = 0;
  /** SWAP* scratch, one per side: cost of the route without position i, and each visit's three cheapest insertions. */
  private readonly without = [new Float64Array(0), new Float64Array(0)];
  private readonly insertDelta = [new Float64Array(0), new Float64Array(0)];
  private readonly insertAt = [new Int32Array(0), new Int32Array(0)];

  constructor(readonly inst: Instance) {
    this.routes = inst.vehicles.map((v) => new WarpRoute(inst, v.index));
    this.routeOf = new Int32Array(inst.visitCount).fill(-1);
    this.pos = new Int32Array(inst.visitCount);
    this.cost = new Float64Array(inst.vehicles.length);
    this.testedAt = new Int32Array(inst.visitCount);
    this.V = inst.vehicles.length;
    this.oneClass = inst.classCount <= 1;
    this.seenClass = new Uint8Array(inst.classCount);
    this.pairTestedAt = new Int32Array(this.V * this.V).fill(-1);
    this.pairClose = new Uint8Array(this.V * this.V);
    this.routeSeen = new Int32Array(this.V);
  }

  /**
   * Takes the routes of `sol` (its unserved visits stay unserved). With `changed`, the first search
   * examines only pairs of visits of which at least one is on a flagged route (the others are taken
   * to be a local optimum already). Returns the counter value to pass to run() as `since`.
   */
  loadFrom(sol: Solution, changed?: Uint8Array): number {
    this.routeOf.fill(-1);
    for (let k = 0; k < this.V; k++) {
      const r = this.routes[k]!;
      const visits = sol.routes[k]!.visits;
      r.visits.length = visits.length;
      for (let i = 0; i < visits.length; i++) r.visits[i] = visits[i]!;
      this.refresh(k);
    }
    if (changed === undefined) return -1;
    const since = this.counter;
    for (let k = 0; k < this.V; k++) if (changed[k]) this.routes[k]!.changedAt = ++this.counter;
    return since;
  }

  /**
   * Searches with the given weights until no move improves (or maxPasses). Pairs whose routes have not
   * changed after `since` are skipped (-1: examine all). Returns the moves made.
   */
  run(
    rng: Random,
    neighbours: number,
    maxPasses: number,
    warpWeight: number,
    loadWeight: number,
    since = -1,
    /** False: no move opens an empty route (a route elimination squeezes the visits into the others). */
    openRoutes = true,
  ): number {
    this.warpWeight = warpWeight;
    this.loadWeight = loadWeight;
    for (let k = 0; k < this.V; k++) this.cost[k] = this.routeCostOf(k);
    const inst = this.inst;
    const order = this.order;
    order.length = 0;
    for (let u = 0; u < inst.visitCount; u++) if (this.routeOf[u]! >= 0) order.push(u);
    this.testedAt.fill(since);
    this.pairTestedAt.fill(since);
    let moves = 0;
    for (let pass = 0; pass < maxPasses; pass++) {
      let improved = false;
      rng.shuffle(order);
      for (const u of order) {
        const last = this.testedAt[u]!;
        this.testedAt[u] = this.counter;
        this.seenStamp++;
        const nbrs = inst.neighbours[u]!;
        const K = Math.min(neighbours, nbrs.length);
        for (let x = 0; x < K; x++) {
          const v = nbrs[x]!;
          const a = this.routeOf[u]!;
          const b = this.routeOf[v]!;
          if (b < 0) continue;
          if (last >= 0 && this.routes[a]!.changedAt <= last && this.routes[b]!.changedAt <= last) continue;
          let moved: boolean;
          if (a === b) moved = this.intra(u, v);
          else {
            moved = this.inter(u, v);
            // Once per route met among u's neighbours: u to the best place anywhere in it.
            if (!moved && this.routeSeen[b] !== this.seenStamp) {
              this.routeSeen[b] = this.seenStamp;
              moved = this.relocateBest(u, b);
            }
          }
          if (moved) {
            moves++;
            improved = true;
          }
        }
        const a = this.routeOf[u]!;
        if (openRoutes && (last < 0 || this.routes[a]!.changedAt > last) && this.toEmptyRoute(u)) {
          moves++;
          improved = true;
        }
      }
      // Node moves exhausted: exchanges between whole routes (SWAP*) before giving up.
      if (!improved) {
        const swapped = this.swapStarRound(neighbours);
        moves += swapped;
        improved = swapped > 0;
      }
      if (!improved) break;
    }
    return moves;
  }

  /** True when no route has time warp or excess load. */
  feasibility(): { warpFree: boolean; loadFree: boolean } {
    let warpFree = true;
    let loadFree = true;
    for (let k = 0; k < this.V; k++) {
      const r = this.routes[k]!;
      if (r.size === 0) continue;
      const w = r.whole();
      if (w.tw > WARP_TOLERANCE) warpFree = false;
      if (w.q > this.inst.vehicles[k]!.capacity) loadFree = false;
    }
    return { warpFree, loadFree };
  }

  /**
   * Writes the routes into `sol` when each changed one holds exactly (schedule.ts's own check) and,
   * unless `onlyIfCheaper` is false (a route elimination, whose caller weighs the cost), together they
   * cost less.
   * Returns whether it did; `sol` is unchanged otherwise.
   */
  writeTo(sol: Solution, onlyIfCheaper = true): boolean {
    const inst = this.inst;
    const changed: number[] = [];
    let delta = 0;
    for (let k = 0; k < this.V; k++) {
      const mine = this.routes[k]!.visits;
      const theirs = sol.routes[k]!.visits;
      let same = mine.length === theirs.length;
      for (let i = 0; same && i < mine.length; i++) same = mine[i] === theirs[i];
      if (same) continue;
      const c = mine.length > 0 ? routeCost(inst, k, mine) : 0;
      if (!(c < Infinity)) return false;
      delta += c - sol.routes[k]!.cost;
      changed.push(k);
    }
    // A repair (heavier weights) may end costlier than the start: keep the start then.
    if (onlyIfCheaper && !(delta < 0)) return false;
    for (const k of changed) sol.setRoute(k, this.routes[k]!.visits.slice());
    return true;
  }

  /** The change counter: pass a value read before some changes to run() as `since` to search only around them. */
  get stamp(): number {
    return this.counter;
  }

  /** Takes every visit off route k and returns them (they are unserved until put back). */
  emptyRoute(k: number): number[] {
    const r = this.routes[k]!;
    const out = r.visits.slice();
    r.visits.length = 0;
    for (const u of out) this.routeOf[u] = -1;
    this.refresh(k);
    return out;
  }

  /**
   * From each route that breaks a window or is overloaded, takes off the one visit whose leaving makes
   * the route cheapest at these weights, and returns them (unserved until put back).
   */
  ejectFromBroken(warpWeight: number, loadWeight: number): number[] {
    this.warpWeight = warpWeight;
    this.loadWeight = loadWeight;
    const s = this.s;
    const out: number[] = [];
    for (let k = 0; k < this.V; k++) {
      const r = this.routes[k]!;
      const n = r.size;
      if (n === 0) continue;
      const w = r.whole();
      if (!(w.tw > WARP_TOLERANCE || w.q > this.inst.vehicles[k]!.capacity)) continue;
      let best = Infinity;
      let at = -1;
      for (let p = 1; p <= n; p++) {
        r.loadPrefix(s, p - 1);
        r.joinSuffix(s, p + 1);
        const c = this.finish(s, n - 1, k);
        if (c < best) {
          best = c;
          at = p;
        }
      }
      const u = r.visits[at - 1]!;
      r.visits.splice(at - 1, 1);
      this.routeOf[u] = -1;
      this.refresh(k);
      out.push(u);
    }
    return out;
  }

  /**
   * Puts each of `visits` (unserved), in turn, at its cheapest place in the routes already in use, at
   * these weights (so a place may overload a route or break a window); false if one fits no used route.
   */
  insertIntoUsed(visits: readonly number[], warpWeight: number, loadWeight: number): boolean {
    this.warpWeight = warpWeight;
    this.loadWeight = loadWeight;
    for (let k = 0; k < this.V; k++) this.cost[k] = this.routeCostOf(k);
    const s = this.s;
    for (const u of visits) {
      let best = Infinity;
      let route = -1;
      let at = 0;
      for (let b = 0; b < this.V; b++) {
        const B = this.routes[b]!;
        const n = B.size;
        if (n === 0 || !this.servable(u, b)) continue;
        for (let p = 0; p <= n; p++) {
          B.loadPrefix(s, p);
          s.joinVisit(this.inst, u);
          B.joinSuffix(s, p + 1);
          const delta = this.finish(s, n + 1, b) - this.cost[b]!;
          if (delta < best) {
            best = delta;
            route = b;
            at = p;
          }
        }
      }
      if (route < 0) return false;
      this.routes[route]!.visits.splice(at, 0, u);
      this.refresh(route);
    }
    return true;
  }

  // --- moves -------------------------------------------------------------------------------------

  private refresh(k: number): void {
    const r = this.routes[k]!;
    r.update(this.s);
    r.changedAt = ++this.counter;
    const visits = r.visits;
    for (let i = 0; i < visits.length; i++) {
      this.routeOf[visits[i]!] = k;
      this.pos[visits[i]!] = i + 1;
    }
    this.cost[k] = this.routeCostOf(k);
  }

  private routeCostOf(k: number): number {
    const r = this.routes[k]!;
    return penalisedCost(
      r.loadPrefix(this.s, r.size + 1),
      r.size,
      this.inst.vehicles[k]!.capacity,
      this.warpWeight,
      this.loadWeight,
    );
  }

  private finish(s: Segment, n: number, k: number): number {
    return penalisedCost(s, n, this.inst.vehicles[k]!.capacity, this.warpWeight, this.loadWeight);
  }

  /** Travel plus priced time warp of a finished route segment with n visits: its cost without the load term. */
  private travelAndWarp(s: Segment, n: number): number {
    return n === 0 ? 0 : s.c + this.warpWeight * s.tw;
  }

  /** The load term of route k's cost at a given load. */
  private loadPenalty(k: number, load: number): number {
    const excess = load - this.inst.vehicles[k]!.capacity;
    return excess > 0 ? this.loadWeight * excess : 0;
  }

  private servable(u: number, k: number): boolean {
    return this.oneClass || this.inst.canServe[u * this.V + k] === 1;
  }

  /** Visits from..to of route r (positions, inclusive) appended to s, forwards or backwards. */
  private joinRun(s: Segment, r: WarpRoute, from: number, to: number, reversed: boolean): void {
    const inst = this.inst;
    if (reversed) for (let p = to; p >= from; p--) s.joinVisit(inst, r.visits[p - 1]!);
    else for (let p = from; p <= to; p++) s.joinVisit(inst, r.visits[p - 1]!);
  }

  private inter(u: number, v: number): boolean {
    return this.relocate(u, v) || this.swap(u, v) || this.twoOptStar(u, v);
  }

  private intra(u: number, v: number): boolean {
    return this.relocate(u, v) || this.intraSwap(u, v) || this.intraTwoOpt(u, v);
  }

  /**
   * Within one route: strings of 1–2 visits starting at u and at v change places (as swap() does between
   * routes). Positions are those before the move; the stretch between the strings keeps its order.
   */
  private intraSwap(u: number, v: number): boolean {
    const k = this.routeOf[u]!;
    const R = this.routes[k]!;
    let p1 = this.pos[u]!;
    let p2 = this.pos[v]!;
    if (p1 > p2) [p1, p2] = [p2, p1];
    const n = R.size;
    const before = this.cost[k]!;
    const s = this.s;
    for (let l1 = 1; l1 <= 2 && p1 + l1 - 1 < p2; l1++) {
      for (let l2 = 1; l2 <= 2 && p2 + l2 - 1 <= n; l2++) {
        // Two neighbouring single visits changing places is a relocate, tried already.
        if (l1 === 1 && l2 === 1 && p1 + 1 === p2) continue;
        R.loadPrefix(s, p1 - 1);
        this.joinRun(s, R, p2, p2 + l2 - 1, false);
        this.joinRun(s, R, p1 + l1, p2 - 1, false);
        this.joinRun(s, R, p1, p1 + l1 - 1, false);
        R.joinSuffix(s, p2 + l2);
        if (this.finish(s, n, k) < before - EPS) {
          const x = R.visits.slice(p1 - 1, p1 - 1 + l1);
          const y = R.visits.slice(p2 - 1, p2 - 1 + l2);
          // The later string first, so that p1 still points at the earlier one.
          R.visits.splice(p2 - 1, l2, ...x);
          R.visits.splice(p1 - 1, l1, ...y);
          this.refresh(k);
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A string of 1–3 visits from u (also reversed) moves after or before v, in v's route, which may be
   * u's own. Positions are those of the routes before the move.
   */
  private relocate(u: number, v: number): boolean {
    const a = this.routeOf[u]!;
    const b = this.routeOf[v]!;
    const same = a === b;
    const A = this.routes[a]!;
    const pu = this.pos[u]!;
    const pv = this.pos[v]!;
    const nA = A.size;
    const before = same ? this.cost[a]! : this.cost[a]! + this.cost[b]!;
    const s = this.s;
    for (let len = 1; len <= 3 && pu + len - 1 <= nA; len++) {
      let costA = 0;
      if (same) {
        if (pv >= pu && pv <= pu + len - 1) break;
      } else {
        if (!this.servable(A.visits[pu + len - 2]!, b)) break;
        A.loadPrefix(s, pu - 1);
        A.joinSuffix(s, pu + len);
        costA = this.finish(s, nA - len, a);
        // Adding visits to B never makes it cheaper (triangle inequality): A must gain something.
        if (costA >= this.cost[a]! - EPS) continue;
      }
      for (let rev = 0; rev <= (len > 1 ? 1 : 0); rev++) {
        // After position `at` of v's route: at = pv (after v) or pv − 1 (before v).
        for (let at = pv; at >= pv - 1; at--) {
          if (same && at >= pu - 1 && at <= pu + len - 1) continue;
          const after = costA + this.movedStringCost(a, pu, len, rev === 1, b, at);
          if (after < before - EPS) {
            this.moveString(a, pu, len, rev === 1, b, at);
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Visit u moves to the cheapest place of route b (≠ its own), wherever that is. */
  private relocateBest(u: number, b: number): boolean {
    const inst = this.inst;
    const a = this.routeOf[u]!;
    if (!this.servable(u, b)) return false;
    const A = this.routes[a]!;
    const B = this.routes[b]!;
    const pu = this.pos[u]!;
    const s = this.s;
    A.loadPrefix(s, pu - 1);
    A.joinSuffix(s, pu + 1);
    const costA = this.finish(s, A.size - 1, a);
    let best = this.cost[a]! + this.cost[b]! - costA - EPS;
    if (!(best > this.cost[b]!)) return false;
    let at = -1;
    const nB = B.size;
    for (let p = 0; p <= nB; p++) {
      B.loadPrefix(s, p);
      s.joinVisit(inst, u);
      B.joinSuffix(s, p + 1);
      const c = this.finish(s, nB + 1, b);
      if (c < best) {
        best = c;
        at = p;
      }
    }
    if (at < 0) return false;
    this.moveString(a, pu, 1, false, b, at);
    return true;
  }

  /**
   * Penalised cost of route b once the string pu..pu+len−1 of route a (reversed or not) sits after its
   * position `at`. For a ≠ b, route b's cost alone; for a = b, the route's with the string taken out of
   * its place (`at` outside the string).
   */
  private movedStringCost(
    a: number,
    pu: number,
    len: number,
    reversed: boolean,
    b: number,
    at: number,
  ): number {
    const A = this.routes[a]!;
    const s = this.s;
    if (a !== b) {
      const B = this.routes[b]!;
      B.loadPrefix(s, at);
      this.joinRun(s, A, pu, pu + len - 1, reversed);
      B.joinSuffix(s, at + 1);
      return this.finish(s, B.size + len, b);
    }
    if (at < pu) {
      A.loadPrefix(s, at);
      this.joinRun(s, A, pu, pu + len - 1, reversed);
      this.joinRun(s, A, at + 1, pu - 1, false);
      A.joinSuffix(s, pu + len);
    } else {
      A.loadPrefix(s, pu - 1);
      this.joinRun(s, A, pu + len, at, false);
      this.joinRun(s, A, pu, pu + len - 1, reversed);
      A.joinSuffix(s, at + 1);
    }
    return this.finish(s, A.size, a);
  }

  /** Applies what movedStringCost costed. */
  private moveString(a: number, pu: number, len: number, reversed: boolean, b: number, at: number): void {
    const A = this.routes[a]!;
    const seg = A.visits.slice(pu - 1, pu - 1 + len);
    if (reversed) seg.reverse();
    if (a !== b) {
      A.visits.splice(pu - 1, len);
      this.routes[b]!.visits.splice(at, 0, ...seg);
      this.refresh(a);
      this.refresh(b);
    } else {
      if (at < pu) {
        A.visits.splice(pu - 1, len);
        A.visits.splice(at, 0, ...seg);
      } else {
        A.visits.splice(at, 0, ...seg);
        A.visits.splice(pu - 1, len);
      }
      this.refresh(a);
    }
  }

  /** Strings of 1–2 visits starting at u and at v change places. */
  private swap(u: number, v: number): boolean {
    const a = this.routeOf[u]!;
    const b = this.routeOf[v]!;
    const A = this.routes[a]!;
    const B = this.routes[b]!;
    const pu = this.pos[u]!;
    const pv = this.pos[v]!;
    const nA = A.size;
    const nB = B.size;
    const before = this.cost[a]! + this.cost[b]!;
    const s = this.s;
    for (let lx = 1; lx <= 2 && pu + lx - 1 <= nA; lx++) {
      if (!this.servable(A.visits[pu + lx - 2]!, b)) break;
      for (let ly = 1; ly <= 2 && pv + ly - 1 <= nB; ly++) {
        if (!this.servable(B.visits[pv + ly - 2]!, a)) break;
        A.loadPrefix(s, pu - 1);
        this.joinRun(s, B, pv, pv + ly - 1, false);
        A.joinSuffix(s, pu + lx);
        const costA = this.finish(s, nA - lx + ly, a);
        // costB ≥ 0: a head that already costs too much needs no tail.
        if (costA >= before - EPS) continue;
        B.loadPrefix(s, pv - 1);
        this.joinRun(s, A, pu, pu + lx - 1, false);
        B.joinSuffix(s, pv + ly);
        const costB = this.finish(s, nB - ly + lx, b);
        if (costA + costB < before - EPS) {
          const x = A.visits.slice(pu - 1, pu - 1 + lx);
          const y = B.visits.slice(pv - 1, pv - 1 + ly);
          A.visits.splice(pu - 1, lx, ...y);
          B.visits.splice(pv - 1, ly, ...x);
          this.refresh(a);
          this.refresh(b);
          return true;
        }
      }
    }
    return false;
  }

  /**
   * 2-opt*: route tails change vehicle. Variant 1: u then v (A keeps its head to u and takes B's tail
   * from v; B's head to v's predecessor takes A's tail after u). Variant 2: u then v's successor, v then
   * u's successor.
   */
  private twoOptStar(u: number, v: number): boolean {
    const inst = this.inst;
    const a = this.routeOf[u]!;
    const b = this.routeOf[v]!;
    // Tails take the other vehicle's end: only between vehicles that end at the same place and time.
    if (inst.endPlace[a] !== inst.endPlace[b]) return false;
    if (inst.vehicles[a]!.endLimit !== inst.vehicles[b]!.endLimit) return false;
    const A = this.routes[a]!;
    const B = this.routes[b]!;
    const pu = this.pos[u]!;
    const pv = this.pos[v]!;
    const nA = A.size;
    const nB = B.size;
    const before = this.cost[a]! + this.cost[b]!;
    const s = this.s;
    for (let variant = 0; variant < 2; variant++) {
      // A keeps positions 1..pu and takes B from position qb; B keeps 1..qb-1 and takes A from pu+1.
      const qb = variant === 0 ? pv : pv + 1;
      if (!this.tailsServable(A, pu + 1, b) || !this.tailsServable(B, qb, a)) continue;
      A.loadPrefix(s, pu);
      B.joinSuffix(s, qb);
      const costA = this.finish(s, pu + (nB - qb + 1), a);
      B.loadPrefix(s, qb - 1);
      A.joinSuffix(s, pu + 1);
      const costB = this.finish(s, qb - 1 + (nA - pu), b);
      if (costA + costB < before - EPS) {
        const tailA = A.visits.slice(pu);
        const tailB = B.visits.slice(qb - 1);
        A.visits.length = pu;
        B.visits.length = qb - 1;
        A.visits.push(...tailB);
        B.visits.push(...tailA);
        this.refresh(a);
        this.refresh(b);
        return true;
      }
    }
    return false;
  }

  private tailsServable(r: WarpRoute, from: number, k: number): boolean {
    if (this.oneClass) return true;
    for (let p = from; p <= r.size; p++) if (!this.servable(r.visits[p - 1]!, k)) return false;
    return true;
  }

  /** Within one route: reverses the stretch between u and v so that they become consecutive. */
  private intraTwoOpt(u: number, v: number): boolean {
    const k = this.routeOf[u]!;
    const R = this.routes[k]!;
    let a = this.pos[u]!;
    let b = this.pos[v]!;
    if (a > b) [a, b] = [b, a];
    if (b - a < 2) return false;
    const before = this.cost[k]!;
    const s = this.s;
    const n = R.size;
    // Reverse a+1..b (a then b), or a..b−1 (… a then b).
    for (let variant = 0; variant < 2; variant++) {
      const from = variant === 0 ? a + 1 : a;
      const to = variant === 0 ? b : b - 1;
      R.loadPrefix(s, from - 1);
      this.joinRun(s, R, from, to, true);
      R.joinSuffix(s, to + 1);
      if (this.finish(s, n, k) < before - EPS) {
        const mid = R.visits.slice(from - 1, to).reverse();
        R.visits.splice(from - 1, to - from + 1, ...mid);
        this.refresh(k);
        return true;
      }
    }
    return false;
  }

  /**
   * SWAP* (Vidal 2022) over every pair of routes holding neighbouring visits that changed since the pair
   * was last searched. Returns the moves made.
   */
  private swapStarRound(neighbours: number): number {
    const inst = this.inst;
    const V = this.V;
    const close = this.pairClose;
    close.fill(0);
    for (let u = 0; u < inst.visitCount; u++) {
      const a = this.routeOf[u]!;
      if (a < 0) continue;
      const nbrs = inst.neighbours[u]!;
      const K = Math.min(neighbours, nbrs.length);
      for (let x = 0; x < K; x++) {
        const b = this.routeOf[nbrs[x]!]!;
        if (b >= 0 && b !== a) close[a < b ? a * V + b : b * V + a] = 1;
      }
    }
    let moves = 0;
    for (let a = 0; a < V; a++) {
      for (let b = a + 1; b < V; b++) {
        if (!close[a * V + b]) continue;
        const last = this.pairTestedAt[a * V + b]!;
        if (last >= 0 && this.routes[a]!.changedAt <= last && this.routes[b]!.changedAt <= last) continue;
        this.pairTestedAt[a * V + b] = this.counter;
        if (this.swapStar(a, b)) moves++;
      }
    }
    return moves;
  }

  /**
   * SWAP*: a visit u of route a and a visit v of route b change routes, each going to its best place in
   * the other route (not necessarily the one the other left). Each insertion is costed against the route
   * with the other visit still in it (its three cheapest places kept, as in Vidal 2022), the removal
   * apart, both without the load term, which is added for the routes' loads after the exchange; time
   * warp makes these sums estimates, so the best pair is then costed exactly.
   */
  private swapStar(a: number, b: number): boolean {
    const inst = this.inst;
    const A = this.routes[a]!;
    const B = this.routes[b]!;
    const nA = A.size;
    const nB = B.size;
    if (nA === 0 || nB === 0) return false;
    this.prepareSwapStar(0, a, b);
    this.prepareSwapStar(1, b, a);
    const [withoutA, withoutB] = this.without as [Float64Array, Float64Array];
    const [deltaIntoB, deltaIntoA] = this.insertDelta as [Float64Array, Float64Array];
    const [atInB, atInA] = this.insertAt as [Int32Array, Int32Array];
    const s = this.s;
    const before = this.cost[a]! + this.cost[b]!;
    A.loadPrefix(s, nA + 1);
    const loadA = s.q;
    B.loadPrefix(s, nB + 1);
    const loadB = s.q;
    let best = before - EPS;
    let bi = 0;
    let bj = 0;
    let bAtB = -1;
    let bAtA = -1;
    for (let i = 1; i <= nA; i++) {
      const u = A.visits[i - 1]!;
      if (atInB[i * 3]! < 0) continue;
      for (let j = 1; j <= nB; j++) {
        const v = B.visits[j - 1]!;
        if (atInA[j * 3]! < 0) continue;
        // u into B without v: in v's place (exact), or at its cheapest place not beside v (estimate).
        const du = inst.demand[u]!;
        const dv = inst.demand[v]!;
        B.loadPrefix(s, j - 1);
        s.joinVisit(inst, u);
        B.joinSuffix(s, j + 1);
        let costB = this.travelAndWarp(s, nB);
        let atB = -1;
        for (let x = 0; x < 3; x++) {
          const p = atInB[i * 3 + x]!;
          if (p < 0) break;
          if (p === j - 1 || p === j) continue;
          const c = withoutB[j]! + deltaIntoB[i * 3 + x]!;
          if (c < costB) {
            costB = c;
            atB = p;
          }
          break;
        }
        A.loadPrefix(s, i - 1);
        s.joinVisit(inst, v);
        A.joinSuffix(s, i + 1);
        let costA = this.travelAndWarp(s, nA);
        let atA = -1;
        for (let x = 0; x < 3; x++) {
          const p = atInA[j * 3 + x]!;
          if (p < 0) break;
          if (p === i - 1 || p === i) continue;
          const c = withoutA[i]! + deltaIntoA[j * 3 + x]!;
          if (c < costA) {
            costA = c;
            atA = p;
          }
          break;
        }
        const after =
          costA + costB + this.loadPenalty(a, loadA - du + dv) + this.loadPenalty(b, loadB - dv + du);
        if (after < best) {
          best = after;
          bi = i;
          bj = j;
          bAtB = atB;
          bAtA = atA;
        }
      }
    }
    if (bi === 0) return false;
    const u = A.visits[bi - 1]!;
    const v = B.visits[bj - 1]!;
    const seqA = exchanged(A.visits, bi, v, bAtA);
    const seqB = exchanged(B.visits, bj, u, bAtB);
    if (this.sequenceCost(a, seqA) + this.sequenceCost(b, seqB) >= before - EPS) return false;
    A.visits = seqA;
    B.visits = seqB;
    this.refresh(a);
    this.refresh(b);
    return true;
  }

  /**
   * For SWAP* between routes a and b, side `side`: cost of a without each of its positions, and for each
   * visit of a its three cheapest places in b as it stands (position after which it goes, cost added;
   * position −1 where b's vehicle cannot serve it); costs without the load term.
   */
  private prepareSwapStar(side: number, a: number, b: number): void {
    const inst = this.inst;
    const A = this.routes[a]!;
    const B = this.routes[b]!;
    const nA = A.size;
    const nB = B.size;
    if (this.without[side]!.length < nA + 1) {
      this.without[side] = new Float64Array(2 * (nA + 1));
      this.insertDelta[side] = new Float64Array(6 * (nA + 1));
      this.insertAt[side] = new Int32Array(6 * (nA + 1));
    }
    const without = this.without[side]!;
    const delta = this.insertDelta[side]!;
    const at = this.insertAt[side]!;
    const s = this.s;
    B.loadPrefix(s, nB + 1);
    const costB = this.travelAndWarp(s, nB);
    for (let i = 1; i <= nA; i++) {
      A.loadPrefix(s, i - 1);
      A.joinSuffix(s, i + 1);
      without[i] = this.travelAndWarp(s, nA - 1);
      const u = A.visits[i - 1]!;
      let c0 = Infinity;
      let c1 = Infinity;
      let c2 = Infinity;
      let p0 = -1;
      let p1 = -1;
      let p2 = -1;
      if (this.servable(u, b)) {
        for (let p = 0; p <= nB; p++) {
          B.loadPrefix(s, p);
          s.joinVisit(inst, u);
          B.joinSuffix(s, p + 1);
          const c = this.travelAndWarp(s, nB + 1) - costB;
          if (c < c2) {
            if (c < c1) {
              c2 = c1;
              p2 = p1;
              if (c < c0) {
                c1 = c0;
                p1 = p0;
                c0 = c;
                p0 = p;
              } else {
                c1 = c;
                p1 = p;
              }
            } else {
              c2 = c;
              p2 = p;
            }
          }
        }
      }
      delta[i * 3] = c0;
      delta[i * 3 + 1] = c1;
      delta[i * 3 + 2] = c2;
      at[i * 3] = p0;
      at[i * 3 + 1] = p1;
      at[i * 3 + 2] = p2;
    }
  }

  /** Penalised cost of route k if it served `seq`, joined visit by visit. */
  private sequenceCost(k: number, seq: readonly number[]): number {
    const R = this.routes[k]!;
    const s = this.s;
    R.loadPrefix(s, 0);
    for (const w of seq) s.joinVisit(this.inst, w);
    R.joinSuffix(s, R.size + 1);
    return this.finish(s, seq.length, k);
  }

  /** Moves u alone into an empty route (one per vehicle class) when that costs less. */
  private toEmptyRoute(u: number): boolean {
    const inst = this.inst;
    const a = this.routeOf[u]!;
    const A = this.routes[a]!;
    if (A.size <= 1) return false;
    const pu = this.pos[u]!;
    const s = this.s;
    A.loadPrefix(s, pu - 1);
    A.joinSuffix(s, pu + 1);
    const costA = this.finish(s, A.size - 1, a);
    const seen = this.seenClass;
    seen.fill(0);
    for (let b = 0; b < this.V; b++) {
      const B = this.routes[b]!;
      const c = inst.vehicleClass[b]!;
      if (B.size !== 0 || seen[c] || !this.servable(u, b)) continue;
      // Interchangeable empty vehicles would give the same figure: one try per class is enough.
      seen[c] = 1;
      B.loadPrefix(s, 0);
      s.joinVisit(inst, u);
      B.joinSuffix(s, 1);
      const costB = this.finish(s, 1, b);
      if (costA + costB < this.cost[a]! - EPS) {
        A.visits.splice(pu - 1, 1);
        B.visits.push(u);
        this.refresh(a);
        this.refresh(b);
        return true;
      }
    }
    return false;
  }
}

/**
 * `visits` with the visit at position `leave` (1-based) taken out and `enter` put after position `at`
 * of the original sequence (−1: in the place of the one that left).
 */
function exchanged(visits: readonly number[], leave: number, enter: number, at: number): number[] {
  const out: number[] = [];
  if (at === 0) out.push(enter);
  for (let p = 1; p <= visits.length; p++) {
    if (p !== leave) out.push(visits[p - 1]!);
    else if (at === -1) out.push(enter);
    if (p === at) out.push(enter);
  }
  return out;
}

/**
 * Penalised local search on `sol` (in place when it ends feasible): search with the current weights,
 * record whether it ended feasible, repair with heavier weights when not. Returns what happened.
 */
export function educate(
  sol: Solution,
  search: PenalisedSearch,
  weights: PenaltyWeights,
  rng: Random,
  neighbours = 12,
  maxPasses = 30,
  changed?: Uint8Array,
): PenalisedSearchStats {
  const since = search.loadFrom(sol, changed);
  let moves = search.run(rng, neighbours, maxPasses, weights.warp, weights.load, since);
  let state = search.feasibility();
  weights.record(state.warpFree, state.loadFree);
  const feasible = state.warpFree && state.loadFree;
  for (let factor = 10; !(state.warpFree && state.loadFree) && factor <= 100; factor *= 10) {
    moves += search.run(rng, neighbours, maxPasses, weights.warp * factor, weights.load * factor, since);
    state = search.feasibility();
  }
  if (!(state.warpFree && state.loadFree)) return { moves, feasible, applied: false };
  return { moves, feasible, applied: search.writeTo(sol) };
}
