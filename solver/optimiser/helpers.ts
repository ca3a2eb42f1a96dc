/**
 * Helper trajectories in worker threads (planRoutes' `threads` option).
 * Each helper rebuilds the problem from plain data, runs one trajectory
 * with its own seed until the shared deadline, and hands back its best
 * routes and its route pool. A helper that fails or overruns is left out:
 * the caller's own trajectory always stands on its own.
 */
import { Worker } from 'node:worker_threads';
import type { SearchStats } from './alns.js';
import type { ClockKind } from './clock.js';
import type { CooperationData } from './cooperation.js';
import type { ExchangeData } from './exchange.js';
import type { StabilityWeights } from './instance.js';
import type { PooledRoute } from './routePool.js';
import type { ProblemData, SerializableTravel } from './travelDescription.js';

export interface HelperJob {
  problem: ProblemData;
  travel: SerializableTravel;
  stability: StabilityWeights;
  seed: number;
  clock: ClockKind;
  /**
   * Wall clock: Date.now() bounds (performance.now() has a different origin in each thread).
   * Thread CPU: the helper's own budget, searchBudgetMs of its CPU time.
   */
  startedEpochMs: number;
  deadlineEpochMs: number;
  searchBudgetMs: number;
  maxIterations: number;
  setPartitioning: boolean;
  checkpointColumns: number;
  /** Most pool routes sent back. */
  maxPoolColumns: number;
  /** Shared memory where the trajectories show each other their bests (exchange.ts), and this one's slot. */
  exchange?: { data: ExchangeData; index: number };
  /**
   * Large instances: where the trajectories meet to share decomposition rounds, this one's index, the
   * caller's seed; and the whole budget (on `clock`) and the margin before its end by which the closing
   * round, which the helper shares once its reply is sent, ends (see planRoutes).
   */
  cooperation?: {
    data: CooperationData;
    index: number;
    seed: number;
    budgetMs: number;
    closingMarginMs: number;
  };
}

export type HelperReply =
  | {
      ok: true;
      /** Visits per vehicle, in the compiled instance's vehicle order. */
      routes: number[][];
      pool: PooledRoute[];
      stats: SearchStats & {
        checkpointImprovements: number;
        probes: { runs: number; improved: number; iterations: number };
        exchange: { received: number; adopted: number };
      };
    }
  | { ok: false; error: string };

export interface RunningHelper {
  /** Settles with the reply, or with an error reply when the helper fails, exits or is stopped. */
  reply: Promise<HelperReply>;
  /** Terminates the worker (its reply then settles as an error). */
  stop: () => void;
}

export function startHelper(job: HelperJob): RunningHelper {
  // The entry has the same extension as this module: .ts under tsx/vitest, .js once compiled.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = new URL(`./helperWorker${ext}`, import.meta.url).href;
  const worker = new Worker(new URL('./workerBootstrap.mjs', import.meta.url), { workerData: { entry } });
  let stop: () => void = () => undefined;
  const reply = new Promise<HelperReply>((resolve) => {
    let settled = false;
    const finish = (r: HelperReply): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    stop = () => {
      finish({ ok: false, error: 'stopped' });
      void worker.terminate();
    };
    // A helper that shares the closing round stays after its reply: the owner stops it when done.
    worker.once('message', (r: HelperReply) => {
      finish(r);
      if (job.cooperation === undefined) void worker.terminate();
    });
    worker.once('error', (err) => {
      finish({ ok: false, error: err instanceof Error ? err.message : String(err) });
      void worker.terminate();
    });
    worker.once('exit', (code) => finish({ ok: false, error: `exited with code ${code}` }));
  });
  worker.postMessage(job);
  return { reply, stop: () => stop() };
}
