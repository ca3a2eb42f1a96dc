/**
 * Where a visit could go, for the planner's move dialog: the technicians and
 * arrival times that keep every rule, ranked by the driving they add to the
 * day, so Gaëtan picks one instead of guessing and reading a refusal.
 *
 * A manual move shifts one visit and nothing else, so the candidates come
 * from the slot engine (offerSlots: the exact insertion test, breaks
 * included) on the day with every other visit held at its planned start.
 * Each candidate is then judged like the move itself (judgePlacement:
 * checkPlan on the day with the visit placed) at the minute the dialog will
 * send, and only those that pass are offered. Moves keep the promised
 * window, so every option is on the window's day.
 */
import type { Interval, Problem, SlotOffer } from '../../../solver/problem.js';
import { currentPlan, offerSlots, prepareSlotIndex } from '../../../solver/slots.js';
import { planCost } from '../../../solver/timeline.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import { findVisit } from '../../db/visits.js';
import { localDateOf, localIso } from '../local-time.js';
import { buildDayProblem, knownViolations, type DayProblem } from './day-problem.js';
import { judgePlacement } from './placement-check.js';
import { visitNotBooked, visitNotFound, visitStarted } from './wording.js';

export interface MoveOption {
  technicianId: string;
  technicianName: string;
  /** The local day of the move (the promised window's). */
  date: string;
  /** Arrival, ISO 8601 with the company's offset, on a whole minute (what the dialog sends back). */
  start: string;
  /** Change in the day's total driving, both routes counted: negative when the move saves driving. */
  drivingAddedMinutes: number;
}

export interface MoveOptions {
  visitId: string;
  reference: string;
  date: string;
  window: { start: string; end: string };
  options: MoveOption[];
}

/** The window is searched in slices of this length, so a route offers its other gaps too, not only its cheapest. */
const SLICE = 30 * 60;
/** A technician appears at most this often: the list is a choice of people and times, not one route's every minute. */
const PER_TECHNICIAN = 2;
/** Candidates judged per technician at most beyond the options wanted (each judgement is a checkPlan of the day). */
const JUDGED_PER_TECHNICIAN = 4;

const ceilTo = (seconds: number, step: number) => Math.ceil(seconds / step - 1e-9) * step;

function slices(window: Interval): Interval[] {
  const out: Interval[] = [];
  for (let start = window.start; start <= window.end; start += SLICE)
    out.push({ start, end: Math.min(start + SLICE, window.end) });
  return out;
}

