/**
 * Decomposition for large instances (Santini, Schneider, Vidal & Vigo 2023): the routes of the best
 * solution are ordered by the polar angle of their barycentre around the technicians' mean start, cut
 * into groups of consecutive routes holding about SUBPROBLEM_VISITS visits, and each group is solved in
 * turn as a problem of its own (its visits, its routes' vehicles and one empty vehicle), by the same
 * ALNS. A group's new routes replace the old ones when the whole solution, costed in the full
 * instance, gets cheaper. A random first route moves the cuts from one round to the next.
 *
 * Why: at 1000 visits an ALNS iteration changes a few routes out of a hundred, so the annealing
 * schedule of the whole search is far too short for any one region; a subproblem of ~150 visits gets
 * its own full schedule, and its neighbour lists, route scans and solution copies are small.
 *
 * Tried and left out: the subproblems' pooled routes (up to 2,000 each, mapped to full-instance indices,
 * costed there, ranked as if their solution were set into the best) added to the trajectory's pool for
 * the checkpoint and final MIPs. r1_10_1 + rc1_10_1, 20 s of CPU, 1 thread: seed 1 +3.19 → +2.98 %,
 * seed 2 +2.67 → +3.10 % (the larger pool also made each MIP slower); not proven either way.
 */
import type { Problem, Technician } from '../problem.js';
import { improveSolution, type SearchLimits } from './alns.js';
import { decodeRoutes, decodeSolution, encodeRoutes, type Cooperation } from './cooperation.js';
import { compileInstance, type Instance } from './instance.js';
import type { Random } from './prng.js';
import { Solution } from './solution.js';

/** From this many visits on, the trajectory decomposes (below, the whole-instance search does well). */
export const DECOMPOSE_FROM = 600;
/** Visits per subproblem: 100–200 in the literature; big enough to rebuild routes, small enough to be fast. */
export const SUBPROBLEM_VISITS = 150;

const EPS = 1e-7;

export interface DecompositionRound {
  /** Subproblems solved. */
  subproblems: number;
  /** Those whose routes replaced the old ones. */
  improved: number;
  /** ALNS iterations over all its subproblems (the whole-instance search counts its own apart). */
  iterations: number;
}

/**
 * One round: every group of routes of `best` is solved in turn (each for its share of `limits`); `best`
 * is updated in place. `subLimits(i, n)` gives the i-th of n subproblems its limits.
 */
export function decompositionRound(
  best: Solution,
  rng: Random,
  subLimits: (index: number, count: number) => SearchLimits,
  groupVisits = SUBPROBLEM_VISITS,
): DecompositionRound {
  const groups = routeGroups(best, rng, groupVisits);
  let improved = 0;
  let iterations = 0;
  groups.forEach((vehicles, i) => {
    const limits = subLimits(i, groups.length);
    const solved = solveGroup(best, vehicles, rng, limits);
    iterations += solved.iterations;
    if (solved.improved) improved++;
  });
  return { subproblems: groups.length, improved, iterations };
}

/** Groups of used vehicles (full-instance indices), consecutive by barycentre angle. */
export function routeGroups(sol: Solution, rng: Random, groupVisits = SUBPROBLEM_VISITS): number[][] {
  const inst = sol.inst;
  const techs = inst.problem.technicians;
  let cx = 0;
  let cy = 0;
  for (const t of techs) {
    cx += t.start.lon;
    cy += t.start.lat;
  }
  cx /= Math.max(1, techs.length);
  cy /= Math.max(1, techs.length);
  const used: { k: number; angle: number }[] = [];
  for (const r of sol.routes) {
    if (r.visits.length === 0) continue;
    let x = 0;
    let y = 0;
    for (const u of r.visits) {
      x += inst.problem.visits[u]!.place.lon;
      y += inst.problem.visits[u]!.place.lat;
    }
    const angle = Math.atan2(y / r.visits.length - cy, x / r.visits.length - cx);
    used.push({ k: r.vehicle, angle: Number.isFinite(angle) ? angle : 0 });
  }
  used.sort((a, b) => a.angle - b.angle || a.k - b.k);
  const groups: number[][] = [];
  if (used.length === 0) return groups;
  const first = rng.int(used.length);
  let group: number[] = [];
  let size = 0;
  for (let i = 0; i < used.length; i++) {
    const k = used[(first + i) % used.length]!.k;
    group.push(k);
    size += sol.routes[k]!.visits.length;
    if (size >= groupVisits) {
      groups.push(group);
      group = [];
      size = 0;
    }
  }
  // A small remainder joins the last group rather than being solved alone.
  if (group.length > 0) {
    if (groups.length > 0 && size < groupVisits / 2) groups[groups.length - 1]!.push(...group);
    else groups.push(group);
  }
  return groups;
}

