/**
 * The unassigned lane as the planner reads it: each visit waiting for a
 * technician with its reference, promised window and why it waits (French
 * first), and the visits a proposal could not place, so the desk can call
 * those customers.
 */
import type { UnassignedReason, VisitRow } from '../../db/schema.js';
import { localIso } from '../local-time.js';
import type { DayProblem } from './day-problem.js';

export interface UnassignedView {
  visitId: string;
  reference: string;
  windowStart: string;
  windowEnd: string;
  serviceName: string;
  postcode: string;
  city: string;
  durationMinutes: number;
  reason: UnassignedReason;
  reasonText: string;
  /** The technician it was booked with (technician_id kept as the previous one). */
  previousTechnicianId: string;
  previousTechnicianName: string | null;
  version: number;
}

const hhmm = (iso: string) => iso.slice(11, 16);

export function windowText(row: VisitRow, timezone: string): string {
  const from = localIso(row.window_start.getTime() / 1000, timezone);
  const to = localIso(row.window_end.getTime() / 1000, timezone);
  return `${hhmm(from)}–${hhmm(to)}`;
}

function reasonText(reason: UnassignedReason, previous: string | null): string {
  switch (reason) {
    case 'technician-absent':
      return previous
        ? `${previous} est absent : visite à réattribuer`
        : 'Technicien absent : visite à réattribuer';
    case 'move-failed':
      return 'Le déplacement a échoué : visite à replacer';
    case 'no-technician':
      return 'Aucun technicien ce jour-là : visite à réattribuer';
  }
}

export function unassignedView(
  day: DayProblem,
  entry: { row: VisitRow; reason: UnassignedReason },
  technicianNames: Map<string, string>,
): UnassignedView {
  const { row, reason } = entry;
  const previous =
    technicianNames.get(row.technician_id) ?? day.technicians.get(row.technician_id)?.name ?? null;
  return {
    visitId: row.id,
    reference: row.reference,
    windowStart: localIso(row.window_start.getTime() / 1000, day.timezone),
    windowEnd: localIso(row.window_end.getTime() / 1000, day.timezone),
    serviceName: day.services.get(row.service_id)?.name ?? '',
    postcode: row.postcode,
    city: row.city,
    durationMinutes: Math.round((row.planned_end.getTime() - row.planned_start.getTime()) / 60_000),
    reason,
    reasonText: reasonText(reason, previous),
    previousTechnicianId: row.technician_id,
    previousTechnicianName: previous,
    version: row.version,
  };
}

/** A visit of the lane a proposal could not place: which promise cannot be kept. */
export function notKeptText(row: VisitRow, timezone: string, windowClosed: boolean): string {
  const window = windowText(row, timezone);
  return windowClosed
    ? `Le créneau promis ${window} est passé : appeler le client`
    : `Aucun technicien ne peut tenir le créneau promis ${window} : appeler le client`;
}