export async function moveOptions(
  db: Db,
  input: {
    visitId: string;
    now: Date;
    limit: number;
    /** Only this technician's places ("when could Marc take it?"): several times, not two. */
    technicianId?: string;
  },
): Promise<MoveOptions> {
  const [settings, row] = await Promise.all([getCompanySettings(db), findVisit(db, input.visitId)]);
  if (!row) throw visitNotFound();
  if (row.status !== 'booked') throw visitNotBooked();
  if (row.progress !== 'planned') throw visitStarted('params.id');
  const timezone = settings.timezone;
  const windowStart = row.window_start.getTime() / 1000;
  const windowEnd = row.window_end.getTime() / 1000;
  const date = localDateOf(windowStart, timezone);
  const answer: MoveOptions = {
    visitId: row.id,
    reference: row.reference,
    date,
    window: { start: localIso(windowStart, timezone), end: localIso(windowEnd, timezone) },
    options: [],
  };
  // Today, nothing is offered before now (the move check refuses a past start).
  const from = Math.max(windowStart, ceilTo(input.now.getTime() / 1000, 60));
  if (from > windowEnd) return answer;

  // Only who could take it: the routes of the others are neither read nor searched.
  const day = await buildDayProblem(db, date, {
    eligibleFor: { serviceId: row.service_id, postcode: row.postcode, technicianId: row.technician_id },
  });
  const current = day.problem.visits.find((v) => v.id === row.id);
  // The day without the visit, everyone else fixed where they are: a manual move shifts nobody else.
  const others: Problem = {
    ...day.problem,
    visits: day.problem.visits
      .filter((v) => v.id !== row.id)
      .map((v) => (v.assigned ? { ...v, pinned: true } : v)),
  };
  const index = prepareSlotIndex(others);
  const needs = day.requirementsOf(row);
  const request = {
    place: current?.place ?? day.placeFor(row.lat, row.lon, row.postcode),
    duration: (row.planned_end.getTime() - row.planned_start.getTime()) / 1000,
    skills: needs.skills,
    ...(needs.area !== undefined ? { area: needs.area } : {}),
    windows: slices({ start: from, end: windowEnd }),
  };

  /**
   * A move changes two routes, the visit's own technician's and the candidate's: each candidate is
   * judged on the day cut down to those two (as the move itself is, manual-move.ts), not on every
   * route of the day: on the L company (600 technicians) the whole day's plan, checkPlan and cost,
   * ~100 ms per candidate, were half of the answer. Both routes' driving before and after give the
   * day's change: no other route moves.
   */
  const pairs = new Map<string, { day: DayProblem; known: Set<string>; drivingBefore: number }>();
  function pairFor(technicianId: string) {
    let pair = pairs.get(technicianId);
    if (!pair) {
      const ids = new Set([row!.technician_id, technicianId]);
      const problem: Problem = {
        ...day.problem,
        technicians: day.problem.technicians.filter((t) => ids.has(t.id)),
        visits: day.problem.visits.filter((v) =>
          v.assigned ? ids.has(v.assigned.technicianId) : v.id === row!.id,
        ),
      };
      const before = currentPlan(problem);
      pair = {
        day: { ...day, problem },
        known: knownViolations(problem, before),
        drivingBefore: planCost(problem, before).travelTime,
      };
      pairs.set(technicianId, pair);
    }
    return pair;
  }
  const plannedStart = row.planned_start.getTime() / 1000;
  const isCurrent = (technicianId: string, start: number) =>
    row.unassigned_reason === null &&
    technicianId === row.technician_id &&
    Math.abs(start - plannedStart) < 60;

  const found: (MoveOption & { startSeconds: number; driving: number; insertion: number })[] = [];
  const one = input.technicianId !== undefined;
  const perTechnician = one ? input.limit : PER_TECHNICIAN;
  for (const technician of others.technicians) {
    if (one && technician.id !== input.technicianId) continue;
    const offers = offerSlots(others, { ...request, technicianIds: [technician.id] }, { index });
    const mine: typeof found = [];
    let judged = 0;
    for (const offer of offers) {
      if (mine.length >= perTechnician || judged >= JUDGED_PER_TECHNICIAN + perTechnician) break;
      // Among everyone, a technician's second option is another place in their route; asked about
      // one technician, the same place later in the window is an answer too.
      if (!one && mine.some((m) => Math.abs(m.insertion - offer.addedTravel) < 60)) continue;
      judged++;
      const option = vet(technician.id, offer);
      if (option && !mine.some((m) => m.startSeconds === option.startSeconds)) mine.push(option);
    }
    found.push(...mine);
  }
  found.sort(
    (a, b) =>
      a.driving - b.driving ||
      a.startSeconds - b.startSeconds ||
      a.technicianName.localeCompare(b.technicianName, 'fr'),
  );
  answer.options = found
    .slice(0, input.limit)
    .map(({ technicianId, technicianName, date: d, start, drivingAddedMinutes }) => ({
      technicianId,
      technicianName,
      date: d,
      start,
      drivingAddedMinutes,
    }));
  return answer;

  /**
   * The offer at a time the dialog can send (a round 5 minutes when that still fits, else the
   * whole minute), judged as the move would be; undefined when neither passes.
   */
  function vet(technicianId: string, offer: SlotOffer) {
    for (const start of new Set([ceilTo(offer.plannedStart, 300), ceilTo(offer.plannedStart, 60)])) {
      if (start > windowEnd || isCurrent(technicianId, start)) continue;
      const pair = pairFor(technicianId);
      const judged = judgePlacement(pair.day, row!, technicianId, start, pair.known);
      if (judged.kind !== 'checked' || judged.faults.length > 0) continue;
      const driving = planCost(judged.problem, judged.plan).travelTime - pair.drivingBefore;
      return {
        technicianId,
        technicianName: day.technicians.get(technicianId)?.name ?? '',
        date,
        start: localIso(start, timezone),
        drivingAddedMinutes: Math.round(driving / 60),
        startSeconds: start,
        driving,
        insertion: offer.addedTravel,
      };
    }
    return undefined;
  }
}
