/**
 * Local search for a finished solution, whichever fits the instance: through
 * infeasible space (penalisedSearch.ts) where route costs are sums of arcs
 * and the instance is below GRANULAR_FROM visits, feasible-only
 * (localSearch.ts) where breaks, overtime or stability terms make costs
 * otherwise, or where the penalised search costs large instances too many
 * iterations (see alns.ts). The penalised search and its adaptive weights
 * live as long as the instance, so every polish of one run shares what the
 * weights learnt. Tried and left out: 20 neighbours per visit instead of 12
 * for the penalised search (14 hard Solomon instances, 2 s of CPU: 0.96/1.38 %
 * against 1.22/1.21 % at seeds 1/2, within the noise of one R211 run).
 */
import type { Instance } from './instance.js';
import { GRANULAR_FROM } from './insertion.js';
import { localSearch, type LocalSearchOptions } from './localSearch.js';
import { educate, PenalisedSearch, PenaltyWeights } from './penalisedSearch.js';
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
    educate(sol, p.search, p.weights, rng, options.neighbours, options.maxPasses);
  } else localSearch(sol, rng, options);
}
