import { sql, type Transaction } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

type Executor = Db | Transaction<Database>;

/** Online bookings since `since` by this client, or by this customer. */
export async function countWebBookings(
  db: Executor,
  by: { clientKey: string } | { customerId: string },
  since: Date,
): Promise<number> {
  let query = db
    .selectFrom('web_bookings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('created_at', '>=', since);
  query =
    'clientKey' in by
      ? query.where('client_key', '=', by.clientKey)
      : query.where('customer_id', '=', by.customerId);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Serialises the online bookings of one client and of one customer until the transaction ends, so
 * two bookings sent at once cannot both pass a cap that only one of them fits under.
 */
export async function lockBookers(tx: Transaction<Database>, keys: string[]): Promise<void> {
  for (const key of [...keys].sort()) {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`booking-cap:${key}`}, 0))`.execute(tx);
  }
}

export async function insertWebBooking(
  tx: Transaction<Database>,
  row: { visitId: string; clientKey: string; customerId: string | null; at: Date },
): Promise<void> {
  await tx
    .insertInto('web_bookings')
    .values({
      visit_id: row.visitId,
      client_key: row.clientKey,
      customer_id: row.customerId,
      created_at: row.at,
    })
    .execute();
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
