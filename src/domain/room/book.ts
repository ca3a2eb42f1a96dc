/**
 * Booking a window offered by making room, inside the booking's transaction: lock the day of
 * every technician a move could touch (one sorted call, the same lock as every booking), take the
 * window plainly if it has come free, else re-run make-room on what was just read, judge its plan
 * with checkPlan, and write the moves (technician, planned time, version bump: the feeds and the
 * calendar-change trigger see them) with a `visit.moved` event each, as the planner's move does.
 */
import type { Transaction } from 'kysely';
import { checkPlan } from '../../../solver/check.js';
import { makeRoom, type RoomOffer } from '../../../solver/make-room.js';
import type { Interval, Plan, Problem, Violation } from '../../../solver/problem.js';
import { currentPlan } from '../../../solver/slots.js';
import type { ServiceWithSkills } from '../../db/catalogue.js';
import { moveVisitIfUnchanged } from '../../db/plans.js';
import { makeRoomBookings } from '../../observability/metrics.js';
import type { Database } from '../../db/schema.js';
import { deferOverlapCheck } from '../../db/visits.js';
import { localDaySpan, type HoldView, type RoutedTechnician } from '../booking-problem.js';
import { eligibleTechnicians, type ResolvedAddress } from '../eligibility.js';
import { localDateOf } from '../local-time.js';
import { enqueueVisitMoved } from '../outbox/index.js';
import { applyRetiming, placeVisit, type Placement } from '../placement.js';
import { shiftKey } from '../shift-key.js';
import { buildRoomProblem, roomTechnicians, type RoomProblem } from './problem.js';

/** The new visit's id in the solver's plan (it has no row yet). */
const NEW_VISIT = 'new-visit';

export interface RoomBooking {
  service: ServiceWithSkills;
  address: ResolvedAddress;
  window: Interval;
  timezone: string;
  /** Live holds to count (kept in place); absent for the desk. */
  holds?: HoldView;
  now: Date;
}

export interface RoomPlacement {
  /** Where the new visit goes; the re-timing and moves of others are already written. */
  placement: Placement;
  /** Every technician whose day was locked and may have changed. */
  technicians: RoutedTechnician[];
  /** Booked visits moved to make room (empty when the window had come free). */
  movedVisitIds: string[];
}

/** null when the window cannot be taken any more, moves or not: the caller answers 409. */
export async function placeMakingRoom(
  tx: Transaction<Database>,
  booking: RoomBooking,
): Promise<RoomPlacement | null> {
  const { service, address, window, timezone } = booking;
  const eligible = await eligibleTechnicians(tx, service.id, address);
  if (eligible.length === 0) return null;
  const eligibleIds = eligible.map((t) => t.id);
  const technicians = await roomTechnicians(tx, eligibleIds);
  const day = localDateOf(window.start, timezone);
  // placeVisit takes the locks: the eligible technicians' days and these, in one sorted call.
  const plain = await placeVisit(tx, service, address, window, timezone, {
    holds: booking.holds,
    extraLockKeys: technicians.map((t) => shiftKey(t.id, day)),
  });
  const routed = technicians.map((t) => ({
    id: t.id,
    skills: t.skills,
    home: { lat: t.homeLat, lon: t.homeLon },
  }));
  if (plain) {
    makeRoomBookings.inc({ outcome: 'plain' });
    return { placement: plain.placement, technicians: routed, movedVisitIds: [] };
  }

  const span = localDaySpan(day, day, timezone);
  const room = await buildRoomProblem(tx, {
    service,
    address,
    eligibleIds,
    technicians,
    from: span.from,
    to: span.to,
    holds: booking.holds,
    withRows: true,
  });
  const offer = makeRoom(room.problem, { ...room.request, windows: [window] }, window, {
    visitId: NEW_VISIT,
  });
  const plan = offer?.plan;
  if (
    !offer ||
    !plan ||
    !eligibleIds.includes(offer.technicianId) ||
    newFaults(room, window, plan).length > 0
  ) {
    makeRoomBookings.inc({ outcome: 'gone' });
    return null;
  }

  await deferOverlapCheck(tx);
  const moved: string[] = [];
  for (const move of offer.moves) {
    const row = room.visitRows.get(move.visitId);
    if (!row) return null; // a hold: pinned, so never moved
    const duration = row.planned_end.getTime() - row.planned_start.getTime();
    const start = move.to.plannedStart * 1000;
    const ok = await moveVisitIfUnchanged(tx, {
      id: row.id,
      expectedVersion: row.version,
      technicianId: move.to.technicianId,
      plannedStart: new Date(start),
      plannedEnd: new Date(start + duration),
      now: booking.now,
    });
    // Cannot happen under the locks; if it ever does, nothing of this booking is written.
    if (!ok) return null;
    moved.push(row.id);
  }
  await applyRetiming(tx, {
    technicianId: offer.technicianId,
    plannedStart: offer.plannedStart,
    moved: retimes(room, offer, plan, new Set(moved)),
  });
  for (const id of moved) await enqueueVisitMoved(tx, id, timezone);
  makeRoomBookings.inc({ outcome: 'moved' });
  return {
    placement: { technicianId: offer.technicianId, plannedStart: offer.plannedStart, moved: [] },
    technicians: routed,
    movedVisitIds: moved,
  };
}

/**
 * The other visits of the routes the room changed whose planned time the plan changes, against
 * the rows themselves. Differences under a millisecond are what the rows cannot hold anyway.
 */
function retimes(
  room: RoomProblem,
  offer: RoomOffer,
  plan: Plan,
  moved: ReadonlySet<string>,
): { visitId: string; to: number; duration: number }[] {
  const touched = new Set([
    offer.technicianId,
    ...offer.moves.flatMap((m) => [m.from.technicianId, m.to.technicianId]),
  ]);
  const out = [];
  for (const route of plan.routes) {
    if (!touched.has(route.technicianId)) continue;
    for (const stop of route.stops) {
      const row = room.visitRows.get(stop.visitId);
      if (!row || moved.has(row.id)) continue;
      const from = row.planned_start.getTime() / 1000;
      if (Math.abs(stop.start - from) < 0.001) continue;
      out.push({ visitId: row.id, to: stop.start, duration: row.planned_end.getTime() / 1000 - from });
    }
  }
  return out;
}

const faultKey = (v: Violation) => `${v.code}|${v.visitId ?? ''}|${v.technicianId ?? ''}`;

/** Planned times come back from the database to the millisecond: a route is not judged on less. */
const JUDGED = { requireAll: true, epsilon: 0.01 } as const;

/**
 * The rules the offered plan breaks that the day did not already break, judged on the problem as
 * read (so a pinned or started visit that moved, a visit dropped, a window or skill broken all
 * count), with the new visit added as it must be served.
 */
function newFaults(room: RoomProblem, window: Interval, plan: Plan): Violation[] {
  const known = new Set(checkPlan(room.problem, currentPlan(room.problem), JUDGED).map(faultKey));
  const { request } = room;
  const judged: Problem = {
    ...room.problem,
    visits: [
      ...room.problem.visits,
      {
        id: NEW_VISIT,
        place: request.place,
        duration: request.duration,
        window,
        skills: request.skills,
        ...(request.area !== undefined ? { area: request.area } : {}),
      },
    ],
  };
  return checkPlan(judged, plan, JUDGED).filter((v) => !known.has(faultKey(v)));
}
