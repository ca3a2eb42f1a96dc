import type { Db } from '../../db/database.js';
import {
  claimDueMessages,
  finishEvents,
  recordOutcomes,
  type DeliveryOutcome,
  type RecordedOutcome,
} from '../../db/outbox.js';
import type { MessageChannel, MessageRow } from '../../db/schema.js';
import { nextAttemptAt } from './backoff.js';
import type { Attempt, Deliverer } from './delivery.js';
import { DISPATCH_BATCH, dispatchEvents, takeEvents, type TakenEvents } from './dispatch.js';
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

/** How often a worker looks for due messages when nothing woke it, unless configured (TOURNEE_OUTBOX_POLL_MS). */
export const DEFAULT_OUTBOX_POLL_MS = 500;

export interface OutboxWorkerOptions {
  deliverers: Partial<Record<MessageChannel, Deliverer>>;
  clock?: () => Date;
  scheduled?: Scheduled[];
  /** How often the worker looks for due messages when nothing woke it. */
  pollMs?: number;
  /** How long a taken message stays reserved to this worker; longer than any delivery (10 s webhook timeout). */
  leaseMs?: number;
  /**
   * Messages taken and delivered at once by this worker (32 by default). A run's statements (take
   * the events, read the subscriptions, write the messages with the events' dispatch) cost about the
   * same for 16 events as for 32: with booking traffic that fills a run, 32 a run cost its PostgreSQL
   * backends 0.092 ms a message instead of 0.117-0.125 at 16 (bench:outbox-drain --per-run 32).
   */
  concurrency?: number;
  /**
   * After a wake (an event committed in this process), how long the worker waits for more to come
   * before it runs: at 50 bookings a second one run takes a dozen events together, and its fixed
   * cost (a handful of queries) is paid once for them rather than for each (its backends' CPU per
   * message: 1.25 ms at 4 events a run, 0.8 ms at 50, bench:outbox-drain). 150 ms by default:
   * commit to delivery stays well under the 2 s goal.
   */
  gatherMs?: number;
  /** Minimum time between two runs of the scheduled jobs (by the worker's clock). */
  scheduleEveryMs?: number;
  /**
   * How long the worker sleeps after composing each message of a run before the next (0: a turn of
   * the event loop only), while it keeps up: not in a run that starts with work waiting for
   * `catchUpAfterMs` or longer, which goes at full speed. The outbox process (outbox-child.ts) gives
   * the CPU back this way: see there.
   */
  pauseMs?: number;
  /** See pauseMs; 1 s by default, when the instance raises its outbox process (OUTBOX_CATCH_UP). */
  catchUpAfterMs?: number;
  log?: WorkerLog;
  random?: () => number;
  /**
   * Told after every run how old the work still waiting is: since when (ms, Date.now()) an event or
   * a due message has been waiting, or undefined when the worker caught up. The outbox process
   * raises its priority from it (outbox-process.ts).
   */
  onProgress?: (backlogSince: number | undefined) => void;
}

/** How long a run's outcomes wait for its slowest delivery before those done are written. */
const RECORD_WITHIN_MS = 250;

export interface RunReport {
  dispatched: number;
  scheduled: number;
  attempted: number;
  sent: number;
  /** The run took as much as it could: more may wait. */
  full: boolean;
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
  private readonly gatherMs: number;
  private readonly pauseMs: number;
  private readonly catchUpAfterMs: number;
  private lastSchedule = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private wakeRequested = false;
  /** An event was committed in this process since the last run began: the next run need not ask whether any waits. */
  private eventsKnown = false;
  private lastClaim = -Infinity;
  /** The last claim of due messages filled its batch: more may wait. */
  private moreDue = false;
  /** Since when work has been waiting (the first wake not yet served, or a run that left a backlog); undefined when caught up. */
  private pendingSince: number | undefined;
  /** The first wake that came while a run was going on (that run may not have seen its event). */
  private wokenDuringRun: number | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: OutboxWorkerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.pollMs = options.pollMs ?? DEFAULT_OUTBOX_POLL_MS;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.concurrency = options.concurrency ?? 32;
    this.scheduleEveryMs = options.scheduleEveryMs ?? 60_000;
    this.gatherMs = options.gatherMs ?? 150;
    this.pauseMs = options.pauseMs ?? 0;
    this.catchUpAfterMs = options.catchUpAfterMs ?? 1_000;
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

