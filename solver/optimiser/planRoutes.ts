/**
 * planRoutes: a better plan for the problem's horizon.
 *
 * 1. Start from the current plan as booked, insert the rest by regret.
 * 2. Improve by ALNS + local search (alns.ts) for most of the budget,
 *    collecting good routes in a pool and recombining them by set
 *    partitioning every ~20 % of the budget (trajectory.ts). With
 *    `threads` > 1, helper trajectories with other seeds run in worker
 *    threads at the same time (helpers.ts); on large instances they share
 *    the decomposition rounds' subproblems (cooperation.ts).
 * 3. Recombine all trajectories' pooled routes with a set-partitioning MIP
 *    (HiGHS), then polish by local search once more.
 *
 * The result never serves fewer booked visits than the current plan did
 * and never costs more than it (by the optimiser's own cost).
 */
import { availableParallelism } from 'node:os';
import type { Plan, Problem } from '../problem.js';
import { makeClock, type ClockKind } from './clock.js';
import { startHelper, type HelperReply, type RunningHelper } from './helpers.js';
import { checkPlanRoutesInput, unassignedReasons, type UnassignedReason } from './inputCheck.js';
import { Cooperation, cooperationData, decodeSolution, encodeRoutes } from './cooperation.js';
import { DECOMPOSE_FROM } from './decomposition.js';
import { Exchange, exchangeData } from './exchange.js';
import { currentPlanSolution } from './initial.js';
import { GRANULAR_FROM } from './insertion.js';
import { compileInstance, DEFAULT_STABILITY, type Instance, type StabilityWeights } from './instance.js';
import { polishSolution } from './polish.js';
import { Random } from './prng.js';
import { scheduleRoute } from './schedule.js';
import { loadHighs, recombineRoutes } from './setPartitioning.js';
import { Solution } from './solution.js';
import { closingDecompositionRound, runTrajectory, trajectorySeed } from './trajectory.js';
import { serialiseProblem } from './travelDescription.js';

export interface PlanRoutesOptions {
  /** Budget, on `clock`. Results within it depend on machine speed unless maxIterations stops first. */
  timeLimitMs: number;
  /**
   * What timeLimitMs measures: `wall` (default) or `thread-cpu`, each thread's own CPU time
   * (benchmarks on a shared machine; see clock.ts).
   */
  clock?: ClockKind;
  seed: number;
  /** Weights of the changes to the current plan. Default DEFAULT_STABILITY. */
  stability?: StabilityWeights;
  /**
   * Weight of even workloads against travel (see StabilityWeights.balanceWeight). Default 0: the
   * optimiser may empty one technician's day while others are full if that saves driving.
   */
  balanceWeight?: number;
  /** ALNS iteration cap: with it (and a generous time limit) the result is the same on every machine. */
  maxIterations?: number;
  /** Recombine pooled routes with a MIP at the end. Default true. */
  setPartitioning?: boolean;
  /** Most routes handed to the MIP. Default 3000. */
  maxPoolColumns?: number;
  /**
   * Search trajectories run at once, one per thread (this one plus helpers in
   * worker threads), each with its own seed; below 200 visits they show each
   * other their bests once, at 40 % of the search, which long routes use
   * (trajectory.ts); from 600 visits (DECOMPOSE_FROM) they solve each
   * decomposition round's subproblems side by side, the closing one included
   * (decomposition.ts, cooperativeRound); their route pools are merged for the
   * final set partitioning. Default: the cores available, at most 2, and 1
   * below 30 visits or under a 5 s budget (a helper's start-up — loader, HiGHS,
   * problem — costs about a second of CPU; on the shared machine at load ≈ 30,
   * 2 s helpers never reported in time).
   * A helper that reports after the deadline (plus a grace) is left out.
   * Results repeat for the same seed, thread count and maxIterations.
   */
  threads?: number;
}