/** The subproblem of `vehicles`' routes: its instance and the maps back to the full instance. */
export interface Subproblem {
  inst: Instance;
  /** Sub-instance visit index → full visit index. */
  visitOf: Int32Array;
  /** Sub-instance vehicle index → full vehicle index. */
  vehicleOf: Int32Array;
}

/**
 * An empty vehicle of the class of `vehicles`' first, not among them nor already `taken` (which it then
 * joins), so the subproblem may open a route; -1 if none.
 */
function spareVehicle(sol: Solution, vehicles: readonly number[], taken?: Uint8Array): number {
  const inst = sol.inst;
  const cls = inst.vehicleClass[vehicles[0]!]!;
  for (let k = 0; k < inst.vehicles.length; k++) {
    if (taken?.[k] || sol.routes[k]!.visits.length > 0 || inst.vehicleClass[k] !== cls) continue;
    if (vehicles.includes(k)) continue;
    if (taken) taken[k] = 1;
    return k;
  }
  return -1;
}

export function subproblem(
  full: Instance,
  sol: Solution,
  vehicles: readonly number[],
  spare: number | undefined = spareVehicle(sol, vehicles),
): Subproblem {
  const problem = full.problem;
  const chosen = new Set(vehicles);
  // One empty vehicle of the first group vehicle's class, so the subproblem may open a route.
  if (spare !== undefined && spare >= 0) chosen.add(spare);
  const visitList: number[] = [];
  for (const k of vehicles) visitList.push(...sol.routes[k]!.visits);
  visitList.sort((a, b) => a - b);
  // Technicians keep their identity (id, places, skills); only the chosen shifts remain.
  const shiftsOf = new Map<number, Set<string>>();
  for (const k of chosen) {
    const v = full.vehicles[k]!;
    const set = shiftsOf.get(v.technicianIndex) ?? new Set<string>();
    set.add(v.shiftId);
    shiftsOf.set(v.technicianIndex, set);
  }
  const technicians: Technician[] = [];
  for (const [ti, shifts] of [...shiftsOf].sort((a, b) => a[0] - b[0])) {
    const t = problem.technicians[ti]!;
    technicians.push({ ...t, shifts: t.shifts.filter((s) => shifts.has(s.id)) });
  }
  const sub: Problem = {
    technicians,
    visits: visitList.map((u) => problem.visits[u]!),
    travel: problem.travel,
  };
  const inst = compileInstance(sub, full.stability);
  const fullVehicle = new Map(full.vehicles.map((v) => [`${v.technicianId}\u0000${v.shiftId}`, v.index]));
  const vehicleOf = Int32Array.from(inst.vehicles, (v) =>
    fullVehicle.get(`${v.technicianId}\u0000${v.shiftId}`)!,
  );
  return { inst, visitOf: Int32Array.from(visitList), vehicleOf };
}

/** Solves one group and writes its routes into `best` if the whole gets cheaper. */
function solveGroup(
  best: Solution,
  vehicles: readonly number[],
  rng: Random,
  limits: SearchLimits,
): { improved: boolean; iterations: number } {
  const solved = solveSubproblem(best, vehicles, undefined, rng, limits);
  const improved = solved.routes !== undefined && applyGroup(best, solved.vehicles, solved.routes);
  return { improved, iterations: solved.iterations };
}

