/**
 * Local search on a complete solution: relocate (or-opt: strings of 1–3
 * visits), swap and 2-opt* between routes, relocate within a route. Moves
 * are tried only towards each visit's nearest neighbours (granular
 * neighbourhood). Feasibility uses the forward-slack caches in O(1); in the
 * arc-cost case the gain is O(1) too, otherwise the two touched routes are
 * re-simulated once the O(1) filter passes.
 */
import type { Random } from './prng.js';
import { arcSequenceTravel, routeCost } from './schedule.js';
import type { RouteState, Solution } from './solution.js';

const EPS = 1e-7;

export interface LocalSearchOptions {
  neighbours: number;
  /** Stop after this many passes without reaching a local optimum (bounds the work). */
  maxPasses: number;
  /** Start only from the visits of these routes (flag per vehicle); see localSearch. */
  routes?: Uint8Array;
}

/** Arc-cost feasibility and travel of a whole sequence for vehicle k (intra-route moves). */
function sequenceCost(sol: Solution, k: number, seq: number[]): number {
  const inst = sol.inst;
  if (!inst.arcCost) return routeCost(inst, k, seq);
  return seq.length === 0 ? 0 : arcSequenceTravel(inst, k, seq);
}

function servable(sol: Solution, visits: readonly number[], k: number): boolean {
  const V = sol.inst.vehicles.length;
  for (const u of visits) if (!sol.inst.canServe[u * V + k]) return false;
  return true;
}

/** Applies new sequences to two routes if the exact cost improves; returns whether it did. */
function commitIfBetter(
  sol: Solution,
  a: RouteState,
  seqA: number[],
  b: RouteState | undefined,
  seqB: number[],
): boolean {
  const inst = sol.inst;
  const before = a.cost + (b ? b.cost : 0);
  const ca = routeCost(inst, a.vehicle, seqA);
  if (ca === Infinity) return false;
  const cb = b ? routeCost(inst, b.vehicle, seqB) : 0;
  if (cb === Infinity || ca + cb >= before - EPS) return false;
  sol.setRoute(a.vehicle, seqA);
  if (b) sol.setRoute(b.vehicle, seqB);
  return true;
}

/** Arrival at the node after `seg` when leaving position p of r, NaN if a window of the segment breaks. */
function throughSegment(
  sol: Solution,
  r: RouteState,
  p: number,
  seg: readonly number[],
  next: number,
): number {
  const inst = sol.inst;
  const M = inst.nodeCount;
  let prev = sol.node(r, p);
  let t = r.earliest[p]! + inst.duration[prev]!;
  for (const w of seg) {
    t = Math.max(t + inst.time[prev * M + w]!, inst.windowStart[w]!);
    if (t > inst.windowEnd[w]!) return Number.NaN;
    t += inst.duration[w]!;
    prev = w;
  }
  return t + inst.time[prev * M + next]!;
}

