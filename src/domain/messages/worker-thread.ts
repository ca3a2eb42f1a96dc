import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../db/database.js';
import type { WorkerLog } from '../outbox/worker.js';
import { createMessaging } from './messaging.js';
import type { OutboxThreadData, ToThread } from './outbox-thread.js';
import { OUTBOX_THREAD_NAME, OUTBOX_THREAD_NICE, runAsBackgroundThread } from './thread-priority.js';

/**
 * The outbox worker's thread (see outbox-thread.ts): its own event loop and its own pool of two
 * connections, so composing e-mails and the worker's queries never hold up a request of the
 * instance's main thread.
 */
const port = parentPort!;

// Below the requests' thread: on two cores the outbox's CPU competed with the booking being served.
runAsBackgroundThread(OUTBOX_THREAD_NAME, OUTBOX_THREAD_NICE);

// No stack traces in this thread. nodemailer joins its MIME parts with stream.pipeline, and Node 20's
// pipeline aborts an AbortController when it finishes, which builds an AbortError DOMException and
// captures its stack: for nothing, a fifth of composing an e-mail (0.4 of ~2 ms on this host). The
// worker logs errors by their message only; the main thread keeps its stacks.
Error.stackTraceLimit = 0;
const data = workerData as OutboxThreadData;

const forward =
  (level: keyof WorkerLog) =>
  (fields: object, message: string): void =>
    port.postMessage({ type: 'log', level, fields, message });
const log: WorkerLog = { info: forward('info'), warn: forward('warn'), error: forward('error') };

const database = await openDatabase({
  url: data.url,
  schema: data.schema,
  poolSize: 2,
  // Its writes' loss in a database crash only means a re-delivery under the same id (see server.ts).
  synchronousCommit: false,
});
const messaging = createMessaging(database.db, { ...data.messaging, log });
messaging.worker.start();

port.on('message', (message: ToThread) => {
  if (message.type === 'wake') messaging.worker.wake();
  if (message.type === 'stop') {
    void (async () => {
      // The run in progress records its outcomes before the pool closes.
      await messaging.close();
      await database.close();
      port.postMessage({ type: 'stopped' });
      port.close();
    })();
  }
});
port.postMessage({ type: 'ready' });