/** A group's subproblem solved from `best`: its vehicles (full indices) and, when it got cheaper, their new routes. */
interface SolvedGroup {
  vehicles: Int32Array;
  routes: number[][] | undefined;
  iterations: number;
}

function solveSubproblem(
  best: Solution,
  vehicles: readonly number[],
  spare: number | undefined,
  rng: Random,
  limits: SearchLimits,
): SolvedGroup {
  const sp = subproblem(best.inst, best, vehicles, spare);
  const subIndex = new Map<number, number>();
  sp.visitOf.forEach((u, i) => subIndex.set(u, i));
  const start = new Solution(sp.inst);
  sp.vehicleOf.forEach((k, j) => {
    const visits = best.routes[k]!.visits;
    if (visits.length > 0)
      start.setRoute(
        j,
        visits.map((u) => subIndex.get(u)!),
      );
  });
  start.syncUnassigned();
  const startCost = start.cost();
  const { best: solved, stats } = improveSolution(start, rng, limits, undefined);
  const routes =
    solved.cost() < startCost - EPS
      ? solved.routes.map((r) => Array.from(r.visits, (x) => sp.visitOf[x]!))
      : undefined;
  return { vehicles: sp.vehicleOf, routes, iterations: stats.iterations };
}

/**
 * Gives `vehicles` the new `routes` in `best` (in place) when the whole gets cheaper; whether it did. The
 * sub-instance may cost some things differently (stability ties to technicians left out): the full
 * instance decides.
 */
function applyGroup(best: Solution, vehicles: Int32Array, routes: readonly number[][]): boolean {
  const candidate = best.clone();
  // Emptied first: a visit may move between the group's routes, and setRoute clears the old route's visits.
  for (const k of vehicles) candidate.setRoute(k, []);
  vehicles.forEach((k, j) => candidate.setRoute(k, routes[j]!.slice()));
  candidate.syncUnassigned();
  if (!(candidate.cost() < best.cost() - EPS)) return false;
  best.syncFrom(candidate);
  best.touched.fill(1);
  return true;
}

/**
 * One round solved side by side by the trajectories of a planRoutes call (threads > 1, large instances).
 * They meet twice (`cooperation`, meetings `meeting` and `meeting + 1`): first each shows its best and all
 * go on from the cheapest (ties to the lowest trajectory); then, having cut it into the same groups
 * (`shared`, seeded alike in every trajectory) and each solved every n-th group (each for an even share
 * of what `limits` leaves), they show each other the groups that got cheaper, and every trajectory writes
 * them in group order into the same start. So all end the round with the same solution, in `best`
 * (in place), and a round gets as many subproblems solved as one trajectory would in twice the time.
 *
 * Why: at 1000 visits the second thread's own trajectory added little (its best is one more column
 * source for the final set partitioning, which rarely improves there), while time in the subproblems is
 * what moves the result: r1_10_1, 1 thread, seed 1, CPU clock: 60 s +1.945 %, 120 s +1.532 %. Homberger
 * 1000, 60 s of CPU, 2 threads, seed 1, main's two trajectories against these shared rounds (run side by
 * side at load 12–25): r1_10_1 +1.828 → +1.589 %, r1_10_6 +1.626 → +1.543 %, rc1_10_1 +1.326 →
 * +1.353 %, rc1_10_3 +1.890 → +1.527 % (mean −0.16 points; single runs move ±0.25).
 *
 * A trajectory found missing at a meeting ends the cooperation (see Cooperation): this round's groups
 * it was to solve stay as they were, and later rounds are solved alone.
 */
