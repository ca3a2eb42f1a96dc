import type { Transaction } from 'kysely';
import { insertOutboxEvent } from '../../db/outbox.js';
import type { Database, EventAggregate } from '../../db/schema.js';

/** The events other systems and people hear about. */
export const EVENT_TYPES = [
  'booking.created',
  'booking.rescheduled',
  'booking.cancelled',
  'visit.moved',
  'request.created',
  'request.closed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface OutboxEvent {
  type: EventType;
  aggregate: EventAggregate;
  aggregateId: string;
  /** What webhooks receive as `data` (and e-mails read): no secrets. */
  payload: Record<string, unknown>;
  /** Secrets only the customer's own e-mail may carry (the manage link); erased from the outbox once dispatched. */
  privatePayload?: Record<string, unknown>;
}

/** Listeners told after a commit that an event is waiting (the in-process worker wakes up at once instead of at its next poll). */
const wakers = new Set<() => void>();

export function onEventEnqueued(wake: () => void): () => void {
  wakers.add(wake);
  return () => wakers.delete(wake);
}

/**
 * Records an event in the caller's transaction: it is delivered exactly when that transaction
 * commits, and never when it rolls back. The worker then makes the e-mails and webhook calls.
 */
export async function enqueueMessage(trx: Transaction<Database>, event: OutboxEvent): Promise<string> {
  const id = await insertOutboxEvent(trx, event);
  wakeWorkersSoon();
  return id;
}

/**
 * Wakes local workers soon after the commit (a wake before the commit finds nothing: harmless). For
 * a caller that wrote its event in a statement of its own (the booking's record statement).
 */
export function wakeWorkersSoon(): void {
  setTimeout(() => wakers.forEach((wake) => wake()), 5).unref();
}
