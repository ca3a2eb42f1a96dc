/**
 * One search trajectory: local search on the start, then ALNS with the
 * route pool, recombining the pool by set partitioning at a few
 * checkpoints (every ~20 % of the budget) and restarting from its answer
 * when it is better. planRoutes runs one trajectory per thread, each with
 * its own seed, and merges their pools at the end (Pillac, Guéret &
 * Medaglia 2013: parallel ALNS, then set covering over the routes found).
 */
import type { Highs } from 'highs';
import { improveSolution, type Checkpoints, type SearchLimits, type SearchStats } from './alns.js';
import type { Clock } from './clock.js';
import { polishSolution } from './polish.js';
import { Random } from './prng.js';
import { RoutePool } from './routePool.js';
import { recombineRoutes } from './setPartitioning.js';
import type { Solution } from './solution.js';
import type { Cooperation } from './cooperation.js';
import {
  cooperativeRound,
  decompositionRound,
  DECOMPOSE_FROM,
  type DecompositionRound,
} from './decomposition.js';
import type { Exchange } from './exchange.js';
import { GRANULAR_FROM, LONG_ROUTE_VISITS } from './insertion.js';
import { capacityRoutes, eliminateRoute } from './routeElimination.js';

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
  /** Bests shown to the other trajectories at EXCHANGE_AT (threads > 1, below GRANULAR_FROM visits). */
  exchange?: Exchange;
  /**
   * From DECOMPOSE_FROM visits with threads: the trajectories solve each decomposition round's subproblems
   * side by side (decomposition.ts, cooperativeRound); `seed` is the same in all of them, so they cut
   * their common start into the same groups.
   */
  cooperation?: { channel: Cooperation; seed: number };
}

export interface TrajectoryResult {
  best: Solution;
  pool: RoutePool;
  stats: SearchStats & {
    checkpointImprovements: number;
    /**
     * Decomposition rounds run (large instances), subproblems solved here, those that improved the best,
     * their iterations, and the rounds solved side by side with other trajectories.
     */
    decomposition: {
      rounds: number;
      subproblems: number;
      improved: number;
      iterations: number;
      together: number;
      /** Rounds that started from the best with one route taken away (see SQUEEZE_SLACK). */
      eliminated: number;
    };
    /** Route-count probes run (small instances, see routeCountProbe), those whose answer became the best, their iterations. */
    probes: { runs: number; improved: number; iterations: number };
    /** Other trajectories' bests taken in at the exchange (long routes), and whether this one went on from one. */
    exchange: { received: number; adopted: number };
  };
}

/** Checkpoint MIPs: short, since they run several times; the final one gets the reserved share. */
const CHECKPOINTS = 4;
/**
 * Route-count probes (below GRANULAR_FROM visits): at these checkpoints (1-based, of CHECKPOINTS), each
 * for PROBE_SHARE of the search budget, starting at PROBE_TEMPERATURE_ARCS. Tuned on the 9 hard Solomon
 * instances (R206–R211, RC202, RC206–RC208) at 2 s of CPU, 2 threads, seeds 1–3 (load 11–14): before,
 * mean 1.36 % (worst 6.01 / 3.03 / 11.53 %); probes at checkpoints 1 and 3, 10 % each: 0.61 % (worst
 * 2.08 / 2.03 / 1.91 %); at 1, 2 and 3: 0.65 % (worst 0.94 / 1.65 / 3.19 %); at 1 and 3 with 15 %
 * each: 0.77 % (worst 2.23 / 3.01 / 2.69 %).
 */
const PROBE_AT = [1, 3];
/**
 * Only where routes are long (R2, RC2, C2: 11–33 visits a route on Solomon): there opening a route costs
 * more than any place in the open ones, which is the trap. Short routes with tight windows (R1, RC1, C1:
 * 5–10 a route) open routes readily and gained nothing from probes (full 56, seed 1, 2 threads, load
 * 6–15: R1 +0.27 / RC1 +0.61 % probed, +0.26 / +0.65 % not), so they keep the whole budget for the
 * search; so do planner days, whose routes are short.
 */
