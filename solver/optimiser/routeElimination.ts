/**
 * Route elimination (after Nagata & Bräysy 2009's route minimisation, without its ejection pool): one
 * route of the solution is emptied, its visits go to their cheapest places in the other routes even where
 * that overloads one or breaks a window, and the search through infeasible space (penalisedSearch.ts),
 * forbidden to open a route, trades the excess away with ever heavier penalties until every route holds.
 *
 * Why: where the vehicles' capacity binds (Homberger r2_10_4: 18,118 units of demand for vehicles of
 * 1,000, so at least 19 routes, which the best known plan uses), a plan with a route more pays its two
 * trips to and from the depot, yet no search that keeps every route feasible leaves it: a route's visits
 * fit in the others only once the others have made room, and each step of that is uphill.
 *
 * Probed on one thread (a trajectory of 20 s of CPU, its best squeezed, then 15 s of the whole-instance
 * ALNS from each): c1_10_10 94 → 92 routes at +0.12 %, then 40,681 against 40,832 for the best left as it
 * was; rc2_10_4 19 → 18 routes at +2.9 %, then 16,661 against 16,572 (hence trajectory.ts's slack); r1_10_1
 * (tight windows) could not be squeezed. Tried and left out: a visit taken off a broken route barred from
 * going back to it (an ejection chain): c1_10_10, three seeds, the same one route taken away, then none.
 */
import { PenalisedSearch, PenaltyWeights } from './penalisedSearch.js';
import type { Instance } from './instance.js';
import type { Random } from './prng.js';
import type { Solution } from './solution.js';

/** Heavier and heavier penalties until the squeezed routes hold (then the search has traded the excess away). */
const PENALTY_FACTORS = [1, 10, 100, 1000];
/** Then, while some route still breaks: its costliest visit goes to the best place anywhere, and search again. */
const EJECTION_ROUNDS = 8;

/** Fewest routes the visits' demand needs in the largest vehicles; undefined where capacity is unbounded. */
export function capacityRoutes(inst: Instance): number | undefined {
  let demand = 0;
  for (let u = 0; u < inst.visitCount; u++) demand += inst.demand[u]!;
  let capacity = 0;
  for (const v of inst.vehicles) capacity = Math.max(capacity, v.capacity);
  if (!(capacity > 0) || !Number.isFinite(capacity)) return undefined;
  return Math.max(1, Math.ceil(demand / capacity - 1e-9));
}

/**
 * `sol` with one route fewer, every route feasible, or undefined when the squeeze could not make every
 * route hold. The route emptied is one of the three with the least load (the rng picks, lighter first).
 */
export function eliminateRoute(
  sol: Solution,
  rng: Random,
  options: { neighbours?: number; maxPasses?: number } = {},
): Solution | undefined {
  const inst = sol.inst;
  if (!inst.arcCost) return undefined;
  const used: { k: number; load: number }[] = [];
  for (const r of sol.routes) {
    if (r.visits.length === 0) continue;
    let load = 0;
    for (const u of r.visits) load += inst.demand[u]!;
    used.push({ k: r.vehicle, load });
  }
  if (used.length < 2) return undefined;
  used.sort((a, b) => a.load - b.load || a.k - b.k);
  const emptied = used[Math.floor(rng.next() ** 2 * Math.min(3, used.length))]!.k;

  const search = new PenalisedSearch(inst);
  const weights = new PenaltyWeights(inst);
  search.loadFrom(sol);
  // The largest demands first: they have the fewest places left.
  const visits = search.emptyRoute(emptied).sort((a, b) => inst.demand[b]! - inst.demand[a]! || a - b);
  if (!search.insertIntoUsed(visits, weights.warp, weights.load)) return undefined;
  const neighbours = options.neighbours ?? 12;
  const maxPasses = options.maxPasses ?? 50;
  let holds = false;
  for (let round = 0; round <= EJECTION_ROUNDS && !holds; round++) {
    let since = -1;
    if (round > 0) {
      const big = PENALTY_FACTORS.at(-1)!;
      since = search.stamp;
      const out = search.ejectFromBroken(weights.warp * big, weights.load * big);
      if (!search.insertIntoUsed(out, weights.warp * big, weights.load * big)) return undefined;
    }
    for (const factor of round === 0 ? PENALTY_FACTORS : PENALTY_FACTORS.slice(-1)) {
      search.run(rng, neighbours, maxPasses, weights.warp * factor, weights.load * factor, since, false);
      const state = search.feasibility();
      if ((holds = state.warpFree && state.loadFree)) break;
    }
  }
  if (!holds) return undefined;
  const out = sol.clone();
  // Whatever it costs (the caller weighs it); the exact schedule has the last word on each changed route.
  if (!search.writeTo(out, false)) return undefined;
  return out;
}
