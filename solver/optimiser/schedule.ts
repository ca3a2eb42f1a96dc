/**
 * Timing of one route, exactly: when each visit starts, where the breaks go,
 * and what the route costs (travel + overtime + stability penalties).
 *
 * Visits start as early as possible, except that a booked visit starts at
 * its planned time when the rest of the route allows it: re-planning an
 * unchanged route must not move its visits around. Breaks are placed
 * greedily: a break is taken in the first gap where it costs no time (it
 * fits in waiting time) or where postponing it would miss its latest start.
 * Within a gap the technician drives until the break may start, takes it and
 * drives on, the timing solver/slots.ts and checkPlan use.
 */
import { balanceCost, OVERTIME_WEIGHT, reassignCost, type Instance } from './instance.js';

export interface RouteSchedule {
  /** Service start per visit, in route order. */
  starts: number[];
  /** Start of each of the shift's breaks, in the shift's (sorted) break order. */
  breakStarts: number[];
  /** Arrival at the end place. */
  end: number;
  travelTime: number;
  distance: number;
  overtime: number;
  reassignments: number;
  /** Sum over booked visits of |start − planned start|, seconds. */
  timeShift: number;
  cost: number;
}

let startsBuf = new Float64Array(64);
let latestBuf = new Float64Array(64);
let breakBuf = new Float64Array(8);

function ensure(n: number, breaks: number): void {
  if (startsBuf.length < n + 1) {
    startsBuf = new Float64Array(2 * n + 2);
    latestBuf = new Float64Array(2 * n + 2);
  }
  if (breakBuf.length < breaks) breakBuf = new Float64Array(2 * breaks);
}

/**
 * One forward pass. With `prefer`, a booked visit waits for min(planned
 * start, latest start that keeps the rest of the route on time).
 * Returns the arrival at the end place, or NaN when infeasible.
 */
function forward(inst: Instance, k: number, seq: ArrayLike<number>, prefer: boolean): number {
  const veh = inst.vehicles[k]!;
  const M = inst.nodeCount;
  const T = inst.time;
  const n = seq.length;
  const breaks = veh.breaks;
  const nb = breaks.length;
  let t = veh.shiftStart;
  let prev = veh.startNode;
  let bi = 0;
  for (let p = 0; p <= n; p++) {
    const atEnd = p === n;
    const node = atEnd ? veh.endNode : seq[p]!;
    const tt = T[prev * M + node]!;
    const a = atEnd ? -Infinity : inst.windowStart[node]!;
    const b = atEnd ? veh.endLimit : inst.windowEnd[node]!;
    const d = atEnd ? 0 : inst.duration[node]!;
    let target = -Infinity;
    if (prefer && !atEnd) {
      const planned = inst.plannedStart[node]!;
      if (planned === planned) target = Math.min(planned, latestBuf[p]!);
    }
    // Travel may be split around a break (drive, lunch, drive on), as solver/slots.ts (gapArrival) and
    // checkPlan allow: `left` is the driving still to do when the clock reads t.
    let left = tt;
    while (bi < nb) {
      const br = breaks[bi]!;
      const startNoBreak = Math.max(t + left, a, target);
      const bs = Math.max(t, br.earliestStart);
      if (bs > br.latestStart) return Number.NaN;
      const drivenBefore = Math.min(left, bs - t);
      const arrivalWithBreak = bs + br.duration + left - drivenBefore;
      const mustTake = startNoBreak + d > br.latestStart;
      const free = Math.max(arrivalWithBreak, a, target) <= startNoBreak;
      if (!mustTake && !free) break;
      breakBuf[bi] = bs;
      left -= drivenBefore;
      t = bs + br.duration;
      bi++;
    }
    const start = Math.max(t + left, a, target);
    if (start > b) return Number.NaN;
    startsBuf[p] = start;
    t = start + d;
    prev = node;
  }
  // Breaks not taken during the route are taken at the end place, still within the shift;
  // they then count as part of the way home (overtime included), as checkPlan and planCost see it.
  while (bi < nb) {
    const br = breaks[bi]!;
    const bs = Math.max(t, br.earliestStart);
    if (bs > br.latestStart || bs + br.duration > veh.endLimit) return Number.NaN;
    breakBuf[bi] = bs;
    t = bs + br.duration;
    bi++;
  }
  return t;
}

/**
 * Latest start per visit that keeps every later window and the return by
 * `endLimit` (breaks ignored: the forward pass re-checks them).
 */
function backward(inst: Instance, k: number, seq: ArrayLike<number>, endLimit: number): void {
  const veh = inst.vehicles[k]!;
  const M = inst.nodeCount;
  const T = inst.time;
  const n = seq.length;
  let next = veh.endNode;
  let latest = endLimit;
  for (let p = n - 1; p >= 0; p--) {
    const u = seq[p]!;
    latest = Math.min(inst.windowEnd[u]!, latest - T[u * M + next]! - inst.duration[u]!);
    latestBuf[p] = latest;
    next = u;
  }
}