const PROBE_FROM_VISITS_PER_ROUTE = 11;
const PROBE_SHARE = 0.1;
/** A route counts towards the probe's floor from this share of the best's visits per route (see routeCountProbe). */
const PROBE_MIN_ROUTE_SHARE = 0.5;
const PROBE_TEMPERATURE_ARCS = 1;
/**
 * With threads, at this checkpoint (1-based, of CHECKPOINTS: 40 % of the search) the trajectories show
 * each other their bests. Where routes are long (PROBE_FROM_VISITS_PER_ROUTE) each takes the others'
 * routes into its pool, and one whose best uses as many routes as a cheaper one of another's goes on from
 * that one. Where they disagree on the route count each keeps its own, so the two threads still cover two
 * route counts (the 2 s tail is a trajectory stuck at the wrong count: R211 at 3 routes, RC208 at 5,
 * RC206 at 5 where the best known use 4, 4, 7); taking the cheaper whatever its count lost that (RC208,
 * seed 1: the helper's 4 routes at 802.6 gave way to main's 5 at 793.9, run ended at +1.35 %).
 * Solomon, 2 s of CPU, 2 threads, side by side with main at the same seed (load 7–31, so noisy):
 * - 16 hard instances (R104 R112 R203 R204 R206 R207 R209 R211 RC101 RC102 RC103 RC105 RC107 RC206 RC207
 *   RC208) × seeds 1–5, exchange on every route length: mean +0.697 → +0.576 % (paired −0.12 ± 0.10
 *   points), runs above +2 %: 7 → 3 of 80 (RC207 all three), above +1.5 %: 10 → 5, worst +3.35 → +2.32 %;
 *   the 9 long-route ones: mean +0.70 → +0.61 %, above +2 %: 6 → 3 of 45.
 * - all 56, seeds 1 and 2, on every route length: +0.242 / +0.268 % → +0.337 / +0.214 %, R2+RC2 better
 *   (+0.58 → +0.41 %) but R1+RC1 worse (RC1 +0.32 / +0.21 → +0.85 / +0.49 %); hence long routes only:
 *   +0.184 / +0.229 % against main +0.226 / +0.240 % run beside it (worst +1.52 / +2.15 % against +1.48 /
 *   +2.69 %), R2+RC2 +0.35 % against +0.45 %. Short routes share (no trajectory waits for nothing) but
 *   leave what comes.
 */
const EXCHANGE_AT = 2;
/**
 * Small instances of long routes (PROBE_FROM_VISITS_PER_ROUTE and more a route: Solomon R2, RC2, C2): the
 * annealing counts a bonus of ROUTE_BONUS_ARCS typical arcs per used route, fading to nothing at
 * ROUTE_BONUS_UNTIL of the search (alns.ts SearchLimits.routeBonusArcs; the best is always measured by
 * the true cost). Why: the regret start opens too few routes there (RC206 at 5 for 1,476.7, R206 at 3), and
 * a search that settles at too few routes rarely opens one, since opening costs more at first than any
 * place in the open routes; the 2 s tail was that trap (RC206 at 5–6 routes +0.85–2.5 %, at the best
 * known's 7 +0.0–0.3 %). With the bonus the first half wanders at higher counts, from where closing a
 * route (route removal, greedy repair) is easy, and the second half settles at the cheapest count.
 * Solomon, 2 s of CPU, 2 threads, interleaved with main (arms taking turns at each seed, nothing else
 * running, load 1.6–3.8, 0 % steal):
 * - the 12 hard long-route ones (R203 R204 R206–R211 RC202 RC206–RC208) × seeds 1–6: mean +0.483 % →
 *   +0.275 % (2 arcs) / +0.266 % (4 arcs), runs above +2 %: 3 → 2 / 0 of 72, worst +2.30 → +2.21 / +1.86 %;
 *   RC206 at 7 routes in 6 of 6 runs at 4 arcs (main: 0 of 6, +0.30–2.17 %);
 * - all 27 of R2, RC2, C2 × seeds 7–9: +0.188 → +0.158 % (4 arcs), worst +2.29 → +1.90 %; fading by 70 %
 *   of the search instead of 50 %: +0.187 %; 8 arcs: +0.259 % (RC208 and R209 settle a route too high);
 * - all 56 × seeds 1–6: mean +0.250 → +0.171 % (R2 +0.272 → +0.162, RC2 +0.728 → +0.285), runs above +2 %:
 *   7 → 0 of 336; every seed's worst at or below +2 % (main: 1 of 6).
 * Tried for short routes (R1, RC1), as a price per route instead (−2 / −4 arcs: RC103 ends at the best
 * known's 11 routes more often), R1 + RC1 × seeds 1–3: +0.198 / +0.249 % against main's +0.230 %, noise.
 */
