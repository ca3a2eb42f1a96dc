import { sql, type Transaction } from 'kysely';
import { PREPARED, type Db } from './database.js';
import type { Database } from './schema.js';

type Executor = Db | Transaction<Database>;

/**
 * Online bookings since `since` by this client, or by this customer. Prepared (planned once per
 * connection): every proof-of-work challenge asks it for the client, as often as bookings are made.
 */
export async function countWebBookings(
  db: Executor,
  by: { clientKey: string } | { customerId: string },
  since: Date,
): Promise<number> {
  const { rows } = await (
    'clientKey' in by
      ? sql<{ n: number }>`${sql.raw(PREPARED)}
        SELECT count(*)::int AS n FROM web_bookings WHERE client_key = ${by.clientKey} AND created_at >= ${since}`
      : sql<{ n: number }>`${sql.raw(PREPARED)}
        SELECT count(*)::int AS n FROM web_bookings WHERE customer_id = ${by.customerId}::uuid AND created_at >= ${since}`
  ).execute(db);
  return Number(rows[0]!.n);
}

export async function purgeWebBookings(db: Executor, before: Date): Promise<number> {
  const result = await db.deleteFrom('web_bookings').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countRefusal(db: Executor, day: string, rule: string, at: Date): Promise<void> {
  await db
    .insertInto('booking_refusals')
    .values({ day, rule, count: 1, last_at: at })
    .onConflict((oc) =>
      oc.columns(['day', 'rule']).doUpdateSet({
        count: sql<number>`booking_refusals.count + 1`,
        last_at: at,
      }),
    )
    .execute();
}

export async function refusalRows(
  db: Executor,
  from: string,
  to: string,
): Promise<{ day: string; rule: string; count: number; lastAt: Date }[]> {
  const rows = await db
    .selectFrom('booking_refusals')
    .select(['day', 'rule', 'count', 'last_at'])
    .where('day', '>=', from)
    .where('day', '<=', to)
    .orderBy('day')
    .orderBy('rule')
    .execute();
  return rows.map((r) => ({ day: r.day, rule: r.rule, count: r.count, lastAt: r.last_at }));
}
