/**
 * The optimiser's worker thread: receives one job (plain problem data, a
 * travel description, options), runs planRoutes, posts the result back.
 * The ALNS and the HiGHS MIP are synchronous and CPU-bound; here they
 * block this thread only, never the service's event loop.
 */
import { parentPort } from 'node:worker_threads';
import type { PlanRoutesOptions, PlanRoutesResult } from './planRoutes.js';
import { planRoutes } from './planRoutes.js';
import { deserialiseProblem, type ProblemData, type SerializableTravel } from './travelDescription.js';

export interface WorkerJob {
  problem: ProblemData;
  travel: SerializableTravel;
  options: PlanRoutesOptions;
}

export type WorkerReply =
  { ok: true; result: PlanRoutesResult } | { ok: false; error: string; stack?: string };

const port = parentPort;
if (port === null) throw new Error('solver/optimiser/worker.ts must run in a worker thread');

port.once('message', (job: WorkerJob) => {
  planRoutes(deserialiseProblem(job.problem, job.travel), job.options).then(
    (result) => port.postMessage({ ok: true, result } satisfies WorkerReply),
    (err: unknown) =>
      port.postMessage({
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        ...(err instanceof Error && err.stack ? { stack: err.stack } : {}),
      } satisfies WorkerReply),
  );
});
