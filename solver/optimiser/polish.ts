/**
 * Local search for a finished solution, whichever fits the instance: through
 * infeasible space (penalisedSearch.ts) where route costs are sums of arcs
 * and the instance is below GRANULAR_FROM visits, feasible-only
 * (localSearch.ts) where breaks, overtime or stability terms make costs
 * otherwise, or where the penalised search costs large instances too many
 * iterations (see alns.ts). A penalised search that cannot end feasible
 * hands over to the feasible-only one (polishPenalised). The penalised
 * search and its adaptive weights live as long as the instance, so every
 * polish of one run shares what the weights learnt.
 *
 * Tried and left out: 20 neighbours per visit instead of 12 for the
 * penalised search (14 hard Solomon instances, 2 s of CPU: 0.96/1.38 %
 * against 1.22/1.21 % at seeds 1/2, within the noise of one R211 run);
 * weights adapted after every search instead of every 40, since a 2 s run
 * educates only 10–20 solutions (8,000 iterations, one thread, seeds 1–6 of
 * RC208, RC207, R206, RC206, RC103: mean +1.62 → +1.55 %, RC103 +2.24 →
 * +2.82 %).
 */
import type { Instance } from './instance.js';
import { GRANULAR_FROM } from './insertion.js';
import { localSearch, type LocalSearchOptions } from './localSearch.js';
import { educate, PenalisedSearch, PenaltyWeights, type PenalisedSearchStats } from './penalisedSearch.js';
import type { Random } from './prng.js';
import type { Solution } from './solution.js';

interface Penalised {
  search: PenalisedSearch;
  weights: PenaltyWeights;
}

const byInstance = new WeakMap<Instance, Penalised>();

/** Whether polishSolution searches through infeasible space on this instance. */
export function polishesPenalised(inst: Instance): boolean {
  return inst.arcCost && inst.visitCount < GRANULAR_FROM;
}

function penalisedFor(inst: Instance): Penalised {
  let p = byInstance.get(inst);
  if (p === undefined) {
    p = { search: new PenalisedSearch(inst), weights: new PenaltyWeights(inst) };
    byInstance.set(inst, p);
  }
  return p;
}

/**
 * Improves `sol` in place. `penalised: false` keeps to the feasible-only search (options.routes
 * applies to that one only).
 */
export function polishSolution(
  sol: Solution,
  rng: Random,
  options: LocalSearchOptions,
  penalised = true,
): void {
  if (penalised && polishesPenalised(sol.inst)) {
    const p = penalisedFor(sol.inst);
    polishPenalised(sol, p.search, p.weights, rng, options);
  } else localSearch(sol, rng, options);
}

/**
 * The penalised search, then the feasible-only one when the penalised search's result was not written
 * back (it ended infeasible even after its repair, or cost no less). Without it such a solution stayed
 * unpolished: on RC1 instances at 2 s most new bests did (RC103, one thread: 14 of 17; RC107 3 of 7),
 * because a run educates only its 10–20 new bests, too few for the weights to adapt from their start.
 * Solomon, 8,000 iterations, one thread, seeds 1–6 (RC208, RC207, R206, RC206, RC103): mean gap
 * +1.62 → +1.41 %, worst +7.75 → +3.95 %; RC103 better at 5 of 6 seeds (mean +2.24 → +1.66 %).
 */
export function polishPenalised(
  sol: Solution,
  search: PenalisedSearch,
  weights: PenaltyWeights,
  rng: Random,
  options: LocalSearchOptions,
): PenalisedSearchStats {
  const stats = educate(sol, search, weights, rng, options.neighbours, options.maxPasses);
  if (!stats.applied) localSearch(sol, rng, options);
  return stats;
}
