import { sql } from 'kysely';
import type { Db } from './database.js';

/** Stores the answer if the visit has none yet (the rating link is single-use). */
export async function insertSatisfactionAnswer(
  db: Db,
  answer: { visitId: string; rating: number; comment: string; at: Date },
): Promise<boolean> {
  const result = await db
    .insertInto('satisfaction_answers')
    .values({
      visit_id: answer.visitId,
      rating: answer.rating,
      comment: answer.comment,
      answered_at: answer.at,
    })
    .onConflict((oc) => oc.column('visit_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function satisfactionAnswerOf(db: Db, visitId: string) {
  return db.selectFrom('satisfaction_answers').selectAll().where('visit_id', '=', visitId).executeTakeFirst();
}

/** Count of answers per rating given in [from, to). */
export async function ratingCounts(db: Db, from: Date, to: Date): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('satisfaction_answers')
    .select(['rating', (eb) => eb.fn.countAll<number>().as('n')])
    .where('answered_at', '>=', from)
    .where('answered_at', '<', to)
    .groupBy('rating')
    .execute();
  return new Map(rows.map((r) => [r.rating, Number(r.n)]));
}

export async function optOut(db: Db, email: string, at: Date): Promise<void> {
  await db
    .insertInto('message_opt_outs')
    .values({ email: email.toLowerCase(), opted_out_at: at })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
}

export async function hasOptedOut(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('message_opt_outs')
    .select(sql<number>`1`.as('one'))
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}
