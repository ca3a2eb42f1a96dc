/**
 * routeTimeline: what a route means in time, stop by stop — when the
 * technician leaves, drives, arrives, waits, works and is back — and the
 * figures a plan costs (planCost). One reading of the timing rules for every
 * figure shown to people, so the planner's page and the optimiser's scores
 * cannot disagree.
 *
 * checkPlan (check.ts) keeps its own, independent reading of the same rules
 * on purpose: it judges plans, this module only describes them.
 *
 * The model, per route (one technician, one shift): gap g leads into stop g
 * (gap 0 from the start place, gap n back to the end place). A gap holds the
 * drive between its two ends and the scheduled breaks lying wholly inside it.
 * The technician drives straight after a visit, so any slack left in a gap
 * between two visits is waiting; they leave home just in time for the first
 * visit (no waiting before it, none after the last).
 */
import type { Interval, Plan, Problem, Route, Seconds, Technician, Visit } from './problem.js';

export interface StopTiming {
  visitId: string;
  /** Driving time from the previous place (the start place for the first stop). */
  travel: Seconds;
  /** Driving distance from the previous place, in the travel model's unit. */
  distance: number;
  /** Breaks taken between the previous place and this stop. */
  breakTime: Seconds;
  /** When the technician is there: the first stop just in time, later ones straight after the previous visit. */
  arrival: Seconds;
  /** Idle time between arrival and start (0 for the first stop). */
  wait: Seconds;
  /** Planned start of the visit. */
  start: Seconds;
  end: Seconds;
}

export interface PlanCost {
  /** Total driving time, home base → visits → home base, over non-empty routes. */
  travelTime: number;
  distance: number;
  /**
   * Idle time between visits: gap length minus travel minus breaks. Time before
   * the first visit is not counted (the technician leaves home later), nor after the last.
   */
  waiting: number;
  /** Time back at the end place past the shift end, summed over routes. */
  overtime: number;
}

export interface RouteTimeline {
  technicianId: string;
  shiftId: string;
  /** The shift's working interval (without overtime). */
  shift: Interval;
  /** When the technician leaves the start place; null for an empty route. */
  departure: Seconds | null;
  stops: StopTiming[];
  /** The drive from the last visit to the end place (0 for an empty route). */
  returnTravel: Seconds;
  returnDistance: number;
  /** When the technician is back at the end place; null for an empty route. */
  back: Seconds | null;
  /** The shift's breaks in its order; a break the route does not schedule is shown at its earliest start. */
  breaks: Interval[];
  totals: PlanCost;
}

interface Lookup {
  visits: ReadonlyMap<string, Visit>;
  technicians: ReadonlyMap<string, Technician>;
}

function lookupOf(problem: Problem): Lookup {
  return {
    visits: new Map(problem.visits.map((v) => [v.id, v])),
    technicians: new Map(problem.technicians.map((t) => [t.id, t])),
  };
}

/** The timeline of one route; undefined when it names an unknown technician, shift or visit. */
export function routeTimeline(problem: Problem, route: Route): RouteTimeline | undefined {
  return timelineOf(problem, lookupOf(problem), route);
}

function timelineOf(problem: Problem, lookup: Lookup, route: Route): RouteTimeline | undefined {
  const tech = lookup.technicians.get(route.technicianId);
  const shift = tech?.shifts.find((s) => s.id === route.shiftId);
  if (tech === undefined || shift === undefined) return undefined;
  const stops: { visit: Visit; start: Seconds }[] = [];
  for (const s of route.stops) {
    const visit = lookup.visits.get(s.visitId);
    if (visit === undefined) return undefined;
    stops.push({ visit, start: s.start });
  }
  const breaks = shift.breaks ?? [];
  const breakStarts = route.breakStarts ?? [];
  const breakTimeIn = (lo: Seconds, hi: Seconds): Seconds => {
    let sum = 0;
    breaks.forEach((b, i) => {
      const s = breakStarts[i];
      if (s !== undefined && s >= lo && s + b.duration <= hi) sum += b.duration;
    });
    return sum;
  };

  const totals: PlanCost = { travelTime: 0, distance: 0, waiting: 0, overtime: 0 };
  const timings: StopTiming[] = [];
  stops.forEach(({ visit, start }, i) => {
    const prev = i === 0 ? undefined : stops[i - 1]!;
    const from = prev === undefined ? tech.start : prev.visit.place;
    const travel = problem.travel.time(from, visit.place);
    const distance = problem.travel.distance(from, visit.place);
    const lo = prev === undefined ? shift.interval.start : prev.start + prev.visit.duration;
    const breakTime = breakTimeIn(lo, start);
    const arrival = prev === undefined ? start : lo + travel + breakTime;
    const wait = prev === undefined ? 0 : Math.max(0, start - lo - travel - breakTime);
    totals.travelTime += travel;
    totals.distance += distance;
    totals.waiting += wait;
    timings.push({
      visitId: visit.id,
      travel,
      distance,
      breakTime,
      arrival,
      wait,
      start,
      end: start + visit.duration,
    });
  });

  let departure: Seconds | null = null;
  let back: Seconds | null = null;
  let returnTravel = 0;
  let returnDistance = 0;
  const first = timings[0];
  const last = stops[stops.length - 1];
  if (first !== undefined && last !== undefined) {
    departure = Math.max(shift.interval.start, first.start - first.travel - first.breakTime);
    const lo = last.start + last.visit.duration;
    returnTravel = problem.travel.time(last.visit.place, tech.end);
    returnDistance = problem.travel.distance(last.visit.place, tech.end);
    totals.travelTime += returnTravel;
    totals.distance += returnDistance;
    back = lo + returnTravel + breakTimeIn(lo, Infinity);
    totals.overtime = Math.max(0, back - shift.interval.end);
  }

  return {
    technicianId: tech.id,
    shiftId: shift.id,
    shift: { start: shift.interval.start, end: shift.interval.end },
    departure,
    stops: timings,
    returnTravel,
    returnDistance,
    back,
    breaks: breaks.map((b, i) => {
      const start = breakStarts[i] ?? b.earliestStart;
      return { start, end: start + b.duration };
    }),
    totals,
  };
}

/** Cost figures of a plan: the sum of its routes' timelines. Routes with unknown technicians, shifts or visits are skipped. */
export function planCost(problem: Problem, plan: Plan): PlanCost {
  const lookup = lookupOf(problem);
  const cost: PlanCost = { travelTime: 0, distance: 0, waiting: 0, overtime: 0 };
  for (const route of plan.routes) {
    const timeline = timelineOf(problem, lookup, route);
    if (timeline === undefined || timeline.stops.length === 0) continue;
    // Leg by leg, in route order: the same float sums as reading the route directly.
    for (const stop of timeline.stops) {
      cost.travelTime += stop.travel;
      cost.distance += stop.distance;
    }
    cost.travelTime += timeline.returnTravel;
    cost.distance += timeline.returnDistance;
    for (const stop of timeline.stops) cost.waiting += stop.wait;
    cost.overtime += timeline.totals.overtime;
  }
  return cost;
}
