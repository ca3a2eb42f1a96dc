/** What make-room needs of booked visits beyond their routes: which service, where, and whether it started. */
import type { Executor } from './database.js';
import type { VisitProgress } from './schema.js';

export interface VisitNeedsRow {
  id: string;
  service_id: string;
  postcode: string;
  progress: VisitProgress;
}

/** Booked visits of these technicians whose planned time overlaps [from, to): the same set as their routes. */
export async function visitNeedsOf(
  db: Executor,
  technicianIds: string[],
  from: Date,
  to: Date,
): Promise<VisitNeedsRow[]> {
  if (technicianIds.length === 0) return [];
  return db
    .selectFrom('visits')
    .select(['id', 'service_id', 'postcode', 'progress'])
    .where('technician_id', 'in', technicianIds)
    .where('status', '=', 'booked')
    .where('unassigned_reason', 'is', null)
    .where('planned_start', '<', to)
    .where('planned_end', '>', from)
    .execute();
}
