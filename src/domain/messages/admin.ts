import type { Db } from '../../db/database.js';
import { markVisitDoneRow } from '../../db/message-schedule.js';
import {
  findMessage,
  listMessages,
  messagesOf,
  readOutboxBacklog,
  replayMessage,
  type MessageFilter,
} from '../../db/outbox.js';
import type { OutboxBacklog } from '../../observability/metrics.js';
import { ratingCounts } from '../../db/satisfaction.js';
import type { MessageRow } from '../../db/schema.js';
import { deleteWebhook, insertWebhook, listWebhooks } from '../../db/webhooks.js';
import { DomainError } from '../errors.js';
import { invalidField } from '../field-errors.js';
import { RETRY_WINDOW_MS } from '../outbox/backoff.js';
import { EVENT_TYPES } from '../outbox/enqueue.js';
import { checkWebhookUrl } from '../webhooks/address-guard.js';
import { newWebhookSecret } from '../webhooks/signature.js';

/** A message as the back office sees it: never its payload (the manage link, personal data beyond the recipient). */
export interface MessageView {
  id: string;
  channel: MessageRow['channel'];
  kind: string;
  status: MessageRow['status'];
  recipient: string;
  aggregate: { type: string; id: string };
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  responseStatus: number | null;
  responseBody: string | null;
  createdAt: string;
  sentAt: string | null;
}

export function messageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    channel: row.channel,
    kind: row.kind,
    status: row.status,
    recipient: row.recipient,
    aggregate: { type: row.aggregate, id: row.aggregate_id },
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    lastError: row.last_error,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
  };
}

export async function outboxMessages(db: Db, filter: MessageFilter): Promise<MessageView[]> {
  return (await listMessages(db, filter)).map(messageView);
}

export async function visitMessages(db: Db, visitId: string): Promise<MessageView[]> {
  const visit = await db.selectFrom('visits').select('id').where('id', '=', visitId).executeTakeFirst();
  if (!visit)
    throw new DomainError('not-found', 'visit-not-found', {
      fr: 'Visite introuvable.',
      en: 'Visit not found.',
    });
  return (await messagesOf(db, 'visit', visitId)).map(messageView);
}

export async function replayFailedMessage(db: Db, id: string, now: Date): Promise<MessageView> {
  const replayed = await replayMessage(db, id, now, new Date(now.getTime() + RETRY_WINDOW_MS));
  if (replayed) return messageView(replayed);
  const existing = await findMessage(db, id);
  if (!existing)
    throw new DomainError('not-found', 'message-not-found', {
      fr: 'Message introuvable.',
      en: 'Message not found.',
    });
  throw new DomainError('conflict', 'message-not-failed', {
    fr: 'Seul un message en échec peut être renvoyé.',
    en: 'Only a failed message can be replayed.',
  });
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
}

export async function createWebhook(
  db: Db,
  input: { url: string; events: string[] },
  allowPrivate: boolean,
): Promise<WebhookView & { secret: string }> {
  const verdict = checkWebhookUrl(input.url, allowPrivate);
  if (!verdict.ok) throw invalidField('body.url', verdict.reason, 'adresse refusée');
  input.events.forEach((e, i) => {
    if (!(EVENT_TYPES as readonly string[]).includes(e))
      throw invalidField(
        `body.events.${i}`,
        `unknown event; one of ${EVENT_TYPES.join(', ')}`,
        'événement inconnu',
      );
  });
  const row = await insertWebhook(db, {
    url: input.url,
    events: [...new Set(input.events)],
    secret: newWebhookSecret(),
  });
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    createdAt: row.created_at.toISOString(),
    secret: row.secret,
  };
}

export async function webhookList(db: Db): Promise<WebhookView[]> {
  return (await listWebhooks(db)).map((w) => ({
    id: w.id,
    url: w.url,
    events: w.events,
    createdAt: w.created_at.toISOString(),
  }));
}

export async function removeWebhook(db: Db, id: string, now: Date): Promise<void> {
  if (!(await deleteWebhook(db, id, now)))
    throw new DomainError('not-found', 'webhook-not-found', {
      fr: 'Abonnement introuvable.',
      en: 'Webhook not found.',
    });
}

export interface SatisfactionSummary {
  from: string;
  to: string;
  count: number;
  mean: number | null;
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export async function satisfactionSummary(db: Db, from: Date, to: Date): Promise<SatisfactionSummary> {
  const counts = await ratingCounts(db, from, to);
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let count = 0;
  let sum = 0;
  for (const [rating, n] of counts) {
    distribution[String(rating) as keyof typeof distribution] = n;
    count += n;
    sum += rating * n;
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    count,
    mean: count ? Math.round((sum / count) * 100) / 100 : null,
    distribution,
  };
}

/** Marks a booked visit done; its satisfaction survey leaves on D+2. */
export async function markVisitDone(
  db: Db,
  visitId: string,
  now: Date,
): Promise<{ id: string; status: 'done'; doneAt: string }> {
  const row = await markVisitDoneRow(db, visitId, now);
  if (row) return { id: row.id, status: 'done', doneAt: now.toISOString() };
  const exists = await db.selectFrom('visits').select('status').where('id', '=', visitId).executeTakeFirst();
  if (!exists)
    throw new DomainError('not-found', 'visit-not-found', {
      fr: 'Visite introuvable.',
      en: 'Visit not found.',
    });
  throw new DomainError('conflict', 'visit-not-booked', {
    fr: 'Seule une visite réservée peut être marquée faite.',
    en: 'Only a booked visit can be marked done.',
  });
}

/** What waits in the outbox now (the metrics' outbox gauges, read at scrape time). */
export function outboxBacklog(db: Db): Promise<OutboxBacklog> {
  return readOutboxBacklog(db);
}
