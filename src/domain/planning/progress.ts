/**
 * A visit's progress through the day, set by the planner (later by the
 * technician): planned → en route → on site → done or no-show. Anything past
 * `planned` freezes the visit for proposals; `done` closes it as
 * POST /visits/:id/done does (the survey leaves from done_at).
 */
import { findVisit } from '../../db/visits.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import { technicianLabels } from '../../db/plans.js';
import type { VisitProgress } from '../../db/schema.js';
import { setProgressIfUnchanged } from '../../db/visit-progress.js';
import { placedVisitView, type PlacedVisitView } from './manual-move.js';
import { visitChanged, visitNotBooked, visitNotFound, visitUnassigned } from './wording.js';

export interface ProgressInput {
  visitId: string;
  progress: VisitProgress;
  version: number;
  now: Date;
}

export async function setVisitProgress(db: Db, input: ProgressInput): Promise<PlacedVisitView> {
  const settings = await getCompanySettings(db);
  const row = await db.transaction().execute(async (tx) => {
    const current = await findVisit(tx, input.visitId);
    if (!current) throw visitNotFound();
    if (current.status !== 'booked') throw visitNotBooked();
    if (current.version !== input.version) throw visitChanged('body.version');
    // Nobody can be on the way to a visit that has no technician.
    if (current.unassigned_reason !== null && input.progress !== 'planned')
      throw visitUnassigned('body.progress');
    const updated = await setProgressIfUnchanged(tx, {
      id: current.id,
      expectedVersion: input.version,
      progress: input.progress,
      now: input.now,
    });
    if (!updated) throw visitChanged('body.version');
    return updated;
  });
  const [label] = await technicianLabels(db, [row.technician_id]);
  return placedVisitView(row, label?.name ?? '', settings.timezone);
}
