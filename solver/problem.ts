/**
 * The solver's view of the world. Plain numbers only: instants are seconds
 * from the problem's origin (the service uses Unix seconds), durations are
 * seconds, places are lat/lon with a key for matrix look-ups. The solver
 * never reads a clock or a time zone: callers turn local rules into
 * absolute intervals before building a Problem.
 *
 * This file is the contract between solver/ and its callers (src/domain,
 * benchmarks, tests). Change it deliberately.
 */

/** An instant or a duration in seconds (floats allowed: the Solomon benchmark is unrounded). */
export type Seconds = number;

/** A closed interval [start, end] of instants. */
export interface Interval {
  start: Seconds;
  end: Seconds;
}

/**
 * A place a technician travels from or to. `key` identifies the place in a
 * precomputed matrix (see MatrixTravel); haversine models ignore it.
 */
export interface Place {
  key: number;
  lat: number;
  lon: number;
}

/** Travel between two places. Implementations must satisfy time(a, a) === 0 and be deterministic. */
export interface TravelModel {
  /** Driving time in seconds from a to b. */
  time(from: Place, to: Place): Seconds;
  /** Driving distance from a to b, in metres (or the benchmark's own unit). */
  distance(from: Place, to: Place): number;
}

/**
 * A break the technician must take during a shift: `duration` seconds,
 * starting no earlier than `earliestStart` and no later than `latestStart`.
 * A fixed lunch (12:00–13:30) is earliestStart = latestStart = 12:00, duration 5400.
 * A break is taken between two activities (or before the first / after the
 * last); it cannot interrupt a visit and its time does not overlap travel.
 */
export interface Break {
  earliestStart: Seconds;
  latestStart: Seconds;
  duration: Seconds;
}

/**
 * One working period of a technician, usually one day. A route runs within
 * one shift: the technician leaves `start` place no earlier than
 * `interval.start` and is back at `end` place no later than
 * `interval.end + maxOvertime`. Time past `interval.end` is overtime.
 */
export interface Shift {
  id: string;
  interval: Interval;
  breaks?: Break[];
  /** Seconds the route may run past interval.end, at a cost. Default 0. */
  maxOvertime?: Seconds;
}

export interface Technician {
  id: string;
  skills: string[];
  start: Place;
  end: Place;
  /** Sorted by start, not overlapping. */
  shifts: Shift[];
  /** Vehicle capacity (VRPTW benchmark). Undefined = unlimited. */
  capacity?: number;
  /**
   * The areas the technician works in (zone ids or postal codes: the caller
   * picks one kind per problem). Undefined = everywhere. See servesArea.
   */
  serves?: string[];
}

/**
 * A job at a place. The technician must *arrive* (start the service)
 * within `window`; arriving earlier means waiting until window.start.
 */
export interface Visit {
  id: string;
  place: Place;
  duration: Seconds;
  /** The promised arrival window. */
  window: Interval;
  skills: string[];
  /** The area the visit lies in, matched against Technician.serves. Undefined = any technician may go. */
  area?: string;
  /** VRPTW benchmark demand. Undefined = 0. */
  demand?: number;
  /** Present when the visit is already booked on a technician's route. */
  assigned?: { technicianId: string; shiftId: string; plannedStart: Seconds };
  /** A pinned visit keeps its technician and planned start in every plan. */
  pinned?: boolean;
}

export interface Problem {
  technicians: Technician[];
  visits: Visit[];
  travel: TravelModel;
}

/** A visit's place in a route: the planned service start. */
export interface PlannedStop {
  visitId: string;
  start: Seconds;
}

/** One technician's ordered visits during one shift. */
export interface Route {
  technicianId: string;
  shiftId: string;
  stops: PlannedStop[];
  /** Start instants of the shift's breaks, in the shift's break order. */
  breakStarts?: Seconds[];
}

export interface Plan {
  routes: Route[];
  /** Visits the plan does not serve. */
  unassigned: string[];
}

/** The rule a violation breaks: what callers branch on (never on `message`). */
export type ViolationCode =
  | 'unknown-visit'
  | 'unknown-technician'
  | 'unknown-shift'
  | 'visit-served-twice'
  | 'shift-routed-twice'
  | 'visit-not-served'
  | 'skill'
  | 'zone'
  | 'window'
  | 'shift'
  | 'travel'
  | 'overlap'
  | 'break'
  | 'capacity'
  | 'pinned';

/** A violated rule, as reported by checkPlan: a code and the ids it concerns. */
export interface Violation {
  code: ViolationCode;
  visitId?: string;
  technicianId?: string;
  shiftId?: string;
  /** `skill`: the skills the technician lacks. */
  missingSkills?: string[];
  /** `zone`: the area the visit lies in, which the technician does not serve. */
  area?: string;
  /** A sentence for people reading logs and test failures (English); code must not parse it. */
  message: string;
}

/** A new visit a customer wants, and the arrival windows they could be offered. */
export interface SlotRequest {
  place: Place;
  duration: Seconds;
  skills: string[];
  /** The area the new visit lies in (see Visit.area). Undefined = any technician may go. */
  area?: string;
  /** Candidate arrival windows (the company's window grid over the horizon), any order. */
  windows: Interval[];
  /** Only these technicians may take it (e.g. those serving the postal code). Undefined = all. */
  technicianIds?: string[];
}

/** One bookable window with the cheapest way to serve it. */
export interface SlotOffer {
  window: Interval;
  technicianId: string;
  shiftId: string;
  /** Planned arrival of the new visit. */
  plannedStart: Seconds;
  /** Extra travel time the insertion adds to the route. */
  addedTravel: Seconds;
  /** Extra idle time the insertion adds to the route. */
  addedWaiting: Seconds;
  /** The ranking score: lower is better (addedTravel + weighted addedWaiting). */
  cost: Seconds;
  /** True when the insertion keeps the route tight (small detour, little idle time). */
  tight: boolean;
}

/**
 * The zone rule: a technician may serve a visit only inside the areas they
 * work in. Either side left undefined means no restriction.
 */
export function servesArea(technician: Pick<Technician, 'serves'>, area: string | undefined): boolean {
  return area === undefined || technician.serves === undefined || technician.serves.includes(area);
}