const ROUTE_BONUS_ARCS = 4;
const ROUTE_BONUS_UNTIL = 0.5;
/** Longest wait for the other trajectories at the exchange (wall ms); see exchangeWaitMs. */
function exchangeWaitMs(options: TrajectoryOptions, budgetMs: number): number {
  // Runs bounded by iterations must repeat exactly: wait for the others however slow the machine.
  if (Number.isFinite(options.maxIterations)) return 60_000;
  // On the wall clock every trajectory reaches the checkpoint at about the same time (they share the
  // start); a helper still starting up is not worth more than a twentieth of the budget.
  if (options.clock.kind === 'wall') return Math.max(50, 0.05 * budgetMs);
  // On CPU clocks a helper runs its own budget from its own start, a start-up (~1 s of CPU) behind.
  return 5000 + 2 * budgetMs;
}
/** Large instances: decomposition rounds, and the share of the search budget they take together. */
const DECOMPOSE_ROUNDS = 5;
const DECOMPOSE_SHARE = 0.5;
/**
 * Large instances of short routes (under LONG_ROUTE_VISITS a route: Homberger r1/rc1/c1, ~10 visits a
 * route with tight windows) give the subproblems more of the budget, in more rounds of about the same
 * time per subproblem (~0.75 s at 60 s): a subproblem of ~15 routes is rebuilt far better by its own
 * search than by whole-instance iterations that change two or three routes of a hundred. Homberger 1000,
 * 60 s of CPU, 2 threads, pairs interleaved (gap %, 0.5 / 5 rounds → 0.8 / 8 rounds), load 3–8:
 * rc1_10_1 +1.775 → +1.598 (seed 1), +1.561 → +1.293 (seed 2); rc1_10_3 +1.643 → +1.385; r1_10_1 +1.902 →
 * +1.750 (seed 1), +1.670 → +1.918 (seed 2); r1_10_6 +1.563 → +1.499; c1_10_1 0.000 both. Mean of the six
 * r1/rc1 pairs −0.11 points (rc1 −0.23, r1 +0.01: r1 gains nothing proven).
 * Tried: 0.9 / 12 rounds (r1_10_1 +2.06 %, rc1_10_1 +1.41 % at seed 1); subproblems of 250 visits instead
 * of 150 (r1_10_1 +2.13, rc1_10_1 +1.61); the penalised polish in short-route subproblems (r1_10_1 +2.10,
 * rc1_10_1 +1.60): none clearly better, single runs of one instance move by ±0.25 points between seeds.
 */
const SHORT_ROUTE_DECOMPOSE_ROUNDS = 8;
const SHORT_ROUTE_DECOMPOSE_SHARE = 0.8;
/** Iterations per subproblem in runs bounded by iterations (which must repeat exactly). */
const SUBPROBLEM_ITERATIONS = 2000;
/**
 * Subproblems start from good routes: a start at one typical arc beat 0.3 and 3 on rc1_10_1 (3 rounds of
 * 2,000 iterations per subproblem between 3,000 of the whole: 47,675 against 47,809 and 48,005).
 */
const SUBPROBLEM_TEMPERATURE_ARCS = 1;
/**
 * Subproblems of long routes (LONG_ROUTE_VISITS and more a route: Homberger r2/rc2/c2, 3–4 routes of
 * ~50 visits a subproblem, much like a Solomon R2 instance) start at the whole search's 4 arcs, as tuned
 * on Solomon, not at 1. Homberger 1000, 60 s of CPU, 2 threads, seed 1, pairs interleaved (load 6–11):
 * r2_10_4 +6.32 → +4.76 %, r2_10_8 +4.08 → +4.24 %, rc2_10_8 +2.09 → +1.10 %, rc2_10_4 +4.15 → +3.98 %,
 * r2_10_1 −10.85 → −10.56 %, c2_10_5 +0.08 → +0.05 % (mean of the six −0.38 points).
 *
 * Tried and left out: the whole-instance search starting at 32 arcs instead of 4 on routes of 40 visits
 * and more (it looked good at 20 s, 1 thread: r2_10_8 +13.98 → +5.94 %, r2_10_4 ≈ +11–16 → +6.9 %, but
 * the 20 s runs of r2_10_4 alone spread over +11–16 %); at 60 s, 2 threads, seed 1: r2_10_4 +6.58 →
 * +5.19 %, r2_10_8 +4.15 → +4.63 %, rc2_10_8 +1.75 → +2.00 %. More of the budget to decomposition on
 * r2_10_4 at 20 s (share 0.85–0.95, 10–20 rounds) ended worse (+16.9–19.4 % against +11–13 %).
 */
