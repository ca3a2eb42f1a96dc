/**
 * Property tests for offerSlots / insertVisit on random tiny problems, against
 * checkPlan and against an exhaustive search written separately and simply:
 * every technician, shift, insertion position and assignment of breaks to
 * gaps, each scheduled as early as possible.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkPlan } from '../../solver/check.js';
import { currentPlan, insertVisit, offerSlots, prepareSlotIndex } from '../../solver/slots.js';
import type {
  Break,
  Interval,
  Place,
  Plan,
  Problem,
  Route,
  Shift,
  SlotRequest,
  Technician,
  TravelModel,
  Visit,
} from '../../solver/problem.js';

/** Manhattan distance on a grid, integer: no float noise, so "feasible" is exact. */
const manhattan: TravelModel = {
  time: (a, b) => Math.abs(a.lat - b.lat) + Math.abs(a.lon - b.lon),
  distance: (a, b) => Math.abs(a.lat - b.lat) + Math.abs(a.lon - b.lon),
};

// ---------------------------------------------------------------- exhaustive search

interface Stop {
  place: Place;
  duration: number;
  window: Interval;
  id: string;
}

/**
 * Earliest timetable of a fixed sequence with breaks assigned to gaps, or null.
 * breakGap[b] = the gap break b is taken in (gap g lies before stop g; gap m after the last stop).
 */
function earliestTimetable(
  tech: Technician,
  shift: Shift,
  stops: Stop[],
  breakGap: number[],
): { starts: number[]; breakStarts: number[] } | null {
  const breaks = shift.breaks ?? [];
  const deadline = shift.interval.end + (shift.maxOvertime ?? 0);
  const starts: number[] = [];
  const breakStarts: number[] = [];
  let ready = shift.interval.start;
  let from = tech.start;
  for (let g = 0; g <= stops.length; g++) {
    const to = g < stops.length ? stops[g]!.place : tech.end;
    const drive = manhattan.time(from, to);
    let clock = ready;
    let breakTotal = 0;
    breaks.forEach((b, i) => {
      if (breakGap[i] !== g) return;
      const s = Math.max(clock, b.earliestStart);
      breakStarts[i] = s;
      clock = s + b.duration;
      breakTotal += b.duration;
    });
    // Travel may be split around breaks: arrival is bounded by both.
    const arrival = Math.max(clock, ready + drive + breakTotal);
    if (g < stops.length) {
      const stop = stops[g]!;
      const start = Math.max(arrival, stop.window.start);
      if (start > stop.window.end) return null;
      starts.push(start);
      ready = start + stop.duration;
      from = stop.place;
    } else if (arrival > deadline) {
      return null;
    }
  }
  if (breaks.some((b, i) => breakStarts[i]! > b.latestStart)) return null;
  return { starts, breakStarts };
}

/** All non-decreasing assignments of k ordered breaks to gaps 0..gaps-1. */
function breakAssignments(k: number, gaps: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  const rec = (prefix: number[], min: number) => {
    if (prefix.length === k) return void out.push(prefix);
    for (let g = min; g < gaps; g++) rec([...prefix, g], g);
  };
  rec([], 0);
  return out;
}

function bookedOn(problem: Problem, techId: string, shiftId: string): Visit[] {
  return problem.visits
    .filter((v) => v.assigned?.technicianId === techId && v.assigned.shiftId === shiftId)
    .sort((a, b) => a.assigned!.plannedStart - b.assigned!.plannedStart || (a.id < b.id ? -1 : 1));
}

const asStop = (v: Visit): Stop => ({
  id: v.id,
  place: v.place,
  duration: v.duration,
  window:
    v.pinned && v.assigned ? { start: v.assigned.plannedStart, end: v.assigned.plannedStart } : v.window,
});

/** A feasible timetable for the sequence, if any. */
function anyTimetable(tech: Technician, shift: Shift, stops: Stop[]) {
  for (const a of breakAssignments((shift.breaks ?? []).length, stops.length + 1)) {
    const t = earliestTimetable(tech, shift, stops, a);
    if (t) return t;
  }
  return null;
}

/**
 * Windows some eligible technician can take, by brute force. Each success is
 * also confirmed with checkPlan on the one route, so the brute force and the
 * checker must agree on the rules.
 */
function exhaustiveFeasibleWindows(problem: Problem, request: SlotRequest): Set<number> {
  const ok = new Set<number>();
  request.windows.forEach((window, w) => {
    for (const tech of problem.technicians) {
      if (request.technicianIds && !request.technicianIds.includes(tech.id)) continue;
      if (!request.skills.every((s) => tech.skills.includes(s))) continue;
      for (const shift of tech.shifts) {
        const booked = bookedOn(problem, tech.id, shift.id);
        for (let pos = 0; pos <= booked.length; pos++) {
          const stops = booked.map(asStop);
          stops.splice(pos, 0, { id: 'new', place: request.place, duration: request.duration, window });
          const t = anyTimetable(tech, shift, stops);
          if (!t) continue;
          const newVisit: Visit = {
            id: 'new',
            place: request.place,
            duration: request.duration,
            window,
            skills: request.skills,
          };
          const sub: Problem = { technicians: [tech], visits: [...booked, newVisit], travel: manhattan };
          const route: Route = {
            technicianId: tech.id,
            shiftId: shift.id,
            stops: stops.map((s, i) => ({ visitId: s.id, start: t.starts[i]! })),
            breakStarts: t.breakStarts,
          };
          expect(checkPlan(sub, { routes: [route], unassigned: [] })).toEqual([]);
          ok.add(w);
          return;
        }
      }
    }
  });
  return ok;
}

