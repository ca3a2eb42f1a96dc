/**
 * An absence (or a company closure) recorded after visits were booked: the
 * affected visits that have not started go to the unassigned lane at once —
 * out of the technician's calendar feed, holding none of their time — and
 * the next proposal of each day places them first. Removed or shortened, it
 * gives back to their technician those that still fit where they were.
 */
import type { Transaction } from 'kysely';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Executor } from '../../db/database.js';
import { moveVisitIfUnchanged } from '../../db/plans.js';
import type { Database, ExceptionKind, VisitRow } from '../../db/schema.js';
import { unassignVisitsDuring } from '../../db/visit-progress.js';
import { lockTechnicianDays } from '../../db/visits.js';
import { localDateOf } from '../local-time.js';
import { enqueueVisitMoved } from '../outbox/index.js';
import { shiftKey } from '../shift-key.js';
import { buildDayProblem } from './day-problem.js';
import { judgePlacement } from './placement-check.js';

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

/**
 * An absence or closure removed or shortened: each visit it sent to the unassigned lane goes back
 * to its technician at its planned time when that still holds — the technician works then, and
 * checkPlan finds nothing new broken on their day (travel, overlap, window) — in planned order.
 * The others stay in the lane, for the planner or the next proposal. Takes each day's lock.
 */
export async function restoreAfterException(
  tx: Transaction<Database>,
  exception: { kind: ExceptionKind; technicianId: string | null; start: Date; end: Date },
  now: Date,
): Promise<UnassignedByException[]> {
  if (exception.kind === 'extra_shift') return [];
  let waiting = tx
    .selectFrom('visits')
    .selectAll()
    .where('status', '=', 'booked')
    .where('progress', '=', 'planned')
    .where('unassigned_reason', '=', exception.kind === 'absence' ? 'technician-absent' : 'no-technician')
    .where('planned_start', '<', exception.end)
    .where('planned_end', '>', exception.start)
    .orderBy('planned_start')
    .orderBy('id');
  if (exception.kind === 'absence' && exception.technicianId !== null)
    waiting = waiting.where('technician_id', '=', exception.technicianId);
  const rows = await waiting.execute();
  if (rows.length === 0) return [];
  const { timezone } = await getCompanySettings(tx);
  const dateOf = (row: VisitRow) => localDateOf(row.planned_start.getTime() / 1000, timezone);
  await lockTechnicianDays(
    tx,
    rows.map((r) => shiftKey(r.technician_id, dateOf(r))),
  );
  const restored: UnassignedByException[] = [];
  for (const row of rows) {
    const date = dateOf(row);
    // Rebuilt for each visit: the one restored before it is part of the day now.
    const day = await buildDayProblem(tx, date, { technicianIds: [row.technician_id] });
    const judged = judgePlacement(day, row, row.technician_id, row.planned_start.getTime() / 1000);
    if (judged.kind !== 'checked' || judged.faults.length > 0) continue;
    const back = await moveVisitIfUnchanged(tx, {
      id: row.id,
      expectedVersion: row.version,
      technicianId: row.technician_id,
      plannedStart: row.planned_start,
      plannedEnd: row.planned_end,
      now,
    });
    if (!back) continue;
    await enqueueVisitMoved(tx, row.id, timezone);
    restored.push({ visitId: row.id, reference: row.reference });
  }
  return restored;
}
