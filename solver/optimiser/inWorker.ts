/**
 * planRoutesInWorker: planRoutes in a worker thread, so the service's event
 * loop stays free during a multi-second optimisation. One worker per call
 * (HiGHS WASM start-up adds ≈ 0.5 s); it is terminated when done, when the
 * caller aborts, or when it overruns its time limit by a wide margin.
 */
import { Worker } from 'node:worker_threads';
import type { Problem } from '../problem.js';
import type { PlanRoutesOptions, PlanRoutesResult } from './planRoutes.js';
import { serialiseProblem, type SerializableTravel } from './travelDescription.js';
import type { WorkerJob, WorkerReply } from './worker.js';

export interface WorkerOptions {
  /** How the worker rebuilds the travel model. Default: the problem's model, tabulated between its places. */
  travel?: SerializableTravel;
  /** Aborting terminates the worker and rejects. */
  signal?: AbortSignal;
}

/** Extra wall-clock time allowed beyond timeLimitMs before the worker is killed (start-up, MIP, hand-back). */
const OVERRUN_MS = 30_000;

export function planRoutesInWorker(
  problem: Problem,
  options: PlanRoutesOptions,
  workerOptions: WorkerOptions = {},
): Promise<PlanRoutesResult> {
  const data = serialiseProblem(problem, workerOptions.travel);
  const job: WorkerJob = { problem: data.problem, travel: data.travel, options };
  // The entry has the same extension as this module: .ts under tsx/vitest, .js once compiled.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = new URL(`./worker${ext}`, import.meta.url).href;
  return new Promise<PlanRoutesResult>((resolvePromise, reject) => {
    if (workerOptions.signal?.aborted) {
      reject(workerOptions.signal.reason ?? new Error('aborted'));
      return;
    }
    const worker = new Worker(new URL('./workerBootstrap.mjs', import.meta.url), { workerData: { entry } });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      workerOptions.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = (): void => finish(() => reject(workerOptions.signal?.reason ?? new Error('aborted')));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`optimiser worker overran its ${options.timeLimitMs} ms limit`))),
      options.timeLimitMs + OVERRUN_MS,
    );
    workerOptions.signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: WorkerReply) =>
      finish(() =>
        reply.ok ? resolvePromise(reply.result) : reject(new Error(`optimiser worker: ${reply.error}`)),
      ),
    );
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`optimiser worker exited with code ${code}`))),
    );
    worker.postMessage(job);
  });
}