// ---------------------------------------------------------------- random tiny problems

const coord = fc.integer({ min: 0, max: 30 });
const techSkills = fc.subarray(['elec', 'irve', 'pac'], { minLength: 1 });
/** Most jobs need no special skill; some need one. */
const skillSet = fc.oneof(
  { weight: 2, arbitrary: fc.constant<string[]>([]) },
  { weight: 1, arbitrary: fc.subarray(['elec', 'irve', 'pac'], { maxLength: 1 }) },
);

const breakArb = (shiftStart: number): fc.Arbitrary<Break> =>
  fc
    .record({
      at: fc.integer({ min: 60, max: 360 }),
      flex: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 90 })), // 0 = a fixed lunch
      duration: fc.constantFrom(20, 45, 90),
    })
    .map(({ at, flex, duration }) => ({
      earliestStart: shiftStart + at,
      latestStart: shiftStart + at + flex,
      duration,
    }));

const shiftArb = (day: number): fc.Arbitrary<Shift> => {
  const start = day * 1000;
  return fc
    .record({
      breaks: fc
        .array(breakArb(start), { maxLength: 2 })
        .map((bs) => bs.sort((a, b) => a.earliestStart - b.earliestStart)),
      maxOvertime: fc.constantFrom(0, 0, 30),
      length: fc.constantFrom(360, 480),
    })
    .map(({ breaks, maxOvertime, length }) => ({
      id: `d${day}`,
      interval: { start, end: start + length },
      ...(breaks.length > 0 ? { breaks } : {}),
      ...(maxOvertime > 0 ? { maxOvertime } : {}),
    }));
};

interface RawVisit {
  x: number;
  y: number;
  duration: number;
  offset: number;
  width: number;
  skills: string[];
  tech: number;
  day: number;
  pinned: boolean;
}

const rawVisitArb: fc.Arbitrary<RawVisit> = fc.record({
  x: coord,
  y: coord,
  duration: fc.integer({ min: 10, max: 120 }),
  offset: fc.integer({ min: -20, max: 420 }),
  width: fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 6, arbitrary: fc.integer({ min: 30, max: 240 }) },
  ),
  skills: skillSet,
  tech: fc.nat(2),
  day: fc.nat(1),
  pinned: fc.integer({ min: 0, max: 5 }).map((n) => n === 0), // one in six
});

const problemArb: fc.Arbitrary<Problem> = fc
  .record({
    techs: fc
      .array(
        fc.record({
          x: coord,
          y: coord,
          x2: coord,
          y2: coord,
          skills: techSkills,
          days: fc.constantFrom([0], [1], [0, 1]),
        }),
        { minLength: 1, maxLength: 3 },
      )
      .chain((ts) =>
        fc.tuple(fc.constant(ts), fc.tuple(...ts.map((t) => fc.tuple(...t.days.map((d) => shiftArb(d)))))),
      ),
    visits: fc.array(rawVisitArb, { maxLength: 16 }),
  })
  .map(({ techs: [rawTechs, rawShifts], visits }) => {
    let key = 0;
    const place = (x: number, y: number): Place => ({ key: key++, lat: x, lon: y });
    const technicians: Technician[] = rawTechs.map((t, i) => ({
      id: `T${i}`,
      skills: t.skills,
      start: place(t.x, t.y),
      end: place(t.x2, t.y2),
      shifts: rawShifts[i]! as Shift[],
    }));
    // Book each visit on its technician's shift only if the route stays feasible, then
    // time every route as early as possible so that the booked plan is valid.
    const all: Visit[] = [];
    const routes = new Map<string, Visit[]>();
    visits.forEach((r, i) => {
      const v: Visit = {
        id: `V${i}`,
        place: place(r.x, r.y),
        duration: r.duration,
        window: { start: 0, end: 0 },
        skills: r.skills,
      };
      const tech = technicians[r.tech % technicians.length]!;
      const shift = tech.shifts[r.day % tech.shifts.length]!;
      const start = shift.interval.start + Math.min(r.offset, shift.interval.end - shift.interval.start - 30);
      v.window = { start, end: start + r.width };
      all.push(v);
      if (!r.skills.every((s) => tech.skills.includes(s))) return; // stays unbooked
      const key = `${tech.id}/${shift.id}`;
      const current = routes.get(key) ?? [];
      // Insert in window order (a plausible booked order) and keep it if a timetable exists.
      const candidate = [...current, v].sort(
        (a, b) => a.window.start - b.window.start || (a.id < b.id ? -1 : 1),
      );
      const t = anyTimetable(
        tech,
        shift,
        candidate.map((c) => ({ id: c.id, place: c.place, duration: c.duration, window: c.window })),
      );
      if (!t) return;
      candidate.forEach((c, j) => {
        c.assigned = { technicianId: tech.id, shiftId: shift.id, plannedStart: t.starts[j]! };
      });
      v.pinned = r.pinned || undefined;
      if (!v.pinned) delete v.pinned;
      routes.set(key, candidate);
    });
    return { technicians, visits: all, travel: manhattan };
  });

