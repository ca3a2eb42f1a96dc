import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import {
  insertMessages,
  lockUndispatchedEvents,
  markEventsDispatched,
  type NewMessage,
} from '../../db/outbox.js';
import type { Database, OutboxRow } from '../../db/schema.js';
import { webhooksFor } from '../../db/webhooks.js';
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

async function webhookMessagesFor(
  db: Db | Transaction<Database>,
  event: OutboxRow,
  now: Date,
): Promise<NewMessage[]> {
  const subscriptions = await webhooksFor(db, event.type);
  return subscriptions.map((webhook) => ({
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

/**
 * Turns committed events into messages, oldest first, in one transaction per batch: the events are
 * locked (SKIP LOCKED: another instance takes the next batch), their messages inserted under dedupe
 * keys, and the events marked dispatched. A crash rolls the batch back whole. Returns how many events.
 */
export async function dispatchEvents(db: Db, now: Date, batch = 100): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const events = await lockUndispatchedEvents(tx, batch);
    if (events.length === 0) return 0;
    const messages: NewMessage[] = [];
    for (const event of events) {
      const email = emailFor(event, now);
      if (email) messages.push(email);
      messages.push(...(await webhookMessagesFor(tx, event, now)));
    }
    await insertMessages(tx, messages);
    await markEventsDispatched(
      tx,
      events.map((e) => e.id),
      now,
    );
    return events.length;
  });
}
