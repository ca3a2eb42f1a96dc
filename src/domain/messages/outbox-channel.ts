import type { WorkerLog } from '../outbox/worker.js';
import type { MessagingOptions } from './messaging.js';

/*
 * What the instance and its outbox process (outbox-process.ts, outbox-child.ts) say to each other
 * over their channel. A module of its own, so the process imports what it needs of the channel
 * and not the instance's side (its metrics, its scheduling of the process).
 */

/** What the process is started with (sent over the channel: no functions). */
export interface OutboxProcessData {
  url: string;
  schema: string;
  messaging: Omit<MessagingOptions, 'clock' | 'log' | 'onProgress'>;
}

export type ToOutbox =
  | { type: 'start'; data: OutboxProcessData }
  /** `at`: when the first event of those it announces was committed (Date.now() of the instance). */
  | { type: 'wake'; at: number }
  | { type: 'stop' };
export type FromOutbox =
  | { type: 'ready' }
  | { type: 'log'; level: keyof WorkerLog; fields: object; message: string }
  /** After each run: since when work has waited (null: caught up), and the latest wake it had received. */
  | { type: 'progress'; backlogSince: number | null; seenWake: number | null };

/**
 * An Error crosses the channel as an empty object: its name, message and code go as this, and the
 * instance makes an Error of it again, so its log serializer (which keeps only what may be logged
 * of an error) sees an Error as for the instance's own.
 */
interface ErrorOverChannel {
  outboxError: { name: string; message: string; code?: string };
}

export function errorOverChannel(error: Error): ErrorOverChannel {
  const code = (error as { code?: unknown }).code;
  return {
    outboxError: {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    },
  };
}

export function revived(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('outboxError' in value)) return value;
  const { name, message, code } = (value as ErrorOverChannel).outboxError;
  const error = Object.assign(new Error(message), code === undefined ? {} : { code });
  error.name = name;
  error.stack = `${name}: ${message}`;
  return error;
}
