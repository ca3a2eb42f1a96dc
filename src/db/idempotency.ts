/** Idempotency keys of booking requests: claimed in the booking's transaction, kept 24 h. */
import type { Executor } from './database.js';

export interface StoredIdempotentResponse {
  requestHash: string;
  statusCode: number;
  /** The booking the request made; null while its transaction is still running. */
  resourceId: string | null;
}

/** The key's record if it has not expired at `now`. */
export async function findIdempotentResponse(
  db: Executor,
  scope: string,
  key: string,
  now: Date,
): Promise<StoredIdempotentResponse | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'resource_id'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row && { requestHash: row.request_hash, statusCode: row.status_code, resourceId: row.resource_id };
}

/**
 * Claims an idempotency key inside the booking transaction, before any work:
 * a concurrent request with the same key blocks on the primary key until this
 * transaction ends, then fails with 23505 and replays the stored answer. An
 * expired record of the same key is dropped first: after `expiresAt` the key
 * means a new request.
 */
export async function claimIdempotencyKey(
  tx: Executor,
  claim: { scope: string; key: string; requestHash: string; now: Date; expiresAt: Date },
): Promise<void> {
  await tx
    .deleteFrom('idempotency_keys')
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .where('expires_at', '<=', claim.now)
    .execute();
  await tx
    .insertInto('idempotency_keys')
    .values({
      scope: claim.scope,
      key: claim.key,
      request_hash: claim.requestHash,
      status_code: 0,
      response: 'null',
      expires_at: claim.expiresAt,
    })
    .execute();
}

/** Records what the request made (its id), never the answer itself: answers hold secrets. */
export async function storeIdempotentOutcome(
  tx: Executor,
  scope: string,
  key: string,
  statusCode: number,
  resourceId: string,
): Promise<void> {
  await tx
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, resource_id: resourceId })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
}

/** Deletes idempotency keys past their expiry; the count deleted. */
export async function purgeExpiredIdempotencyKeys(db: Executor, now: Date): Promise<number> {
  const keys = await db.deleteFrom('idempotency_keys').where('expires_at', '<', now).executeTakeFirst();
  return Number(keys.numDeletedRows);
}
