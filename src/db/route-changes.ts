/**
 * What an in-memory copy of booked routes needs from the database: which
 * technician-days changed since a snapshot (migration 0019's triggers mark
 * them) and whether the slowly-changing data did, and the routes of some
 * technician-days, visits and holds together.
 */
import { sql, type RawBuilder } from 'kysely';
import { PREPARED, type Executor } from './database.js';
import type { RouteVisitRow } from './visits.js';
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
  // Prepared (planned once per connection, not parsed again): every slot request and every 409's
  // alternatives ask it.
  const { rows } = await sql<{
    snapshot: string;
    changed: string[] | null;
    reference_changed: boolean;
  }>`${sql.raw(PREPARED)}
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

/** A stop's fields as the slot engine reads them, from a visits or holds row aliased `alias`. */
function stopFields(alias: 'v' | 'h'): RawBuilder<unknown> {
  return sql.raw(`'id', ${alias}.id, 'technician_id', ${alias}.technician_id,
    'planned_start_s', extract(epoch from ${alias}.planned_start)::float8,
    'planned_end_s', extract(epoch from ${alias}.planned_end)::float8,
    'window_start_s', extract(epoch from ${alias}.window_start)::float8,
    'window_end_s', extract(epoch from ${alias}.window_end)::float8,
    'lat', ${alias}.lat, 'lon', ${alias}.lon, 'postcode', ${alias}.postcode`);
}

/** A booked visit of a route (a visits row aliased `v`) as a RouteVisitRow in JSON. */
export const ROUTE_VISIT_JSON = sql`json_build_object(${stopFields('v')}, 'pinned', v.pinned)`;

/**
 * Booked visits (as bookedVisitTimesOf reads them) and unreleased holds, expired or not (the reader
 * filters), of these technicians overlapping [from, to), in one prepared statement (one text whatever
 * the number of technicians): one round trip instead of two, parsed and planned once per connection
 * instead of at every read, and visits and holds from the same snapshot.
 */
export async function routesOf(
  db: Executor,
  technicianIds: string[],
  from: Date,
  to: Date,
): Promise<{ visits: RouteVisitRow[]; holds: HoldRouteRow[] }> {
  if (technicianIds.length === 0) return { visits: [], holds: [] };
  const { rows } = await sql<{
    visits: RouteVisitRow[];
    holds: (Omit<HoldRouteRow, 'pinned'> & { pinned?: boolean })[];
  }>`${sql.raw(PREPARED)}
    SELECT
      (SELECT coalesce(json_agg(${ROUTE_VISIT_JSON} ORDER BY v.planned_start), '[]'::json)
         FROM visits AS v
        WHERE v.technician_id = ANY(${technicianIds}::uuid[]) AND v.status = 'booked'
          AND v.unassigned_reason IS NULL
          AND v.planned_start < ${to}::timestamptz AND v.planned_end > ${from}::timestamptz) AS visits,
      (SELECT coalesce(json_agg(json_build_object(${stopFields('h')},
                'expires_at_s', extract(epoch from h.expires_at)::float8,
                'client_hash', h.client_hash)), '[]'::json)
         FROM holds AS h
        WHERE h.technician_id = ANY(${technicianIds}::uuid[]) AND h.released_at IS NULL
          AND h.planned_start < ${to}::timestamptz AND h.planned_end > ${from}::timestamptz) AS holds`.execute(
    db,
  );
  const row = rows[0]!;
  return {
    visits: row.visits,
    holds: row.holds.map((h) => ({ ...h, id: HOLD_ROUTE_PREFIX + h.id, pinned: false })),
  };
}
