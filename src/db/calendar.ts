import { sql } from 'kysely';
import type { Db } from './database.js';
import type { VisitStatus } from './schema.js';

/** The table of migration 0003, typed here so the shared schema file stays untouched by this feature. */
interface CalendarFeedChangesTable {
  feed: string;
  changed_at: Date;
}

function withFeedChanges(db: Db) {
  return db.withTables<{ calendar_feed_changes: CalendarFeedChangesTable }>();
}

/** What a calendar may show of a visit. Customer e-mail and notes are never read for calendars. */
export interface CalendarVisitRecord {
  id: string;
  reference: string;
  status: VisitStatus;
  serviceName: string;
  technicianId: string;
  technicianName: string;
  windowStart: Date;
  windowEnd: Date;
  plannedStart: Date;
  plannedEnd: Date;
  customerName: string;
  customerPhone: string;
  addressLine: string;
  postcode: string;
  city: string;
  lat: number;
  lon: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
}

export interface CalendarCompanyRecord {
  name: string;
  phone: string;
  timezone: string;
  bookingHorizonDays: number;
  teamFeedToken: string;
  updatedAt: Date;
}

export interface FeedTechnicianRecord {
  id: string;
  name: string;
  active: boolean;
  feedToken: string;
  updatedAt: Date;
}

/** Timestamps that move a feed's Last-Modified although no visit it shows changed. */
export interface FeedWatermarkRecord {
  /** Latest change of the company settings, of any service, and of the technicians the feed names. */
  metadataChangedAt: Date | null;
  /** Latest time a visit left the feed by reassignment or deletion (trigger of migration 0003). */
  departedAt: Date | null;
  /** Latest planned start before the feed's range: the last visit that slid out of the past end. */
  lastPlannedStartBefore: Date | null;
}

function visitsQuery(db: Db) {
  return db
    .selectFrom('visits as v')
    .innerJoin('services as s', 's.id', 'v.service_id')
    .innerJoin('technicians as t', 't.id', 'v.technician_id')
    .select([
      'v.id',
      'v.reference',
      'v.status',
      's.name as serviceName',
      'v.technician_id as technicianId',
      't.name as technicianName',
      'v.window_start as windowStart',
      'v.window_end as windowEnd',
      'v.planned_start as plannedStart',
      'v.planned_end as plannedEnd',
      'v.customer_name as customerName',
      'v.customer_phone as customerPhone',
      'v.address_line as addressLine',
      'v.postcode',
      'v.city',
      'v.lat',
      'v.lon',
      'v.version',
      'v.created_at as createdAt',
      'v.updated_at as updatedAt',
      'v.cancelled_at as cancelledAt',
    ]);
}

export async function getCalendarCompany(db: Db): Promise<CalendarCompanyRecord | undefined> {
  const row = await db
    .selectFrom('company_settings')
    .select(['name', 'phone', 'timezone', 'booking_horizon_days', 'team_feed_token', 'updated_at'])
    .executeTakeFirst();
  return (
    row && {
      name: row.name,
      phone: row.phone,
      timezone: row.timezone,
      bookingHorizonDays: row.booking_horizon_days,
      teamFeedToken: row.team_feed_token,
      updatedAt: row.updated_at,
    }
  );
}

/** The technician whose feed URL carries this token (unique index on feed_token). */
export async function findTechnicianByFeedToken(db: Db, token: string): Promise<FeedTechnicianRecord | undefined> {
  const row = await db
    .selectFrom('technicians')
    .select(['id', 'name', 'active', 'feed_token', 'updated_at'])
    .where('feed_token', '=', token)
    .executeTakeFirst();
  return row?.feed_token ? { id: row.id, name: row.name, active: row.active, feedToken: row.feed_token, updatedAt: row.updated_at } : undefined;
}

/**
 * Every visit whose planned start lies in [from, to), of one technician or of all, cancelled ones
 * included: the domain decides which cancellations are still shown. One range scan on
 * visits_technician_start (or visits_planned_start for the team).
 */
export async function listFeedVisits(db: Db, range: { technicianId?: string; from: Date; to: Date }): Promise<CalendarVisitRecord[]> {
  let query = visitsQuery(db).where('v.planned_start', '>=', range.from).where('v.planned_start', '<', range.to);
  if (range.technicianId) query = query.where('v.technician_id', '=', range.technicianId);
  return query.orderBy('v.planned_start').orderBy('v.id').execute();
}

export async function findCalendarVisit(db: Db, id: string): Promise<(CalendarVisitRecord & { manageTokenHash: string }) | undefined> {
  return visitsQuery(db).select('v.manage_token_hash as manageTokenHash').where('v.id', '=', id).executeTakeFirst();
}

export async function getFeedWatermarks(db: Db, scope: { technicianId?: string; before: Date }): Promise<FeedWatermarkRecord> {
  const feed = scope.technicianId ? `technician:${scope.technicianId}` : 'team';
  const row = await withFeedChanges(db)
    .selectNoFrom((eb) => [
      eb.selectFrom('company_settings').select('updated_at').limit(1).as('settingsAt'),
      eb.selectFrom('services').select((s) => s.fn.max('updated_at').as('at')).as('servicesAt'),
      (scope.technicianId
        ? eb.selectFrom('technicians').select('updated_at').where('id', '=', scope.technicianId)
        : eb.selectFrom('technicians').select((s) => s.fn.max('updated_at').as('updated_at'))
      ).as('techniciansAt'),
      eb.selectFrom('calendar_feed_changes').select('changed_at').where('feed', '=', feed).as('departedAt'),
      (scope.technicianId
        ? eb.selectFrom('visits').select((s) => s.fn.max('planned_start').as('at')).where('technician_id', '=', scope.technicianId)
        : eb.selectFrom('visits').select((s) => s.fn.max('planned_start').as('at'))
      )
        .where('planned_start', '<', scope.before)
        .as('lastBefore'),
    ])
    .executeTakeFirstOrThrow();
  const dates = [row.settingsAt, row.servicesAt, row.techniciansAt].map(toDate).filter((d): d is Date => d !== null);
  return {
    metadataChangedAt: dates.length ? new Date(Math.max(...dates.map((d) => d.getTime()))) : null,
    departedAt: toDate(row.departedAt),
    lastPlannedStartBefore: toDate(row.lastBefore),
  };
}

/** max() over timestamptz comes back as a Date from pg and PGlite alike; be lenient with strings. */
function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const parsed = new Date(String(value));
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** Replaces the technician's feed token; false when there is no such technician. */
export async function setTechnicianFeedToken(db: Db, technicianId: string, token: string | null): Promise<boolean> {
  const result = await db
    .updateTable('technicians')
    .set({ feed_token: token, updated_at: sql<Date>`now()` })
    .where('id', '=', technicianId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setTeamFeedToken(db: Db, token: string): Promise<boolean> {
  const result = await db.updateTable('company_settings').set({ team_feed_token: token, updated_at: sql<Date>`now()` }).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
