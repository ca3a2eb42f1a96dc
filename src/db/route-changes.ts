/**
 * What an in-memory copy of booked routes needs from the database: which
 * technician-days changed since a snapshot (migration 0019's triggers mark
 * them) and whether the slowly-changing data did, and the routes of some
 * technician-days, visits and holds together.
 */
import { sql } from 'kysely';
import type { Executor } from './database.js';
import { bookedVisitTimesOf, routeTimes, type RouteVisitRow } from './visits.js';
import { HOLD_ROUTE_PREFIX } from './holds.js';

export interface RouteChanges {
  /** The snapshot this answer was taken in: pass it to the next call. */
  snapshot: string;
  /** "technicianId UTC-date" of every technician-day a transaction that `since` did not see has changed. */
  changed: string[];
  /** Such a transaction wrote settings, services, zones, technicians, hours or absences (migration 0019). */
  referenceChanged: boolean;
}

/**
 * Technician-days written by transactions committed after snapshot `since`
 * (none on a first call). One small statement, whose answer and snapshot are
 * consistent with each other: a writer that committed after it is in the
 * next call's answer, even one whose transaction id is older than ours.
 */
export async function routeChangesSince(db: Executor, since: string | null): Promise<RouteChanges> {
  const { rows } = await sql<{ snapshot: string; changed: string[] | null; reference_changed: boolean }>`
    SELECT pg_current_snapshot()::text AS snapshot,
           array_agg(c.technician_id::text || ' ' || c.day::text) AS changed,
           EXISTS (SELECT 1 FROM reference_changes r
                    WHERE ${since}::pg_snapshot IS NOT NULL
                      AND NOT pg_visible_in_snapshot(r.changed_by, ${since}::pg_snapshot)) AS reference_changed
      FROM route_day_changes c
     WHERE ${since}::pg_snapshot IS NOT NULL
       AND c.changed_by >= pg_snapshot_xmin(${since}::pg_snapshot)
       AND NOT pg_visible_in_snapshot(c.changed_by, ${since}::pg_snapshot)`.execute(db);
  const row = rows[0]!;
  return { snapshot: row.snapshot, changed: row.changed ?? [], referenceChanged: row.reference_changed };
}

/** A hold on a route, with what decides whom it blocks and until when. */
export interface HoldRouteRow extends RouteVisitRow {
  client_hash: string;
  expires_at_s: number;
}

/** Every unreleased hold of these technicians overlapping [from, to), expired or not (the reader filters). */
export async function unreleasedHoldRoutesOf(
  db: Executor,
  technicianIds: string[],
  from: Date,
  to: Date,
): Promise<HoldRouteRow[]> {
  if (technicianIds.length === 0) return [];
  const rows = await db
    .selectFrom('holds')
    .where('technician_id', 'in', technicianIds)
    .where('released_at', 'is', null)
    .where('planned_start', '<', to)
    .where('planned_end', '>', from)
    .select([
      'id',
      'technician_id',
      ...routeTimes,
      sql<number>`extract(epoch from expires_at)::float8`.as('expires_at_s'),
      'lat',
      'lon',
      'postcode',
      'client_hash',
    ])
    .execute();
  return rows.map((r) => ({ ...r, id: HOLD_ROUTE_PREFIX + r.id, pinned: false }));
}

/** Booked visits and unreleased holds of these technicians overlapping [from, to). */
export async function routesOf(
  db: Executor,
  technicianIds: string[],
  from: Date,
  to: Date,
): Promise<{ visits: RouteVisitRow[]; holds: HoldRouteRow[] }> {
  const [visits, holds] = await Promise.all([
    bookedVisitTimesOf(db, technicianIds, from, to),
    unreleasedHoldRoutesOf(db, technicianIds, from, to),
  ]);
  return { visits, holds };
}
