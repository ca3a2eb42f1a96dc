/**
 * "Can this visit go there?" while the planner drags it: the same rules as
 * a manual move (checkPlan on the two technicians' day with the visit put
 * in), nothing written, each broken rule worded for the planner, naming the
 * technician when no time would lift it: "hors du créneau promis 10:00–12:00",
 * "technicien sans la compétence IRVE", "technicien absent ce jour-là".
 */
import type { Violation } from '../../../solver/problem.js';
import { findVisit } from '../../db/visits.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import { skillLabels } from '../../db/visit-progress.js';
import { localDateOf } from '../local-time.js';
import { buildDayProblem } from './day-problem.js';
import { windowText } from './lane.js';
import { isFrozen } from './now.js';
import { judgePlacement } from './placement-check.js';
import { badTime, visitNotBooked, visitNotFound } from './wording.js';

export interface MoveCheckReason {
  code: string;
  text: string;
}

export interface MoveCheck {
  feasible: boolean;
  reasons: MoveCheckReason[];
}

export async function checkMove(
  db: Db,
  input: { visitId: string; technicianId: string; start: string; now: Date },
): Promise<MoveCheck> {
  const ms = Date.parse(input.start);
  if (!Number.isFinite(ms)) throw badTime('body.start', 'l’heure d’arrivée');
  const start = ms / 1000;
  const [settings, row] = await Promise.all([getCompanySettings(db), findVisit(db, input.visitId)]);
  if (!row) throw visitNotFound();
  if (row.status !== 'booked') throw visitNotBooked();
  const timezone = settings.timezone;
  const now = input.now.getTime() / 1000;

  const reasons: MoveCheckReason[] = [];
  if (row.progress !== 'planned') reasons.push({ code: 'started', text: 'la visite a commencé' });
  if (isFrozen('planned', start, now)) reasons.push({ code: 'past', text: 'l’heure est passée' });

  const date = localDateOf(row.window_start.getTime() / 1000, timezone);
  const day = await buildDayProblem(db, date, {
    technicianIds: [...new Set([row.technician_id, input.technicianId])],
  });
  const judged = judgePlacement(day, row, input.technicianId, start);
  if (judged.kind === 'unknown-technician')
    reasons.push({ code: 'unknown-technician', text: 'technicien inconnu ou inactif' });
  else if (judged.kind === 'not-working')
    reasons.push({ code: 'absent', text: 'technicien absent ce jour-là' });
  else {
    const labels = judged.faults.some((f) => f.code === 'skill') ? await skillLabels(db) : new Map();
    const seen = new Set<string>();
    for (const fault of judged.faults) {
      const text = describe(fault);
      if (seen.has(text)) continue;
      seen.add(text);
      reasons.push({ code: fault.code, text });
    }
    function describe(v: Violation): string {
      const other = v.visitId && v.visitId !== row!.id ? day.visitRows.get(v.visitId)?.reference : undefined;
      switch (v.code) {
        case 'window':
          return `hors du créneau promis ${windowText(row!, timezone)}`;
        case 'skill':
          return `technicien sans la compétence ${(v.missingSkills ?? []).map((k) => labels.get(k) ?? k).join(', ')}`;
        case 'zone':
          return `technicien qui ne dessert pas le ${row!.postcode}`;
        case 'shift':
          return 'hors des horaires de travail du technicien';
        case 'travel':
          return other
            ? `trajet impossible avant la visite ${other}`
            : 'trajet impossible depuis la visite précédente';
        case 'overlap':
          return other ? `chevauche la visite ${other}` : 'chevauche une autre visite';
        case 'break':
          return 'empiète sur la pause';
        case 'pinned':
          return other ? `déplacerait la visite épinglée ${other}` : 'déplacerait une visite épinglée';
        default:
          return v.code;
      }
    }
  }
  return { feasible: reasons.length === 0, reasons };
}
