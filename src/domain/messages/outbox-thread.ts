import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { onEventEnqueued } from '../outbox/enqueue.js';
import type { WorkerLog } from '../outbox/worker.js';
import type { MessagingOptions } from './messaging.js';

/** What the thread is started with (structured-cloned: no functions). */
export interface OutboxThreadData {
  url: string;
  schema: string;
  messaging: Omit<MessagingOptions, 'clock' | 'log'>;
}

export type ToThread = { type: 'wake' } | { type: 'stop' };
type FromThread =
  | { type: 'ready' }
  | { type: 'stopped' }
  | { type: 'log'; level: keyof WorkerLog; fields: object; message: string };

const STOP_TIMEOUT_MS = 15_000;
const RESTART_DELAYS_MS = [1_000, 5_000, 30_000];

/**
 * The outbox worker (e-mails, webhooks, reminders, surveys) in a worker thread of this instance,
 * on PostgreSQL. In the main thread, composing a message (MIME, the .ics, nodemailer's streams)
 * took ~1.5 ms of its event loop each, in slices that fell between the steps of the bookings being
 * served: with the worker on, a booking's p95 rose by a third (bench:api, bench:outbox-ab). In a
 * thread of its own it runs on the other core, and the main thread only posts it a wake-up after a
 * commit that wrote an event. It has its own pool (two connections), so nothing changes for the
 * guarantees: leases, SKIP LOCKED, retries, dead letters are the database's, as with any other
 * instance's worker. A thread that dies is started again (1 s, 5 s, then every 30 s).
 */
export class OutboxThread {
  private worker: Worker | undefined;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped: (() => void) | undefined;

  constructor(
    private readonly data: OutboxThreadData,
    private readonly log: WorkerLog,
  ) {}

  start(): void {
    if (this.worker || this.stopping) return;
    this.unsubscribe ??= onEventEnqueued(() => this.worker?.postMessage({ type: 'wake' } satisfies ToThread));
    this.spawn();
  }

  private spawn(): void {
    const worker = spawnThread(this.data);
    this.worker = worker;
    worker.on('message', (message: FromThread) => {
      if (message.type === 'log') this.log[message.level](message.fields, message.message);
      if (message.type === 'ready') this.restarts = 0;
      if (message.type === 'stopped') this.stopped?.();
    });
    worker.on('error', (error) =>
      this.log.error(
        { err: String(error), stack: (error as Error).stack },
        'outbox thread failed; deliveries wait for its restart',
      ),
    );
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.stopped?.();
      if (this.stopping) return;
      const delay = RESTART_DELAYS_MS[Math.min(this.restarts++, RESTART_DELAYS_MS.length - 1)]!;
      this.restartTimer = setTimeout(() => this.spawn(), delay);
      this.restartTimer.unref();
    });
  }

  /** Stops the thread after its run in progress has recorded its outcomes (at most 15 s, then it is ended). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      this.stopped = () => {
        clearTimeout(timer);
        resolve();
      };
      worker.postMessage({ type: 'stop' } satisfies ToThread);
    });
    await worker.terminate();
    this.worker = undefined;
  }
}

function spawnThread(data: OutboxThreadData): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(`./worker-thread.${source ? 'ts' : 'js'}`, import.meta.url);
  if (!source) return new Worker(entry, { workerData: data });
  // Run from TypeScript sources (npm start: node --import tsx): a thread does not inherit the main
  // thread's loader, so it registers tsx's before importing its entry.
  // Its ES module entry (the CommonJS one imports a file that tsx 4 does not ship).
  const tsx =
    typeof import.meta.resolve === 'function'
      ? import.meta.resolve('tsx/esm/api')
      : pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}
