import type { Messaging } from '../../src/domain/messages/messaging.js';

/** Runs the outbox worker until two runs in a row find nothing to do (no sleeps: the clock is the test's). */
export async function drainOutbox(messaging: Messaging): Promise<void> {
  for (let idle = 0; idle < 2;) {
    const run = await messaging.worker.runOnce();
    idle = run.attempted === 0 && run.dispatched === 0 ? idle + 1 : 0;
  }
}
