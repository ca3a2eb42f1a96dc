/** Visit rows: the booked-time reads behind slots and routes, the per-day locks, writes, the admin list. */
import { sql, type Transaction } from 'kysely';
import type { Executor } from './database.js';
import { lockWait } from '../observability/metrics.js';
import type { BookingChannel, Database, NewVisit, VisitRow } from './schema.js';

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

/**
 * A route row's planned times and promised window in epoch seconds, as the solver reads them
 * (visits and holds alike: both tables name these columns the same).
 */
export const routeTimes = [
  sql<number>`extract(epoch from planned_start)::float8`.as('planned_start_s'),
  sql<number>`extract(epoch from planned_end)::float8`.as('planned_end_s'),
  sql<number>`extract(epoch from window_start)::float8`.as('window_start_s'),
  sql<number>`extract(epoch from window_end)::float8`.as('window_end_s'),
] as const;

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
    .select(['id', 'technician_id', ...routeTimes, 'lat', 'lon', 'postcode', 'pinned'])
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
