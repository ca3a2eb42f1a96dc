import type { Db } from '../../db/database.js';
import {
  hasUndispatchedEvents,
  insertClaimedMessages,
  insertMessages,
  takeUndispatchedEvents,
  type NewMessage,
} from '../../db/outbox.js';
import type { MessageRow, OutboxRow, WebhookRow } from '../../db/schema.js';
import { listWebhooks } from '../../db/webhooks.js';
import { RETRY_WINDOW_MS } from './backoff.js';
import type { VisitEventData } from './visit-events.js';

/** The customer e-mail each event makes, if any (a planner's move inside the promised window tells the customer nothing new). */
const EMAIL_KIND: Partial<Record<string, string>> = {
  'booking.created': 'confirmation',
  'booking.rescheduled': 'change',
  'booking.cancelled': 'cancellation',
};

function emailFor(event: OutboxRow, now: Date): NewMessage | null {
  const kind = EMAIL_KIND[event.type];
  if (!kind || event.aggregate !== 'visit') return null;
  const visit = event.payload as unknown as VisitEventData;
  const base = {
    dedupeKey: `event:${event.id}:email`,
    outboxId: event.id,
    channel: 'email' as const,
    kind,
    aggregate: event.aggregate,
    aggregateId: event.aggregate_id,
    nextAttemptAt: now,
    giveUpAt: new Date(now.getTime() + RETRY_WINDOW_MS),
  };
  if (!visit.customer?.email) {
    // Kept as a trace, so the desk sees that this customer got no e-mail and why.
    return {
      ...base,
      recipient: '',
      payload: {},
      status: 'skipped',
      lastError: 'no e-mail address',
    };
  }
  return {
    ...base,
    recipient: visit.customer.email,
    payload: { kind, visit, ...(event.private_payload ?? {}) },
  };
}

function webhookMessagesFor(subscriptions: WebhookRow[], event: OutboxRow, now: Date): NewMessage[] {
  return subscriptions
    .filter((webhook) => webhook.events.includes(event.type))
    .map((webhook) => ({
      dedupeKey: `event:${event.id}:webhook:${webhook.id}`,
      outboxId: event.id,
      channel: 'webhook' as const,
      kind: event.type,
      aggregate: event.aggregate,
      aggregateId: event.aggregate_id,
      webhookId: webhook.id,
      recipient: webhook.url,
      // The Standard Webhooks payload shape; the body is fixed here so every retry sends the same bytes.
      payload: { type: event.type, timestamp: event.created_at.toISOString(), data: event.payload },
      nextAttemptAt: now,
      giveUpAt: new Date(now.getTime() + RETRY_WINDOW_MS),
    }));
}

/** Events turned into messages per transaction. */
export const DISPATCH_BATCH = 100;

export interface DispatchOptions {
  batch?: number;
  /** Skip the cheap "anything to do?" read (the caller knows an event was just committed). */
  known?: boolean;
  /**
   * Insert the new pending messages already taken by the caller until then (attempts 1, locked):
   * it delivers them at once, without a claiming statement of their own.
   */
  leaseUntil?: Date;
}

/**
 * Turns committed events into messages, oldest first, in one transaction per batch: the events are
 * taken (SKIP LOCKED: another instance takes the next batch) and marked dispatched in one statement,
 * their messages inserted under dedupe keys. A crash rolls the batch back whole. Returns how many
 * events, and with `leaseUntil` the messages taken for the caller.
 */
export async function dispatchAndClaim(
  db: Db,
  now: Date,
  options: DispatchOptions = {},
): Promise<{ events: number; claimed: MessageRow[] }> {
  // One plain read when there is nothing to do (most polls), instead of a BEGIN, a locking update and a COMMIT.
  if (!options.known && !(await hasUndispatchedEvents(db))) return { events: 0, claimed: [] };
  return db.transaction().execute(async (tx) => {
    const events = await takeUndispatchedEvents(tx, options.batch ?? DISPATCH_BATCH, now);
    if (events.length === 0) return { events: 0, claimed: [] };
    // The live subscriptions once for the whole batch (a handful of rows), not a query per event.
    const subscriptions = await listWebhooks(tx);
    const messages: NewMessage[] = [];
    for (const event of events) {
      const email = emailFor(event, now);
      if (email) messages.push(email);
      messages.push(...webhookMessagesFor(subscriptions, event, now));
    }
    if (options.leaseUntil) {
      return {
        events: events.length,
        claimed: await insertClaimedMessages(tx, messages, options.leaseUntil),
      };
    }
    await insertMessages(tx, messages);
    return { events: events.length, claimed: [] };
  });
}

/** dispatchAndClaim without taking the messages: they wait for a worker's claim. Returns how many events. */
export async function dispatchEvents(db: Db, now: Date, batch = DISPATCH_BATCH): Promise<number> {
  return (await dispatchAndClaim(db, now, { batch })).events;
}
