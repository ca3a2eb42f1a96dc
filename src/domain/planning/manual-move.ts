/**
 * Moving or pinning one visit by hand: another technician, another time, or
 * both. The move is judged like a plan — the two technicians' day rebuilt
 * inside the transaction, both days locked, checkPlan on the result — and
 * refused with the rules it would break, worded for the planner.
 */
import type { Violation } from '../../../solver/problem.js';
import { findVisit, lockTechnicianDays } from '../../db/visits.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import { moveVisitIfUnchanged, technicianLabels } from '../../db/plans.js';
import type { UnassignedReason, VisitProgress, VisitRow, VisitStatus } from '../../db/schema.js';
import { localDateOf, localIso } from '../local-time.js';
import { enqueueVisitMoved } from '../outbox/index.js';
import { shiftKey } from '../shift-key.js';
import { buildDayProblem } from './day-problem.js';
import { judgePlacement } from './placement-check.js';
import {
  badTime,
  describeViolation,
  moveBreaksRules,
  technicianNotWorking,
  technicianUnknown,
  visitChanged,
  visitNotBooked,
  visitNotFound,
  visitOverlap,
  visitStarted,
} from './wording.js';

export interface MoveVisitInput {
  visitId: string;
  technicianId?: string;
  /** ISO 8601 with offset. */
  plannedStart?: string;
  pinned?: boolean;
  /** When given, the visit must still be at this version. */
  version?: number;
  now: Date;
}

export interface PlacedVisitView {
  id: string;
  reference: string;
  technician: { id: string; name: string };
  window: { start: string; end: string };
  planned: { start: string; end: string };
  pinned: boolean;
  progress: VisitProgress;
  /** Why it waits in the unassigned lane, or null when it is on a route. */
  unassigned: UnassignedReason | null;
  status: VisitStatus;
  version: number;
}

export function placedVisitView(row: VisitRow, technicianName: string, timezone: string): PlacedVisitView {
  const iso = (d: Date) => localIso(d.getTime() / 1000, timezone);
  return {
    id: row.id,
    reference: row.reference,
    technician: { id: row.technician_id, name: technicianName },
    window: { start: iso(row.window_start), end: iso(row.window_end) },
    planned: { start: iso(row.planned_start), end: iso(row.planned_end) },
    pinned: row.pinned,
    progress: row.progress,
    unassigned: row.unassigned_reason,
    status: row.status,
    version: row.version,
  };
}

export async function moveVisit(db: Db, input: MoveVisitInput): Promise<PlacedVisitView> {
  const settings = await getCompanySettings(db);
  const timezone = settings.timezone;
  let requestedStart: number | undefined;
  if (input.plannedStart !== undefined) {
    const ms = Date.parse(input.plannedStart);
    if (!Number.isFinite(ms)) throw badTime('body.plannedStart', 'l’heure d’arrivée');
    requestedStart = ms / 1000;
  }

  const result = await db
    .transaction()
    .execute(async (tx) => {
      const row = await findVisit(tx, input.visitId);
      if (!row) throw visitNotFound();
      if (row.status !== 'booked') throw visitNotBooked();
      if (input.version !== undefined && input.version !== row.version) throw visitChanged('body.version');
      if (
        row.progress !== 'planned' &&
        (input.technicianId !== undefined || input.plannedStart !== undefined)
      )
        throw visitStarted(input.plannedStart !== undefined ? 'body.plannedStart' : 'body.technicianId');

      const date = localDateOf(row.window_start.getTime() / 1000, timezone);
      const fromTech = row.technician_id;
      const toTech = input.technicianId ?? fromTech;
      const oldStart = row.planned_start.getTime() / 1000;
      const newStart = requestedStart ?? oldStart;
      const duration = (row.planned_end.getTime() - row.planned_start.getTime()) / 1000;
      // Leaving the unassigned lane is a move, even back to the same technician and time.
      const moves =
        toTech !== fromTech || Math.abs(newStart - oldStart) >= 1 || row.unassigned_reason !== null;

      await lockTechnicianDays(tx, [shiftKey(fromTech, date), shiftKey(toTech, date)]);
      // The row may have moved while we waited for the lock.
      const locked = (await findVisit(tx, input.visitId))!;
      if (locked.version !== row.version)
        throw visitChanged(input.version !== undefined ? 'body.version' : 'body');

      if (moves) {
        const day = await buildDayProblem(tx, date, { technicianIds: [...new Set([fromTech, toTech])] });
        const judged = judgePlacement(day, row, toTech, newStart);
        if (judged.kind === 'unknown-technician') throw technicianUnknown();
        if (judged.kind === 'not-working') throw technicianNotWorking();
        const faults = judged.faults;
        if (faults.length > 0) throw moveRefused(faults, input.plannedStart !== undefined);
      }

      const ok = await moveVisitIfUnchanged(tx, {
        id: row.id,
        expectedVersion: locked.version,
        technicianId: toTech,
        plannedStart: new Date(newStart * 1000),
        plannedEnd: new Date((newStart + duration) * 1000),
        ...(input.pinned !== undefined ? { pinned: input.pinned } : {}),
        now: input.now,
      });
      if (!ok) throw visitChanged('body');
      if (moves) await enqueueVisitMoved(tx, row.id, timezone);
      return (await findVisit(tx, row.id))!;
    })
    .catch((error: unknown) => {
      if ((error as { code?: string })?.code === '23P01') {
        throw visitOverlap(input.plannedStart !== undefined ? 'body.plannedStart' : 'body.technicianId');
      }
      throw error;
    });
  const [label] = await technicianLabels(db, [result.technician_id]);
  return placedVisitView(result, label?.name ?? '', timezone);
}

/** Rules a visit breaks wherever it goes on that technician: no time of day can fix them. */
const INTRINSIC: ReadonlySet<Violation['code']> = new Set(['skill', 'zone', 'window']);

/** A manual move that breaks a rule: 422 when the visit can never go there (skill, zone, window), 409 when today's routes are in the way. */
function moveRefused(faults: Violation[], timed: boolean) {
  const fieldOf = (v: Violation) =>
    v.code === 'skill' || v.code === 'zone'
      ? 'body.technicianId'
      : v.code === 'window' || timed
        ? 'body.plannedStart'
        : 'body.technicianId';
  const first = faults.find((v) => INTRINSIC.has(v.code)) ?? faults[0]!;
  return moveBreaksRules(
    faults.some((v) => INTRINSIC.has(v.code)),
    fieldOf(first),
    faults.map((v) => ({ rule: v.code, field: fieldOf(v), message: describeViolation(v) })),
  );
}
