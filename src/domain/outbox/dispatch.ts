import type { Db } from '../../db/database.js';
import {
  claimEvents,
  hasUndispatchedEvents,
  insertMessages,
  messageIdOf,
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

/**
 * An object's keys in the order PostgreSQL's jsonb keeps them (shorter keys first, then bytewise),
 * so that JSON.stringify writes it as it will be once stored and read back. Objects and arrays at
 * any depth; keys that look like array indexes would still come first (JavaScript's own order):
 * none of our payloads has any.
 */
export function inJsonbOrder<T>(value: T): T {
  if (Array.isArray(value)) return value.map(inJsonbOrder) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const keys = Object.keys(value).sort((a, b) => {
    const la = Buffer.byteLength(a);
    const lb = Buffer.byteLength(b);
    return la !== lb ? la - lb : Buffer.compare(Buffer.from(a), Buffer.from(b));
  });
  return Object.fromEntries(keys.map((k) => [k, inJsonbOrder((value as Record<string, unknown>)[k])])) as T;
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
      // The Standard Webhooks payload shape; the body is fixed here so every retry sends the same
      // bytes: its keys in the order jsonb keeps them, as the first delivery sends the message
      // made here and a retry the message read back (event.payload was read from jsonb already).
      payload: inJsonbOrder({
        type: event.type,
        timestamp: event.created_at.toISOString(),
        data: event.payload,
      }),
      nextAttemptAt: now,
      giveUpAt: new Date(now.getTime() + RETRY_WINDOW_MS),
    }));
}

/** The messages committed events make (an e-mail to the customer, a call per webhook subscription), oldest event first. */
function messagesFor(events: OutboxRow[], subscriptions: WebhookRow[], now: Date): NewMessage[] {
  const messages: NewMessage[] = [];
  for (const event of events) {
    const email = emailFor(event, now);
    if (email) messages.push(email);
    messages.push(...webhookMessagesFor(subscriptions, event, now));
  }
  return messages;
}

/** Events taken by a worker under a lease (takeEvents), with the messages they make. */
export interface TakenEvents {
  events: OutboxRow[];
  messages: NewMessage[];
  /**
   * The messages to deliver now, as the rows they will be once written taken by this worker (id
   * from the dedupe key, attempts 1): the others were made final (skipped).
   */
  toDeliver: { message: NewMessage; row: MessageRow }[];
}

/**
 * Takes the oldest committed events for this worker until `leaseUntil` (claimEvents) and makes
 * their messages, without writing them: the caller delivers them and writes them once, in their
 * final state, with the events' dispatch (finishEvents). Nothing is taken when `known` is false and
 * no event waits (one plain read).
 */
export async function takeEvents(
  db: Db,
  now: Date,
  options: { batch: number; known?: boolean; leaseUntil: Date },
): Promise<TakenEvents> {
  const none: TakenEvents = { events: [], messages: [], toDeliver: [] };
  if (!options.known && !(await hasUndispatchedEvents(db))) return none;
  const events = await claimEvents(db, options.batch, now, options.leaseUntil);
  if (events.length === 0) return none;
  // The live subscriptions once for the whole batch (a handful of rows), not a query per event.
  const messages = messagesFor(events, await listWebhooks(db), now);
  const toDeliver = messages
    .filter((m) => (m.status ?? 'pending') === 'pending')
    .map((message) => ({
      message,
      row: {
        id: messageIdOf(message.dedupeKey),
        dedupe_key: message.dedupeKey,
        outbox_id: message.outboxId,
        channel: message.channel,
        kind: message.kind,
        aggregate: message.aggregate,
        aggregate_id: message.aggregateId,
        webhook_id: message.webhookId ?? null,
        recipient: message.recipient,
        payload: message.payload,
        status: 'pending' as const,
        attempts: 1,
        next_attempt_at: message.nextAttemptAt,
        locked_until: options.leaseUntil,
        give_up_at: message.giveUpAt,
        last_error: null,
        response_status: null,
        response_body: null,
        created_at: now,
        sent_at: null,
      },
    }));
  return { events, messages, toDeliver };
}

/** Events turned into messages per transaction. */
export const DISPATCH_BATCH = 100;

/**
 * Turns committed events into pending messages, oldest first, in one transaction per batch, for
 * the workers' claims (the worker's own runs take events with takeEvents instead): the events are
 * taken (SKIP LOCKED: another instance takes the next batch; an event under a worker's lease is
 * left to it) and marked dispatched in one statement, their messages inserted under dedupe keys. A
 * crash rolls the batch back whole. Returns how many events.
 */
export async function dispatchEvents(db: Db, now: Date, batch = DISPATCH_BATCH): Promise<number> {
  // One plain read when there is nothing to do, instead of a BEGIN, a locking update and a COMMIT.
  if (!(await hasUndispatchedEvents(db))) return 0;
  return db.transaction().execute(async (tx) => {
    const events = await takeUndispatchedEvents(tx, batch, now);
    if (events.length === 0) return 0;
    // The live subscriptions once for the whole batch (a handful of rows), not a query per event.
    await insertMessages(tx, messagesFor(events, await listWebhooks(tx), now));
    return events.length;
  });
}