export function tryRelocate(sol: Solution, u: number, v: number): boolean {
  const inst = sol.inst;
  const M = inst.nodeCount;
  const T = inst.time;
  const A = sol.routes[sol.routeOf[u]!]!;
  const B = sol.routes[sol.routeOf[v]!]!;
  const s = A.visits.indexOf(u) + 1;
  const q = B.visits.indexOf(v) + 1;
  const vehB = inst.vehicles[B.vehicle]!;
  for (let len = 1; len <= 3 && s + len - 1 <= A.visits.length; len++) {
    const e = s + len - 1;
    const seg = A.visits.slice(s - 1, e);
    if (seg.some((w) => inst.pinned[w])) break;
    let segLoad = 0;
    for (const w of seg) segLoad += inst.demand[w]!;
    if (B.load + segLoad > vehB.capacity || !servable(sol, seg, B.vehicle)) continue;
    const i = sol.node(A, s - 1);
    const j = sol.node(A, e + 1);
    if (A.earliest[s - 1]! + inst.duration[i]! + T[i * M + j]! > A.latest[e + 1]!) continue;
    const removeGain = T[i * M + seg[0]!]! + T[seg[len - 1]! * M + j]! - T[i * M + j]!;
    // Insert the string just after v (p = q) or just before v (p = q - 1).
    for (const p of [q, q - 1]) {
      const bp = sol.node(B, p);
      const bq = sol.node(B, p + 1);
      const arrive = throughSegment(sol, B, p, seg, bq);
      if (!(arrive <= B.latest[p + 1]!)) continue;
      if (inst.arcCost) {
        const add = T[bp * M + seg[0]!]! + T[seg[len - 1]! * M + bq]! - T[bp * M + bq]!;
        if (add - removeGain < -EPS) {
          const seqA = [...A.visits.slice(0, s - 1), ...A.visits.slice(e)];
          const seqB = [...B.visits.slice(0, p), ...seg, ...B.visits.slice(p)];
          sol.setRoute(A.vehicle, seqA);
          sol.setRoute(B.vehicle, seqB);
          return true;
        }
      } else {
        const seqA = [...A.visits.slice(0, s - 1), ...A.visits.slice(e)];
        const seqB = [...B.visits.slice(0, p), ...seg, ...B.visits.slice(p)];
        if (commitIfBetter(sol, A, seqA, B, seqB)) return true;
      }
    }
  }
  return false;
}

export function trySwap(sol: Solution, u: number, v: number): boolean {
  const inst = sol.inst;
  if (inst.pinned[u] || inst.pinned[v]) return false;
  const M = inst.nodeCount;
  const T = inst.time;
  const A = sol.routes[sol.routeOf[u]!]!;
  const B = sol.routes[sol.routeOf[v]!]!;
  const p = A.visits.indexOf(u) + 1;
  const q = B.visits.indexOf(v) + 1;
  const du = inst.demand[u]!;
  const dv = inst.demand[v]!;
  if (A.load - du + dv > inst.vehicles[A.vehicle]!.capacity) return false;
  if (B.load - dv + du > inst.vehicles[B.vehicle]!.capacity) return false;
  if (!servable(sol, [v], A.vehicle) || !servable(sol, [u], B.vehicle)) return false;
  const an = sol.node(A, p + 1);
  const bn = sol.node(B, q + 1);
  if (!(throughSegment(sol, A, p - 1, [v], an) <= A.latest[p + 1]!)) return false;
  if (!(throughSegment(sol, B, q - 1, [u], bn) <= B.latest[q + 1]!)) return false;
  const seqA = A.visits.slice();
  seqA[p - 1] = v;
  const seqB = B.visits.slice();
  seqB[q - 1] = u;
  if (inst.arcCost) {
    const ap = sol.node(A, p - 1);
    const bp = sol.node(B, q - 1);
    const delta =
      T[ap * M + v]! +
      T[v * M + an]! -
      T[ap * M + u]! -
      T[u * M + an]! +
      T[bp * M + u]! +
      T[u * M + bn]! -
      T[bp * M + v]! -
      T[v * M + bn]!;
    if (delta >= -EPS) return false;
    sol.setRoute(A.vehicle, seqA);
    sol.setRoute(B.vehicle, seqB);
    return true;
  }
  return commitIfBetter(sol, A, seqA, B, seqB);
}

