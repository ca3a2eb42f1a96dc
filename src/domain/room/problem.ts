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
import {
  planningTechnicians,
  servedPostcodes,
  serviceRequirements,
  type PlanningTechnicianRow,
} from '../../db/plans.js';
import type { VisitRow } from '../../db/schema.js';
import { buildBookingProblem, type HoldView, type RoutedTechnician } from '../booking-problem.js';
import type { ResolvedAddress } from '../eligibility.js';
import type { SlotReads } from '../slot-reads.js';

export interface RoomProblem {
  problem: Problem;
  /** The new visit, limited to its eligible technicians; `windows` left for the caller. */
  request: SlotRequest;
  visitRows: Map<string, VisitRow>;
  technicians: RoutedTechnician[];
}

/**
 * The eligible technicians and those who could take a visit off them: whoever serves one of their
 * postal codes. Technicians and zones change rarely and are not locked; what is locked is the days
 * of everyone this returns.
 */
export async function roomTechnicians(
  db: Executor,
  eligibleIds: readonly string[],
): Promise<PlanningTechnicianRow[]> {
  const all = await planningTechnicians(db);
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
    reads?: SlotReads;
  },
): Promise<RoomProblem> {
  const routed: RoutedTechnician[] = input.technicians.map((t) => ({
    id: t.id,
    skills: t.skills,
    home: { lat: t.homeLat, lon: t.homeLon },
  }));
  const [built, services, served] = await Promise.all([
    buildBookingProblem(db, routed, input.from, input.to, {
      holds: input.holds,
      ...(input.reads ? { reads: input.reads } : {}),
    }),
    serviceRequirements(db),
    servedPostcodes(db),
  ]);
  const areas = new Map(input.technicians.map((t) => [t.id, t.postcodes]));
  for (const t of built.problem.technicians) t.serves = areas.get(t.id) ?? [];
  const byId = new Map(built.problem.technicians.map((t) => [t.id, t]));
  for (const visit of built.problem.visits) {
    const row = built.visitRows.get(visit.id);
    // No row: a live hold of another client. It keeps its place, as a booked visit would.
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
