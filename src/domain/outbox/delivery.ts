import type { MessageRow } from '../../db/schema.js';

/** What one delivery attempt came to. */
export type Attempt =
  | { outcome: 'sent'; responseStatus?: number; responseBody?: string; payload?: Record<string, unknown> }
  /** Worth retrying (network error, 5xx, timeout, 429). */
  | { outcome: 'retry'; error: string; responseStatus?: number; responseBody?: string }
  /** Retrying cannot help (the receiver refused the content for good): dead-lettered at once. */
  | { outcome: 'failed'; error: string; responseStatus?: number; responseBody?: string }
  /** No longer to be sent (the visit was cancelled, the subscription deleted, the customer opted out). */
  | { outcome: 'skipped'; reason: string };

/** Delivers one channel's messages. Implementations never throw: every failure is an Attempt. */
export interface Deliverer<Prepared = unknown> {
  /**
   * Reads once what a whole batch of this channel's messages needs (one query, not one per
   * message); its result is handed to each `deliver` of that batch. May throw: the batch is retried.
   */
  prepare?(messages: MessageRow[]): Promise<Prepared>;
  deliver(message: MessageRow, now: Date, prepared?: Prepared): Promise<Attempt>;
}
