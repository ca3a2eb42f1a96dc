/**
 * One search trajectory: local search on the start, then ALNS with the
 * route pool, recombining the pool by set partitioning at a few
 * checkpoints (every ~20 % of the budget) and restarting from its answer
 * when it is better. planRoutes runs one trajectory per thread, each with
 * its own seed, and merges their pools at the end (Pillac, Guéret &
 * Medaglia 2013: parallel ALNS, then set covering over the routes found).
 */
import type { Highs } from 'highs';
import { improveSolution, type Checkpoints, type SearchStats } from './alns.js';
import type { Clock } from './clock.js';
import { polishSolution } from './polish.js';
import { Random } from './prng.js';
import { RoutePool } from './routePool.js';
import { recombineRoutes } from './setPartitioning.js';
import type { Solution } from './solution.js';
import { decompositionRound, DECOMPOSE_FROM } from './decomposition.js';
import { LONG_ROUTE_VISITS } from './insertion.js';

export interface TrajectoryOptions {
  seed: number;
  clock: Clock;
  /** On `clock`. */
  startedAt: number;
  deadline: number;
  maxIterations: number;
  /** Loaded HiGHS, or undefined for no set partitioning during the search. */
  highs: Highs | undefined;
  /** Most pool routes handed to each checkpoint's MIP. */
  checkpointColumns: number;
}

export interface TrajectoryResult {
  best: Solution;
  pool: RoutePool;
  stats: SearchStats & {
    checkpointImprovements: number;
    /** Decomposition rounds run (large instances), subproblems solved, and those that improved the best. */
    decomposition: { rounds: number; subproblems: number; improved: number };
  };
}

/** Checkpoint MIPs: short, since they run several times; the final one gets the reserved share. */
const CHECKPOINTS = 4;
/** Large instances: decomposition rounds, and the share of the search budget they take together. */
const DECOMPOSE_ROUNDS = 5;
const DECOMPOSE_SHARE = 0.5;
/** Iterations per subproblem in runs bounded by iterations (which must repeat exactly). */
const SUBPROBLEM_ITERATIONS = 2000;
/**
 * Subproblems start from good routes: a start at one typical arc beat 0.3 and 3 on rc1_10_1 (3 rounds of
 * 2,000 iterations per subproblem between 3,000 of the whole: 47,675 against 47,809 and 48,005).
 */
const SUBPROBLEM_TEMPERATURE_ARCS = 1;

export function runTrajectory(start: Solution, options: TrajectoryOptions): TrajectoryResult {
  const rng = new Random(options.seed);
  const sol = start.clone();
  polishSolution(sol, rng, { neighbours: 12, maxPasses: 50 });
  const pool = new RoutePool();
  let checkpointImprovements = 0;
  const budgetMs = options.deadline - options.startedAt;
  const highs = options.highs;
  const mip = (best: Solution): Solution | undefined => {
    if (highs === undefined || pool.size === 0) return undefined;
    // 50–300 ms: enough for HiGHS on a few hundred columns, a small share of the budget. Runs bounded by
    // iterations (which must repeat exactly) give it more room, so its time limit is not what stops it.
    const limitMs = Number.isFinite(options.maxIterations)
      ? 5000
      : Math.min(300, Math.max(50, 0.03 * budgetMs));
    const limitS = options.clock.wallSeconds(limitMs);
    const sp = recombineRoutes(highs, best.inst, best, pool.best(options.checkpointColumns), limitS);
    if (!sp.improved) return undefined;
    polishSolution(sp.solution, rng, { neighbours: 12, maxPasses: 20 });
    pool.add(sp.solution);
    checkpointImprovements++;
    return sp.solution;
  };
  let checkpoints: Checkpoints | undefined =
    highs === undefined ? undefined : { count: CHECKPOINTS, run: mip };
  const decomposition = { rounds: 0, subproblems: 0, improved: 0 };
  if (sol.inst.visitCount >= DECOMPOSE_FROM) {
    // Large instances: each checkpoint first solves the subproblems of the best solution in turn (a
    // DECOMPOSE_SHARE of the budget over all rounds), then recombines the pool.
    const roundMs = (DECOMPOSE_SHARE * budgetMs) / DECOMPOSE_ROUNDS;
    checkpoints = {
      count: DECOMPOSE_ROUNDS,
      run: (best) => {
        const work = best.clone();
        // Subproblems polish new bests through infeasible space where routes are long (r2/rc2-like: 3–4
        // routes of ~50 visits a subproblem), feasible-only where they are short (see LONG_ROUTE_VISITS).
        const penalisedPolish = work.servedPerRoute() >= LONG_ROUTE_VISITS;
        const round = decompositionRound(work, rng, (i, n) => {
          if (Number.isFinite(options.maxIterations))
            return {
              deadline: Infinity,
              startedAt: 0,
              maxIterations: SUBPROBLEM_ITERATIONS,
              now: options.clock.now,
              startTemperatureArcs: SUBPROBLEM_TEMPERATURE_ARCS,
              penalisedPolish,
            };
          const now = options.clock.now();
          return {
            deadline: Math.min(options.deadline, now + roundMs / n),
            startedAt: now,
            maxIterations: Infinity,
            now: options.clock.now,
            startTemperatureArcs: SUBPROBLEM_TEMPERATURE_ARCS,
            penalisedPolish,
          };
        });
        decomposition.rounds++;
        decomposition.subproblems += round.subproblems;
        decomposition.improved += round.improved;
        if (round.improved > 0) pool.add(work);
        const recombined = mip(work);
        const out = recombined !== undefined && recombined.cost() < work.cost() ? recombined : work;
        return out.cost() < best.cost() ? out : undefined;
      },
    };
  }
  const searched = improveSolution(
    sol,
    rng,
    {
      deadline: options.deadline,
      startedAt: options.startedAt,
      maxIterations: options.maxIterations,
      now: options.clock.now,
    },
    pool,
    checkpoints,
  );
  return { best: searched.best, pool, stats: { ...searched.stats, checkpointImprovements, decomposition } };
}

/** Seed of trajectory `index` (0 = the caller's seed): distinct, and the same for the same seed and index. */
export function trajectorySeed(seed: number, index: number): number {
  return index === 0 ? seed : (Math.imul(seed | 0, 31) + 0x632be5ab * index) | 0;
}
