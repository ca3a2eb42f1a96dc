/** Holds: windows kept for a client while they type (see migrations/0006_holds.sql). */
import { sql } from 'kysely';
import type { Executor } from './database.js';
import { routeTimes, type RouteVisitRow } from './visits.js';
import type { HoldRow, NewHold } from './schema.js';

/** Holds appear on routes under this id prefix, so they never collide with a visit's id. */
export const HOLD_ROUTE_PREFIX = 'hold:';

export async function insertHold(tx: Executor, hold: NewHold): Promise<HoldRow> {
  return tx.insertInto('holds').values(hold).returningAll().executeTakeFirstOrThrow();
}

/** A hold by id, locked for the rest of the transaction when `forUpdate`. */
export async function findHold(
  db: Executor,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<HoldRow | undefined> {
  let query = db.selectFrom('holds').selectAll().where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The live holds one client has right now. */
export async function liveHoldsOfClient(db: Executor, clientHash: string, now: Date): Promise<HoldRow[]> {
  return db
    .selectFrom('holds')
    .selectAll()
    .where('client_hash', '=', clientHash)
    .where('released_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at')
    .execute();
}

/** Serialises one client's hold requests, so the "at most two live holds" count cannot race. */
export async function lockClientHolds(tx: Executor, clientHash: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`holds:${clientHash}`}, 0))`.execute(tx);
}

/**
 * Live holds on these technicians' routes overlapping [from, to), in the
 * route shape of a booked visit; holds of `exceptClient` and the hold
 * `exceptHold` left out (a client's own holds never block that client).
 */
export async function liveHoldRoutesOf(
  db: Executor,
  technicianIds: string[],
  from: Date,
  to: Date,
  options: { now: Date; exceptClient?: string; exceptHold?: string },
): Promise<RouteVisitRow[]> {
  if (technicianIds.length === 0) return [];
  let query = db
    .selectFrom('holds')
    .where('technician_id', 'in', technicianIds)
    .where('released_at', 'is', null)
    .where('expires_at', '>', options.now)
    .where('planned_start', '<', to)
    .where('planned_end', '>', from);
  if (options.exceptClient !== undefined) query = query.where('client_hash', '<>', options.exceptClient);
  if (options.exceptHold !== undefined) query = query.where('id', '<>', options.exceptHold);
  const rows = await query.select(['id', 'technician_id', ...routeTimes, 'lat', 'lon', 'postcode']).execute();
  return rows.map((r) => ({ ...r, id: HOLD_ROUTE_PREFIX + r.id, pinned: false }));
}

/** Moves a hold on its route (an insertion re-timed it, or it went to another technician). */
export async function retimeHold(
  tx: Executor,
  id: string,
  change: { technicianId?: string; plannedStart: Date; plannedEnd: Date },
): Promise<void> {
  await tx
    .updateTable('holds')
    .set({
      ...(change.technicianId ? { technician_id: change.technicianId } : {}),
      planned_start: change.plannedStart,
      planned_end: change.plannedEnd,
    })
    .where('id', '=', id)
    .execute();
}

export async function releaseHolds(tx: Executor, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .updateTable('holds')
    .set({ released_at: now })
    .where('id', 'in', ids)
    .where('released_at', 'is', null)
    .execute();
}

export async function renewHoldRow(tx: Executor, id: string, expiresAt: Date): Promise<HoldRow> {
  return tx
    .updateTable('holds')
    .set({ expires_at: expiresAt, renewed: true })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Every live hold of one client (they booked: what else they held is moot). */
export async function releaseClientHolds(tx: Executor, clientHash: string, now: Date): Promise<void> {
  await tx
    .updateTable('holds')
    .set({ released_at: now })
    .where('client_hash', '=', clientHash)
    .where('released_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
}

/** Holds released or expired for a day are of no use to anyone: rows are dropped then. */
export async function purgeOldHolds(db: Executor, before: Date): Promise<void> {
  await db
    .deleteFrom('holds')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('released_at', '<', before)]))
    .execute();
}
