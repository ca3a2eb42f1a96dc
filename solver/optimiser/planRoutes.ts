/**
 * planRoutes: a better plan for the problem's horizon.
 *
 * 1. Start from the current plan as booked, insert the rest by regret.
 * 2. Improve by ALNS + local search (alns.ts) for most of the budget,
 *    collecting good routes in a pool.
 * 3. Recombine the pool's best routes with a set-partitioning MIP (HiGHS),
 *    then polish by local search once more.
 *
 * The result never serves fewer booked visits than the current plan did
 * and never costs more than it (by the optimiser's own cost).
 */
import type { Plan, Problem } from '../problem.js';
import { improveSolution } from './alns.js';
import { currentPlanSolution } from './initial.js';
import { compileInstance, DEFAULT_STABILITY, type Instance, type StabilityWeights } from './instance.js';
import { localSearch } from './localSearch.js';
import { Random } from './prng.js';
import { RoutePool } from './routePool.js';
import { scheduleRoute } from './schedule.js';
import { loadHighs, recombineRoutes } from './setPartitioning.js';
import type { Solution } from './solution.js';

export interface PlanRoutesOptions {
  /** Wall-clock budget. Results within it depend on machine speed unless maxIterations stops first. */
  timeLimitMs: number;
  seed: number;
  /** Weights of the changes to the current plan. Default DEFAULT_STABILITY. */
  stability?: StabilityWeights;
  /** ALNS iteration cap: with it (and a generous time limit) the result is the same on every machine. */
  maxIterations?: number;
  /** Recombine pooled routes with a MIP at the end. Default true. */
  setPartitioning?: boolean;
  /** Most routes handed to the MIP. Default 3000. */
  maxPoolColumns?: number;
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
  setPartitioning?: { columns: number; status: string; improved: boolean; ms: number };
  ruinUse: Record<string, number>;
  repairUse: Record<string, number>;
}

export interface PlanRoutesResult {
  plan: Plan;
  cost: PlanCostBreakdown;
  stats: PlanRoutesStats;
}

/** Share of the budget kept for the set-partitioning step. */
const MIP_SHARE = 0.12;

export async function planRoutes(problem: Problem, options: PlanRoutesOptions): Promise<PlanRoutesResult> {
  const startedAt = performance.now();
  const useMip = options.setPartitioning ?? true;
  // Load HiGHS before the clock-bound search so WASM start-up does not eat the MIP's share.
  const highs = useMip ? await loadHighs() : undefined;
  const inst = compileInstance(problem, options.stability ?? DEFAULT_STABILITY);
  const rng = new Random(options.seed);

  const initial = currentPlanSolution(inst);
  const initialCost = initial.cost();
  let sol = initial.clone();
  localSearch(sol, rng, { neighbours: 12, maxPasses: 50 });

  const budget = Math.max(0, options.timeLimitMs);
  const pool = useMip ? new RoutePool() : undefined;
  const searchDeadline = startedAt + budget * (useMip ? 1 - MIP_SHARE : 1);
  const searched = improveSolution(
    sol,
    rng,
    { deadline: searchDeadline, startedAt, maxIterations: options.maxIterations ?? Infinity },
    pool,
  );
  sol = searched.best;
  const afterSearchCost = sol.cost();

  let spStats: PlanRoutesStats['setPartitioning'];
  if (highs && pool && pool.size > 0) {
    const t0 = performance.now();
    const remaining = Math.max(0.2, (startedAt + budget - t0) / 1000);
    const sp = recombineRoutes(highs, inst, sol, pool.best(options.maxPoolColumns ?? 3000), remaining);
    if (sp.improved) {
      sol = sp.solution;
      localSearch(sol, rng, { neighbours: 12, maxPasses: 50 });
    }
    spStats = { columns: sp.columns, status: sp.status, improved: sp.improved, ms: performance.now() - t0 };
  }

  // Guard the promises: never return something worse than the current plan, nor drop a visit it served.
  if (!(sol.cost() <= initialCost) || dropsServedBooking(inst, initial, sol)) sol = initial;

  const stats: PlanRoutesStats = {
    threads: 1,
    iterations: searched.stats.iterations,
    improvements: searched.stats.improvements,
    elapsedMs: performance.now() - startedAt,
    initialCost,
    afterSearchCost,
    poolSize: pool?.size ?? 0,
    ruinUse: searched.stats.ruinUse,
    repairUse: searched.stats.repairUse,
    ...(spStats ? { setPartitioning: spStats } : {}),
  };
  const { plan, cost } = toPlan(inst, sol);
  return { plan, cost, stats };
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