export interface PlanCostBreakdown {
  /** The optimiser's objective: travel + overtime + stability penalties + unserved penalties. */
  total: number;
  travelTime: number;
  distance: number;
  overtime: number;
  /** Booked visits handed to another technician. */
  reassignments: number;
  /** Sum over booked visits of |new start − planned start|, seconds. */
  timeShift: number;
  unassigned: number;
  /** Routes with at least one visit. */
  routes: number;
}

export interface PlanRoutesStats {
  /** Search trajectories run side by side (worker threads beyond the first). */
  threads: number;
  iterations: number;
  improvements: number;
  elapsedMs: number;
  initialCost: number;
  afterSearchCost: number;
  poolSize: number;
  /** Checkpoint MIPs that improved the best solution, over all trajectories. */
  checkpointImprovements: number;
  /**
   * Route-count probes (small instances) run, those that became a trajectory's best, and their ALNS
   * iterations (not in `iterations`), over all trajectories.
   */
  probes: { runs: number; improved: number; iterations: number };
  /**
   * Threads below GRANULAR_FROM visits, long routes: other trajectories' bests taken in at the mid-search
   * exchange, and trajectories that went on from one (trajectory.ts), over all trajectories.
   */
  exchange: { received: number; adopted: number };
  /**
   * Large instances (this thread's trajectory): decomposition rounds, subproblems solved, those that
   * improved, and the subproblems' ALNS iterations (not in `iterations`).
   */
  decomposition?: {
    rounds: number;
    subproblems: number;
    improved: number;
    iterations: number;
    /** Rounds whose subproblems the threads solved side by side (decomposition.ts, cooperativeRound). */
    together: number;
    /** Rounds that started from the best with one route taken away (routeElimination.ts). */
    eliminated: number;
  };
  /** Helper trajectories that failed or overran (left out of the result). */
  helperFailures?: string[];
  setPartitioning?: { columns: number; status: string; improved: boolean; ms: number };
  /**
   * Large instances: the decomposition round run on what the final MIP left of the budget, and what it
   * saved (the optimiser's cost before it less after it).
   */
  closingRound?: { subproblems: number; improved: number; iterations: number; saved: number };
  ruinUse: Record<string, number>;
  repairUse: Record<string, number>;
}

export interface PlanRoutesResult {
  plan: Plan;
  /** Why each visit of plan.unassigned is left out. */
  unassignedReasons: Record<string, UnassignedReason>;
  cost: PlanCostBreakdown;
  stats: PlanRoutesStats;
}

/** Share of the budget kept for the final set-partitioning step. */
const MIP_SHARE = 0.12;
/**
 * Below SHORT_BUDGET_MS the final step keeps half that share: a short search gains more from the search
 * time than from a longer last MIP (the checkpoint MIPs during the search stay as they are). Solomon at
 * 2 s of CPU, 2 threads, interleaved pairs in one process (12 % then 6 %, order alternating): all 56 at
 * seed 1, mean gap +0.394 → +0.288 % (R1 0.315 → 0.177, RC1 0.901 → 0.605, RC2 0.805 → 0.563, R2 0.421
 * → 0.432), 17 instances better, 12 worse; the 12 hardest at seeds 2 and 3, +0.851 → +0.588 %. At and
 * above 5 s (the 10 s runs) nothing changes.
 */
const SHORT_MIP_SHARE = 0.06;
const SHORT_BUDGET_MS = 5000;

/** The share of a `budgetMs` budget kept for the final set partitioning. */
export function finalMipShare(budgetMs: number): number {
  return budgetMs < SHORT_BUDGET_MS ? SHORT_MIP_SHARE : MIP_SHARE;
}

/** The closing decomposition round (large instances) ends this long before the budget does, for the plan's checks. */
const CLOSING_MARGIN_MS = 100;
/** Longest wait (wall) for the helpers at the closing round's meetings: they are there already, having replied. */
const CLOSING_WAIT_MS = 2000;
/** Less than this left after the final MIP: no closing round (a subproblem costs ~20 ms to set up). */
const CLOSING_MIN_MS = 1000;

/** Helpers may finish this long after the shared deadline (start-up, their own last MIP) before they are dropped. */
const HELPER_GRACE_MS = 1500;

