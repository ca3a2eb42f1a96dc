/**
 * Repair: put unserved visits back into routes. Greedy (cheapest first, in
 * a chosen order, with "blinks" that skip a position now and then to
 * diversify, as in SISR) and regret-k (the visit that would lose most by
 * waiting goes first).
 *
 * Interchangeable empty vehicles are evaluated once per class: with 25
 * identical trucks, trying all empty ones would only repeat the same number.
 */
import type { Random } from './prng.js';
import { reassignCost } from './instance.js';
import type { Solution } from './solution.js';

export interface Placement {
  cost: number;
  vehicle: number;
  position: number;
}

/** Position found by the last bestInRoute call (a module scratch value: no object per call in the hot loop). */
let foundPosition = -1;

/** Cost of the cheapest position for u in route k (Infinity when none); the position is left in foundPosition. */
function bestInRoute(sol: Solution, u: number, k: number, rng: Random | undefined, blink: number): number {
  const inst = sol.inst;
  const r = sol.routes[k]!;
  const veh = inst.vehicles[k]!;
  const n = r.visits.length;
  let best = Infinity;
  let pos = -1;
  foundPosition = -1;
  if (r.load + inst.demand[u]! > veh.capacity) return best;
  if (inst.exact) {
    for (let p = 0; p <= n; p++) {
      if (blink > 0 && rng !== undefined && rng.next() < blink) continue;
      const c = sol.insertionCost(u, k, p);
      if (c < best) {
        best = c;
        pos = p;
      }
    }
    foundPosition = pos;
    return best;
  }
  // Arc-cost case, inlined: this loop is where the search spends most of its time.
  const M = inst.nodeCount;
  const T = inst.time;
  const D = inst.duration;
  const a = inst.windowStart[u]!;
  const b = inst.windowEnd[u]!;
  const du = D[u]!;
  const es = r.earliest;
  const ls = r.latest;
  const visits = r.visits;
  const extra = reassignCost(inst, u, k);
  let i = veh.startNode;
  for (let p = 0; p <= n; p++) {
    const j = p === n ? veh.endNode : visits[p]!;
    const ei = es[p]!;
    // Service starts never decrease along a route: once one is past u's window, no later position works.
    if (ei > b) break;
    if (!(blink > 0 && rng !== undefined && rng.next() < blink)) {
      const tiu = T[i * M + u]!;
      let start = ei + D[i]! + tiu;
      if (start < a) start = a;
      if (start <= b) {
        const tuj = T[u * M + j]!;
        if (start + du + tuj <= ls[p + 1]!) {
          const c = tiu + tuj - T[i * M + j]!;
          if (c < best) {
            best = c;
            pos = p;
          }
        }
      }
    }
    i = j;
  }
  foundPosition = pos;
  return best + extra;
}

/**
 * Long routes (at least this many visits per used route on average, and at least GRANULAR_FROM visits):
 * a visit is tried only beside its nearest served neighbours (before or after each), not at every
 * position of their routes. With 19 routes of ~53 visits (Homberger r2_10_*), a route scan tries ~1,000
 * places per visit, this ~60; the cheapest place in a route almost always lies beside a near neighbour.
 * When nothing beside a neighbour fits, greedy insertion scans the routes before opening a new one.
 * Short routes keep the scan: it is cheap there (a few positions, cut short by tight windows), and a
 * visit with a tight window may fit nowhere beside its neighbours. Decomposition subproblems of long
 * routes also polish through infeasible space (trajectory.ts). Homberger 1000, 60 s of CPU, 1 thread:
 * ALNS iterations on r2_10_4 23,705 → 32,967 and rc2_10_4 28,452 → 38,725; about as many on r2_10_1,
 * rc2_10_1, c2_10_5.
 */
export const LONG_ROUTE_VISITS = 20;

/** Whether insertion into `sol` looks beside neighbours only (see LONG_ROUTE_VISITS). */
function besideNeighboursOnly(sol: Solution): boolean {
  const inst = sol.inst;
  return !inst.exact && inst.visitCount >= GRANULAR_FROM && sol.servedPerRoute() >= LONG_ROUTE_VISITS;
}

