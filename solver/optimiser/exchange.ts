/**
 * The trajectories of one planRoutes call (threads > 1) show each other their
 * best solution once, mid-search (trajectory.ts decides what to do with it).
 * Through shared memory: each writes its best into its own slot, raises its
 * flag, then waits (bounded, in wall time) for the others' flags. A blocking
 * rendezvous, so a run bounded by iterations repeats exactly; a trajectory
 * that has not arrived in time is left out.
 *
 * Slot layout (Int32): the flag, the visit count of each vehicle's route, then
 * the visits of all routes in vehicle order.
 */
import type { Instance } from './instance.js';
import { Solution } from './solution.js';

/** Sent to helpers with their job (a SharedArrayBuffer is shared, not copied). */
export interface ExchangeData {
  buffer: SharedArrayBuffer;
  trajectories: number;
  visitCount: number;
  vehicleCount: number;
}

export function exchangeData(inst: Instance, trajectories: number): ExchangeData {
  const stride = 1 + inst.vehicles.length + inst.visitCount;
  return {
    buffer: new SharedArrayBuffer(4 * stride * trajectories),
    trajectories,
    visitCount: inst.visitCount,
    vehicleCount: inst.vehicles.length,
  };
}

export class Exchange {
  private readonly view: Int32Array;
  private readonly stride: number;
  private done = false;

  constructor(
    private readonly data: ExchangeData,
    /** This trajectory's index (0 = planRoutes' own thread). */
    readonly index: number,
  ) {
    this.view = new Int32Array(data.buffer);
    this.stride = 1 + data.vehicleCount + data.visitCount;
  }

  /**
   * Publishes `best` (once; later calls return nothing) and returns the other trajectories' bests that
   * arrive within `waitMs` of wall time, as solutions of `best`'s instance (one that does not hold there
   * is left out).
   */
  share(best: Solution, waitMs: number): Solution[] {
    const { trajectories, vehicleCount: V, visitCount: N } = this.data;
    if (this.done || best.inst.vehicles.length !== V || best.inst.visitCount !== N) return [];
    this.done = true;
    const mine = this.index * this.stride;
    let at = mine + 1 + V;
    for (let k = 0; k < V; k++) {
      const visits = best.routes[k]!.visits;
      this.view[mine + 1 + k] = visits.length;
      for (const u of visits) this.view[at++] = u;
    }
    Atomics.store(this.view, mine, 1);
    Atomics.notify(this.view, mine);

    const deadline = performance.now() + waitMs;
    const out: Solution[] = [];
    for (let t = 0; t < trajectories; t++) {
      if (t === this.index) continue;
      const base = t * this.stride;
      while (Atomics.load(this.view, base) === 0) {
        const left = deadline - performance.now();
        if (left <= 0) break;
        Atomics.wait(this.view, base, 0, left);
      }
      if (Atomics.load(this.view, base) === 0) continue;
      const theirs = this.read(best, base);
      if (theirs !== undefined) out.push(theirs);
    }
    return out;
  }

  private read(like: Solution, base: number): Solution | undefined {
    const { vehicleCount: V, visitCount: N } = this.data;
    const sol = new Solution(like.inst);
    const seen = new Uint8Array(N);
    let p = base + 1 + V;
    for (let k = 0; k < V; k++) {
      const n = this.view[base + 1 + k]!;
      if (n === 0) continue;
      if (!(n > 0 && p + n <= base + this.stride)) return undefined;
      const visits = Array.from(this.view.subarray(p, p + n));
      p += n;
      for (const u of visits) {
        if (!(u >= 0 && u < N) || seen[u]) return undefined;
        seen[u] = 1;
      }
      sol.setRoute(k, visits);
    }
    sol.syncUnassigned();
    return Number.isFinite(sol.cost()) ? sol : undefined;
  }
}
