/**
 * Entry of a helper trajectory's worker thread (see helpers.ts): one job,
 * one reply, then the thread is terminated by its owner.
 */
import { parentPort } from 'node:worker_threads';
import type { HelperJob, HelperReply } from './helpers.js';
import { makeClock } from './clock.js';
import { Exchange } from './exchange.js';
import { currentPlanSolution } from './initial.js';
import { compileInstance } from './instance.js';
import { loadHighs } from './setPartitioning.js';
import { runTrajectory } from './trajectory.js';
import { deserialiseProblem } from './travelDescription.js';

const port = parentPort;
if (port === null) throw new Error('solver/optimiser/helperWorker.ts must run in a worker thread');

port.once('message', (job: HelperJob) => {
  run(job).then(
    (reply) => port.postMessage(reply),
    (err: unknown) =>
      port.postMessage({
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      } satisfies HelperReply),
  );
});

async function run(job: HelperJob): Promise<HelperReply> {
  const highs = job.setPartitioning ? await loadHighs() : undefined;
  const inst = compileInstance(deserialiseProblem(job.problem, job.travel), job.stability);
  const clock = makeClock(job.clock);
  const now = clock.now();
  const startedAt = clock.kind === 'wall' ? now - (Date.now() - job.startedEpochMs) : now;
  const deadline =
    clock.kind === 'wall' ? now + (job.deadlineEpochMs - Date.now()) : now + job.searchBudgetMs;
  const result = runTrajectory(currentPlanSolution(inst), {
    seed: job.seed,
    clock,
    startedAt,
    deadline,
    maxIterations: job.maxIterations,
    highs,
    checkpointColumns: job.checkpointColumns,
    ...(job.exchange ? { exchange: new Exchange(job.exchange.data, job.exchange.index) } : {}),
  });
  return {
    ok: true,
    routes: result.best.routes.map((r) => r.visits.slice()),
    pool: result.pool.best(job.maxPoolColumns),
    stats: result.stats,
  };
}
