/**
 * An absence (or a company closure) recorded after visits were booked: the
 * affected visits that have not started go to the unassigned lane at once —
 * out of the technician's calendar feed, holding none of their time — and
 * the next proposal of each day places them first.
 */
import type { Executor } from '../../db/database.js';
import type { ExceptionKind } from '../../db/schema.js';
import { unassignVisitsDuring } from '../../db/visit-progress.js';

export interface UnassignedByException {
  visitId: string;
  reference: string;
}

export async function unassignForException(
  db: Executor,
  exception: { kind: ExceptionKind; technicianId: string | null; start: Date; end: Date },
  now: Date,
): Promise<UnassignedByException[]> {
  if (exception.kind === 'extra_shift') return [];
  const rows = await unassignVisitsDuring(db, {
    technicianId: exception.kind === 'absence' ? exception.technicianId : null,
    from: exception.start,
    to: exception.end,
    reason: exception.kind === 'absence' ? 'technician-absent' : 'no-technician',
    now,
  });
  return rows.map((r) => ({ visitId: r.id, reference: r.reference }));
}
