import { sql, type Transaction } from 'kysely';
import { getService, listServices, type ServiceRecord } from './catalogue.js';
import type { Db } from './database.js';
import { lockWait } from '../observability/metrics.js';
import type { BookingChannel, CompanySettingsRow, Database, NewVisit, VisitRow, ZoneKind } from './schema.js';

export type Executor = Db | Transaction<Database>;

/** A service with the skills it needs (the catalogue's record). */
export type ServiceWithSkills = ServiceRecord;

export function findService(db: Executor, id: string): Promise<ServiceWithSkills | undefined> {
  return getService(db, id);
}

export async function listActiveServices(db: Executor): Promise<ServiceWithSkills[]> {
  return (await listServices(db)).filter((s) => s.active);
}

/** The settings row, or undefined on a database with no company yet (the service still answers). */
export async function findCompanySettingsRow(db: Executor): Promise<CompanySettingsRow | undefined> {
  return db.selectFrom('company_settings').selectAll().where('id', '=', 1).executeTakeFirst();
}

export async function getCompanySettings(db: Executor): Promise<CompanySettingsRow> {
  return db.selectFrom('company_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

/** Zone kind of every served postal code: it sets the driving speed around a visit. */
export async function postcodeZoneKinds(db: Executor): Promise<Map<string, ZoneKind>> {
  const rows = await db
    .selectFrom('zone_postcodes')
    .innerJoin('zones', 'zones.id', 'zone_postcodes.zone_id')
    .select(['zone_postcodes.postcode', 'zones.kind'])
    .execute();
  return new Map(rows.map((r) => [r.postcode, r.kind]));
}

// An unassigned visit (migration 0013) is on nobody's route and holds nobody's time.
function bookedVisitsQuery(db: Executor, technicianIds: string[], from: Date, to: Date) {
  return db
    .selectFrom('visits')
    .where('technician_id', 'in', technicianIds)
    .where('status', '=', 'booked')
    .where('unassigned_reason', 'is', null)
    .where('planned_start', '<', to)
    .where('planned_end', '>', from)
    .orderBy('planned_start');
}

/** Booked visits of these technicians whose planned time overlaps [from, to). */
export async function bookedVisitsOf(
  db: Executor,
  technicianIds: string[],
  from: Date,
  to: Date,
): Promise<VisitRow[]> {
  if (technicianIds.length === 0) return [];
  return bookedVisitsQuery(db, technicianIds, from, to).selectAll().execute();
}

/**
 * The same visits, only what a route needs, instants as Unix seconds: slot
 * queries read hundreds of rows per request, and parsing timestamps was the
 * largest single cost of a slot request.
 */
export async function bookedVisitTimesOf(
  db: Executor,
  technicianIds: string[],
  from: Date,
  to: Date,
): Promise<RouteVisitRow[]> {
  if (technicianIds.length === 0) return [];
  return bookedVisitsQuery(db, technicianIds, from, to)
    .select([
      'id',
      'technician_id',
      sql<number>`extract(epoch from planned_start)::float8`.as('planned_start_s'),
      sql<number>`extract(epoch from planned_end)::float8`.as('planned_end_s'),
      sql<number>`extract(epoch from window_start)::float8`.as('window_start_s'),
      sql<number>`extract(epoch from window_end)::float8`.as('window_end_s'),
      'lat',
      'lon',
      'postcode',
      'pinned',
    ])
    .execute();
}

export interface RouteVisitRow {
  id: string;
  technician_id: string;
  planned_start_s: number;
  planned_end_s: number;
  window_start_s: number;
  window_end_s: number;
  lat: number;
  lon: number;
  postcode: string;
  pinned: boolean;
}

/** A full visit row in the route shape. */
export function routeVisitOf(row: VisitRow): RouteVisitRow {
  return {
    id: row.id,
    technician_id: row.technician_id,
    planned_start_s: row.planned_start.getTime() / 1000,
    planned_end_s: row.planned_end.getTime() / 1000,
    window_start_s: row.window_start.getTime() / 1000,
    window_end_s: row.window_end.getTime() / 1000,
    lat: row.lat,
    lon: row.lon,
    postcode: row.postcode,
    pinned: row.pinned,
  };
}

export async function findVisit(db: Executor, id: string): Promise<VisitRow | undefined> {
  return db.selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findVisitWithService(db: Executor, id: string) {
  return db
    .selectFrom('visits')
    .innerJoin('services', 'services.id', 'visits.service_id')
    .selectAll('visits')
    .select([
      'services.name as service_name',
      'services.slug as service_slug',
      'services.price_label as service_price_label',
    ])
    .where('visits.id', '=', id)
    .executeTakeFirst();
}

/**
 * Serialises bookings per technician-day across every service instance: the
 * lock is held until the transaction ends. Keys are taken in sorted order so
 * two bookings wanting the same days cannot deadlock.
 */
export async function lockTechnicianDays(tx: Transaction<Database>, keys: string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort().map((key) => `tech-day:${key}`);
  if (sorted.length === 0) return;
  // One round trip; WITH ORDINALITY + ORDER BY takes the locks in the sorted order.
  const waited = lockWait.startTimer();
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(k.key, 0))
              FROM (SELECT key, n FROM unnest(${sorted}::text[]) WITH ORDINALITY AS u(key, n) ORDER BY n) AS k`.execute(
    tx,
  );
  waited();
}

/** Lets a transaction move several visits at once; the exclusion constraint is checked at commit. */
export async function deferOverlapCheck(tx: Transaction<Database>): Promise<void> {
  await sql`SET CONSTRAINTS visits_no_overlap DEFERRED`.execute(tx);
}

export async function insertVisitRow(tx: Executor, visit: NewVisit): Promise<VisitRow> {
  return tx.insertInto('visits').values(visit).returningAll().executeTakeFirstOrThrow();
}

/** Moves a booked visit's planned time (re-timing after an insertion); bumps its version for the feeds. */
export async function retimeVisit(
  tx: Executor,
  id: string,
  plannedStart: Date,
  plannedEnd: Date,
): Promise<void> {
  await tx
    .updateTable('visits')
    .set((eb) => ({
      planned_start: plannedStart,
      planned_end: plannedEnd,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .execute();
}

export async function rescheduleVisitRow(
  tx: Executor,
  id: string,
  change: { technicianId: string; windowStart: Date; windowEnd: Date; plannedStart: Date; plannedEnd: Date },
): Promise<VisitRow> {
  return tx
    .updateTable('visits')
    .set((eb) => ({
      technician_id: change.technicianId,
      window_start: change.windowStart,
      window_end: change.windowEnd,
      planned_start: change.plannedStart,
      planned_end: change.plannedEnd,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function cancelVisitRow(tx: Executor, id: string, now: Date): Promise<VisitRow> {
  return tx
    .updateTable('visits')
    .set((eb) => ({
      status: 'cancelled' as const,
      cancelled_at: now,
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

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

/** Marks a proof-of-work challenge as spent; false when it already was (a replay). */
export async function spendChallenge(tx: Executor, challenge: string, expiresAt: Date): Promise<boolean> {
  const result = await tx
    .insertInto('spent_challenges')
    .values({ challenge, expires_at: expiresAt })
    .onConflict((oc) => oc.column('challenge').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Deletes spent challenges and idempotency keys past their expiry; the counts deleted. */
export async function purgeExpiredGuards(
  db: Executor,
  now: Date,
): Promise<{ challenges: number; idempotencyKeys: number }> {
  const challenges = await db.deleteFrom('spent_challenges').where('expires_at', '<', now).executeTakeFirst();
  const keys = await db.deleteFrom('idempotency_keys').where('expires_at', '<', now).executeTakeFirst();
  return { challenges: Number(challenges.numDeletedRows), idempotencyKeys: Number(keys.numDeletedRows) };
}

/** A secret shared by every instance (HMAC key for challenges), made on first use. */
export async function serviceSecret(db: Executor, name: string, make: () => string): Promise<string> {
  await db
    .insertInto('service_secrets')
    .values({ name, value: make() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('service_secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.value;
}

export interface VisitListFilter {
  from?: Date;
  to?: Date;
  technicianId?: string;
  status?: 'booked' | 'cancelled' | 'done';
  q?: string;
  limit: number;
}

export async function listVisits(db: Executor, filter: VisitListFilter) {
  let query = db
    .selectFrom('visits')
    .innerJoin('technicians', 'technicians.id', 'visits.technician_id')
    .innerJoin('services', 'services.id', 'visits.service_id')
    .selectAll('visits')
    .select(['technicians.name as technician_name', 'services.name as service_name']);
  if (filter.from) query = query.where('visits.planned_end', '>', filter.from);
  if (filter.to) query = query.where('visits.planned_start', '<', filter.to);
  if (filter.technicianId) query = query.where('visits.technician_id', '=', filter.technicianId);
  if (filter.status) query = query.where('visits.status', '=', filter.status);
  if (filter.q) {
    const needle = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const digits = filter.q.replace(/\D/g, '');
    query = query.where((eb) =>
      eb.or([
        eb('visits.customer_name', 'ilike', needle),
        eb('visits.reference', 'ilike', needle),
        ...(digits.length >= 4
          ? [eb(sql`regexp_replace(visits.customer_phone, '\\D', '', 'g')`, 'like', `%${digits}%`)]
          : []),
      ]),
    );
  }
  return query.orderBy('visits.planned_start').limit(filter.limit).execute();
}

export type { BookingChannel };
