/**
 * The trajectories of one planRoutes call (threads > 1) show each other their
 * best solution once, mid-search (trajectory.ts decides what to do with it):
 * one meeting of cooperation.ts, so a run bounded by iterations repeats exactly,
 * and a trajectory that has not arrived in time is left out.
 */
import {
  Cooperation,
  cooperationData,
  decodeSolution,
  encodeRoutes,
  type CooperationData,
} from './cooperation.js';
import type { Instance } from './instance.js';
import type { Solution } from './solution.js';

/** Sent to helpers with their job (a SharedArrayBuffer is shared, not copied). */
export type ExchangeData = CooperationData;

export function exchangeData(inst: Instance, trajectories: number): ExchangeData {
  return cooperationData(trajectories, inst.vehicles.length + inst.visitCount);
}

export class Exchange {
  private readonly meeting: Cooperation;
  private readonly capacity: number;
  private done = false;

  constructor(
    data: ExchangeData,
    /** This trajectory's index (0 = planRoutes' own thread). */
    readonly index: number,
  ) {
    this.meeting = new Cooperation(data, index);
    this.capacity = data.capacity;
  }

  /**
   * Publishes `best` (once; later calls return nothing) and returns the other trajectories' bests that
   * arrive within `waitMs` of wall time, as solutions of `best`'s instance (one that does not hold there
   * is left out).
   */
  share(best: Solution, waitMs: number): Solution[] {
    const payload = encodeRoutes(best.routes);
    // Another instance than the one the meeting was sized for: nothing to share.
    if (this.done || payload.length > this.capacity) return [];
    this.done = true;
    const out: Solution[] = [];
    this.meeting.meet(0, payload, waitMs).forEach((data, t) => {
      const theirs = t === this.index || data === undefined ? undefined : decodeSolution(best.inst, data);
      if (theirs !== undefined) out.push(theirs);
    });
    return out;
  }
}
