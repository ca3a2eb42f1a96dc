/**
 * The optimiser's compiled view of a Problem: visits and vehicles as
 * integer indices, travel as flat matrices, windows as flat arrays. Every
 * hot loop (insertion, local search) reads these arrays instead of objects.
 *
 * A "vehicle" is one technician during one shift: routes are per shift.
 * Node numbering for the travel matrices: visits are 0..visitCount-1, then
 * the technicians' start and end places, one node per distinct place (shared
 * by all shifts, and by technicians leaving from or returning to the same place).
 */
import type { Break, Place, Problem } from '../problem.js';
import { servesArea } from '../problem.js';
import { invalidVisit } from './inputCheck.js';

export interface StabilityWeights {
  /** Cost of handing a booked visit to another technician, in seconds of travel. */
  reassignPenalty: number;
  /** Cost per hour that a booked visit moves away from its planned start, in seconds of travel. */
  timeShiftPenaltyPerHour: number;
  /**
   * Even workloads: each route costs this × BALANCE_SECONDS × (hours on site)². Convex, so moving an
   * hour of work from a fuller day to an emptier one lowers the sum; 0 or absent: travel alone decides.
   */
  balanceWeight?: number;
}

/** At balanceWeight 1, moving one hour of work from an 8-hour day to a 2-hour one saves 10 × this (100 min of driving). */
export const BALANCE_SECONDS = 600;

/** The workload term of a route's cost (0 without a balance weight). */
export function balanceCost(inst: Instance, seq: ArrayLike<number>): number {
  const weight = inst.stability.balanceWeight ?? 0;
  if (!(weight > 0) || seq.length === 0) return 0;
  let onSite = 0;
  for (let p = 0; p < seq.length; p++) onSite += inst.duration[seq[p]!]!;
  const hours = onSite / 3600;
  return weight * BALANCE_SECONDS * hours * hours;
}

/**
 * Defaults when the caller gives no stability weights: a reassignment is
 * worth 30 min of driving, a one-hour shift 10 min, so the planner is not
 * handed a reshuffle for a one-minute gain.
 */
export const DEFAULT_STABILITY: StabilityWeights = { reassignPenalty: 1800, timeShiftPenaltyPerHour: 600 };

/** Cost of leaving a visit unserved: far above any amount of travel. */
export const UNASSIGNED_PENALTY = 1e6;
/** A booked visit (a promise made) is never dropped in favour of a new one. */
export const PROMISED_UNASSIGNED_PENALTY = 1e8;
/** Overtime costs as much as the same time spent driving. */
export const OVERTIME_WEIGHT = 1;

export interface Vehicle {
  index: number;
  technicianIndex: number;
  technicianId: string;
  shiftId: string;
  shiftStart: number;
  /** End of paid time; beyond it is overtime. */
  shiftEnd: number;
  /** Latest return to the end place: shiftEnd + maxOvertime. */
  endLimit: number;
  /** Sorted by earliest start. */
  breaks: Break[];
  /** breakOrder[i]: index in Shift.breaks of breaks[i] (plans report breaks in the shift's order). */
  breakOrder: number[];
  capacity: number;
  startNode: number;
  endNode: number;
  /**
   * Vehicles with the same class are interchangeable (same places, shift,
   * skills, capacity, breaks, no stability ties): the route pool and the
   * set-partitioning model treat them as one kind with a count.
   */
  classKey: string;
}

export interface Instance {
  problem: Problem;
  visitCount: number;
  vehicles: Vehicle[];
  nodeCount: number;
  /** time[i * nodeCount + j]: driving time from node i to node j. */
  time: Float64Array;
  distance: Float64Array;
  /** Per node; depot nodes have an open window, no duration, no demand. */
  windowStart: Float64Array;
  windowEnd: Float64Array;
  duration: Float64Array;
  demand: Float64Array;
  /** Per visit: planned start of a booked visit, NaN if not booked. */
  plannedStart: Float64Array;
  /** Per visit: technician index of the booking, -1 if none. */
  bookedTechnician: Int32Array;
  /** Per visit: vehicle index of the booking, -1 if none or unknown. */
  bookedVehicle: Int32Array;
  pinned: Uint8Array;
  /** canServe[visit * vehicleCount + vehicle]: skills, pinning, capacity and reachability allow it. */
  canServe: Uint8Array;
  /** Per vehicle: a small integer naming its end place; equal numbers = the same place (key and coordinates). */
  endPlace: Int32Array;
  /** Per vehicle: a small integer naming its class (see Vehicle.classKey). */
  vehicleClass: Int32Array;
  classCount: number;
  /** Per visit: the other visits, closest first (symmetric travel time). */
  neighbours: Int32Array[];
  /** Per visit: cost of leaving it unserved. */
  unassignedPenalty: Float64Array;
  stability: StabilityWeights;
  /**
   * True when route cost is not a sum of arc costs (breaks, overtime or
   * time-shift penalties): insertions are then checked by O(1) forward
   * slack first and costed by simulating the route.
   */
  exact: boolean;
  /** True when nothing is booked either: route cost is exactly the sum of arc travel times. */
  arcCost: boolean;
}