/** 2-opt*: A keeps its head up to u and takes B's tail from v; B takes A's tail. */
export function tryTwoOptStar(sol: Solution, u: number, v: number): boolean {
  const inst = sol.inst;
  const M = inst.nodeCount;
  const T = inst.time;
  const A = sol.routes[sol.routeOf[u]!]!;
  const B = sol.routes[sol.routeOf[v]!]!;
  const va = inst.vehicles[A.vehicle]!;
  const vb = inst.vehicles[B.vehicle]!;
  // Tails change vehicle: the O(1) test needs them to end at the same place and time. Technicians
  // sharing a depot (every Solomon vehicle) have different end nodes at one place: compare places.
  if (inst.endPlace[A.vehicle] !== inst.endPlace[B.vehicle] || va.endLimit !== vb.endLimit) return false;
  const p = A.visits.indexOf(u) + 1;
  const q = B.visits.indexOf(v) + 1;
  const tailA = A.visits.slice(p);
  const tailB = B.visits.slice(q - 1);
  if (tailA.some((w) => inst.pinned[w]) || tailB.some((w) => inst.pinned[w])) return false;
  if (A.loadUpTo[p]! + (B.load - B.loadUpTo[q - 1]!) > va.capacity) return false;
  if (B.loadUpTo[q - 1]! + (A.load - A.loadUpTo[p]!) > vb.capacity) return false;
  const an = sol.node(A, p + 1);
  const bp = sol.node(B, q - 1);
  if (A.earliest[p]! + inst.duration[u]! + T[u * M + v]! > B.latest[q]!) return false;
  if (B.earliest[q - 1]! + inst.duration[bp]! + T[bp * M + an]! > A.latest[p + 1]!) return false;
  if (inst.vehicleClass[A.vehicle] !== inst.vehicleClass[B.vehicle]) {
    if (!servable(sol, tailB, A.vehicle) || !servable(sol, tailA, B.vehicle)) return false;
  }
  const seqA = [...A.visits.slice(0, p), ...tailB];
  const seqB = [...B.visits.slice(0, q - 1), ...tailA];
  if (inst.arcCost) {
    const delta = T[u * M + v]! + T[bp * M + an]! - T[u * M + an]! - T[bp * M + v]!;
    if (delta >= -EPS) return false;
    sol.setRoute(A.vehicle, seqA);
    sol.setRoute(B.vehicle, seqB);
    return true;
  }
  return commitIfBetter(sol, A, seqA, B, seqB);
}

/** Stretch of visits an intra-route relocate reorders (scratch: no allocation per try). */
let stretch = new Int32Array(64);

/**
 * Arrival at the node at position `next` of r when leaving position `leave` and serving stretch[0..count)
 * in between; NaN if a window of the stretch breaks.
 */
function stretchArrival(sol: Solution, r: RouteState, leave: number, count: number, next: number): number {
  const inst = sol.inst;
  const M = inst.nodeCount;
  const T = inst.time;
  let prev = sol.node(r, leave);
  let t = r.earliest[leave]! + inst.duration[prev]!;
  for (let x = 0; x < count; x++) {
    const w = stretch[x]!;
    t += T[prev * M + w]!;
    if (t < inst.windowStart[w]!) t = inst.windowStart[w]!;
    if (t > inst.windowEnd[w]!) return Number.NaN;
    t += inst.duration[w]!;
    prev = w;
  }
  return t + T[prev * M + sol.node(r, next)]!;
}

/**
 * Moves u (and up to two followers) next to v in the same route: after v, then before v, strings of 1, 2
 * and 3 visits, the first that costs less.
 *
 * Arc-cost instances: the gain is three arcs out and three in (O(1), no allocation), and only a move that
 * gains is checked for time, over the stretch it reorders, against the forward-slack caches. The same
 * moves as building and costing each whole sequence (which is what other instances still do), at a cost
 * that no longer grows with the route: on ~50-visit routes (Homberger r2_10_*) the whole-sequence version
 * took 12 % of the search.
 */
