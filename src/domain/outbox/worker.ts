import type { Db } from '../../db/database.js';
import { claimDueMessages, recordOutcome } from '../../db/outbox.js';
import type { MessageChannel, MessageRow } from '../../db/schema.js';
import { nextAttemptAt } from './backoff.js';
import type { Attempt, Deliverer } from './delivery.js';
import { dispatchEvents } from './dispatch.js';
import { onEventEnqueued } from './enqueue.js';

/** Something the worker runs now and then besides deliveries (day-before reminders, surveys). */
export interface Scheduled {
  /** Makes the messages due at `now`; must be idempotent (dedupe keys), as every instance runs it. */
  run(now: Date): Promise<number>;
}

export interface WorkerLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

export interface OutboxWorkerOptions {
  deliverers: Partial<Record<MessageChannel, Deliverer>>;
  clock?: () => Date;
  scheduled?: Scheduled[];
  /** How often the worker looks for due messages when nothing woke it. */
  pollMs?: number;
  /** How long a taken message stays reserved to this worker; longer than any delivery (10 s webhook timeout). */
  leaseMs?: number;
  /** Messages delivered at once by this worker. */
  concurrency?: number;
  /** Minimum time between two runs of the scheduled jobs (by the worker's clock). */
  scheduleEveryMs?: number;
  log?: WorkerLog;
  random?: () => number;
}

export interface RunReport {
  dispatched: number;
  scheduled: number;
  attempted: number;
  sent: number;
}

/**
 * Delivers the outbox: events become messages, due messages are taken under a lease with
 * SKIP LOCKED (so any number of instances share the work and each message goes out once while
 * its lease runs), delivered, and their outcome recorded; failures come back with exponential
 * backoff and jitter until their 24 h are up, then stay failed (dead-lettered) for an admin replay.
 * A crash mid-delivery leaves the lease to expire and the message goes again, with the same id.
 */
export class OutboxWorker {
  private readonly clock: () => Date;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly scheduleEveryMs: number;
  private lastSchedule = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private wakeRequested = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: OutboxWorkerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.pollMs = options.pollMs ?? 500;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.concurrency = options.concurrency ?? 8;
    this.scheduleEveryMs = options.scheduleEveryMs ?? 60_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = onEventEnqueued(() => this.wake());
    this.schedule(0);
  }

  /** Stops polling and waits for the run in progress (its messages are recorded before this resolves). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Runs now rather than at the next poll (called after an event is enqueued in this process). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), ms);
    this.timer.unref?.();
  }

  private async loop(): Promise<void> {
    if (this.stopped || this.running) return;
    let report: RunReport | undefined;
    this.running = this.runOnce().then(
      (r) => (report = r),
      (error: unknown) =>
        this.options.log?.warn({ err: (error as Error).message }, 'outbox run failed; will retry'),
    );
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    // Keep going at once while there is work (a full batch) or a wake arrived meanwhile.
    const busy = report !== undefined && (report.attempted >= this.concurrency || report.dispatched > 0);
    const again = busy || this.wakeRequested;
    this.wakeRequested = false;
    this.schedule(again ? 0 : this.pollMs);
  }

  /** One pass: dispatch events, run due schedules, deliver one batch of due messages. Tests call it with their own clock. */
  async runOnce(): Promise<RunReport> {
    const now = this.clock();
    let dispatched = 0;
    for (let n = -1; n !== 0; dispatched += n) n = await dispatchEvents(this.db, now);
    let scheduled = 0;
    if (now.getTime() - this.lastSchedule >= this.scheduleEveryMs) {
      this.lastSchedule = now.getTime();
      for (const job of this.options.scheduled ?? []) scheduled += await job.run(now);
      if (scheduled > 0) for (let n = -1; n !== 0; dispatched += n) n = await dispatchEvents(this.db, now);
    }
    const claimed = await claimDueMessages(
      this.db,
      now,
      new Date(now.getTime() + this.leaseMs),
      this.concurrency,
    );
    const outcomes = await Promise.all(claimed.map((m) => this.deliverOne(m)));
    return { dispatched, scheduled, attempted: claimed.length, sent: outcomes.filter(Boolean).length };
  }

  private async deliverOne(message: MessageRow): Promise<boolean> {
    const deliverer = this.options.deliverers[message.channel];
    const now = this.clock();
    let attempt: Attempt;
    try {
      attempt = deliverer
        ? await deliverer.deliver(message, now)
        : { outcome: 'retry', error: `no ${message.channel} transport configured` };
    } catch (error) {
      attempt = { outcome: 'retry', error: (error as Error).message };
    }
    const at = this.clock();
    if (attempt.outcome === 'sent') {
      await recordOutcome(this.db, message, {
        status: 'sent',
        at,
        responseStatus: attempt.responseStatus,
        responseBody: attempt.responseBody,
        payload: attempt.payload,
      });
      return true;
    }
    if (attempt.outcome === 'skipped') {
      await recordOutcome(this.db, message, { status: 'skipped', at, error: attempt.reason });
      return false;
    }
    const next =
      attempt.outcome === 'retry'
        ? nextAttemptAt(message.attempts, at, message.give_up_at, this.options.random)
        : null;
    await recordOutcome(this.db, message, {
      status: next ? 'retry' : 'failed',
      at,
      nextAttemptAt: next ?? at,
      error: attempt.error,
      responseStatus: attempt.responseStatus,
      responseBody: attempt.responseBody,
    });
    // Only the channel, the kind and the error: no recipient, no payload (personal data).
    this.options.log?.[next ? 'info' : 'warn'](
      { messageId: message.id, channel: message.channel, kind: message.kind, attempt: message.attempts },
      next ? `delivery failed, retrying: ${attempt.error}` : `delivery dead-lettered: ${attempt.error}`,
    );
    return false;
  }
}