/** Threads to use: the option if given (1 or more), else the cores available (≤ 2), 1 for small or short runs. */
export function resolveThreads(requested: number | undefined, visits: number, timeLimitMs: number): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1)
      throw new RangeError(`threads must be a positive integer, got ${requested}`);
    return requested;
  }
  return visits < 30 || timeLimitMs < 5000 ? 1 : Math.max(1, Math.min(2, availableParallelism()));
}

export async function planRoutes(problem: Problem, options: PlanRoutesOptions): Promise<PlanRoutesResult> {
  checkPlanRoutesInput(problem, options.timeLimitMs, options.seed);
  const clock = makeClock(options.clock);
  const wallStartedAt = performance.now();
  const startedEpochMs = Date.now();
  const useMip = options.setPartitioning ?? true;
  const maxPoolColumns = options.maxPoolColumns ?? 3000;
  if (
    options.balanceWeight !== undefined &&
    !(Number.isFinite(options.balanceWeight) && options.balanceWeight >= 0)
  )
    throw new RangeError(`balanceWeight must be a finite number ≥ 0, got ${options.balanceWeight}`);
  const stability: StabilityWeights = {
    ...(options.stability ?? DEFAULT_STABILITY),
    ...(options.balanceWeight ? { balanceWeight: options.balanceWeight } : {}),
  };
  const maxIterations = options.maxIterations ?? Infinity;
  // Load HiGHS before the clock-bound search so WASM start-up does not eat the MIP's share.
  const highs = useMip ? await loadHighs() : undefined;
  const startedAt = clock.now();
  const inst = compileInstance(problem, stability);
  const threads = resolveThreads(options.threads, inst.visitCount, options.timeLimitMs);

  const budget = Math.max(0, options.timeLimitMs);
  const searchBudget = budget * (useMip ? 1 - finalMipShare(budget) : 1);
  const searchDeadline = startedAt + searchBudget;
  const checkpointColumns = Math.min(1500, maxPoolColumns);

  // Helpers start first: they work while this thread runs its own trajectory.
  const helpers: RunningHelper[] = [];
  const withHelpers = threads > 1 && inst.visitCount > 0 && inst.vehicles.length > 0;
  // Below GRANULAR_FROM visits the trajectories show each other their bests mid-search (trajectory.ts).
  const exchange =
    withHelpers && useMip && inst.visitCount < GRANULAR_FROM ? exchangeData(inst, threads) : undefined;
  // From DECOMPOSE_FROM visits they solve each decomposition round's subproblems side by side instead.
  const cooperation =
    withHelpers && inst.visitCount >= DECOMPOSE_FROM
      ? cooperationData(threads, 8 * inst.vehicles.length + inst.visitCount + 16)
      : undefined;
  if (withHelpers) {
    const data = serialiseProblem(problem);
    for (let i = 1; i < threads; i++) {
      helpers.push(
        startHelper({
          problem: data.problem,
          travel: data.travel,
          stability,
          seed: trajectorySeed(options.seed, i),
          clock: clock.kind,
          startedEpochMs,
          deadlineEpochMs: startedEpochMs + searchBudget,
          searchBudgetMs: searchBudget,
          maxIterations,
          setPartitioning: useMip,
          checkpointColumns,
          maxPoolColumns,
          ...(exchange ? { exchange: { data: exchange, index: i } } : {}),
          ...(cooperation
            ? {
                cooperation: {
                  data: cooperation,
                  index: i,
                  seed: options.seed,
                  budgetMs: budget,
                  closingMarginMs: CLOSING_MARGIN_MS,
                },
              }
            : {}),
        }),
      );
    }
  }

  try {
    const initial = currentPlanSolution(inst);
    const initialCost = initial.cost();
    // One object for the trajectory and the closing round: once a meeting was missed it stays alone.
    const channel = cooperation ? new Cooperation(cooperation, 0) : undefined;
    const own = runTrajectory(initial, {
      seed: options.seed,
      clock,
      startedAt,
      deadline: searchDeadline,
      maxIterations,
      highs,
      checkpointColumns,
      ...(exchange ? { exchange: new Exchange(exchange, 0) } : {}),
      ...(channel ? { cooperation: { channel, seed: options.seed } } : {}),
    });
    let sol = own.best;
    const pool = own.pool;
    let iterations = own.stats.iterations;
    let improvements = own.stats.improvements;
    let checkpointImprovements = own.stats.checkpointImprovements;
    const probes = { ...own.stats.probes };
    const exchanged = { ...own.stats.exchange };
    const helperFailures: string[] = [];

    // Merge the helpers in index order, so the result does not depend on which finished first.
    // On the wall clock helpers share the deadline; on CPU clocks they run at about this thread's pace.
    const helperDeadline =
      clock.kind === 'wall'
        ? wallStartedAt + searchBudget + HELPER_GRACE_MS
        : performance.now() + 500 * clock.wallSeconds(searchBudget) + 5 * HELPER_GRACE_MS;
    const replies = await Promise.all(helpers.map((h) => withDeadline(h, helperDeadline)));
    replies.forEach((reply, i) => {
      if (!reply.ok) {
        helperFailures.push(`helper ${i + 1}: ${reply.error}`);
        return;
      }
      iterations += reply.stats.iterations;
      improvements += reply.stats.improvements;
      checkpointImprovements += reply.stats.checkpointImprovements;
      probes.runs += reply.stats.probes.runs;
      probes.improved += reply.stats.probes.improved;
      probes.iterations += reply.stats.probes.iterations;
      exchanged.received += reply.stats.exchange.received;
      exchanged.adopted += reply.stats.exchange.adopted;
      for (const column of reply.pool) pool.addColumn(column);
      const theirs = solutionFromRoutes(inst, reply.routes);
      if (theirs !== undefined && theirs.cost() < sol.cost() - 1e-9) sol = theirs;
    });
    const afterSearchCost = sol.cost();

    let spStats: PlanRoutesStats['setPartitioning'];
    if (highs && pool.size > 0) {
      const t0 = performance.now();
      const remaining = Math.max(0.2, clock.wallSeconds(startedAt + budget - clock.now()));
      const sp = recombineRoutes(highs, inst, sol, pool.best(maxPoolColumns), remaining);
      if (sp.improved) {
        sol = sp.solution;
        polishSolution(sol, new Random(trajectorySeed(options.seed, threads)), {
          neighbours: 12,
          maxPasses: 50,
        });
      }
      spStats = { columns: sp.columns, status: sp.status, improved: sp.improved, ms: performance.now() - t0 };
    }

    // Large instances: the share kept for the final MIP is sized for the hardest pools, and on short routes
    // HiGHS proves its answer optimal in 1–3 s of the 7 s a 60 s budget keeps, so the rest went unused.
    // One more decomposition round of the answer takes it (runs bounded by iterations, which must repeat
    // exactly, skip it). A subproblem's routes replace the old ones only when the whole costs less.
    let closing: PlanRoutesStats['closingRound'];
    const closingEnd = startedAt + budget - CLOSING_MARGIN_MS;
    if (
      inst.visitCount >= DECOMPOSE_FROM &&
      !Number.isFinite(maxIterations) &&
      closingEnd - clock.now() >= CLOSING_MIN_MS
    ) {
      const before = sol.cost();
      const work = sol.clone();
      // With helpers that solved the rounds alongside, they take their share of this one too (each has sent
      // its reply and waits at the next meeting).
      const round = closingDecompositionRound(
        work,
        new Random(trajectorySeed(options.seed, threads + 1)),
        clock,
        closingEnd,
        undefined,
        channel?.active
          ? {
              channel,
              meeting: 2 * own.stats.decomposition.together,
              seed: options.seed,
              waitMs: CLOSING_WAIT_MS,
            }
          : undefined,
      );
      const saved = work.cost() < before - 1e-9 ? before - work.cost() : 0;
      if (saved > 0) sol = work;
      closing = {
        subproblems: round.subproblems,
        improved: round.improved,
        iterations: round.iterations,
        saved,
      };
    }

    // Guard the promises: never return something worse than the current plan, nor drop a visit it served.
    if (!(sol.cost() <= initialCost) || dropsServedBooking(inst, initial, sol)) sol = initial;

    const stats: PlanRoutesStats = {
      threads: threads - helperFailures.length,
      iterations,
      improvements,
      elapsedMs: performance.now() - wallStartedAt,
      initialCost,
      afterSearchCost,
      poolSize: pool.size,
      checkpointImprovements,
      probes,
      exchange: exchanged,
      ruinUse: own.stats.ruinUse,
      repairUse: own.stats.repairUse,
      ...(own.stats.decomposition.rounds > 0 ? { decomposition: own.stats.decomposition } : {}),
      ...(helperFailures.length > 0 ? { helperFailures } : {}),
      ...(spStats ? { setPartitioning: spStats } : {}),
      ...(closing ? { closingRound: closing } : {}),
    };
    const { plan, cost } = toPlan(inst, sol);
    return { plan, cost, stats, unassignedReasons: unassignedReasons(inst, sol) };
  } finally {
    for (const h of helpers) h.stop();
  }
}

