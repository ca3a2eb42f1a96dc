/**
 * Entry of a helper trajectory's worker thread (see helpers.ts): one job,
 * one reply, then the thread is terminated by its owner.
 */
import { parentPort } from 'node:worker_threads';
import type { HelperJob, HelperReply } from './helpers.js';
import { makeClock } from './clock.js';
import { Cooperation } from './cooperation.js';
import { Exchange } from './exchange.js';
import { currentPlanSolution } from './initial.js';
import { compileInstance } from './instance.js';
import { loadHighs } from './setPartitioning.js';
import { Random } from './prng.js';
import { closingDecompositionRound, runTrajectory, trajectorySeed } from './trajectory.js';
import { deserialiseProblem } from './travelDescription.js';

const port = parentPort;
if (port === null) throw new Error('solver/optimiser/helperWorker.ts must run in a worker thread');

port.once('message', (job: HelperJob) => {
  run(job).then(
    (reply) => {
      port.postMessage(reply.reply);
      reply.closing?.();
    },
    (err: unknown) =>
      port.postMessage({
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      } satisfies HelperReply),
  );
});

/** The reply, and the closing round this helper shares once it is sent (large instances). */
async function run(job: HelperJob): Promise<{ reply: HelperReply; closing?: () => void }> {
  const highs = job.setPartitioning ? await loadHighs() : undefined;
  const inst = compileInstance(deserialiseProblem(job.problem, job.travel), job.stability);
  const clock = makeClock(job.clock);
  const now = clock.now();
  const startedAt = clock.kind === 'wall' ? now - (Date.now() - job.startedEpochMs) : now;
  const deadline =
    clock.kind === 'wall' ? now + (job.deadlineEpochMs - Date.now()) : now + job.searchBudgetMs;
  const channel = job.cooperation ? new Cooperation(job.cooperation.data, job.cooperation.index) : undefined;
  const result = runTrajectory(currentPlanSolution(inst), {
    seed: job.seed,
    clock,
    startedAt,
    deadline,
    maxIterations: job.maxIterations,
    highs,
    checkpointColumns: job.checkpointColumns,
    ...(job.exchange ? { exchange: new Exchange(job.exchange.data, job.exchange.index) } : {}),
    ...(job.cooperation && channel ? { cooperation: { channel, seed: job.cooperation.seed } } : {}),
  });
  const reply: HelperReply = {
    ok: true,
    routes: result.best.routes.map((r) => r.visits.slice()),
    pool: result.pool.best(job.maxPoolColumns),
    stats: result.stats,
  };
  const together = job.cooperation;
  // planRoutes runs the closing round (time-bound runs only) after its final MIP: this helper takes its
  // share of the subproblems, until the same point of its own budget, then waits to be stopped.
  if (together === undefined || channel === undefined || Number.isFinite(job.maxIterations)) return { reply };
  const closing = (): void => {
    const end = startedAt + together.budgetMs - together.closingMarginMs;
    const waitMs = clock.kind === 'wall' ? Math.max(50, end - clock.now()) : 5000 + 2 * together.budgetMs;
    closingDecompositionRound(result.best, new Random(trajectorySeed(job.seed, 1)), clock, end, undefined, {
      channel,
      meeting: 2 * result.stats.decomposition.together,
      seed: together.seed,
      waitMs,
    });
  };
  return { reply, closing };
}