/**
 * Added cost of u after position p (0..n) of route k, Infinity where a window or the end limit breaks
 * (arc-cost case; capacity checked by the caller).
 */
function placeCost(sol: Solution, u: number, k: number, p: number): number {
  const inst = sol.inst;
  const r = sol.routes[k]!;
  const veh = inst.vehicles[k]!;
  const M = inst.nodeCount;
  const T = inst.time;
  const n = r.visits.length;
  const i = p === 0 ? veh.startNode : r.visits[p - 1]!;
  const j = p === n ? veh.endNode : r.visits[p]!;
  const tiu = T[i * M + u]!;
  let start = r.earliest[p]! + inst.duration[i]! + tiu;
  if (start < inst.windowStart[u]!) start = inst.windowStart[u]!;
  if (start > inst.windowEnd[u]!) return Infinity;
  const tuj = T[u * M + j]!;
  if (start + inst.duration[u]! + tuj > r.latest[p + 1]!) return Infinity;
  return tiu + tuj - T[i * M + j]!;
}

/**
 * Cheapest place for u in route k beside one of u's nearest served neighbours there (Infinity when
 * none fits); the position is left in foundPosition.
 */
function bestBesideNeighbours(
  sol: Solution,
  u: number,
  k: number,
  rng: Random | undefined,
  blink: number,
): number {
  const inst = sol.inst;
  foundPosition = -1;
  const r = sol.routes[k]!;
  if (r.load + inst.demand[u]! > inst.vehicles[k]!.capacity) return Infinity;
  const nbrs = inst.neighbours[u]!;
  let best = Infinity;
  let pos = -1;
  let served = 0;
  for (let x = 0; x < nbrs.length && served < INSERT_NEIGHBOURS; x++) {
    const v = nbrs[x]!;
    if (sol.routeOf[v]! < 0) continue;
    served++;
    if (sol.routeOf[v] !== k) continue;
    const pv = sol.posOf[v]!;
    for (let p = pv - 1; p <= pv; p++) {
      if (blink > 0 && rng !== undefined && rng.next() < blink) continue;
      const c = placeCost(sol, u, k, p);
      if (c < best) {
        best = c;
        pos = p;
      }
    }
  }
  foundPosition = pos;
  return best === Infinity ? best : best + reassignCost(inst, u, k);
}

/**
 * From this many visits on, a visit is tried only in the routes of its nearest served neighbours plus
 * one empty vehicle per class (granular insertion, as in Vidal 2013's granular neighbourhoods): a route
 * far from every neighbour of u almost never holds its cheapest place, and scanning all routes makes
 * each insertion O(N). Below it every route is tried, as before (planner-sized days, Solomon).
 */
export const GRANULAR_FROM = 200;
/** Served neighbours whose routes are tried. */
const INSERT_NEIGHBOURS = 30;

let routeMark = new Int32Array(0);
let markEpoch = 0;

/**
 * Per vehicle class, the first empty vehicle (-1 if none), and those vehicles in index order: the one
 * empty vehicle per class that insertion tries. Vehicles of one class can serve the same visits (the
 * class key holds skills, areas, places, shift, capacity, and the technician itself once anything is
 * booked), so one representative stands for all. Kept across the insertions of one repair, refreshed
 * only when a representative receives a visit, instead of a scan of every vehicle per visit.
 */
interface EmptyReps {
  rep: Int32Array;
  list: number[];
}

function emptyReps(sol: Solution, reps?: EmptyReps): EmptyReps {
  const inst = sol.inst;
  const out = reps ?? { rep: new Int32Array(inst.classCount), list: [] };
  out.rep.fill(-1);
  out.list.length = 0;
  for (let k = 0; k < inst.vehicles.length; k++) {
    if (sol.routes[k]!.visits.length !== 0) continue;
    const c = inst.vehicleClass[k]!;
    if (out.rep[c] !== -1) continue;
    out.rep[c] = k;
    out.list.push(k);
  }
  return out;
}