/** Runs the passes; leaves the timing in the scratch buffers. Returns the end or NaN. */
function simulate(inst: Instance, k: number, seq: ArrayLike<number>): number {
  const veh = inst.vehicles[k]!;
  const n = seq.length;
  ensure(n, veh.breaks.length);
  let load = 0;
  for (let p = 0; p < n; p++) load += inst.demand[seq[p]!]!;
  if (load > veh.capacity) return Number.NaN;
  const end = forward(inst, k, seq, false);
  if (end !== end) return end;
  if (inst.stability.timeShiftPenaltyPerHour > 0) {
    let booked = false;
    for (let p = 0; p < n; p++) if (inst.plannedStart[seq[p]!] === inst.plannedStart[seq[p]!]) booked = true;
    if (booked) {
      // Waiting for planned starts must not create overtime the earliest timing avoids.
      backward(inst, k, seq, Math.min(veh.endLimit, Math.max(veh.shiftEnd, end)));
      const preferred = forward(inst, k, seq, true);
      if (preferred === preferred) return preferred;
      return forward(inst, k, seq, false);
    }
  }
  return end;
}

function costFromBuffers(inst: Instance, k: number, seq: ArrayLike<number>, end: number): RouteSchedule {
  const veh = inst.vehicles[k]!;
  const M = inst.nodeCount;
  let travelTime = 0;
  let distance = 0;
  let reassignments = 0;
  let reassignPenalty = 0;
  let timeShift = 0;
  let prev = veh.startNode;
  const n = seq.length;
  for (let p = 0; p <= n; p++) {
    const node = p === n ? veh.endNode : seq[p]!;
    travelTime += inst.time[prev * M + node]!;
    distance += inst.distance[prev * M + node]!;
    if (p < n) {
      const r = reassignCost(inst, node, k);
      if (inst.bookedTechnician[node]! >= 0 && inst.bookedTechnician[node] !== veh.technicianIndex)
        reassignments++;
      reassignPenalty += r;
      const planned = inst.plannedStart[node]!;
      if (planned === planned) timeShift += Math.abs(startsBuf[p]! - planned);
    }
    prev = node;
  }
  const overtime = Math.max(0, end - veh.shiftEnd);
  const cost =
    travelTime +
    OVERTIME_WEIGHT * overtime +
    reassignPenalty +
    (timeShift / 3600) * inst.stability.timeShiftPenaltyPerHour +
    balanceCost(inst, seq);
  return {
    starts: Array.from(startsBuf.subarray(0, n)),
    breakStarts: Array.from(breakBuf.subarray(0, veh.breaks.length)),
    end,
    travelTime,
    distance,
    overtime,
    reassignments,
    timeShift,
    cost,
  };
}

/**
 * Travel of `seq` for vehicle k when it holds every window and the end limit, else Infinity: the
 * whole cost on arc-cost instances (Instance.arcCost), without routeCost's schedule buffers.
 */
export function arcSequenceTravel(inst: Instance, k: number, seq: ArrayLike<number>): number {
  const veh = inst.vehicles[k]!;
  const M = inst.nodeCount;
  let t = veh.shiftStart;
  let prev = veh.startNode;
  let c = 0;
  for (let p = 0; p < seq.length; p++) {
    const u = seq[p]!;
    t = Math.max(t + inst.time[prev * M + u]!, inst.windowStart[u]!);
    if (t > inst.windowEnd[u]!) return Infinity;
    c += inst.time[prev * M + u]!;
    t += inst.duration[u]!;
    prev = u;
  }
  if (t + inst.time[prev * M + veh.endNode]! > veh.endLimit) return Infinity;
  return c + inst.time[prev * M + veh.endNode]!;
}

/** Exact cost of serving `seq` with vehicle k, Infinity when infeasible. An empty route costs 0. */
export function routeCost(inst: Instance, k: number, seq: ArrayLike<number>): number {
  if (seq.length === 0) return 0;
  const end = simulate(inst, k, seq);
  if (end !== end) return Infinity;
  const veh = inst.vehicles[k]!;
  const M = inst.nodeCount;
  let cost = 0;
  let prev = veh.startNode;
  const n = seq.length;
  const perSecond = inst.stability.timeShiftPenaltyPerHour / 3600;
  for (let p = 0; p < n; p++) {
    const u = seq[p]!;
    cost += inst.time[prev * M + u]! + reassignCost(inst, u, k);
    const planned = inst.plannedStart[u]!;
    if (planned === planned) cost += Math.abs(startsBuf[p]! - planned) * perSecond;
    prev = u;
  }
  cost += inst.time[prev * M + veh.endNode]!;
  return cost + OVERTIME_WEIGHT * Math.max(0, end - veh.shiftEnd) + balanceCost(inst, seq);
}

/** Full timing and cost breakdown, or undefined when infeasible. */
export function scheduleRoute(inst: Instance, k: number, seq: ArrayLike<number>): RouteSchedule | undefined {
  const end = simulate(inst, k, seq);
  if (end !== end) return undefined;
  return costFromBuffers(inst, k, seq, end);
}