const requestArb = (problem: Problem): fc.Arbitrary<SlotRequest> =>
  fc
    .record({
      x: coord,
      y: coord,
      duration: fc.integer({ min: 10, max: 90 }),
      skills: skillSet,
      windows: fc.array(
        fc
          .record({
            day: fc.nat(1),
            at: fc.integer({ min: -30, max: 480 }),
            width: fc.oneof(fc.constant(0), fc.integer({ min: 30, max: 150 })),
          })
          .map(({ day, at, width }) => ({ start: day * 1000 + at, end: day * 1000 + at + width })),
        { minLength: 1, maxLength: 5 },
      ),
      only: fc.option(fc.subarray(problem.technicians.map((t) => t.id)), { nil: undefined }),
    })
    .map(({ x, y, duration, skills, windows, only }) => ({
      place: { key: 10_000, lat: x, lon: y },
      duration,
      skills,
      windows,
      ...(only !== undefined ? { technicianIds: only } : {}),
    }));

const scenarioArb = problemArb.chain((problem) => fc.tuple(fc.constant(problem), requestArb(problem)));

// ---------------------------------------------------------------- properties

describe('offerSlots properties', () => {
  it('generated booked plans are valid (sanity of the generator)', () => {
    fc.assert(
      fc.property(problemArb, (problem) => {
        expect(checkPlan(problem, currentPlan(problem))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('every offered window, once inserted, gives a plan checkPlan accepts, and nobody changes technician', () => {
    fc.assert(
      fc.property(scenarioArb, ([problem, request]) => {
        const before = structuredClone(problem.visits);
        const index = prepareSlotIndex(problem);
        const offers = offerSlots(problem, request, { index });
        expect(problem.visits).toEqual(before); // offering changes nothing
        for (const offer of offers) {
          const tech = problem.technicians.find((t) => t.id === offer.technicianId)!;
          expect(request.skills.every((s) => tech.skills.includes(s))).toBe(true);
          if (request.technicianIds) expect(request.technicianIds).toContain(offer.technicianId);
          expect(offer.plannedStart).toBeGreaterThanOrEqual(offer.window.start);
          expect(offer.plannedStart).toBeLessThanOrEqual(offer.window.end);

          const done = insertVisit(problem, request, offer.window, offer.technicianId, {
            index,
            visitId: 'new',
          });
          expect(done).not.toBeNull();
          expect(done!.technicianId).toBe(offer.technicianId);
          expect(done!.shiftId).toBe(offer.shiftId);
          expect(done!.plannedStart).toBe(offer.plannedStart);
          const after: Problem = { ...problem, visits: [...problem.visits, done!.visit] };
          expect(checkPlan(after, done!.plan)).toEqual([]);
          // Booked visits stay with their technician and shift.
          for (const v of problem.visits) {
            if (!v.assigned) continue;
            const r = done!.plan.routes.find((rt) => rt.stops.some((s) => s.visitId === v.id));
            expect(r?.technicianId).toBe(v.assigned.technicianId);
            expect(r?.shiftId).toBe(v.assigned.shiftId);
          }
        }
        expect(problem.visits).toEqual(before);
      }),
      { numRuns: 400 },
    );
  });

  it('offers exactly the windows an exhaustive search finds feasible', () => {
    fc.assert(
      fc.property(scenarioArb, ([problem, request]) => {
        const offered = new Set(offerSlots(problem, request).map((o) => request.windows.indexOf(o.window)));
        expect([...offered].sort()).toEqual([...exhaustiveFeasibleWindows(problem, request)].sort());
      }),
      { numRuns: 600 },
    );
  });

  it('a window not offered cannot be inserted, and insertVisit agrees with offerSlots on every window', () => {
    fc.assert(
      fc.property(scenarioArb, ([problem, request]) => {
        const index = prepareSlotIndex(problem);
        const offers = offerSlots(problem, request, { index });
        request.windows.forEach((w) => {
          const offered = offers.find((o) => o.window === w);
          const done = insertVisit(problem, request, w, undefined, { index });
          expect(done === null).toBe(offered === undefined);
          if (done && offered) expect(done.technicianId).toBe(offered.technicianId);
        });
      }),
      { numRuns: 200 },
    );
  });
});

export type { Plan };
