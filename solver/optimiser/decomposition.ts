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

export function subproblem(full: Instance, sol: Solution, vehicles: readonly number[]): Subproblem {
  const problem = full.problem;
  const chosen = new Set(vehicles);
  // One empty vehicle of the first group vehicle's class, so the subproblem may open a route.
  const cls = full.vehicleClass[vehicles[0]!]!;
  for (let k = 0; k < full.vehicles.length; k++) {
    if (!chosen.has(k) && sol.routes[k]!.visits.length === 0 && full.vehicleClass[k] === cls) {
      chosen.add(k);
      break;
    }
  }
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
  const full = best.inst;
  const sp = subproblem(full, best, vehicles);
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
  const iterations = stats.iterations;
  if (!(solved.cost() < startCost - EPS)) return { improved: false, iterations };
  const candidate = best.clone();
  // Emptied first: a visit may move between the group's routes, and setRoute clears the old route's visits.
  for (const k of sp.vehicleOf) candidate.setRoute(k, []);
  sp.vehicleOf.forEach((k, j) =>
    candidate.setRoute(
      k,
      Array.from(solved.routes[j]!.visits, (x) => sp.visitOf[x]!),
    ),
  );
  candidate.syncUnassigned();
  // The sub-instance may cost some things differently (stability ties to technicians left out): the
  // full instance decides.
  if (!(candidate.cost() < best.cost() - EPS)) return { improved: false, iterations };
  best.syncFrom(candidate);
  best.touched.fill(1);
  return { improved: true, iterations };
}