  /**
   * Runs now rather than at the next poll (called after an event is enqueued in this process).
   * `since`: when the event was committed, if the wake came from elsewhere (the instance, over the
   * outbox process's channel, perhaps late); by default now.
   */
  wake(since = Date.now()): void {
    if (this.stopped) return;
    this.eventsKnown = true;
    if (this.running) {
      this.wokenDuringRun = Math.min(this.wokenDuringRun ?? since, since);
      this.wakeRequested = true;
      return;
    }
    this.pendingSince = Math.min(this.pendingSince ?? since, since);
    this.scheduleWithin(this.gatherMs);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      void this.loop();
    }, ms);
    this.timer.unref?.();
  }

  /** Runs within `ms` at the latest: a run already due sooner is kept (a stream of wakes must not postpone it forever). */
  private scheduleWithin(ms: number): void {
    if (this.timerDue <= Date.now() + ms) return;
    this.schedule(ms);
  }

  private async loop(): Promise<void> {
    if (this.stopped || this.running) return;
    const startedAt = Date.now();
    let report: RunReport | undefined;
    this.running = this.runOnce().then(
      (r) => (report = r),
      (error: unknown) => this.options.log?.warn({ err: error }, 'outbox run failed; will retry'),
    );
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    // Keep going at once while there is a backlog (a full batch); after a wake, gather a little first.
    const busy = report !== undefined && report.full;
    // A run that left work (a full batch, or a failure) leaves it waiting since at least its start;
    // one that did not caught up with everything committed before it began, not with what woke it meanwhile.
    if (busy || report === undefined) this.pendingSince = Math.min(this.pendingSince ?? startedAt, startedAt);
    else this.pendingSince = this.wokenDuringRun;
    this.wokenDuringRun = undefined;
    this.options.onProgress?.(this.pendingSince);
    const woken = this.wakeRequested;
    this.wakeRequested = false;
    this.schedule(busy ? 0 : woken ? this.gatherMs : this.pollMs);
  }

  /**
   * One pass, oldest work first: run due schedules; take the messages already due (a backlog,
   * retries, reminders, surveys) when there may be any; then, with the room left, take the oldest
   * committed events under a lease and make their messages; deliver them all; and write the
   * outcomes (the events' messages written once, final, with their dispatch). Tests call it with
   * their own clock.
   *
   * New events go after what already waits, and the outbox table is the queue of the rest: a run
   * takes at most `concurrency` of them. Until 2026-12-02 a run that found a full batch turned every
   * other waiting event into messages at once, and the next runs took the newest events first (their
   * messages taken in the dispatching transaction) while those waited for a run with room: at 50
   * bookings/s the median message went out in 0.2 s and the 95th percentile in 7.6 s
   * (bench:outbox, dispatch → sent), though the worker drained 400 messages/s.
   */
  async runOnce(): Promise<RunReport> {
    const now = this.clock();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const known = this.eventsKnown;
    this.eventsKnown = false;
    let dispatched = 0;
    let scheduled = 0;
    if (now.getTime() - this.lastSchedule >= this.scheduleEveryMs) {
      this.lastSchedule = now.getTime();
      for (const job of this.options.scheduled ?? []) scheduled += await job.run(now);
      if (scheduled > 0) dispatched += await this.dispatchAll(now);
    }
    let claimed: MessageRow[] = [];
    let dueClaimed = false;
    const claimDue = async (limit: number) => {
      dueClaimed = true;
      this.lastClaim = now.getTime();
      const due = await claimDueMessages(this.db, now, leaseUntil, limit);
      this.moreDue = due.length >= limit;
      claimed = [...claimed, ...due];
    };
    // What already waits, when there may be some: a full batch last time, new schedules, or a poll's time.
    if (this.moreDue || scheduled > 0 || now.getTime() - this.lastClaim >= this.pollMs) {
      await claimDue(this.concurrency);
    }
    const room = this.concurrency - claimed.length;
    let full = room <= 0;
    let fresh: TakenEvents | undefined;
    if (room > 0) {
      fresh = await takeEvents(this.db, now, { batch: room, known, leaseUntil });
      dispatched += fresh.events.length;
      full = fresh.events.length >= room;
      // Nothing new: the others due (the messages of events another worker dispatched, retries).
      if (fresh.events.length === 0 && !dueClaimed) await claimDue(room);
    } else if (known) {
      this.eventsKnown = true;
    }
    const attempted = claimed.length + (fresh?.toDeliver.length ?? 0);
    const behind = this.pendingSince !== undefined && Date.now() - this.pendingSince >= this.catchUpAfterMs;
    const sent = await this.deliverBatch(claimed, fresh, now, leaseUntil, behind ? 0 : this.pauseMs);
    return { dispatched, scheduled, attempted, sent, full: full || this.moreDue };
  }

  private async dispatchAll(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const events = await dispatchEvents(this.db, now, DISPATCH_BATCH);
      total += events;
      if (events < DISPATCH_BATCH) return total;
    }
  }

  /**
   * Delivers a batch — due messages already written and taken (`claimed`), and the messages of
   * events just taken (`fresh`), not yet written — and records the outcomes once the last delivery
   * is done (the run waits for it anyway), or what is done after RECORD_WITHIN_MS and the rest at
   * the end. The fresh messages are written once, in their final state, by the statement that marks
   * their events dispatched (finishEvents); one still out at that point is written taken by this
   * worker, and its outcome recorded later like a due message's. So a run writes one statement for
   * its outcomes, and a message is written once, not inserted and then updated. Should a write fail,
   * its messages go again when their lease (or their event's) ends, under the same ids. Returns how
   * many were sent.
   */
  private async deliverBatch(
    claimed: MessageRow[],
    fresh: TakenEvents | undefined,
    now: Date,
    leaseUntil: Date,
    pauseMs: number,
  ): Promise<number> {
    const freshRows = fresh?.toDeliver.map((d) => d.row) ?? [];
    const all = [...claimed, ...freshRows];
    let finished = !fresh || fresh.events.length === 0;
    if (all.length === 0) {
      if (!finished) await this.finish(fresh!, new Map(), now, leaseUntil);
      return 0;
    }
    const prepared = new Map<MessageChannel, { value?: unknown; error?: string }>();
    for (const channel of new Set(all.map((m) => m.channel))) {
      const prepare = this.options.deliverers[channel]?.prepare;
      if (!prepare) continue;
      try {
        const value = await prepare.call(
          this.options.deliverers[channel],
          all.filter((m) => m.channel === channel),
        );
        prepared.set(channel, { value });
      } catch (error) {
        prepared.set(channel, { error: (error as Error).message });
      }
    }
    const deliveries: Promise<RecordedOutcome>[] = [];
    const ready: RecordedOutcome[] = [];
    for (const message of all) {
      // One message composed per turn of the event loop: requests waiting meanwhile (bookings, when
      // the worker shares an instance's thread, as on the embedded database) are served between two
      // compositions, not after the whole batch. With pauseMs, a sleep between two instead.
      await new Promise((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
      const delivery = this.deliverOne(message, prepared.get(message.channel));
      void delivery.then((outcome) => ready.push(outcome));
      deliveries.push(delivery);
    }
    const everything = Promise.all(deliveries);
    const freshIds = new Set(freshRows.map((r) => r.id));
    let sent = 0;
    for (let done = false; !done;) {
      // Usually every delivery is done within a few milliseconds: one write. One that takes longer (a
      // slow webhook, up to its timeout) does not hold back the others' records: what is done is
      // written after RECORD_WITHIN_MS, so a crash meanwhile sends again only what was still out.
      let timer: NodeJS.Timeout | undefined;
      done = await Promise.race([
        everything.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), RECORD_WITHIN_MS))),
      ]);
      clearTimeout(timer);
      const batch = ready.splice(0);
      if (!finished) {
        // The fresh messages written with their events' dispatch; the due ones' outcomes updated.
        const outcomes = new Map(
          batch.filter((o) => freshIds.has(o.claimed.id)).map((o) => [o.claimed.id, o.outcome] as const),
        );
        await this.finish(fresh!, outcomes, now, leaseUntil);
        finished = true;
        await recordOutcomes(
          this.db,
          batch.filter((o) => !freshIds.has(o.claimed.id)),
        );
      } else {
        await recordOutcomes(this.db, batch);
      }
      sent += batch.filter((o) => o.outcome.status === 'sent').length;
    }
    return sent;
  }

  /** Writes the taken events' messages (final where `outcomes` has them, else taken) and marks the events dispatched. */
  private async finish(
    fresh: TakenEvents,
    outcomes: Map<string, DeliveryOutcome>,
    now: Date,
    leaseUntil: Date,
  ): Promise<void> {
    const rowOf = new Map(fresh.toDeliver.map((d) => [d.message, d.row.id] as const));
    await finishEvents(
      this.db,
      fresh.events.map((e) => e.id),
      fresh.messages.map((message) => {
        const id = rowOf.get(message);
        const outcome = id === undefined ? undefined : outcomes.get(id);
        return outcome ? { message, outcome } : { message };
      }),
      now,
      leaseUntil,
    );
  }

  private async deliverOne(
    message: MessageRow,
    prepared: { value?: unknown; error?: string } | undefined,
  ): Promise<RecordedOutcome> {
    const deliverer = this.options.deliverers[message.channel];
    const now = this.clock();
    let attempt: Attempt;
    try {
      attempt = !deliverer
        ? { outcome: 'retry', error: `no ${message.channel} transport configured` }
        : prepared?.error !== undefined
          ? { outcome: 'retry', error: prepared.error }
          : await deliverer.deliver(message, now, prepared?.value);
    } catch (error) {
      attempt = { outcome: 'retry', error: (error as Error).message };
    }
    const at = this.clock();
    if (attempt.outcome === 'sent') {
      return {
        claimed: message,
        outcome: {
          status: 'sent',
          at,
          responseStatus: attempt.responseStatus,
          responseBody: attempt.responseBody,
          payload: attempt.payload,
        },
      };
    }
    if (attempt.outcome === 'skipped') {
      return { claimed: message, outcome: { status: 'skipped', at, error: attempt.reason } };
    }
    const next =
      attempt.outcome === 'retry'
        ? nextAttemptAt(message.attempts, at, message.give_up_at, this.options.random)
        : null;
    // Only the channel, the kind and the error: no recipient, no payload (personal data).
    this.options.log?.[next ? 'info' : 'warn'](
      { messageId: message.id, channel: message.channel, kind: message.kind, attempt: message.attempts },
      next ? `delivery failed, retrying: ${attempt.error}` : `delivery dead-lettered: ${attempt.error}`,
    );
    return {
      claimed: message,
      outcome: {
        status: next ? 'retry' : 'failed',
        at,
        nextAttemptAt: next ?? at,
        error: attempt.error,
        responseStatus: attempt.responseStatus,
        responseBody: attempt.responseBody,
      },
    };
  }
}
