import { sql, type Transaction } from 'kysely';
import type { Executor } from './database.js';
import type {
  Database,
  RequestChannel,
  RequestHistoryRow,
  RequestKind,
  RequestRow,
  RequestStatus,
} from './schema.js';

/** A request with what its summary shows of the customer. */
export type RequestWithCustomer = RequestRow & {
  customer_name: string;
  customer_phones: string[];
  customer_email: string | null;
};

function withCustomer(db: Executor) {
  return db
    .selectFrom('requests')
    .innerJoin('customers', 'customers.id', 'requests.customer_id')
    .selectAll('requests')
    .select([
      'customers.full_name as customer_name',
      'customers.phones as customer_phones',
      'customers.email as customer_email',
    ]);
}

export interface NewRequest {
  reference: string;
  kind: RequestKind;
  customerId: string;
  text: string;
  serviceId: string | null;
  postcode: string | null;
  channel: RequestChannel;
  preferredTime: string | null;
  createdBy: string;
  at: Date;
}

/** The request and its first history line ("created by"), in the caller's transaction. */
export async function insertRequest(tx: Transaction<Database>, request: NewRequest): Promise<string> {
  const row = await tx
    .insertInto('requests')
    .values({
      reference: request.reference,
      kind: request.kind,
      customer_id: request.customerId,
      text: request.text,
      service_id: request.serviceId,
      postcode: request.postcode,
      channel: request.channel,
      preferred_time: request.preferredTime,
      created_by: request.createdBy,
      created_at: request.at,
      updated_at: request.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendHistory(tx, {
    requestId: row.id,
    at: request.at,
    actor: request.createdBy,
    from: null,
    to: 'new',
    note: '',
  });
  return row.id;
}

export async function appendHistory(
  tx: Executor,
  entry: {
    requestId: string;
    at: Date;
    actor: string;
    from: RequestStatus | null;
    to: RequestStatus;
    note: string;
  },
): Promise<void> {
  await tx
    .insertInto('request_history')
    .values({
      request_id: entry.requestId,
      at: entry.at,
      actor: entry.actor,
      from_status: entry.from,
      to_status: entry.to,
      note: entry.note,
    })
    .execute();
}

export async function findRequest(db: Executor, id: string): Promise<RequestWithCustomer | undefined> {
  return withCustomer(db).where('requests.id', '=', id).executeTakeFirst();
}

/** Locks the request for a status change (two agents taking it at once: one wins, the other sees it taken). */
export async function lockRequest(tx: Transaction<Database>, id: string): Promise<RequestRow | undefined> {
  return tx.selectFrom('requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateRequestStatus(
  tx: Transaction<Database>,
  id: string,
  change: {
    status: RequestStatus;
    takenBy: string | null;
    bookingId: string | null;
    closeReason: string | null;
    closedAt: Date | null;
    at: Date;
  },
): Promise<void> {
  await tx
    .updateTable('requests')
    .set({
      status: change.status,
      taken_by: change.takenBy,
      booking_id: change.bookingId,
      close_reason: change.closeReason,
      closed_at: change.closedAt,
      updated_at: change.at,
    })
    .where('id', '=', id)
    .execute();
}

export async function requestHistory(db: Executor, requestId: string): Promise<RequestHistoryRow[]> {
  return db
    .selectFrom('request_history')
    .selectAll()
    .where('request_id', '=', requestId)
    .orderBy('id')
    .execute();
}

export interface RequestFilter {
  statuses?: RequestStatus[];
  kinds?: RequestKind[];
  createdBefore?: Date;
  customerId?: string;
  limit: number;
}

/** Requests matching the filter, oldest first, and how many match in all. */
export async function listRequestRows(
  db: Executor,
  filter: RequestFilter,
): Promise<{ rows: RequestWithCustomer[]; total: number }> {
  let query = withCustomer(db);
  if (filter.statuses?.length) query = query.where('requests.status', 'in', filter.statuses);
  if (filter.kinds?.length) query = query.where('requests.kind', 'in', filter.kinds);
  if (filter.createdBefore) query = query.where('requests.created_at', '<', filter.createdBefore);
  if (filter.customerId) query = query.where('requests.customer_id', '=', filter.customerId);
  const rows = await query
    .select(sql<number>`count(*) OVER ()`.as('total'))
    .orderBy('requests.created_at')
    .orderBy('requests.id')
    .limit(filter.limit)
    .execute();
  return { rows, total: Number(rows[0]?.total ?? 0) };
}

export async function customerRequestRows(db: Executor, customerId: string): Promise<RequestWithCustomer[]> {
  return withCustomer(db)
    .where('requests.customer_id', '=', customerId)
    .orderBy('requests.created_at', 'desc')
    .orderBy('requests.id')
    .execute();
}

export async function visitExists(db: Executor, id: string): Promise<boolean> {
  return (await db.selectFrom('visits').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** A request event's data without the person: customer, free text and closing reason blanked. */
const scrubbed = (column: string) =>
  sql.raw(`jsonb_set(${column} || '{"customer": {"name": "", "phone": "", "email": null}, "text": ""}'::jsonb,
                     '{reason}', '""'::jsonb, false)`);

/** GDPR erasure of a customer's requests: their free text, the notes of their history, and their events. */
export async function eraseCustomerRequests(tx: Transaction<Database>, customerId: string): Promise<void> {
  const ids = (
    await tx.selectFrom('requests').select('id').where('customer_id', '=', customerId).execute()
  ).map((r) => r.id);
  if (ids.length === 0) return;
  await tx
    .updateTable('requests')
    .set({
      text: '',
      preferred_time: null,
      close_reason: sql<string>`CASE WHEN close_reason IS NULL THEN NULL ELSE '' END`,
    })
    .where('id', 'in', ids)
    .execute();
  await tx
    .updateTable('request_history')
    .set({ note: '' })
    .where('request_id', 'in', ids)
    .where('note', '<>', '')
    .execute();
  await sql`
    UPDATE outbox SET payload = ${scrubbed('payload')}, private_payload = NULL
     WHERE aggregate = 'request' AND aggregate_id IN (${sql.join(ids)})`.execute(tx);
  await sql`
    UPDATE messages
       SET payload = jsonb_set(payload, '{data}', ${scrubbed("(payload -> 'data')")}, false)
     WHERE aggregate = 'request' AND aggregate_id IN (${sql.join(ids)}) AND payload ? 'data'`.execute(tx);
}

/** Requests of a customer for the GDPR export, with their history. */
export async function customerRequestExport(db: Executor, customerId: string) {
  const requests = await db
    .selectFrom('requests')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .execute();
  const history =
    requests.length === 0
      ? []
      : await db
          .selectFrom('request_history')
          .selectAll()
          .where(
            'request_id',
            'in',
            requests.map((r) => r.id),
          )
          .orderBy('id')
          .execute();
  return { requests, history };
}

export async function openRequestCount(db: Executor, customerId: string): Promise<number> {
  const row = await db
    .selectFrom('requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['new', 'in_progress'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
