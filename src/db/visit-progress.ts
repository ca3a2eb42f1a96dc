/**
 * Queries of the planner's real day (migration 0013): a visit's progress,
 * visits that lost their technician (the unassigned lane), and the day's
 * booked visits outside every route.
 */
import type { Executor } from './database.js';
import type { UnassignedReason, VisitProgress, VisitRow } from './schema.js';

/**
 * Sets a booked visit's progress if it is still at the version the caller
 * read; `done` also closes the visit exactly as POST /visits/:id/done does
 * (status, done_at: the survey is scheduled from them). Undefined when the
 * visit changed, is not booked, or is unknown.
 */
export async function setProgressIfUnchanged(
  db: Executor,
  change: { id: string; expectedVersion: number; progress: VisitProgress; now: Date },
): Promise<VisitRow | undefined> {
  return db
    .updateTable('visits')
    .set((eb) => ({
      progress: change.progress,
      progress_at: change.now,
      ...(change.progress === 'done' ? { status: 'done' as const, done_at: change.now } : {}),
      version: eb('version', '+', 1),
      updated_at: change.now,
    }))
    .where('id', '=', change.id)
    .where('version', '=', change.expectedVersion)
    .where('status', '=', 'booked')
    .returningAll()
    .executeTakeFirst();
}

/**
 * Puts the booked, not yet started visits of one technician (or of everyone
 * for a closure) whose planned time overlaps [from, to) in the unassigned
 * lane. technician_id stays: it is the previous technician. Returns the rows.
 */
export async function unassignVisitsDuring(
  db: Executor,
  scope: { technicianId: string | null; from: Date; to: Date; reason: UnassignedReason; now: Date },
): Promise<VisitRow[]> {
  let query = db
    .updateTable('visits')
    .set((eb) => ({
      unassigned_reason: scope.reason,
      unassigned_at: scope.now,
      pinned: false,
      version: eb('version', '+', 1),
      updated_at: scope.now,
    }))
    .where('status', '=', 'booked')
    .where('progress', '=', 'planned')
    .where('unassigned_reason', 'is', null)
    .where('planned_start', '<', scope.to)
    .where('planned_end', '>', scope.from);
  if (scope.technicianId !== null) query = query.where('technician_id', '=', scope.technicianId);
  return query.returningAll().execute();
}

/** Every booked visit whose planned time overlaps [from, to), routed or not, by planned start. */
export async function bookedVisitRowsDuring(db: Executor, from: Date, to: Date): Promise<VisitRow[]> {
  return db
    .selectFrom('visits')
    .selectAll()
    .where('status', '=', 'booked')
    .where('planned_start', '<', to)
    .where('planned_end', '>', from)
    .orderBy('planned_start')
    .orderBy('id')
    .execute();
}

/** Each skill's label by code ("IRVE" for irve): how a refusal names what is missing. */
export async function skillLabels(db: Executor): Promise<Map<string, string>> {
  const rows = await db.selectFrom('skills').select(['code', 'label']).execute();
  return new Map(rows.map((r) => [r.code, r.label]));
}
