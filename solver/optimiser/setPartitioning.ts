/**
 * Recombines the best routes of the pool with a set-partitioning MIP
 * (rows: visits, binary columns: routes; each visit served once or paid for
 * as unserved; at most as many routes per vehicle class as it has vehicles).
 * HiGHS solves it, started from the incumbent so the answer is never worse.
 *
 * HiGHS is WASM and synchronous: the solve blocks the thread, so callers in
 * the service use planRoutesInWorker. Its time limit bounds the block.
 */
import highsModule, { type Highs } from 'highs';
import { DECOMPOSE_FROM } from './decomposition.js';
import { GRANULAR_FROM } from './insertion.js';
import type { Instance } from './instance.js';
import type { PooledRoute } from './routePool.js';
import { improveRouteOrder } from './routeOrder.js';
import { Solution } from './solution.js';

type HighsLoader = () => Promise<Highs>;

/**
 * The package's types describe a CommonJS module, so under NodeNext the
 * default import is typed as the module object; at run time the ESM build's
 * default export is the loader itself. Accept both shapes, once, here.
 */
const highsLoader: HighsLoader =
  typeof highsModule === 'function'
    ? (highsModule as unknown as HighsLoader)
    : (highsModule as unknown as { default: HighsLoader }).default;

let highsPromise: Promise<Highs> | undefined;

/** Loads the HiGHS WASM module once per thread. */
export function loadHighs(): Promise<Highs> {
  highsPromise ??= highsLoader();
  return highsPromise;
}

export interface SetPartitioningResult {
  solution: Solution;
  improved: boolean;
  columns: number;
  status: string;
}

export function recombineRoutes(
  highs: Highs,
  inst: Instance,
  incumbent: Solution,
  columns: PooledRoute[],
  timeLimitSeconds: number,
): SetPartitioningResult {
  const N = inst.visitCount;
  const classSize = new Int32Array(inst.classCount);
  for (let k = 0; k < inst.vehicles.length; k++) classSize[inst.vehicleClass[k]!]!++;
  // Columns reach the MIP in their best order found (routeOrder.ts), each improved once in its life.
  // Below GRANULAR_FROM visits (Solomon, planner days) and from DECOMPOSE_FROM (Homberger 1000). There,
  // ordering the long routes' columns (~50 visits) costs ~12 % of the ALNS iterations and still pays:
  // r2_10_4, r2_10_8, rc2_10_4, 60 s of CPU, 2 threads, side by side (gap %, unordered → ordered), seed 1
  // +5.830 → +5.024, +4.470 → +4.413, +4.479 → +3.981 (mean +4.926 → +4.473); the six of the repository
  // (one a class), one seed, in an earlier session: −1.948 → −2.101 %. On short routes
  // (r1/rc1, ~10 visits) the columns are mostly in their best order already: r1_10_1, r1_10_6, rc1_10_1,
  // rc1_10_3 at seed 1, +1.390 → +1.417 % (columns under 20 visits, beside a subproblem MIP tried then).
  // Between the two (Homberger 400) not measured, so left as it was.
  if (N < GRANULAR_FROM || N >= DECOMPOSE_FROM) {
    for (const r of columns) {
      if (r.ordered) continue;
      improveRouteOrder(inst, r);
      r.ordered = true;
    }
  }
  // Make sure the incumbent's routes are columns, so it is a feasible start.
  const key = (c: number, visits: number[]): string => `${c}:${visits.join(',')}`;
  const seen = new Set(columns.map((r) => key(r.vehicleClass, r.visits)));
  const cols = columns.slice();
  const incumbentCost = incumbent.cost();
  for (const r of incumbent.routes) {
    if (r.visits.length === 0) continue;
    const c = inst.vehicleClass[r.vehicle]!;
    if (seen.has(key(c, r.visits))) continue;
    seen.add(key(c, r.visits));
    cols.push({
      vehicleClass: c,
      vehicle: r.vehicle,
      visits: r.visits.slice(),
      cost: r.cost,
      bestSolutionCost: incumbentCost,
    });
  }
  const R = cols.length;
  // Columns: R routes, then one "unserved" column per visit.
  const numCols = R + N;
  const numRows = N + inst.classCount;
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const colCost: number[] = [];
  for (const r of cols) {
    const rows = [...new Set(r.visits)].sort((a, b) => a - b);
    for (const u of rows) {
      indices.push(u);
      values.push(1);
    }
    indices.push(N + r.vehicleClass);
    values.push(1);
    starts.push(indices.length);
    colCost.push(r.cost);
  }
  for (let u = 0; u < N; u++) {
    indices.push(u);
    values.push(1);
    starts.push(indices.length);
    colCost.push(inst.unassignedPenalty[u]!);
  }
  const rowLower = [...new Array<number>(N).fill(1), ...new Array<number>(inst.classCount).fill(0)];
  const rowUpper = [...new Array<number>(N).fill(1), ...Array.from(classSize)];
  const integrality = new Int32Array(numCols).fill(1);

  // The incumbent as a start vector.
  const start = new Float64Array(numCols);
  const colIndex = new Map(cols.map((r, j) => [key(r.vehicleClass, r.visits), j]));
  for (const r of incumbent.routes) {
    if (r.visits.length === 0) continue;
    start[colIndex.get(key(inst.vehicleClass[r.vehicle]!, r.visits))!] = 1;
  }
  for (const u of incumbent.unassigned) start[R + u] = 1;

  const model = highs.createModel({
    numCols,
    numRows,
    colCost,
    colLower: new Float64Array(numCols),
    colUpper: new Float64Array(numCols).fill(1),
    rowLower,
    rowUpper,
    matrix: { format: 'csc', numRows, numCols, starts, indices, values },
    integrality,
  });
  try {
    model.options.set({
      output_flag: false,
      time_limit: Math.max(0.05, timeLimitSeconds),
      random_seed: 0,
      mip_rel_gap: 1e-6,
    });
    model.setSolution({ colValue: start });
    model.run();
    const status = model.getModelStatus();
    const statusName =
      Object.entries(highs.constants.modelStatus).find(([, v]) => v === status)?.[0] ?? String(status);
    const x = model.getSolution().colValue;
    if (x.length !== numCols) return { solution: incumbent, improved: false, columns: R, status: statusName };
    // Rebuild a solution: each chosen route goes to a free vehicle of its class.
    const sol = new Solution(inst);
    const free: number[][] = Array.from({ length: inst.classCount }, () => []);
    for (let k = inst.vehicles.length - 1; k >= 0; k--) free[inst.vehicleClass[k]!]!.push(k);
    for (let j = 0; j < R; j++) {
      if (x[j]! < 0.5) continue;
      const r = cols[j]!;
      const k = free[r.vehicleClass]!.pop();
      if (k === undefined)
        return { solution: incumbent, improved: false, columns: R, status: 'class-overflow' };
      sol.setRoute(k, r.visits.slice());
    }
    sol.syncUnassigned();
    // Served twice or infeasible after all would show as a worse or non-finite cost: keep the incumbent then.
    const served = new Set<number>();
    for (const r of sol.routes) for (const u of r.visits) served.add(u);
    const count = sol.routes.reduce((n, r) => n + r.visits.length, 0);
    const cost = sol.cost();
    if (count !== served.size || !(cost < incumbentCost - 1e-9)) {
      return { solution: incumbent, improved: false, columns: R, status: statusName };
    }
    return { solution: sol, improved: true, columns: R, status: statusName };
  } finally {
    model.dispose();
  }
}