export function cooperativeRound(
  best: Solution,
  cooperation: Cooperation,
  meeting: number,
  shared: Random,
  rng: Random,
  limits: (ownLeft: number) => SearchLimits,
  waitMs: number,
  groupVisits = SUBPROBLEM_VISITS,
): DecompositionRound & { from: number } {
  const inst = best.inst;
  const bests = cooperation.meet(meeting, encodeRoutes(best.routes), waitMs);
  let from = cooperation.index;
  bests.forEach((data, t) => {
    if (data === undefined || t === cooperation.index) return;
    const theirs = decodeSolution(inst, data);
    if (theirs === undefined) return;
    const c = theirs.cost();
    const mine = best.cost();
    if (c < mine - EPS || (Math.abs(c - mine) <= EPS && t < from)) {
      best.syncFrom(theirs);
      best.touched.fill(1);
      from = t;
    }
  });
  const present = bests.flatMap((data, t) => (data === undefined ? [] : [t]));
  const seat = present.indexOf(cooperation.index);

  const groups = routeGroups(best, shared, groupVisits);
  // A spare each, none shared: groups solved apart must not open the same empty vehicle.
  const taken = new Uint8Array(inst.vehicles.length);
  const spares = groups.map((vehicles) => spareVehicle(best, vehicles, taken));
  const own = groups.flatMap((_, g) => (g % present.length === seat ? [g] : []));
  const results: number[] = [];
  let iterations = 0;
  own.forEach((g, i) => {
    const solved = solveSubproblem(best, groups[g]!, spares[g], rng, limits(own.length - i));
    iterations += solved.iterations;
    if (solved.routes === undefined) return;
    const encoded = encodeRoutes(solved.routes.map((visits) => ({ visits })));
    results.push(g, solved.vehicles.length, ...solved.vehicles, encoded.length, ...encoded);
  });

  const found = new Map<number, { vehicles: Int32Array; routes: number[][] }>();
  for (const data of cooperation.meet(meeting + 1, Int32Array.from(results), waitMs)) {
    if (data !== undefined) readResults(data, best, groups, found);
  }
  let improved = 0;
  for (let g = 0; g < groups.length; g++) {
    const r = found.get(g);
    if (r !== undefined && applyGroup(best, r.vehicles, r.routes)) improved++;
  }
  return { subproblems: own.length, improved, iterations, from };
}

/**
 * Reads one trajectory's group results (cooperativeRound's layout: group, vehicle count, vehicles, length,
 * encoded routes) into `found`, keeping only those that rearrange exactly their group's visits among
 * their group's vehicles and spare: anything else would take visits from routes outside the group.
 */
function readResults(
  data: Int32Array,
  best: Solution,
  groups: readonly number[][],
  found: Map<number, { vehicles: Int32Array; routes: number[][] }>,
): void {
  const inst = best.inst;
  let at = 0;
  while (at + 2 <= data.length) {
    const g = data[at]!;
    const n = data[at + 1]!;
    if (!(n >= 0 && at + 3 + n <= data.length)) return;
    const vehicles = data.slice(at + 2, at + 2 + n);
    const len = data[at + 2 + n]!;
    const start = at + 3 + n;
    if (!(len >= 0 && start + len <= data.length)) return;
    at = start + len;
    const group = groups[g];
    const routes = decodeRoutes(data.subarray(start, start + len), n, inst.visitCount);
    if (group === undefined || routes === undefined || found.has(g)) continue;
    const allowed = new Set(vehicles);
    if (!group.every((k) => allowed.has(k)) || vehicles.some((k) => !(k >= 0 && k < inst.vehicles.length)))
      continue;
    let before = 0;
    for (const k of group) before += best.routes[k]!.visits.length;
    let after = 0;
    let fits = true;
    for (const visits of routes) {
      after += visits.length;
      for (const u of visits) if (!allowed.has(best.routeOf[u]!)) fits = false;
    }
    for (const k of vehicles) if (!group.includes(k) && best.routes[k]!.visits.length > 0) fits = false;
    if (fits && after === before) found.set(g, { vehicles, routes });
  }
}
