/**
 * The solver problem make-room searches: the new visit's eligible technicians, plus every active
 * technician who shares a postal code with them (the only people a booked visit of theirs could
 * go to), each booked visit with what it really needs (its service's skills, its postal code) so a
 * move never hands it to someone who may not do it. Pinned and started visits, and other people's
 * holds, stay where they are.
 */
import { servesArea, type Interval, type Problem, type SlotRequest } from '../../../solver/problem.js';
import type { ServiceWithSkills } from '../../db/catalogue.js';
import type { Executor } from '../../db/database.js';
import type { PlanningTechnicianRow } from '../../db/plans.js';
import { visitNeedsOf } from '../../db/room.js';
import type { VisitProgress, VisitRow } from '../../db/schema.js';
import { buildBookingProblem, type HoldView, type RoutedTechnician } from '../booking-problem.js';
import type { ResolvedAddress } from '../eligibility.js';
import { freshReads, type RoomCatalogue, type SlotReads } from '../slot-reads.js';

export interface RoomProblem {
  problem: Problem;
  /** The new visit, limited to its eligible technicians; `windows` left for the caller. */
  request: SlotRequest;
  visitRows: Map<string, VisitRow>;
  technicians: RoutedTechnician[];
}

/**
 * The slowly-changing data make-room reads: through `reads` for slot queries (kept, and forgotten
 * on a change, like every other such read of a slot query), fresh for bookings.
 */
function roomCatalogue(db: Executor, reads?: SlotReads): Promise<RoomCatalogue> {
  return (reads ?? freshReads(db)).roomCatalogue();
}

/**
 * The eligible technicians and those who could take a visit off them: whoever serves one of their
 * postal codes. Technicians and zones change rarely and are not locked; what is locked is the days
 * of everyone this returns.
 */
export async function roomTechnicians(
  db: Executor,
  eligibleIds: readonly string[],
  reads?: SlotReads,
): Promise<PlanningTechnicianRow[]> {
  const all = (await roomCatalogue(db, reads)).technicians;
  const wanted = new Set(eligibleIds);
  const postcodes = new Set(all.filter((t) => wanted.has(t.id)).flatMap((t) => t.postcodes));
  return all.filter((t) => wanted.has(t.id) || t.postcodes.some((p) => postcodes.has(p)));
}

export async function buildRoomProblem(
  db: Executor,
  input: {
    service: ServiceWithSkills;
    address: ResolvedAddress;
    eligibleIds: readonly string[];
    technicians: PlanningTechnicianRow[];
    from: Date;
    to: Date;
    holds?: HoldView;
    /** Slot queries: the routes as the slot engine reads them (cached), the visits' needs aside. */
    reads?: SlotReads;
    /** Bookings: the full rows, read now (under the locks), for the moves to write. */
    withRows: boolean;
  },
): Promise<RoomProblem> {
  const routed: RoutedTechnician[] = input.technicians.map((t) => ({
    id: t.id,
    skills: t.skills,
    home: { lat: t.homeLat, lon: t.homeLon },
  }));
  const ids = routed.map((t) => t.id);
  const [built, { services, served }, needRows] = await Promise.all([
    buildBookingProblem(db, routed, input.from, input.to, {
      holds: input.holds,
      withRows: input.withRows,
      ...(input.reads ? { reads: input.reads } : {}),
    }),
    roomCatalogue(db, input.reads),
    input.withRows ? [] : visitNeedsOf(db, ids, input.from, input.to),
  ]);
  const needs = new Map<string, { service_id: string; postcode: string; progress: VisitProgress }>(
    input.withRows ? [...built.visitRows].map(([id, row]) => [id, row]) : needRows.map((r) => [r.id, r]),
  );
  const areas = new Map(input.technicians.map((t) => [t.id, t.postcodes]));
  for (const t of built.problem.technicians) t.serves = areas.get(t.id) ?? [];
  const byId = new Map(built.problem.technicians.map((t) => [t.id, t]));
  for (const visit of built.problem.visits) {
    const row = needs.get(visit.id);
    // None: a live hold of another client (or a visit booked since the routes were read). It keeps
    // its place, as a booked visit would.
    if (!row) {
      visit.pinned = true;
      continue;
    }
    const skills = services.get(row.service_id)?.skills ?? [];
    const area = served.has(row.postcode) ? row.postcode : undefined;
    const holder = byId.get(visit.assigned!.technicianId);
    visit.skills = skills;
    if (area !== undefined) visit.area = area;
    // A started visit stays with whoever started it; one booked before a skill or zone was withdrawn
    // cannot be placed right anywhere, so it is not moved either.
    const fits =
      holder !== undefined && skills.every((k) => holder.skills.includes(k)) && servesArea(holder, area);
    if (row.progress !== 'planned' || !fits) visit.pinned = true;
  }
  const { address, service } = input;
  const request: SlotRequest = {
    place: built.placeFor(address.lat, address.lon, address.postcode),
    duration: service.durationMinutes * 60,
    skills: service.skills,
    ...(served.has(address.postcode) ? { area: address.postcode } : {}),
    technicianIds: [...input.eligibleIds],
    windows: [],
  };
  return { problem: built.problem, request, visitRows: built.visitRows, technicians: routed };
}

/** The problem cut to the visits planned inside `span`: make-room on one day reads nothing of the others. */
export function dayOf(problem: Problem, span: Interval): Problem {
  return {
    ...problem,
    visits: problem.visits.filter(
      (v) =>
        v.assigned !== undefined &&
        v.assigned.plannedStart >= span.start &&
        v.assigned.plannedStart < span.end,
    ),
  };
}
