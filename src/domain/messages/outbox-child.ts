import { openDatabase } from '../../db/database.js';
import type { WorkerLog } from '../outbox/worker.js';
import { createMessaging } from './messaging.js';
import {
  errorOverChannel,
  type FromOutbox,
  type OutboxProcessData,
  type ToOutbox,
} from './outbox-channel.js';
import {
  OUTBOX_CATCH_UP,
  OUTBOX_PROCESS_NAME,
  OUTBOX_PROCESS_NICE,
  runAsBackgroundProcess,
} from './process-priority.js';

/**
 * The outbox worker's process (see outbox-process.ts), started by an instance with an IPC channel:
 * its own event loop, its own V8 (compiler and garbage-collector threads included) and its own pool
 * of two connections, all below the instance's priority.
 */

// First, before anything else runs: every thread of this process below the instance's.
runAsBackgroundProcess(OUTBOX_PROCESS_NAME, OUTBOX_PROCESS_NICE);

// No stack traces in this process. nodemailer joins its MIME parts with stream.pipeline, and Node
// 20's pipeline aborts an AbortController when it finishes, which builds an AbortError DOMException
// and captures its stack: for nothing, a fifth of composing an e-mail. The worker logs errors by
// their message only; the instance keeps its stacks.
Error.stackTraceLimit = 0;

const send = (message: FromOutbox): void => {
  if (process.connected) process.send!(message);
};

// The instance is gone (stopped, or killed without a word): stop at once, as a crash would. What
// was taken and not recorded goes again when its lease ends, under the same ids.
process.on('disconnect', () => process.exit(1));

// A SIGTERM meant for the instance's group (a terminal's ^C, a supervisor) leaves the stop to the
// instance, which asks for it over the channel once its own requests are done.
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});

// One listener from the first moment: a stop sent while this process is still starting (the
// instance got SIGTERM right after it listened) must not be lost, or the instance waits for it.
const state: {
  stopRequested: boolean;
  stop?: () => void;
  messaging?: ReturnType<typeof createMessaging>;
  /** The latest wake received (its commit time): the instance counts the ones after it as unseen. */
  seenWake: number | null;
} = {
  stopRequested: false,
  seenWake: null,
};
let resolveStart: (data: OutboxProcessData) => void;
const started = new Promise<OutboxProcessData>((resolve) => (resolveStart = resolve));
process.on('message', (message: ToOutbox) => {
  if (message.type === 'start') resolveStart(message.data);
  if (message.type === 'wake') {
    state.seenWake = Math.max(state.seenWake ?? message.at, message.at);
    state.messaging?.worker.wake(message.at);
  }
  if (message.type === 'stop') {
    state.stopRequested = true;
    if (state.stop) state.stop();
    else process.exit(0);
  }
});

const data = await started;

const plain = (value: unknown): unknown => (value instanceof Error ? errorOverChannel(value) : value);
const forward =
  (level: keyof WorkerLog) =>
  (fields: object, message: string): void =>
    send({
      type: 'log',
      level,
      fields: Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, plain(value)])),
      message,
    });
const log: WorkerLog = { info: forward('info'), warn: forward('warn'), error: forward('error') };

const database = await openDatabase({
  url: data.url,
  schema: data.schema,
  poolSize: 2,
  // Its writes' loss in a database crash only means a re-delivery under the same id (see server.ts).
  synchronousCommit: false,
});
/**
 * A sleep after composing each message (about a millisecond of CPU each) while the worker keeps up
 * (not once work has waited a second: then the instance raises this process and it catches up at
 * full speed). This process runs under SCHED_IDLE, yet in scheduler traces of bench:outbox-ab the
 * booking's tasks still waited behind it (0.8-1.7 ms a booking, some waits over 2 ms with it
 * running on the CPU they had been woken for): sleeping between two messages hands the CPU back at
 * least that often, whatever the kernel does. A run of 16 messages takes ~16 ms longer.
 */
const PAUSE_BETWEEN_MESSAGES_MS = 1;

const running = createMessaging(database.db, {
  ...data.messaging,
  pauseMs: PAUSE_BETWEEN_MESSAGES_MS,
  catchUpAfterMs: OUTBOX_CATCH_UP.at(-1)!.afterMs,
  log,
  onProgress: (backlogSince) =>
    send({ type: 'progress', backlogSince: backlogSince ?? null, seenWake: state.seenWake }),
});
state.messaging = running;
state.stop = () =>
  void (async () => {
    // The run in progress records its outcomes before the pool closes.
    await running.close();
    await database.close();
    process.exit(0);
  })();
if (state.stopRequested) state.stop();
else running.worker.start();
send({ type: 'ready' });