export function compileInstance(problem: Problem, stability: StabilityWeights = DEFAULT_STABILITY): Instance {
  const visits = problem.visits;
  const N = visits.length;
  const techs = problem.technicians;
  // Technicians' start and end places share nodes when they are the same place (same key and
  // coordinates): a company of 250 technicians from one depot has N + 1 nodes, not N + 500, so the
  // matrices are a third of the size at 1000 visits and the hot loops read fewer cache lines.
  const places = [...visits.map((v) => v.place)];
  const placeNode = new Map<string, number>();
  const nodeOf = (p: Place): number => {
    const key = `${p.key},${p.lat},${p.lon}`;
    let node = placeNode.get(key);
    if (node === undefined) {
      node = places.length;
      places.push(p);
      placeNode.set(key, node);
    }
    return node;
  };
  const techNodes = techs.map((t) => ({ start: nodeOf(t.start), end: nodeOf(t.end) }));
  const M = places.length;

  const time = new Float64Array(M * M);
  const distance = new Float64Array(M * M);
  for (let i = 0; i < M; i++) {
    const a = places[i]!;
    for (let j = 0; j < M; j++) {
      if (i === j) continue;
      const b = places[j]!;
      // A travel model that cannot answer (NaN, e.g. from NaN coordinates) means "unreachable".
      const t = problem.travel.time(a, b);
      const d = problem.travel.distance(a, b);
      time[i * M + j] = t >= 0 ? t : Infinity;
      distance[i * M + j] = d >= 0 ? d : Infinity;
    }
  }

  const windowStart = new Float64Array(M).fill(-Infinity);
  const windowEnd = new Float64Array(M).fill(Infinity);
  const duration = new Float64Array(M);
  const demand = new Float64Array(M);
  const plannedStart = new Float64Array(N).fill(Number.NaN);
  const bookedTechnician = new Int32Array(N).fill(-1);
  const bookedVehicle = new Int32Array(N).fill(-1);
  const pinned = new Uint8Array(N);
  const unassignedPenalty = new Float64Array(N);

  const techIndex = new Map(techs.map((t, i) => [t.id, i]));
  const vehicles: Vehicle[] = [];
  const vehicleOf = new Map<string, number>();
  const anyBooking = visits.some((v) => v.assigned !== undefined);
  techs.forEach((t, ti) => {
    for (const s of t.shifts) {
      const index = vehicles.length;
      const breakOrder = (s.breaks ?? []).map((_, i) => i);
      breakOrder.sort((x, y) => s.breaks![x]!.earliestStart - s.breaks![y]!.earliestStart || x - y);
      const breaks = breakOrder.map((i) => s.breaks![i]!);
      const endLimit = s.interval.end + (s.maxOvertime ?? 0);
      const capacity = t.capacity ?? Infinity;
      const startNode = techNodes[ti]!.start;
      const endNode = techNodes[ti]!.end;
      const classKey = JSON.stringify([
        [...t.skills].sort(),
        // The zone rule: technicians serving different areas are never interchangeable.
        t.serves === undefined ? null : [...t.serves].sort(),
        t.start.key,
        t.end.key,
        // Place keys may be shared by different coordinates only in broken input; the node ids disambiguate.
        anyBooking ? ti : -1,
        anyBooking ? s.id : '',
        s.interval.start,
        s.interval.end,
        endLimit,
        breaks,
        capacity,
        // Technicians with different places are different kinds even if keys collide.
        `${t.start.lat},${t.start.lon},${t.end.lat},${t.end.lon}`,
      ]);
      vehicles.push({
        index,
        technicianIndex: ti,
        technicianId: t.id,
        shiftId: s.id,
        shiftStart: s.interval.start,
        shiftEnd: s.interval.end,
        endLimit,
        breaks,
        breakOrder,
        capacity,
        startNode,
        endNode,
        classKey,
      });
      vehicleOf.set(`${t.id}\u0000${s.id}`, index);
    }
  });
  const V = vehicles.length;

  visits.forEach((v, i) => {
    windowStart[i] = v.window.start;
    windowEnd[i] = v.window.end;
    duration[i] = v.duration;
    demand[i] = v.demand ?? 0;
    unassignedPenalty[i] = v.assigned ? PROMISED_UNASSIGNED_PENALTY : UNASSIGNED_PENALTY;
    if (v.assigned) {
      plannedStart[i] = v.assigned.plannedStart;
      bookedTechnician[i] = techIndex.get(v.assigned.technicianId) ?? -1;
      bookedVehicle[i] = vehicleOf.get(`${v.assigned.technicianId}\u0000${v.assigned.shiftId}`) ?? -1;
      if (v.pinned) {
        // A pinned visit starts exactly at its planned start: a zero-width window says so.
        pinned[i] = 1;
        windowStart[i] = v.assigned.plannedStart;
        windowEnd[i] = v.assigned.plannedStart;
      }
    }
  });

  const canServe = new Uint8Array(N * V);
  for (let u = 0; u < N; u++) {
    const visit = visits[u]!;
    for (let k = 0; k < V; k++) {
      const veh = vehicles[k]!;
      const tech = techs[veh.technicianIndex]!;
      if (invalidVisit(visit)) break;
      if (pinned[u] && bookedVehicle[u] !== k) continue;
      if (!visit.skills.every((s) => tech.skills.includes(s))) continue;
      if (!servesArea(tech, visit.area)) continue;
      // Written so that NaN anywhere (broken input) means "cannot serve", never "can".
      if (!(demand[u]! <= veh.capacity)) continue;
      const arrive = Math.max(veh.shiftStart + time[veh.startNode * M + u]!, windowStart[u]!);
      if (!(arrive <= windowEnd[u]!)) continue;
      if (!(arrive + duration[u]! + time[u * M + veh.endNode]! <= veh.endLimit)) continue;
      canServe[u * V + k] = 1;
    }
  }

  const neighbours: Int32Array[] = [];
  for (let u = 0; u < N; u++) {
    const others: number[] = [];
    for (let w = 0; w < N; w++) if (w !== u) others.push(w);
    others.sort(
      (x, y) => time[u * M + x]! + time[x * M + u]! - (time[u * M + y]! + time[y * M + u]!) || x - y,
    );
    neighbours.push(Int32Array.from(others));
  }

  const classIds = new Map<string, number>();
  const vehicleClass = Int32Array.from(vehicles, (v) => {
    let id = classIds.get(v.classKey);
    if (id === undefined) classIds.set(v.classKey, (id = classIds.size));
    return id;
  });

  const endPlaceIds = new Map<string, number>();
  const endPlace = Int32Array.from(vehicles, (v) => {
    const p = techs[v.technicianIndex]!.end;
    const k = `${p.key},${p.lat},${p.lon}`;
    let id = endPlaceIds.get(k);
    if (id === undefined) endPlaceIds.set(k, (id = endPlaceIds.size));
    return id;
  });

  const anyBreaks = vehicles.some((v) => v.breaks.length > 0);
  const anyOvertime = vehicles.some((v) => v.endLimit > v.shiftEnd);
  const anyTimeShift = stability.timeShiftPenaltyPerHour > 0 && visits.some((v) => v.assigned && !v.pinned);
  const anyBalance = (stability.balanceWeight ?? 0) > 0;
  return {
    problem,
    visitCount: N,
    vehicles,
    nodeCount: M,
    time,
    distance,
    windowStart,
    windowEnd,
    duration,
    demand,
    plannedStart,
    bookedTechnician,
    bookedVehicle,
    pinned,
    canServe,
    vehicleClass,
    classCount: classIds.size,
    endPlace,
    neighbours,
    unassignedPenalty,
    stability,
    exact: anyBreaks || anyOvertime || anyTimeShift || anyBalance,
    arcCost: !(anyBreaks || anyOvertime || anyTimeShift || anyBalance) && !anyBooking,
  };
}

/** Penalty for serving visit u with vehicle k instead of the booked technician. */
export function reassignCost(inst: Instance, u: number, k: number): number {
  const booked = inst.bookedTechnician[u]!;
  return booked >= 0 && booked !== inst.vehicles[k]!.technicianIndex ? inst.stability.reassignPenalty : 0;
}
