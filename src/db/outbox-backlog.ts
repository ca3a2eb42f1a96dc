import { sql } from 'kysely';
import type { Db } from './database.js';

/** What waits in the outbox, for the metrics: counts and the ages of the oldest work. */
export interface OutboxBacklog {
  /** Messages still to deliver (first attempts and retries). */
  pending: number;
  /** Dead-lettered messages (retries exhausted), waiting for a replay in GET /v1/admin/outbox?status=failed. */
  failed: number;
  /** Seconds since the oldest event not yet turned into messages was committed (0: none). */
  undispatchedAgeSeconds: number;
  /** Seconds the oldest due message has waited past its attempt time (0: none overdue). */
  overdueSeconds: number;
}

/**
 * One statement, on the partial and status indexes (outbox_undispatched, messages_due,
 * messages_status): cheap enough for every scrape, whatever the number of sent messages.
 */
export async function readOutboxBacklog(db: Db): Promise<OutboxBacklog> {
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
