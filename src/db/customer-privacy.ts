import { sql, type Transaction } from 'kysely';
import type { Executor } from './database.js';
import type { CustomerRow, Database } from './schema.js';

/** Every row that holds the customer, as stored (GDPR access: Art. 15), minus secrets (token hashes, manage links). */
export async function customerDataRows(db: Executor, customerId: string) {
  const visits = await db
    .selectFrom('visits')
    .innerJoin('services', 'services.id', 'visits.service_id')
    .select([
      'visits.id',
      'visits.reference',
      'services.name as service_name',
      'visits.status',
      'visits.window_start',
      'visits.window_end',
      'visits.customer_name',
      'visits.customer_phone',
      'visits.customer_email',
      'visits.address_line',
      'visits.postcode',
      'visits.city',
      'visits.notes',
      'visits.channel',
      'visits.locale',
      'visits.created_at',
      'visits.cancelled_at',
      'visits.done_at',
    ])
    .where('visits.customer_id', '=', customerId)
    .orderBy('visits.window_start')
    .execute();
  const visitIds = visits.map((v) => v.id);
  const messages =
    visitIds.length === 0
      ? []
      : await db
          .selectFrom('messages')
          .select(['id', 'channel', 'kind', 'status', 'recipient', 'aggregate_id', 'created_at', 'sent_at'])
          .where('aggregate', '=', 'visit')
          .where('aggregate_id', 'in', visitIds)
          // a webhook's recipient is the company's own tool, not the customer
          .where('channel', '=', 'email')
          .orderBy('created_at')
          .execute();
  const satisfaction =
    visitIds.length === 0
      ? []
      : await db.selectFrom('satisfaction_answers').selectAll().where('visit_id', 'in', visitIds).execute();
  return { visits, messages, satisfaction };
}

export async function lockCustomer(tx: Transaction<Database>, id: string): Promise<CustomerRow | undefined> {
  return tx.selectFrom('customers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function upcomingBookedVisits(db: Executor, customerId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('visits')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', customerId)
    .where('status', '=', 'booked')
    .where('window_end', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Scrubs a visit event payload: the customer and the street go, the service, window and postcode stay. */
const SCRUBBED_VISIT_DATA = (column: string) =>
  sql.raw(`
  CASE WHEN ${column} ? 'customer'
       THEN jsonb_set(${column} || '{"customer": {"name": "", "phone": "", "email": null}}'::jsonb,
                      '{address,line}', '""'::jsonb, false)
       ELSE ${column} END`);

/**
 * Anonymises a customer and everything that carries them (GDPR erasure: Art. 17), in the caller's
 * transaction: the customer row, their visits' contact fields and street (the position falls back to
 * the postal code's centroid), the outbox events and messages about those visits, satisfaction
 * comments and the e-mail's opt-out. Visits keep service, dates, status, postcode: the statistics.
 * Returns how many visits were kept.
 */
export async function eraseCustomerRows(
  tx: Transaction<Database>,
  customer: CustomerRow,
  now: Date,
): Promise<number> {
  const visitIds = (
    await tx.selectFrom('visits').select('id').where('customer_id', '=', customer.id).execute()
  ).map((v) => v.id);
  const emails = new Set<string>();
  if (customer.email) emails.add(customer.email.toLowerCase());
  if (visitIds.length > 0) {
    for (const v of await tx
      .selectFrom('visits')
      .select('customer_email')
      .where('id', 'in', visitIds)
      .where('customer_email', 'is not', null)
      .execute())
      emails.add(v.customer_email!.toLowerCase());
    await sql`
      UPDATE visits v
         SET customer_name = '', customer_phone = '', customer_email = NULL, address_line = '', notes = '',
             lat = coalesce((SELECT zp.lat FROM zone_postcodes zp WHERE zp.postcode = v.postcode LIMIT 1), v.lat),
             lon = coalesce((SELECT zp.lon FROM zone_postcodes zp WHERE zp.postcode = v.postcode LIMIT 1), v.lon)
       WHERE v.id IN (${sql.join(visitIds)})`.execute(tx);
    await sql`
      UPDATE outbox SET payload = ${SCRUBBED_VISIT_DATA('payload')}, private_payload = NULL
       WHERE aggregate = 'visit' AND aggregate_id IN (${sql.join(visitIds)})`.execute(tx);
    // E-mails not yet sent are not sent any more; sent ones keep their trace without the address.
    await sql`
      UPDATE messages
         SET recipient = '', payload = '{}'::jsonb,
             status = CASE WHEN status = 'pending' THEN 'skipped' ELSE status END,
             last_error = CASE WHEN status = 'pending' THEN 'customer erased' ELSE last_error END
       WHERE channel = 'email' AND aggregate = 'visit' AND aggregate_id IN (${sql.join(visitIds)})`.execute(
      tx,
    );
    await sql`
      UPDATE messages
         SET payload = jsonb_set(payload, '{data}', ${SCRUBBED_VISIT_DATA("(payload -> 'data')")}, false)
       WHERE channel = 'webhook' AND aggregate = 'visit' AND aggregate_id IN (${sql.join(visitIds)})
         AND payload ? 'data'`.execute(tx);
    await tx
      .updateTable('satisfaction_answers')
      .set({ comment: '' })
      .where('visit_id', 'in', visitIds)
      .execute();
  }
  if (emails.size > 0)
    await tx
      .deleteFrom('message_opt_outs')
      .where(sql<string>`lower(email)`, 'in', [...emails])
      .execute();
  await tx
    .updateTable('customers')
    .set({
      full_name: '',
      email: null,
      phones: [],
      addresses: '[]',
      notes: '',
      erased_at: now,
      updated_at: now,
    })
    .where('id', '=', customer.id)
    .execute();
  return visitIds.length;
}

export async function countCustomerVisits(db: Executor, customerId: string): Promise<number> {
  const row = await db
    .selectFrom('visits')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', customerId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
