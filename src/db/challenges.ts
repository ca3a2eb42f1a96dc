/** Spent proof-of-work challenges: a challenge buys one booking, so replays are refused. */
import type { Executor } from './database.js';

/** Marks a proof-of-work challenge as spent; false when it already was (a replay). */
export async function spendChallenge(tx: Executor, challenge: string, expiresAt: Date): Promise<boolean> {
  const result = await tx
    .insertInto('spent_challenges')
    .values({ challenge, expires_at: expiresAt })
    .onConflict((oc) => oc.column('challenge').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Deletes spent challenges past their expiry; the count deleted. */
export async function purgeSpentChallenges(db: Executor, now: Date): Promise<number> {
  const challenges = await db.deleteFrom('spent_challenges').where('expires_at', '<', now).executeTakeFirst();
  return Number(challenges.numDeletedRows);
}
