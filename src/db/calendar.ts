import { sql } from 'kysely';
import type { Db } from './database.js';
import type { VisitStatus } from './schema.js';

/** What a calendar may show of a visit. Customer e-mail and notes are never read for calendars. */
export interface CalendarVisitRecord {
  id: string;
  reference: string;
  status: VisitStatus;
  serviceName: string;
  technicianId: string;
  technicianName: string;
  /** Set when the visit waits in the planner's unassigned lane (migration 0013); technician is then the previous one. */
  unassignedReason: string | null;
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

export interface FeedTechnicianRecord {
  id: string;
  name: string;
  active: boolean;
  feedTokenHash: string;
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
      'v.unassigned_reason as unassignedReason',
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

/** The technician whose feed token hashes to this (unique index on feed_token_hash). */
export async function findTechnicianByFeedTokenHash(
  db: Db,
  tokenHash: string,
): Promise<FeedTechnicianRecord | undefined> {
  const row = await db
    .selectFrom('technicians')
    .select(['id', 'name', 'active', 'feed_token_hash', 'updated_at'])
    .where('feed_token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row?.feed_token_hash
    ? {
        id: row.id,
        name: row.name,
        active: row.active,
        feedTokenHash: row.feed_token_hash,
        updatedAt: row.updated_at,
      }
    : undefined;
}

/**
 * Every visit whose planned start lies in [from, to), of one technician or of all, cancelled ones
 * included: the domain decides which cancellations are still shown. One range scan on
 * visits_technician_start (or visits_planned_start for the team).
 */
export async function listFeedVisits(
  db: Db,
  range: { technicianId?: string; from: Date; to: Date },
): Promise<CalendarVisitRecord[]> {
  let query = visitsQuery(db)
    .where('v.planned_start', '>=', range.from)
    .where('v.planned_start', '<', range.to);
  // An unassigned visit (migration 0013) has left its previous technician's feed.
  if (range.technicianId)
    query = query.where('v.technician_id', '=', range.technicianId).where('v.unassigned_reason', 'is', null);
  return query.orderBy('v.planned_start').orderBy('v.id').execute();
}

export async function findCalendarVisit(
  db: Db,
  id: string,
): Promise<
  (CalendarVisitRecord & { manageTokenHash: string; calendarTokenHash: string | null }) | undefined
> {
  return visitsQuery(db)
    .select(['v.manage_token_hash as manageTokenHash', 'v.calendar_token_hash as calendarTokenHash'])
    .where('v.id', '=', id)
    .executeTakeFirst();
}

/** max() over timestamptz comes back as a Date from pg and PGlite alike; be lenient with strings. */
function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const parsed = new Date(String(value));
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** Replaces the technician's feed token (its hash); false when there is no such technician. */
export async function setTechnicianFeedToken(
  db: Db,
  technicianId: string,
  tokenHash: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('technicians')
    .set({ feed_token_hash: tokenHash, updated_at: sql<Date>`now()` })
    .where('id', '=', technicianId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * What a feed poll reads before deciding whether its cached document is still current: the
 * watermarks, and a summary of the scope's visits in the range instead of the rows themselves.
 */
export interface FeedFreshnessRecord {
  watermarks: FeedWatermarkRecord;
  /** Visits of the scope planned in [from, to), cancelled ones included. */
  visitsInRange: number;
  /**
   * Sum of a 64-bit hash of each of those rows' (id, version), and their latest updated_at. Every
   * writer of visits bumps version (the schema's contract), so any change, arrival or departure
   * moves it, also when an older transaction commits after a newer one (which max(updated_at)
   * alone would miss). Hashing whole rows (v::text) would not rely on that contract but costs
   * ~4 ms for the demo company's team range, as much as the poll it is meant to spare.
   */
  visitsFingerprint: string;
  /** Of those, cancellations cancelled at or before `cancelledDropBefore`: no longer shown. */
  cancellationsExpired: number;
  /**
   * The names events carry from other tables (every service's, and every technician's for the
   * team), hashed order-free: renames move metadataChangedAt too, but not when the renaming
   * transaction commits after a later one.
   */
  namesFingerprint: string;
}

/**
 * What a feed's freshness statements filter on: its name in calendar_feed_changes, its visits (a
 * technician's own, or everyone's for the team) and the technicians' edit stamp it depends on.
 */
function feedScope(technicianId: string | undefined) {
  return {
    feed: technicianId ? `technician:${technicianId}` : 'team',
    ofTechnician: technicianId
      ? sql`AND technician_id = ${technicianId} AND unassigned_reason IS NULL`
      : sql``,
    techniciansAt: technicianId
      ? sql`(SELECT updated_at FROM technicians WHERE id = ${technicianId})`
      : sql`(SELECT max(updated_at) FROM technicians)`,
  };
}

/**
 * One round trip, no visit row leaves the database: the feed's watermarks (calendar_feed_changes is
 * the table of migration 0003) and aggregates over the same range scan listFeedVisits does.
 */
export async function getFeedFreshness(
  db: Db,
  scope: { technicianId?: string; from: Date; to: Date; cancelledDropBefore: Date },
): Promise<FeedFreshnessRecord> {
  const { feed, ofTechnician, techniciansAt } = feedScope(scope.technicianId);
  // A technician feed names only its technician, whose name the caller has already read.
  const technicianNames = scope.technicianId
    ? sql`''`
    : sql`(SELECT sum(hashtextextended(name, 0))::text FROM technicians)`;
  const result = await sql<{
    settings_at: unknown;
    services_at: unknown;
    technicians_at: unknown;
    departed_at: unknown;
    last_before: unknown;
    service_names: string | null;
    technician_names: string | null;
    visits: number | string;
    fingerprint: string | number;
    expired: number | string;
  }>`
    SELECT
      (SELECT updated_at FROM company_settings LIMIT 1) AS settings_at,
      (SELECT max(updated_at) FROM services) AS services_at,
      ${techniciansAt} AS technicians_at,
      (SELECT changed_at FROM calendar_feed_changes WHERE feed = ${feed}) AS departed_at,
      (SELECT max(planned_start) FROM visits WHERE planned_start < ${scope.from} ${ofTechnician}) AS last_before,
      (SELECT sum(hashtextextended(name, 0))::text FROM services) AS service_names,
      ${technicianNames} AS technician_names,
      agg.visits, agg.fingerprint, agg.expired
    FROM (
      SELECT
        count(*) AS visits,
        coalesce(sum(hashtextextended(v.id::text, v.version)), 0)::text || '@' || coalesce(max(v.updated_at)::text, '') AS fingerprint,
        -- Truncated to the millisecond like the Date the domain compares (isShownInFeed).
        count(*) FILTER (
          WHERE v.status = 'cancelled' AND date_trunc('milliseconds', coalesce(v.cancelled_at, v.updated_at)) <= ${scope.cancelledDropBefore}
        ) AS expired
      FROM visits v
      WHERE v.planned_start >= ${scope.from} AND v.planned_start < ${scope.to} ${ofTechnician}
    ) agg`.execute(db);
  const row = result.rows[0]!;
  const dates = [row.settings_at, row.services_at, row.technicians_at]
    .map(toDate)
    .filter((d): d is Date => d !== null);
  return {
    watermarks: {
      metadataChangedAt: dates.length ? new Date(Math.max(...dates.map((d) => d.getTime()))) : null,
      departedAt: toDate(row.departed_at),
      lastPlannedStartBefore: toDate(row.last_before),
    },
    visitsInRange: Number(row.visits),
    visitsFingerprint: String(row.fingerprint),
    cancellationsExpired: Number(row.expired),
    namesFingerprint: `${row.service_names ?? ''}/${row.technician_names ?? ''}`,
  };
}

/**
 * The watermarks alone (getFeedFreshness without the summary of the range's visits): what building
 * a feed needs besides its rows, when another mechanism says whether the rows changed.
 */
export async function getFeedWatermarks(
  db: Db,
  scope: { technicianId?: string; from: Date },
): Promise<FeedWatermarkRecord> {
  const { feed, ofTechnician, techniciansAt } = feedScope(scope.technicianId);
  const result = await sql<{
    settings_at: unknown;
    services_at: unknown;
    technicians_at: unknown;
    departed_at: unknown;
    last_before: unknown;
  }>`
    SELECT
      (SELECT updated_at FROM company_settings LIMIT 1) AS settings_at,
      (SELECT max(updated_at) FROM services) AS services_at,
      ${techniciansAt} AS technicians_at,
      (SELECT changed_at FROM calendar_feed_changes WHERE feed = ${feed}) AS departed_at,
      (SELECT max(planned_start) FROM visits WHERE planned_start < ${scope.from} ${ofTechnician}) AS last_before`.execute(
    db,
  );
  const row = result.rows[0]!;
  const dates = [row.settings_at, row.services_at, row.technicians_at]
    .map(toDate)
    .filter((d): d is Date => d !== null);
  return {
    metadataChangedAt: dates.length ? new Date(Math.max(...dates.map((d) => d.getTime()))) : null,
    departedAt: toDate(row.departed_at),
    lastPlannedStartBefore: toDate(row.last_before),
  };
}
