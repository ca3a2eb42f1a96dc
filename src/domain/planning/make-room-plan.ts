/**
 * When a visit fits nowhere as the day stands (the move dialog has no
 * suggestion), room made for it: the make-room search of the booking flow
 * (solver/make-room.ts: at most 3 other visits moved, each inside its own
 * promised window, others re-timed inside theirs, nothing pinned or started
 * touched) places it inside its window, and the result is stored as a
 * proposal — the planner reads the changes and applies them like an
 * optimiser's plan, with the same staleness check and the same writes.
 *
 * A routed visit is placed on another technician: on its own, the search's
 * cheapest answer would be where it already is.
 */
import { makeRoom } from '../../../solver/make-room.js';
import type { Problem, SlotRequest } from '../../../solver/problem.js';
import { currentPlan } from '../../../solver/slots.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import { bookedVisitVersions } from '../../db/plans.js';
import { findVisit } from '../../db/visits.js';
import { localDaySpan } from '../booking-problem.js';
import { DomainError } from '../errors.js';
import { localDateOf } from '../local-time.js';
import { buildDayProblem, newViolations } from './day-problem.js';
import { freezeAt, withoutAnchors } from './now.js';
import { storeProposal, tidyStarts, type PlanView } from './propose.js';
import { visitNotBooked, visitNotFound, visitStarted } from './wording.js';

function noRoom(): DomainError {
  return new DomainError(
    'conflict',
    'no-room',
    {
      fr: 'Aucune place, même en déplaçant jusqu’à trois autres visites dans leurs créneaux : proposez une optimisation de la journée ou appelez le client.',
      en: 'No room, even moving up to three other visits within their windows: re-plan the day or call the customer.',
    },
    'params.id',
  );
}

export async function makeRoomPlan(
  db: Db,
  input: { visitId: string; now: Date; createdBy: string },
): Promise<PlanView> {
  const started = performance.now();
  const [settings, row] = await Promise.all([getCompanySettings(db), findVisit(db, input.visitId)]);
  if (!row) throw visitNotFound();
  if (row.status !== 'booked') throw visitNotBooked();
  if (row.progress !== 'planned') throw visitStarted('params.id');
  const timezone = settings.timezone;
  const windowStart = row.window_start.getTime() / 1000;
  const windowEnd = row.window_end.getTime() / 1000;
  const date = localDateOf(windowStart, timezone);
  const nowS = input.now.getTime() / 1000;
  const from = Math.max(windowStart, Math.ceil(nowS / 60) * 60);
  if (from > windowEnd) throw noRoom();

  const span = localDaySpan(date, date, timezone);
  // Versions first, problem second (as a proposal does): a visit changed in between makes the plan stale.
  const versions = await bookedVisitVersions(db, span.from, span.to);
  const day = await buildDayProblem(db, date);
  // Today, started and past visits stay where they are and each technician carries on from where they are.
  const today = freezeAt(day, nowS);
  const others: Problem = {
    ...today.problem,
    visits: today.problem.visits.filter((v) => v.id !== row.id),
  };
  const needs = day.requirementsOf(row);
  const routed = row.unassigned_reason === null;
  const request: SlotRequest = {
    place:
      day.problem.visits.find((v) => v.id === row.id)?.place ?? day.placeFor(row.lat, row.lon, row.postcode),
    duration: (row.planned_end.getTime() - row.planned_start.getTime()) / 1000,
    skills: needs.skills,
    ...(needs.area !== undefined ? { area: needs.area } : {}),
    windows: [{ start: from, end: windowEnd }],
    ...(routed
      ? { technicianIds: others.technicians.map((t) => t.id).filter((id) => id !== row.technician_id) }
      : {}),
  };
  const offer = makeRoom(others, request, { start: from, end: windowEnd }, { visitId: row.id });
  if (!offer) throw noRoom();

  const before = currentPlan(day.problem);
  const beforeToday = currentPlan(today.problem);
  const tidied = tidyStarts(offer.problem, offer.plan, beforeToday);
  const proposed = withoutAnchors(tidied);
  // Judged as an optimiser's proposal is: on today's terms, and on the whole day's rules.
  const faults = [
    ...newViolations(today.problem, tidied, beforeToday),
    ...newViolations(day.problem, proposed, before),
  ];
  if (faults.length > 0) throw noRoom();

  const moved = offer.moves.length;
  return storeProposal(db, {
    date,
    createdBy: input.createdBy,
    versions,
    day,
    today,
    before,
    proposed,
    now: input.now,
    optimiser: {
      timeLimitMs: 0,
      seed: 0,
      elapsedMs: Math.round(performance.now() - started),
      iterations: offer.tries,
      keptCurrent: null,
    },
    purpose:
      moved === 0
        ? `Place faite pour ${row.reference} en décalant d’autres visites dans leurs créneaux.`
        : `Place faite pour ${row.reference} en déplaçant ${moved} autre${moved > 1 ? 's' : ''} visite${moved > 1 ? 's' : ''}, chacune dans son créneau.`,
  });
}
