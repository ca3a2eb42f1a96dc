/**
 * Placing a new visit (or a hold) on a route inside a transaction: lock the
 * candidate technicians' day, read their routes as they are now, ask the
 * solver where it fits, and write back the re-timing it implies.
 */
import type { Transaction } from 'kysely';
import type { Interval, SlotRequest } from '../../solver/problem.js';
import { insertVisit } from '../../solver/slots.js';
import { lockTechnicianDays, retimeVisit } from '../db/visits.js';
import { type ServiceWithSkills } from '../db/catalogue.js';
import { shiftKey } from './shift-key.js';
import { HOLD_ROUTE_PREFIX, retimeHold } from '../db/holds.js';
import type { Database, VisitRow } from '../db/schema.js';
import { buildBookingProblem, localDaySpan, type BookingProblem, type HoldView } from './booking-problem.js';
import { eligibleTechnicians, type EligibleTechnician, type ResolvedAddress } from './eligibility.js';
import { localDateOf } from './local-time.js';

export interface Placement {
  technicianId: string;
  plannedStart: number;
  /** Booked visits and holds the insertion re-times: route ids (holds prefixed) and their new start. */
  moved: { visitId: string; to: number; duration: number }[];
}

export interface PlaceOptions {
  excludeVisitId?: string;
  extraLockKeys?: string[];
  /** Live holds to count; absent for the desk. */
  holds?: HoldView;
}

/**
 * Inside a transaction: lock the candidate technicians' day, read their
 * routes as they are now, and ask the solver where the visit fits in the
 * window. null when nobody can take it any more.
 */
export async function placeVisit(
  tx: Transaction<Database>,
  service: ServiceWithSkills,
  address: ResolvedAddress,
  window: Interval,
  timezone: string,
  options: PlaceOptions = {},
): Promise<{ placement: Placement; rows: Map<string, VisitRow>; technicians: EligibleTechnician[] } | null> {
  const technicians = await eligibleTechnicians(tx, service.id, address);
  if (technicians.length === 0) return null;
  const day = localDateOf(window.start, timezone);
  const lockKeys = [...technicians.map((t) => shiftKey(t.id, day)), ...(options.extraLockKeys ?? [])];
  await lockTechnicianDays(tx, lockKeys);
  const span = localDaySpan(day, day, timezone);
  const built = await buildBookingProblem(tx, technicians, span.from, span.to, {
    excludeVisitId: options.excludeVisitId,
    holds: options.holds,
  });
  const placement = placeOnProblem(built, service, address, window);
  return placement && { placement, rows: built.visitRows, technicians };
}

/** Where the solver fits the visit in the window on routes already read; null when nobody can take it. */
export function placeOnProblem(
  built: BookingProblem,
  service: ServiceWithSkills,
  address: ResolvedAddress,
  window: Interval,
): Placement | null {
  const request: SlotRequest = {
    place: built.placeFor(address.lat, address.lon, address.postcode),
    duration: service.durationMinutes * 60,
    skills: service.skills,
    windows: [window],
  };
  const inserted = insertVisit(built.problem, request, window);
  if (!inserted) return null;
  const durations = new Map(built.problem.visits.map((v) => [v.id, v.duration]));
  return {
    technicianId: inserted.technicianId,
    plannedStart: inserted.plannedStart,
    moved: inserted.moved.map((m) => ({
      visitId: m.visitId,
      to: m.to,
      duration: durations.get(m.visitId) ?? 0,
    })),
  };
}

/** Writes the re-timing of the other stops on the route: booked visits (version bumped for the feeds) and holds. */
export async function applyRetiming(tx: Transaction<Database>, placement: Placement): Promise<void> {
  for (const move of placement.moved) {
    const start = new Date(move.to * 1000);
    const end = new Date((move.to + move.duration) * 1000);
    if (move.visitId.startsWith(HOLD_ROUTE_PREFIX)) {
      await retimeHold(tx, move.visitId.slice(HOLD_ROUTE_PREFIX.length), {
        plannedStart: start,
        plannedEnd: end,
      });
    } else {
      await retimeVisit(tx, move.visitId, start, end);
    }
  }
}
