/** Idempotency-Key of POST /v1/bookings: the same key and body answer the same booking for 24 hours. */
import { createHash } from 'node:crypto';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import { findIdempotentResponse, type StoredIdempotentResponse } from '../../db/idempotency.js';
import { findVisitWithService } from '../../db/visits.js';
import { DomainError } from '../errors.js';
import { bookingView, type CreatedBooking, type Reader } from './view.js';

export type BookingOutcome = { replayed: boolean; status: number; body: CreatedBooking };

export const IDEMPOTENCY_SCOPE = 'booking:create';
/** Stripe's rule: a key means the same request for 24 hours, then it may be reused. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;

export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** The answer to a key seen in the last 24 hours, rebuilt from the booking it made (without its links). */
export async function replayIfKnown(
  db: Db,
  key: string,
  fingerprint: string,
  reader: Reader,
): Promise<BookingOutcome | null> {
  return replayStored(
    db,
    await findIdempotentResponse(db, IDEMPOTENCY_SCOPE, key, reader.now),
    fingerprint,
    reader,
  );
}

/** replayIfKnown on the key's record already read. */
export async function replayStored(
  db: Db,
  stored: StoredIdempotentResponse | undefined,
  fingerprint: string,
  reader: Reader,
): Promise<BookingOutcome | null> {
  if (!stored || stored.statusCode === 0 || !stored.resourceId) return null;
  if (stored.requestHash !== fingerprint) {
    throw new DomainError(
      'unprocessable',
      'idempotency-key-reused',
      {
        fr: 'Cette clé d’idempotence a déjà servi pour une autre demande.',
        en: 'This Idempotency-Key was already used for a different request.',
      },
      'headers.idempotency-key',
    );
  }
  const row = await findVisitWithService(db, stored.resourceId);
  if (!row) return null;
  const settings = await getCompanySettings(db);
  return {
    replayed: true,
    status: stored.statusCode,
    body: { booking: bookingView(row, row.service_name, settings.timezone, reader) },
  };
}