/** After u went into vehicle k: the representatives change only if k was one. */
function afterInsert(sol: Solution, reps: EmptyReps, k: number): void {
  if (reps.rep[sol.inst.vehicleClass[k]!] === k) emptyReps(sol, reps);
}

/** The vehicles worth trying for u: those that can serve it, one empty vehicle per class. */
function candidateVehicles(sol: Solution, u: number, out: number[], reps: EmptyReps): number[] {
  const inst = sol.inst;
  const V = inst.vehicles.length;
  out.length = 0;
  if (inst.visitCount >= GRANULAR_FROM) {
    if (routeMark.length < V) routeMark = new Int32Array(V);
    if (++markEpoch > 0x3fffffff) {
      routeMark.fill(0);
      markEpoch = 1;
    }
    const nbrs = inst.neighbours[u]!;
    let served = 0;
    for (let x = 0; x < nbrs.length && served < INSERT_NEIGHBOURS; x++) {
      const k = sol.routeOf[nbrs[x]!]!;
      if (k < 0) continue;
      served++;
      if (routeMark[k] === markEpoch || !inst.canServe[u * V + k]) continue;
      routeMark[k] = markEpoch;
      out.push(k);
    }
    // A visit booked to one technician keeps that route in view (its stability cost is lowest there).
    const booked = inst.bookedVehicle[u]!;
    if (
      booked >= 0 &&
      routeMark[booked] !== markEpoch &&
      inst.canServe[u * V + booked] &&
      sol.routes[booked]!.visits.length > 0
    ) {
      routeMark[booked] = markEpoch;
      out.push(booked);
    }
    for (const k of reps.list) if (inst.canServe[u * V + k]) out.push(k);
    return out;
  }
  for (let k = 0; k < V; k++) {
    if (!inst.canServe[u * V + k]) continue;
    if (sol.routes[k]!.visits.length === 0 && reps.rep[inst.vehicleClass[k]!] !== k) continue;
    out.push(k);
  }
  return out;
}

/** Best placement of u over all vehicles. */
export function bestPlacement(sol: Solution, u: number, rng?: Random, blink = 0): Placement {
  const vehicles: number[] = [];
  let best: Placement = { cost: Infinity, vehicle: -1, position: -1 };
  for (const k of candidateVehicles(sol, u, vehicles, emptyReps(sol))) {
    const c = bestInRoute(sol, u, k, rng, blink);
    if (c < best.cost) best = { cost: c, vehicle: k, position: foundPosition };
  }
  return best;
}

/** Inserts `pending` one by one, in the given order, each at its cheapest place. */
export function greedyInsert(sol: Solution, pending: readonly number[], rng?: Random, blink = 0): void {
  const vehicles: number[] = [];
  const reps = emptyReps(sol);
  const beside = besideNeighboursOnly(sol);
  for (const u of pending) {
    let bestCost = Infinity;
    let bestVehicle = -1;
    let bestPosition = -1;
    for (const k of candidateVehicles(sol, u, vehicles, reps)) {
      const c =
        beside && sol.routes[k]!.visits.length > 0
          ? bestBesideNeighbours(sol, u, k, rng, blink)
          : bestInRoute(sol, u, k, rng, blink);
      if (c < bestCost) {
        bestCost = c;
        bestVehicle = k;
        bestPosition = foundPosition;
      }
    }
    // Nothing beside a neighbour fits: scan the routes before opening a new one (or leaving u out).
    if (beside && (bestVehicle < 0 || sol.routes[bestVehicle]!.visits.length === 0)) {
      for (const k of vehicles) {
        if (sol.routes[k]!.visits.length === 0) continue;
        const c = bestInRoute(sol, u, k, rng, blink);
        if (c < bestCost) {
          bestCost = c;
          bestVehicle = k;
          bestPosition = foundPosition;
        }
      }
    }
    if (bestVehicle >= 0) {
      sol.insert(u, bestVehicle, bestPosition);
      afterInsert(sol, reps, bestVehicle);
    }
  }
}

