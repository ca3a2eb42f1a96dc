import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { OutboxBacklog } from '../observability/metrics.js';
import { PREPARED, type Db } from './database.js';
import type {
  Database,
  EventAggregate,
  MessageChannel,
  MessageRow,
  MessageStatus,
  OutboxRow,
} from './schema.js';

type Executor = Db | Transaction<Database>;

/**
 * The worker's statements run as prepared statements (see PREPARED): each run of the worker sends the
 * same few texts, and planning them anew each time cost its backend more than executing them.
 */
const prepared = sql.raw(PREPARED);

export interface NewOutboxEvent {
  type: string;
  aggregate: EventAggregate;
  aggregateId: string;
  payload: Record<string, unknown>;
  privatePayload?: Record<string, unknown>;
}

/** Written by the caller's transaction: the event exists exactly when the change committed. */
export async function insertOutboxEvent(tx: Executor, event: NewOutboxEvent): Promise<string> {
  const row = await tx
    .insertInto('outbox')
    .values({
      type: event.type,
      aggregate: event.aggregate,
      aggregate_id: event.aggregateId,
      payload: JSON.stringify(event.payload),
      private_payload: event.privatePayload ? JSON.stringify(event.privatePayload) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Whether any committed event waits to be turned into messages (reads the small partial index only). */
export async function hasUndispatchedEvents(db: Executor): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`${prepared}
    SELECT 1 AS one FROM outbox WHERE dispatched_at IS NULL LIMIT 1`.execute(db);
  return rows.length > 0;
}

/**
 * Takes the oldest events not yet turned into messages (nor taken by a worker under a lease, see
 * claimEvents), in one statement: locked for this transaction (SKIP LOCKED: other instances take
 * the next ones), marked dispatched and their secrets dropped (they now live only in the messages that need them). Returned as they were
 * before the update (with their private payload), oldest first. The caller's transaction inserts
 * their messages: a rollback leaves the events undispatched.
 */
export async function takeUndispatchedEvents(
  tx: Transaction<Database>,
  limit: number,
  now: Date,
): Promise<OutboxRow[]> {
  const result = await sql<OutboxRow>`${prepared}
    UPDATE outbox o SET dispatched_at = ${now}, private_payload = NULL, locked_until = NULL
    FROM (
      SELECT id, private_payload FROM outbox
      WHERE dispatched_at IS NULL AND (locked_until IS NULL OR locked_until <= ${now})
      ORDER BY created_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ) AS taken
    WHERE o.id = taken.id
    RETURNING o.id, o.type, o.aggregate, o.aggregate_id, o.payload, taken.private_payload,
      o.created_at, NULL::timestamptz AS dispatched_at`.execute(tx);
  return result.rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
}

/**
 * Takes up to `limit` of the oldest events not yet dispatched for this worker until `leaseUntil`, in
 * one statement (SKIP LOCKED, and a lease as for messages: two workers never take the same event
 * while its lease runs; a worker that dies leaves it to the next one when the lease ends). The
 * event stays undispatched: finishEvents writes its messages, in their final state once delivered,
 * and marks it dispatched. Returned oldest first, with their private payload.
 */
export async function claimEvents(
  db: Executor,
  limit: number,
  now: Date,
  leaseUntil: Date,
): Promise<OutboxRow[]> {
  const result = await sql<OutboxRow>`${prepared}
    UPDATE outbox o SET locked_until = ${leaseUntil}
    FROM (
      SELECT id FROM outbox
      WHERE dispatched_at IS NULL AND (locked_until IS NULL OR locked_until <= ${now})
      ORDER BY created_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ) AS taken
    WHERE o.id = taken.id
    RETURNING o.id, o.type, o.aggregate, o.aggregate_id, o.payload, o.private_payload, o.created_at,
      o.dispatched_at`.execute(db);
  return result.rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
}

/** A message of a taken event as finishEvents writes it: what it was made as, and what became of it. */
export interface FinishedMessage {
  message: NewMessage;
  /** Its delivery's outcome; none while it is still out (written taken by this worker until the lease ends). */
  outcome?: DeliveryOutcome;
}

/**
 * Writes the messages of events taken with claimEvents and marks those events dispatched (their
 * secrets dropped), in one statement: each message once, in its final state — sent, skipped,
 * failed, pending for a retry, or, still out, pending and taken by this worker (attempts 1, locked
 * until `leaseUntil`; recordOutcomes writes its outcome later). A message already made under its
 * dedupe key is kept as it is. Returns how many messages were written.
 */
export async function finishEvents(
  db: Executor,
  eventIds: string[],
  messages: FinishedMessage[],
  now: Date,
  leaseUntil: Date,
): Promise<number> {
  if (eventIds.length === 0) return 0;
  const rows = messages.map(({ message: m, outcome }) => {
    const base = { ...messageIdentity(m), give_up_at: m.giveUpAt.toISOString() };
    const made = m.status ?? 'pending';
    if (made !== 'pending') {
      // Made final (a customer with no e-mail address: skipped, kept as a trace).
      return {
        ...base,
        payload: m.payload,
        status: made,
        attempts: 0,
        next_attempt_at: m.nextAttemptAt.toISOString(),
        locked_until: null,
        last_error: m.lastError ?? null,
        response_status: null,
        response_body: null,
        sent_at: null,
      };
    }
    if (!outcome) {
      return {
        ...base,
        payload: m.payload,
        status: 'pending',
        attempts: 1,
        next_attempt_at: m.nextAttemptAt.toISOString(),
        locked_until: leaseUntil.toISOString(),
        last_error: null,
        response_status: null,
        response_body: null,
        sent_at: null,
      };
    }
    return {
      ...base,
      payload: outcome.payload ?? m.payload,
      status: outcome.status === 'retry' ? 'pending' : outcome.status,
      attempts: 1,
      next_attempt_at: (outcome.nextAttemptAt ?? outcome.at).toISOString(),
      locked_until: null,
      last_error: outcome.error ? outcome.error.slice(0, 1024) : null,
      response_status: outcome.responseStatus ?? null,
      response_body: outcome.responseBody?.slice(0, 1024) ?? null,
      sent_at: outcome.status === 'sent' ? outcome.at.toISOString() : null,
    };
  });
  const { rows: result } = await sql<{ written: string }>`${prepared}
    WITH written AS (
      INSERT INTO messages (id, dedupe_key, outbox_id, channel, kind, aggregate, aggregate_id, webhook_id,
        recipient, payload, status, attempts, next_attempt_at, give_up_at, locked_until, last_error,
        response_status, response_body, sent_at)
      SELECT id, dedupe_key, outbox_id, channel, kind, aggregate, aggregate_id, webhook_id,
        recipient, payload, status, attempts, next_attempt_at, give_up_at, locked_until, last_error,
        response_status, response_body, sent_at
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS m(
        id uuid, dedupe_key text, outbox_id uuid, channel text, kind text, aggregate text, aggregate_id uuid,
        webhook_id uuid, recipient text, payload jsonb, status text, attempts integer,
        next_attempt_at timestamptz, give_up_at timestamptz, locked_until timestamptz, last_error text,
        response_status integer, response_body text, sent_at timestamptz)
      ON CONFLICT (id) DO NOTHING
      RETURNING 1
    ), dispatched AS (
      UPDATE outbox SET dispatched_at = ${now}, private_payload = NULL, locked_until = NULL
      WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb))
        AND dispatched_at IS NULL
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM written) AS written, (SELECT count(*) FROM dispatched) AS dispatched`.execute(
    db,
  );
  return Number(result[0]?.written ?? 0);
}

export interface NewMessage {
  dedupeKey: string;
  outboxId: string | null;
  channel: MessageChannel;
  kind: string;
  aggregate: EventAggregate;
  aggregateId: string;
  webhookId?: string | null;
  recipient: string;
  payload: Record<string, unknown>;
  status?: MessageStatus;
  lastError?: string | null;
  nextAttemptAt: Date;
  giveUpAt: Date;
}

/**
 * A message's id, from its dedupe key: the same message made twice (an event dispatched again
 * because the worker's asynchronously committed dispatch was lost in a database crash, a reminder
 * decided again) gets the same id, so what was already delivered under it is deduped by the
 * receiver (Message-ID, webhook-id). A UUID (version 8, RFC 9562) of the key's SHA-256.
 */
export function messageIdOf(dedupeKey: string): string {
  const hex = createHash('sha256').update(`tournee-message:${dedupeKey}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A message's row columns that say what it is and for whom (the same however it is written). */
function messageIdentity(m: NewMessage) {
  return {
    id: messageIdOf(m.dedupeKey),
    dedupe_key: m.dedupeKey,
    outbox_id: m.outboxId,
    channel: m.channel,
    kind: m.kind,
    aggregate: m.aggregate,
    aggregate_id: m.aggregateId,
    webhook_id: m.webhookId ?? null,
    recipient: m.recipient,
  };
}

function messageValues(m: NewMessage) {
  return {
    ...messageIdentity(m),
    payload: JSON.stringify(m.payload),
    status: m.status ?? 'pending',
    last_error: m.lastError ?? null,
    next_attempt_at: m.nextAttemptAt,
    give_up_at: m.giveUpAt,
  };
}

/** Inserts messages; one already made under the same dedupe key is kept as it is. Returns how many were new. */
export async function insertMessages(tx: Executor, messages: NewMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const result = await tx
    .insertInto('messages')
    .values(messages.map((m) => messageValues(m)))
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * Takes up to `limit` due messages for this worker until `leaseUntil`: one statement, rows locked
 * with SKIP LOCKED, so two instances never take the same message while its lease runs. `attempts`
 * is raised here; it doubles as the claim's token for the outcome updates below.
 */
export async function claimDueMessages(
  db: Executor,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<MessageRow[]> {
  const result = await sql<MessageRow>`${prepared}
    UPDATE messages SET locked_until = ${leaseUntil}, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM messages
      WHERE status = 'pending' AND next_attempt_at <= ${now}
        AND (locked_until IS NULL OR locked_until <= ${now})
      ORDER BY next_attempt_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING *`.execute(db);
  return result.rows;
}

export interface DeliveryOutcome {
  status: MessageStatus | 'retry';
  at: Date;
  nextAttemptAt?: Date;
  error?: string | null;
  responseStatus?: number | null;
  responseBody?: string | null;
  /** Replaces the payload (e.g. the manage link erased once the mail left). */
  payload?: Record<string, unknown>;
}

export interface RecordedOutcome {
  claimed: Pick<MessageRow, 'id' | 'attempts'>;
  outcome: DeliveryOutcome;
}

/**
 * Records delivery outcomes in one statement, each only if its claim still holds the message (same
 * attempt, still pending): a worker whose lease ran out cannot overwrite the next one's result.
 * Returns the ids that were recorded. One statement for a batch instead of one per message: the
 * worker's round trips to the database were most of its cost (bench:outbox).
 */
export async function recordOutcomes(db: Executor, outcomes: RecordedOutcome[]): Promise<Set<string>> {
  if (outcomes.length === 0) return new Set();
  const rows = outcomes.map(({ claimed, outcome }) => ({
    id: claimed.id,
    attempts: claimed.attempts,
    status: outcome.status === 'retry' ? 'pending' : outcome.status,
    at: outcome.at.toISOString(),
    next_attempt_at: (outcome.nextAttemptAt ?? outcome.at).toISOString(),
    last_error: outcome.error ? outcome.error.slice(0, 1024) : null,
    response_status: outcome.responseStatus ?? null,
    response_body: outcome.responseBody?.slice(0, 1024) ?? null,
    payload: outcome.payload ?? null,
  }));
  const result = await sql<{ id: string }>`${prepared}
    UPDATE messages m SET
      status = o.status,
      next_attempt_at = o.next_attempt_at,
      locked_until = NULL,
      last_error = o.last_error,
      response_status = o.response_status,
      response_body = o.response_body,
      sent_at = CASE WHEN o.status = 'sent' THEN o.at ELSE m.sent_at END,
      payload = COALESCE(o.payload, m.payload)
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS o(
      id uuid, attempts integer, status text, at timestamptz, next_attempt_at timestamptz,
      last_error text, response_status integer, response_body text, payload jsonb)
    WHERE m.id = o.id AND m.attempts = o.attempts AND m.status = 'pending'
    RETURNING m.id`.execute(db);
  return new Set(result.rows.map((r) => r.id));
}

export interface MessageFilter {
  status?: MessageStatus;
  channel?: MessageChannel;
  limit: number;
}

export async function listMessages(db: Executor, filter: MessageFilter): Promise<MessageRow[]> {
  let query = db.selectFrom('messages').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  return query.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute();
}

export async function messagesOf(
  db: Executor,
  aggregate: EventAggregate,
  aggregateId: string,
): Promise<MessageRow[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('aggregate', '=', aggregate)
    .where('aggregate_id', '=', aggregateId)
    .orderBy('created_at')
    .orderBy('kind')
    .execute();
}

export async function findMessage(db: Executor, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A dead-lettered message tried again from now, with a fresh retry budget; same id (receivers dedupe on it). */
export async function replayMessage(
  db: Executor,
  id: string,
  now: Date,
  giveUpAt: Date,
): Promise<MessageRow | undefined> {
  return db
    .updateTable('messages')
    .set({ status: 'pending', next_attempt_at: now, give_up_at: giveUpAt, locked_until: null })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .returningAll()
    .executeTakeFirst();
}

/**
 * One statement, on the partial and status indexes (outbox_undispatched, messages_due,
 * messages_status): cheap enough for every scrape, whatever the number of sent messages.
 */
export async function readOutboxBacklog(db: Executor): Promise<OutboxBacklog> {
  const { rows } = await sql<{
    pending: string;
    failed: string;
    undispatched_age: number | null;
    overdue: number | null;
  }>`
    SELECT
      (SELECT count(*) FROM messages WHERE status = 'pending') AS pending,
      (SELECT count(*) FROM messages WHERE status = 'failed') AS failed,
      (SELECT extract(epoch FROM now() - min(created_at))::float8
         FROM outbox WHERE dispatched_at IS NULL) AS undispatched_age,
      (SELECT extract(epoch FROM now() - min(next_attempt_at))::float8
         FROM messages WHERE status = 'pending' AND next_attempt_at <= now()) AS overdue`.execute(db);
  const row = rows[0]!;
  return {
    pending: Number(row.pending),
    failed: Number(row.failed),
    undispatchedAgeSeconds: Math.max(0, row.undispatched_age ?? 0),
    overdueSeconds: Math.max(0, row.overdue ?? 0),
  };
}