export function tryIntraRelocate(sol: Solution, u: number, v: number): boolean {
  const inst = sol.inst;
  if (inst.pinned[u]) return false;
  if (!inst.arcCost) return intraRelocateBySequence(sol, u, v);
  const M = inst.nodeCount;
  const T = inst.time;
  const A = sol.routes[sol.routeOf[u]!]!;
  const visits = A.visits;
  const n = visits.length;
  const s = sol.posOf[u]!;
  const pv = sol.posOf[v]!;
  if (stretch.length < n) stretch = new Int32Array(2 * n);
  for (let len = 1; len <= 3; len++) {
    const e = s + len - 1;
    if (e > n) break;
    if (pv >= s && pv <= e) break;
    const last = visits[e - 1]!;
    if (inst.pinned[last]) break;
    const i = sol.node(A, s - 1);
    const j = sol.node(A, e + 1);
    const removeGain = T[i * M + u]! + T[last * M + j]! - T[i * M + j]!;
    for (let side = 0; side < 2; side++) {
      const after = side === 0;
      // Where the string would go: between x and y of the route without it (the same place is no move).
      if (after ? pv === s - 1 : pv === e + 1) continue;
      const x = after ? v : sol.node(A, pv - 1);
      const y = after ? sol.node(A, pv + 1) : v;
      const delta = T[x * M + u]! + T[last * M + y]! - T[x * M + y]! - removeGain;
      if (!(delta < -EPS)) continue;
      // The reordered stretch, from the position left unchanged before it to the one after it.
      let count = 0;
      let leave: number;
      let next: number;
      if (pv > e) {
        leave = s - 1;
        next = after ? pv + 1 : pv;
        for (let p = e + 1; p < next; p++) stretch[count++] = visits[p - 1]!;
        for (let p = s; p <= e; p++) stretch[count++] = visits[p - 1]!;
      } else {
        leave = after ? pv : pv - 1;
        next = e + 1;
        for (let p = s; p <= e; p++) stretch[count++] = visits[p - 1]!;
        for (let p = leave + 1; p < s; p++) stretch[count++] = visits[p - 1]!;
      }
      if (!(stretchArrival(sol, A, leave, count, next) <= A.latest[next]!)) continue;
      const seq = visits.slice(0, leave);
      for (let x2 = 0; x2 < count; x2++) seq.push(stretch[x2]!);
      for (let p = next; p <= n; p++) seq.push(visits[p - 1]!);
      sol.setRoute(A.vehicle, seq);
      return true;
    }
  }
  return false;
}

/** tryIntraRelocate by building and costing each whole sequence (instances whose costs are not sums of arcs). */
function intraRelocateBySequence(sol: Solution, u: number, v: number): boolean {
  const inst = sol.inst;
  const A = sol.routes[sol.routeOf[u]!]!;
  for (let len = 1; len <= 3; len++) {
    const s = A.visits.indexOf(u);
    if (s + len > A.visits.length) break;
    const seg = A.visits.slice(s, s + len);
    if (seg.includes(v) || seg.some((w) => inst.pinned[w])) break;
    const rest = [...A.visits.slice(0, s), ...A.visits.slice(s + len)];
    const at = rest.indexOf(v);
    for (const p of [at + 1, at]) {
      const seq = [...rest.slice(0, p), ...seg, ...rest.slice(p)];
      const c = sequenceCost(sol, A.vehicle, seq);
      if (c < A.cost - EPS) {
        sol.setRoute(A.vehicle, seq);
        return true;
      }
    }
  }
  return false;
}

/**
 * Intra-route 2-opt: reverses the stretch between u and v so that they
 * become consecutive (u then v, or v then u). Long routes with wide
 * windows (Solomon R2/RC2) are near-TSP tours, where this is the move that
 * untangles crossings. Feasibility and gain are computed over the reversed
 * stretch only, from the forward-slack caches.
 */