/** A helper's reply, or a failure once `deadline` (performance.now() based) has passed. */
function withDeadline(helper: RunningHelper, deadline: number): Promise<HelperReply> {
  const wait = Math.max(0, deadline - performance.now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<HelperReply>((resolve) => {
    timer = setTimeout(() => {
      helper.stop();
      resolve({ ok: false, error: 'overran the deadline' });
    }, wait);
  });
  return Promise.race([helper.reply, late]).finally(() => clearTimeout(timer));
}

/** A helper's routes as a solution of this instance, or undefined if they do not hold here. */
function solutionFromRoutes(inst: Instance, routes: number[][]): Solution | undefined {
  if (routes.length !== inst.vehicles.length) return undefined;
  return decodeSolution(inst, encodeRoutes(routes.map((visits) => ({ visits }))));
}

function dropsServedBooking(inst: Instance, before: Solution, after: Solution): boolean {
  for (let u = 0; u < inst.visitCount; u++) {
    if (inst.bookedTechnician[u]! >= 0 && before.routeOf[u]! >= 0 && after.routeOf[u]! < 0) return true;
  }
  return false;
}

/** Turns a solution into the contract's Plan, with exact times and breaks, plus its cost breakdown. */
export function toPlan(inst: Instance, sol: Solution): { plan: Plan; cost: PlanCostBreakdown } {
  const cost: PlanCostBreakdown = {
    total: 0,
    travelTime: 0,
    distance: 0,
    overtime: 0,
    reassignments: 0,
    timeShift: 0,
    unassigned: sol.unassigned.length,
    routes: 0,
  };
  const plan: Plan = { routes: [], unassigned: [] };
  for (const r of sol.routes) {
    if (r.visits.length === 0) continue;
    const veh = inst.vehicles[r.vehicle]!;
    const s = scheduleRoute(inst, r.vehicle, r.visits);
    if (!s) throw new Error(`internal error: route of ${veh.technicianId}/${veh.shiftId} is infeasible`);
    const breakStarts = new Array<number>(veh.breaks.length);
    veh.breakOrder.forEach((original, sorted) => (breakStarts[original] = s.breakStarts[sorted]!));
    plan.routes.push({
      technicianId: veh.technicianId,
      shiftId: veh.shiftId,
      stops: r.visits.map((u, i) => ({ visitId: inst.problem.visits[u]!.id, start: s.starts[i]! })),
      ...(veh.breaks.length > 0 ? { breakStarts } : {}),
    });
    cost.total += s.cost;
    cost.travelTime += s.travelTime;
    cost.distance += s.distance;
    cost.overtime += s.overtime;
    cost.reassignments += s.reassignments;
    cost.timeShift += s.timeShift;
    cost.routes++;
  }
  for (const u of sol.unassigned) {
    plan.unassigned.push(inst.problem.visits[u]!.id);
    cost.total += inst.unassignedPenalty[u]!;
  }
  plan.unassigned.sort();
  return { plan, cost };
}