const LONG_SUBPROBLEM_TEMPERATURE_ARCS = 4;
/**
 * Where the best uses more routes than the visits' demand needs (capacityRoutes), each decomposition round
 * first tries to take one route away (routeElimination.ts) and works on that solution when it costs at most
 * SQUEEZE_SLACK more than the best; after SQUEEZE_FAILURES failed tries the trajectory stops trying (on
 * tight windows the squeeze cannot make every route hold, and each try costs 0.1–0.3 s of a search).
 */
const SQUEEZE_SLACK = 0.005;
const SQUEEZE_FAILURES = 2;

/**
 * How decomposition subproblems of `sol` search: through infeasible space and from LONG_SUBPROBLEM_TEMPERATURE_ARCS
 * where routes are long (r2/rc2-like: 3–4 routes of ~50 visits a subproblem), feasible-only and from
 * SUBPROBLEM_TEMPERATURE_ARCS where they are short (see LONG_ROUTE_VISITS).
 */
function subproblemSearch(sol: Solution): { penalisedPolish: boolean; startTemperatureArcs: number } {
  const penalisedPolish = sol.servedPerRoute() >= LONG_ROUTE_VISITS;
  return {
    penalisedPolish,
    startTemperatureArcs: penalisedPolish ? LONG_SUBPROBLEM_TEMPERATURE_ARCS : SUBPROBLEM_TEMPERATURE_ARCS,
  };
}

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
    // HiGHS overruns its (wall) limit: at 2 s of CPU on a loaded host the four checkpoint MIPs took
    // 40–180 ms of CPU each against 53 ms (R206, R207, RC105), ~25 % of the budget. Still worth it: on
    // the 12 hardest Solomon instances (2 s, 2 threads, seed 2) limits × 0.4 gave +1.29 % against +0.86 %,
    // × 2 gave +0.84 %.
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
  const probes = { runs: 0, improved: 0, iterations: 0 };
  const exchange = { received: 0, adopted: 0 };
  let checkpointIndex = 0;
  // Small instances: at some checkpoints a route-count probe first (see routeCountProbe), then the MIP
  // over a pool that now holds the probe's routes too.
  const probing = sol.inst.visitCount < GRANULAR_FROM;
  const checkpointRun = (best: Solution): Solution | undefined => {
    checkpointIndex++;
    let out = best;
    if (options.exchange !== undefined && checkpointIndex === EXCHANGE_AT) {
      // Every trajectory shares (none waits for one that will not come); only long routes use what comes.
      const received = options.exchange.share(best, exchangeWaitMs(options, budgetMs));
      const use = best.servedPerRoute() >= PROBE_FROM_VISITS_PER_ROUTE;
      for (const theirs of use ? received : []) {
        exchange.received++;
        pool.add(theirs);
        if (theirs.usedVehicles() === best.usedVehicles() && theirs.cost() < out.cost() - 1e-9) out = theirs;
      }
      if (out !== best) exchange.adopted++;
    }
    if (probing && PROBE_AT.includes(checkpointIndex)) {
      const probed = routeCountProbe(out, rng, pool, options, budgetMs, probes);
      if (probed !== undefined) {
        probes.improved++;
        out = probed;
      }
    }
    return mip(out) ?? (out === best ? undefined : out);
  };
  let checkpoints: Checkpoints | undefined =
    highs === undefined ? undefined : { count: CHECKPOINTS, run: checkpointRun };
  const decomposition = { rounds: 0, subproblems: 0, improved: 0, iterations: 0, together: 0, eliminated: 0 };
  if (sol.inst.visitCount >= DECOMPOSE_FROM) {
    // Large instances: each checkpoint first solves the subproblems of the best solution in turn (a
    // DECOMPOSE_SHARE of the budget over all rounds, more where routes are short), then recombines the pool.
    const shortRoutes = sol.servedPerRoute() < LONG_ROUTE_VISITS;
    const rounds = shortRoutes ? SHORT_ROUTE_DECOMPOSE_ROUNDS : DECOMPOSE_ROUNDS;
    const share = shortRoutes ? SHORT_ROUTE_DECOMPOSE_SHARE : DECOMPOSE_SHARE;
    const roundMs = (share * budgetMs) / rounds;
    const fleet = capacityRoutes(sol.inst);
    let squeezeFailures = 0;
    checkpoints = {
      count: rounds,
      run: (best) => {
        let work = best.clone();
        if (fleet !== undefined && squeezeFailures < SQUEEZE_FAILURES && work.usedVehicles() > fleet) {
          const fewer = eliminateRoute(work, rng);
          if (fewer !== undefined && fewer.cost() <= (1 + SQUEEZE_SLACK) * best.cost()) {
            work = fewer;
            decomposition.eliminated++;
          } else squeezeFailures++;
        }
        const { penalisedPolish, startTemperatureArcs } = subproblemSearch(work);
        const boundedByIterations = Number.isFinite(options.maxIterations);
        const iterationLimits = {
          deadline: Infinity,
          startedAt: 0,
          maxIterations: SUBPROBLEM_ITERATIONS,
          now: options.clock.now,
          startTemperatureArcs,
          penalisedPolish,
        };
        const cooperation = options.cooperation;
        let round: DecompositionRound;
        if (cooperation?.channel.active) {
          // Each trajectory spends the round's time on its own share of the groups.
          const roundEnd = options.clock.now() + roundMs;
          const meeting = 2 * decomposition.together;
          round = cooperativeRound(
            work,
            cooperation.channel,
            meeting,
            new Random(trajectorySeed(cooperation.seed, 1000 + decomposition.rounds)),
            rng,
            (ownLeft) => {
              if (boundedByIterations) return iterationLimits;
              const now = options.clock.now();
              return {
                ...iterationLimits,
                deadline: Math.min(options.deadline, now + Math.max(0, roundEnd - now) / ownLeft),
                startedAt: now,
                maxIterations: Infinity,
              };
            },
            exchangeWaitMs(options, budgetMs),
          );
          decomposition.together++;
        } else
          round = decompositionRound(work, rng, (i, n) => {
            if (boundedByIterations) return iterationLimits;
            const now = options.clock.now();
            return {
              ...iterationLimits,
              deadline: Math.min(options.deadline, now + roundMs / n),
              startedAt: now,
              maxIterations: Infinity,
            };
          });
        decomposition.rounds++;
        decomposition.subproblems += round.subproblems;
        decomposition.improved += round.improved;
        decomposition.iterations += round.iterations;
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
      ...(probing && sol.servedPerRoute() >= PROBE_FROM_VISITS_PER_ROUTE
        ? { routeBonusArcs: ROUTE_BONUS_ARCS, routeBonusUntil: ROUTE_BONUS_UNTIL }
        : {}),
    },
    pool,
    checkpoints,
  );
  return {
    best: searched.best,
    pool,
    stats: {
      ...searched.stats,
      checkpointImprovements,
      decomposition,
      probes,
      exchange,
    },
  };
}