export function tryIntraTwoOpt(sol: Solution, u: number, v: number): boolean {
  const inst = sol.inst;
  const A = sol.routes[sol.routeOf[u]!]!;
  const visits = A.visits;
  let a = visits.indexOf(u) + 1;
  let b = visits.indexOf(v) + 1;
  if (a > b) {
    const t = a;
    a = b;
    b = t;
  }
  // Reverse positions a+1..b: the node at a is then followed by the node at b.
  const from = a + 1;
  const to = b;
  if (to - from < 1) return false;
  if (!inst.arcCost) {
    const seq = visits.slice();
    for (let i = from - 1, j = to - 1; i < j; i++, j--) {
      const t = seq[i]!;
      seq[i] = seq[j]!;
      seq[j] = t;
    }
    return commitIfBetter(sol, A, seq, undefined, []);
  }
  const M = inst.nodeCount;
  const T = inst.time;
  const prevNode = sol.node(A, a);
  const nextNode = sol.node(A, to + 1);
  // Old cost of arcs prevNode → … → nextNode versus the reversed order.
  let oldCost = 0;
  let prev = prevNode;
  for (let p = from; p <= to; p++) {
    const w = visits[p - 1]!;
    oldCost += T[prev * M + w]!;
    prev = w;
  }
  oldCost += T[prev * M + nextNode]!;
  let newCost = 0;
  prev = prevNode;
  let t = A.earliest[a]! + inst.duration[prevNode]!;
  for (let p = to; p >= from; p--) {
    const w = visits[p - 1]!;
    const tt = T[prev * M + w]!;
    newCost += tt;
    t = Math.max(t + tt, inst.windowStart[w]!);
    if (t > inst.windowEnd[w]!) return false;
    t += inst.duration[w]!;
    prev = w;
  }
  const tl = T[prev * M + nextNode]!;
  newCost += tl;
  if (newCost >= oldCost - EPS) return false;
  if (t + tl > A.latest[to + 1]!) return false;
  const seq = visits.slice();
  for (let i = from - 1, j = to - 1; i < j; i++, j--) {
    const x = seq[i]!;
    seq[i] = seq[j]!;
    seq[j] = x;
  }
  sol.setRoute(A.vehicle, seq);
  return true;
}

/**
 * Runs first-improvement passes until no move improves (or maxPasses). Returns the number of moves made.
 * With `routes`, the first pass starts only from the visits of the flagged routes and each later pass
 * only from the routes the previous one changed: on a large solution that was locally optimal before a
 * few routes changed, the rest has nothing new to offer and a full pass would cost O(N).
 */
export function localSearch(sol: Solution, rng: Random, options: LocalSearchOptions): number {
  const inst = sol.inst;
  const order: number[] = [];
  let active = options.routes;
  // Routes changed by this search are read from sol.touched, which the caller may own: keep its flags.
  const callerTouched = active ? sol.touched.slice() : undefined;
  let moves = 0;
  for (let pass = 0; pass < options.maxPasses; pass++) {
    let improved = false;
    if (active === undefined) {
      if (order.length !== inst.visitCount) for (let u = 0; u < inst.visitCount; u++) order.push(u);
    } else {
      order.length = 0;
      for (let k = 0; k < active.length; k++)
        if (active[k]) for (const u of sol.routes[k]!.visits) order.push(u);
      order.sort((a, b) => a - b);
      sol.touched.fill(0);
    }
    rng.shuffle(order);
    for (const u of order) {
      const nbrs = inst.neighbours[u]!;
      const K = Math.min(options.neighbours, nbrs.length);
      for (let x = 0; x < K; x++) {
        const v = nbrs[x]!;
        const ku = sol.routeOf[u]!;
        const kv = sol.routeOf[v]!;
        if (ku < 0 || kv < 0) continue;
        let moved: boolean;
        if (ku === kv) moved = tryIntraRelocate(sol, u, v) || tryIntraTwoOpt(sol, u, v);
        else moved = tryRelocate(sol, u, v) || trySwap(sol, u, v) || tryTwoOptStar(sol, u, v);
        if (moved) {
          moves++;
          improved = true;
        }
      }
    }
    if (active !== undefined) {
      active = sol.touched.slice();
      for (let k = 0; k < active.length; k++) if (callerTouched![k]) sol.touched[k] = 1;
      for (let k = 0; k < active.length; k++) if (active[k]) callerTouched![k] = 1;
    }
    if (!improved) break;
  }
  return moves;
}
