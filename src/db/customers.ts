import { sql, type Transaction } from 'kysely';
import type { Executor } from './database.js';
import type { CustomerAddress, CustomerRow, Database } from './schema.js';

export interface CustomerContact {
  name: string;
  /** E.164, or null when the contact gave none we could read. */
  phone: string | null;
  email: string | null;
  address?: CustomerAddress;
  /** When they gave the contact (consent date of a new customer). */
  at: Date;
}

// Advisory-lock namespace of customer contacts (two-key form: it cannot collide with the
// one-key locks of technician days and migrations).
export const CONTACT_LOCK = 1_311;

/** The contact's lock keys, phone first then e-mail: the order every caller takes them in. */
export function contactLockKeys(phone: string | null, email: string | null | undefined): string[] {
  const folded = email?.trim().toLowerCase() || null;
  return [phone && `phone:${phone}`, folded && `email:${folded}`].filter((k): k is string => !!k);
}

/** Serialises find-or-create on a phone and an e-mail until the transaction ends (re-entrant). */
export async function lockContact(
  tx: Transaction<Database>,
  phone: string | null,
  email: string | null | undefined,
): Promise<void> {
  for (const key of contactLockKeys(phone, email)) {
    await sql`SELECT pg_advisory_xact_lock(${CONTACT_LOCK}, hashtext(${key}))`.execute(tx);
  }
}

/**
 * Find-or-create (customer_link, migration 0011) after serialising on the contact's phone and
 * e-mail, so two bookings of one new caller racing each other make one customer, not two.
 * Locks are taken phone first, then e-mail, in every caller: no lock-order cycle.
 */
export async function linkCustomer(tx: Transaction<Database>, contact: CustomerContact): Promise<string> {
  await lockContact(tx, contact.phone, contact.email);
  const a = contact.address;
  const { rows } = await sql<{ id: string }>`
    SELECT customer_link(${contact.name}, ${contact.phone}, ${contact.email ?? null},
                         ${a?.street ?? null}, ${a?.postcode ?? null}, ${a?.city ?? null},
                         ${contact.at}::timestamptz) AS id`.execute(tx);
  return rows[0]!.id;
}

/** Whether a phone or e-mail already belongs to a live customer (the find half of find-or-create). */
export async function findCustomerByContact(
  db: Executor,
  phone: string | null,
  email: string | null,
): Promise<string | undefined> {
  if (phone) {
    const row = await db
      .selectFrom('customers')
      .select('id')
      .where('erased_at', 'is', null)
      .where(sql<boolean>`phones @> ARRAY[${phone}]::text[]`)
      .orderBy('created_at')
      .executeTakeFirst();
    if (row) return row.id;
  }
  if (email) {
    const row = await db
      .selectFrom('customers')
      .select('id')
      .where('erased_at', 'is', null)
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .orderBy('created_at')
      .executeTakeFirst();
    if (row) return row.id;
  }
  return undefined;
}

/** Customers other than `exceptId` holding one of these numbers (a number belongs to one person). */
export async function phonesTakenByOthers(
  db: Executor,
  phones: string[],
  exceptId: string,
): Promise<string[]> {
  if (phones.length === 0) return [];
  const rows = await db
    .selectFrom('customers')
    .select('phones')
    .where('erased_at', 'is', null)
    .where('id', '<>', exceptId)
    .where(sql<boolean>`phones && ${sql.val(phones)}::text[]`)
    .execute();
  const taken = new Set(rows.flatMap((r) => r.phones));
  return phones.filter((p) => taken.has(p));
}

export async function setVisitCustomer(tx: Executor, visitId: string, customerId: string): Promise<void> {
  await tx.updateTable('visits').set({ customer_id: customerId }).where('id', '=', visitId).execute();
}

export async function findCustomerRow(db: Executor, id: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface CustomerChanges {
  full_name?: string;
  email?: string | null;
  phones?: string[];
  notes?: string;
}

export async function updateCustomerRow(
  db: Executor,
  id: string,
  changes: CustomerChanges,
  now: Date,
): Promise<CustomerRow | undefined> {
  return db
    .updateTable('customers')
    .set({ ...changes, updated_at: now })
    .where('id', '=', id)
    .where('erased_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** A customer's visits, newest first, with what the card shows of them. */
export async function customerVisitRows(db: Executor, customerId: string) {
  return db
    .selectFrom('visits')
    .innerJoin('services', 'services.id', 'visits.service_id')
    .innerJoin('technicians', 'technicians.id', 'visits.technician_id')
    .select([
      'visits.id',
      'visits.reference',
      'visits.service_id',
      'services.name as service_name',
      'visits.planned_start',
      'visits.planned_end',
      'visits.window_start',
      'visits.window_end',
      'visits.status',
      'technicians.name as technician_name',
      'visits.address_line',
      'visits.postcode',
      'visits.city',
    ])
    .where('visits.customer_id', '=', customerId)
    .orderBy('visits.window_start', 'desc')
    .orderBy('visits.id')
    .execute();
}

/** Booked visits still ahead, per customer (the search list's "upcoming" count). */
export async function upcomingVisitCounts(
  db: Executor,
  customerIds: string[],
  now: Date,
): Promise<Map<string, number>> {
  if (customerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('visits')
    .select(['customer_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('customer_id', 'in', customerIds)
    .where('status', '=', 'booked')
    .where('window_end', '>', now)
    .groupBy('customer_id')
    .execute();
  return new Map(rows.map((r) => [r.customer_id!, Number(r.n)]));
}

export async function customerRowsByIds(db: Executor, ids: string[]): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('customers').selectAll().where('id', 'in', ids).execute();
}
