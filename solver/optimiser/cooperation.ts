/**
 * Rendezvous of the trajectories of one planRoutes call (threads > 1) through shared memory, as many
 * times as they like: at each numbered meeting every trajectory publishes a list of integers and reads
 * the others'. Large instances use it to solve the subproblems of one decomposition round side by side
 * (decomposition.ts, cooperativeRound); small ones show each other their bests once (exchange.ts).
 *
 * Blocking (Atomics.wait), so a run bounded by iterations repeats exactly. A trajectory that has not
 * arrived within the wait is left out of that meeting, and the one that waited stops meeting for the
 * rest of the run (the late one finds nobody at its next meeting and stops too): each then goes on
 * alone, as a single-thread run would.
 *
 * Layout (Int32): per trajectory two slots, one for even and one for odd meetings, so that a trajectory
 * may publish meeting m + 1 while another still reads its meeting m (it cannot reach m + 2 before that
 * other has published m + 1, which comes after its reading of m). A slot: the meeting number + 1 once
 * written, the payload's length, the payload.
 */
import type { Instance } from './instance.js';
import { Solution } from './solution.js';

/** Sent to helpers with their job (a SharedArrayBuffer is shared, not copied). */
export interface CooperationData {
  buffer: SharedArrayBuffer;
  trajectories: number;
  /** Most integers a payload may hold. */
  capacity: number;
}

export function cooperationData(trajectories: number, capacity: number): CooperationData {
  return {
    buffer: new SharedArrayBuffer(4 * 2 * trajectories * (2 + capacity)),
    trajectories,
    capacity,
  };
}

export class Cooperation {
  private readonly view: Int32Array;
  private readonly slot: number;
  private alone = false;

  constructor(
    private readonly data: CooperationData,
    /** This trajectory's index (0 = planRoutes' own thread). */
    readonly index: number,
  ) {
    this.view = new Int32Array(data.buffer);
    this.slot = 2 + data.capacity;
  }

  /** Whether this trajectory still meets the others (false once one of them did not come in time). */
  get active(): boolean {
    return !this.alone && this.data.trajectories > 1;
  }

  /**
   * Publishes `payload` for meeting `meeting` (0, 1, 2… in order) and returns every trajectory's payload
   * for it, in trajectory order (this one's at its index), undefined for those that did not arrive
   * within `waitMs` of wall time. Once alone, returns only this trajectory's own.
   */
  meet(meeting: number, payload: Int32Array, waitMs: number): (Int32Array | undefined)[] {
    const { trajectories, capacity } = this.data;
    const out: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(trajectories).fill(undefined);
    out[this.index] = payload;
    if (!this.active) return out;
    if (payload.length > capacity) throw new RangeError(`payload of ${payload.length} > ${capacity}`);
    const mine = this.base(this.index, meeting);
    this.view[mine + 1] = payload.length;
    this.view.set(payload, mine + 2);
    Atomics.store(this.view, mine, meeting + 1);
    Atomics.notify(this.view, mine);

    const deadline = performance.now() + waitMs;
    for (let t = 0; t < trajectories; t++) {
      if (t === this.index) continue;
      const at = this.base(t, meeting);
      for (;;) {
        const flag = Atomics.load(this.view, at);
        if (flag === meeting + 1) break;
        const left = deadline - performance.now();
        if (left <= 0) break;
        Atomics.wait(this.view, at, flag, left);
      }
      if (Atomics.load(this.view, at) !== meeting + 1) {
        this.alone = true;
        continue;
      }
      const n = this.view[at + 1]!;
      if (!(n >= 0 && n <= capacity)) {
        this.alone = true;
        continue;
      }
      out[t] = this.view.slice(at + 2, at + 2 + n);
    }
    return out;
  }

  private base(trajectory: number, meeting: number): number {
    return (2 * trajectory + (meeting & 1)) * this.slot;
  }
}

/** Routes as integers: each vehicle's visit count, then all visits in vehicle order. */
export function encodeRoutes(routes: readonly { visits: readonly number[] }[]): Int32Array {
  let n = routes.length;
  for (const r of routes) n += r.visits.length;
  const out = new Int32Array(n);
  let at = routes.length;
  routes.forEach((r, k) => {
    out[k] = r.visits.length;
    for (const u of r.visits) out[at++] = u;
  });
  return out;
}

/**
 * The routes of `vehicleCount` vehicles from encodeRoutes' integers, or undefined when they are not
 * routes of an instance of `visitCount` visits (a visit out of range or twice, or the lengths wrong).
 */
export function decodeRoutes(
  data: Int32Array,
  vehicleCount: number,
  visitCount: number,
): number[][] | undefined {
  if (data.length < vehicleCount) return undefined;
  const seen = new Uint8Array(visitCount);
  const routes: number[][] = [];
  let at = vehicleCount;
  for (let k = 0; k < vehicleCount; k++) {
    const n = data[k]!;
    if (!(n >= 0 && at + n <= data.length)) return undefined;
    const visits = Array.from(data.subarray(at, at + n));
    at += n;
    for (const u of visits) {
      if (!(u >= 0 && u < visitCount) || seen[u]) return undefined;
      seen[u] = 1;
    }
    routes.push(visits);
  }
  return at === data.length ? routes : undefined;
}

/** A solution of `inst` from encodeRoutes' integers, or undefined when they are not routes of it. */
export function decodeSolution(inst: Instance, data: Int32Array): Solution | undefined {
  const routes = decodeRoutes(data, inst.vehicles.length, inst.visitCount);
  if (routes === undefined) return undefined;
  const sol = new Solution(inst);
  routes.forEach((visits, k) => {
    if (visits.length > 0) sol.setRoute(k, visits);
  });
  sol.syncUnassigned();
  return Number.isFinite(sol.cost()) ? sol : undefined;
}