/**
 * A short search from the best solution that must use one route more than it does (SearchLimits.routeFloor),
 * at PROBE_TEMPERATURE_ARCS, feeding the pool; its best, when it costs less than `best`, or undefined.
 *
 * Why: the ALNS settles on a route count early and rarely leaves it, because the moves that open a route
 * cost more at first than any place in the routes already open (wide windows, long routes). On Solomon at
 * 2 s, R211 ended at 3 routes (+3.5–7 %) where the best known uses 4, R206 at 4 where it uses 5 (+2.5–5 %),
 * RC207 at 5 where it uses 6 (+2–3 %). A search held at m + 1 routes reaches the good solutions of that
 * count, which the annealing then keeps (they cost less), and its routes reach the set partitioning either
 * way. The fewer-routes direction needs no probe: route removal and greedy insertion close routes readily.
 * In the spirit of Nagata & Bräysy's route minimisation (a search at a fixed fleet size), the other way.
 *
 * Only routes of PROBE_MIN_ROUTE_SHARE of the best's visits per route count towards the floor (a route
 * short of it counts for its share of them, so the probe is drawn to fill one). Counting every route, the
 * floor was met by a route of one visit beside the depot: RC207 at 2 s ended at 5 routes plus customer 90
 * alone (3 runs of 4), in the 5-route basin (+1.0–2.1 %) while the best known has 6 routes of 11–21.
 * Solomon, 2 threads, CPU clock, interleaved with main at the same seeds (load 10–22): 2 s, the 9 hard
 * long-route ones (R203 R204 R206 R207 R209 R211 RC206 RC207 RC208) × seeds 1–4, mean +1.019 → +0.671 %,
 * runs above +2 %: 6 → 2 of 36, worst +7.78 → +2.29 %; the other 18 of R2, RC2, C2 at seed 1, +0.188 →
 * +0.170 %; 10 s, R2 + RC2 at seed 1, +0.207 → +0.150 %. Short routes run no probe and are unchanged.
 */