/**
 * Regret-k insertion. Keeps a cache of the best placement of every pending
 * visit in every route and refreshes only the route that changed.
 *
 * Each pending visit's k cheapest costs (and its cheapest vehicle) are kept up to date as single costs
 * change, rather than found again by a scan of every vehicle for every visit at every step (O(P² V) per
 * repair): a changed cost that was not among a visit's k cheapest and does not enter them leaves them as
 * they were, so only a change to one of them calls for a rescan. Picking the next visit is then O(P).
 * The same picks in the same order as the scan (ties included), so the same plans; the scan was ~16 % of
 * the search's CPU time on Homberger r1_10_1 (mostly decomposition subproblems of ~150 visits), the
 * upkeep now ~7 %.
 */
export function regretInsert(
  sol: Solution,
  pending: readonly number[],
  k: number,
  rng?: Random,
  noise = 0,
): void {
  const inst = sol.inst;
  const V = inst.vehicles.length;
  const left = pending.slice();
  const P = left.length;
  const cost = new Float64Array(P * V).fill(Infinity);
  const pos = new Int32Array(P * V).fill(-1);
  const active = new Uint8Array(P).fill(1);
  // Per pending visit i: its k cheapest costs in ascending order (top[i * k ..]), Infinity where it has
  // fewer options, and the lowest-index vehicle at the cheapest (-1 when none fits).
  const top = new Float64Array(P * k).fill(Infinity);
  const topVehicle = new Int32Array(P).fill(-1);
  const beside = besideNeighboursOnly(sol);
  // Which vehicle currently stands for the empty vehicles of each class.
  const emptyRep = new Int32Array(inst.classCount).fill(-1);

  const chooseReps = (): void => {
    emptyRep.fill(-1);
    for (let v = 0; v < V; v++) {
      const c = inst.vehicleClass[v]!;
      if (sol.routes[v]!.visits.length === 0 && emptyRep[c] === -1) emptyRep[c] = v;
    }
  };
  /** Visit i's k cheapest from every vehicle (or its options), scanned in vehicle order. */
  const rescan = (i: number): void => {
    const t = i * k;
    for (let j = 0; j < k; j++) top[t + j] = Infinity;
    let bestV = -1;
    const list = options?.[i];
    const n = list === undefined ? V : list.length;
    for (let x = 0; x < n; x++) {
      const v = list === undefined ? x : list[x]!;
      const c = cost[i * V + v]!;
      if (c >= top[t + k - 1]!) continue;
      let j = k - 1;
      while (j > 0 && top[t + j - 1]! > c) {
        top[t + j] = top[t + j - 1]!;
        j--;
      }
      top[t + j] = c;
      if (j === 0) bestV = v;
    }
    topVehicle[i] = bestV;
  };
  /** Visit i's cost in vehicle v went from `old` to cost[i * V + v]. */
  const update = (i: number, v: number, old: number): void => {
    const t = i * k;
    const last = top[t + k - 1]!;
    if (old < Infinity && old <= last) {
      rescan(i);
      return;
    }
    const c = cost[i * V + v]!;
    if (!(c < last)) return;
    const first = top[t]!;
    let j = k - 1;
    while (j > 0 && top[t + j - 1]! > c) {
      top[t + j] = top[t + j - 1]!;
      j--;
    }
    top[t + j] = c;
    if (c < first || (c === first && v < topVehicle[i]!)) topVehicle[i] = v;
  };
  const evaluate = (i: number, v: number): void => {
    const u = left[i]!;
    const old = cost[i * V + v]!;
    const empty = sol.routes[v]!.visits.length === 0;
    if (!inst.canServe[u * V + v] || (empty && emptyRep[inst.vehicleClass[v]!] !== v)) {
      cost[i * V + v] = Infinity;
      update(i, v, old);
      return;
    }
    const c =
      beside && !empty ? bestBesideNeighbours(sol, u, v, undefined, 0) : bestInRoute(sol, u, v, undefined, 0);
    cost[i * V + v] = c;
    pos[i * V + v] = foundPosition;
    if (options !== undefined && c < Infinity) {
      // Kept sorted by vehicle so that ties resolve as in a scan of every vehicle.
      const list = options[i]!;
      let at = list.length;
      while (at > 0 && list[at - 1]! > v) at--;
      if (list[at - 1] !== v) list.splice(at, 0, v);
    }
    update(i, v, old);
  };

  // Granular mode: per pending visit, the vehicles with a finite cost (a superset of where it fits), so
  // that a rescan looks at those rather than every vehicle.
  const options =
    inst.visitCount >= GRANULAR_FROM ? Array.from({ length: P }, (): number[] => []) : undefined;
  chooseReps();
  if (options !== undefined) {
    // Granular: only the candidate routes at first; a route that later receives a visit is re-evaluated
    // for every pending visit below, so a route that becomes close is not missed.
    const vehicles: number[] = [];
    const reps = emptyReps(sol);
    for (let i = 0; i < P; i++)
      for (const v of candidateVehicles(sol, left[i]!, vehicles, reps)) evaluate(i, v);
  } else {
    for (let i = 0; i < P; i++) for (let v = 0; v < V; v++) evaluate(i, v);
  }

  for (let remaining = P; remaining > 0; remaining--) {
    let pick = -1;
    let pickRegret = -Infinity;
    let pickBest = Infinity;
    let pickVehicle = -1;
    for (let i = 0; i < P; i++) {
      if (!active[i]) continue;
      const bestV = topVehicle[i]!;
      if (bestV < 0) continue;
      const t = i * k;
      const best = top[t]!;
      // A visit with fewer than k options is urgent: missing options count as very expensive.
      let regret = 0;
      for (let j = 1; j < k; j++) regret += (top[t + j]! === Infinity ? 1e7 : top[t + j]!) - best;
      if (noise > 0 && rng) regret *= 1 + noise * (rng.next() - 0.5);
      if (regret > pickRegret || (regret === pickRegret && best < pickBest)) {
        pick = i;
        pickRegret = regret;
        pickBest = best;
        pickVehicle = bestV;
      }
    }
    if (pick < 0) break; // nothing left fits anywhere
    const wasEmpty = sol.routes[pickVehicle]!.visits.length === 0;
    sol.insert(left[pick]!, pickVehicle, pos[pick * V + pickVehicle]!);
    active[pick] = 0;
    if (wasEmpty) {
      chooseReps();
      const rep = emptyRep[inst.vehicleClass[pickVehicle]!]!;
      for (let i = 0; i < P; i++) if (active[i] && rep >= 0) evaluate(i, rep);
    }
    for (let i = 0; i < P; i++) if (active[i]) evaluate(i, pickVehicle);
  }
}

/**
 * Opens a route, then inserts greedily: one pending visit (picked at random) goes alone into an empty
 * vehicle that can serve it, and the rest follow in random order, each at its cheapest place, the new
 * route included. Greedy and regret insertion almost never open a route (an empty vehicle costs the
 * trip out and back, more than any place in a long route with wide windows), so a search that has
 * fallen to too few routes stays there: on R211, runs that ended with 3 routes were 5–7 % above the
 * best known, runs with 4 under 1 %.
 */
export function newRouteInsert(sol: Solution, pending: number[], rng: Random, blink = 0): void {
  const inst = sol.inst;
  const V = inst.vehicles.length;
  if (pending.length > 0) {
    const at = rng.int(pending.length);
    const u = pending[at]!;
    for (let k = 0; k < V; k++) {
      if (sol.routes[k]!.visits.length !== 0 || !inst.canServe[u * V + k]) continue;
      if (bestInRoute(sol, u, k, undefined, 0) < Infinity) {
        sol.insert(u, k, 0);
        pending.splice(at, 1);
      }
      break;
    }
  }
  greedyInsert(sol, rng.shuffle(pending), rng, blink);
}
