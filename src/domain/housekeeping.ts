import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { purgeSpentChallenges } from '../db/challenges.js';
import { purgeExpiredIdempotencyKeys } from '../db/idempotency.js';
import { forgetOldWebBookings } from './booking-guards/index.js';

/**
 * Periodic clean-up of expired one-time guards (spent proof-of-work
 * challenges, idempotency keys). Several instances may run it at once: each
 * round takes a transaction-scoped advisory lock with pg_try_advisory_xact_lock
 * and skips the round when another instance holds it, so one instance purges
 * and the others go on serving.
 */
const HOUSEKEEPING_LOCK = 727_274_008;

export type PurgeOutcome =
  | { ran: true; challenges: number; idempotencyKeys: number; webBookings: number }
  | { ran: false; reason: 'another-instance' };

export async function purgeExpired(db: Db, now: Date): Promise<PurgeOutcome> {
  return db.transaction().execute(async (tx) => {
    const lock = await sql<{
      locked: boolean;
    }>`SELECT pg_try_advisory_xact_lock(${HOUSEKEEPING_LOCK}) AS locked`.execute(tx);
    if (!lock.rows[0]?.locked) return { ran: false, reason: 'another-instance' } as const;
    const challenges = await purgeSpentChallenges(tx, now);
    const idempotencyKeys = await purgeExpiredIdempotencyKeys(tx, now);
    return {
      ran: true,
      challenges,
      idempotencyKeys,
      webBookings: await forgetOldWebBookings(tx, now),
    } as const;
  });
}

export interface Housekeeper {
  stop(): Promise<void>;
}

/**
 * Runs purgeExpired every `intervalMs` (and once soon after start), one round at a time: a tick that
 * comes while a round is still at work (a short interval on a busy database) is skipped, so stop()
 * waits for the one round there is. Errors are reported, never thrown.
 */
export function startHousekeeping(
  db: Db,
  options: { intervalMs: number; clock: () => Date; onError: (error: unknown) => void },
): Housekeeper {
  // Until 2026-12-02 every tick started a round and stop() waited for the last one only: a round
  // still at work when the service closed could hold its locks while the schema was dropped.
  let running: Promise<void> | undefined;
  const round = () => {
    running ??= purgeExpired(db, options.clock())
      .then(() => undefined, options.onError)
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(round, options.intervalMs);
  timer.unref();
  const first = setTimeout(round, Math.min(options.intervalMs, 5_000));
  first.unref();
  return {
    async stop() {
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}