function routeCountProbe(
  best: Solution,
  rng: Random,
  pool: RoutePool,
  options: TrajectoryOptions,
  budgetMs: number,
  counts: { runs: number; iterations: number },
): Solution | undefined {
  const perRoute = best.servedPerRoute();
  const minVisits = Math.max(1, Math.round(PROBE_MIN_ROUTE_SHARE * perRoute));
  let routes = 0;
  for (const r of best.routes) if (r.visits.length >= minVisits) routes++;
  if (routes + 1 > best.inst.vehicles.length || perRoute < PROBE_FROM_VISITS_PER_ROUTE) return undefined;
  counts.runs++;
  const boundedByIterations = Number.isFinite(options.maxIterations);
  const now = options.clock.now();
  const { best: probed, stats } = improveSolution(
    best,
    rng,
    {
      deadline: boundedByIterations ? Infinity : Math.min(options.deadline, now + PROBE_SHARE * budgetMs),
      startedAt: now,
      maxIterations: boundedByIterations ? Math.round(PROBE_SHARE * options.maxIterations) : Infinity,
      now: options.clock.now,
      startTemperatureArcs: PROBE_TEMPERATURE_ARCS,
      routeFloor: routes + 1,
      routeFloorMinVisits: minVisits,
    },
    pool,
  );
  counts.iterations += stats.iterations;
  return probed.cost() < best.cost() - 1e-9 ? probed : undefined;
}

/**
 * One more decomposition round of `best` (in place, as at the trajectory's checkpoints) that ends by
 * `deadline` on `clock`: each subproblem gets an even share of what is left when it starts. For the
 * budget the final set partitioning leaves unused (planRoutes).
 */
export function closingDecompositionRound(
  best: Solution,
  rng: Random,
  clock: Clock,
  deadline: number,
  groupVisits?: number,
  together?: ClosingTogether,
): DecompositionRound {
  const { penalisedPolish, startTemperatureArcs } = subproblemSearch(best);
  const limits = (left: number): SearchLimits => {
    const now = clock.now();
    return {
      deadline: now + Math.max(0, deadline - now) / left,
      startedAt: now,
      maxIterations: Infinity,
      now: clock.now,
      startTemperatureArcs,
      penalisedPolish,
    };
  };
  if (together?.channel.active)
    return cooperativeRound(
      best,
      together.channel,
      together.meeting,
      new Random(trajectorySeed(together.seed, 2000)),
      rng,
      limits,
      together.waitMs,
      groupVisits,
    );
  return decompositionRound(best, rng, (i, n) => limits(n - i), groupVisits);
}

/**
 * The closing round solved side by side (threads > 1, from DECOMPOSE_FROM visits): planRoutes after its
 * final MIP, each helper once its trajectory has ended, at the meeting after the trajectories' last.
 */
export interface ClosingTogether {
  channel: Cooperation;
  /** The first free meeting: twice the decomposition rounds the trajectories ran together. */
  meeting: number;
  /** The caller's seed (the same in every thread). */
  seed: number;
  /** Longest wait for the others at each of the round's two meetings (wall ms). */
  waitMs: number;
}

/** Seed of trajectory `index` (0 = the caller's seed): distinct, and the same for the same seed and index. */
export function trajectorySeed(seed: number, index: number): number {
  return index === 0 ? seed : (Math.imul(seed | 0, 31) + 0x632be5ab * index) | 0;
}
