/**
 * routeTimeline on a route worked out by hand: places on a line, travel time =
 * distance = |x_a − x_b|, so every figure below can be checked with a pencil.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import type { Place, Plan, Problem, Route, Technician, TravelModel, Visit } from '../../solver/problem.js';
import { planCost, routeTimeline } from '../../solver/timeline.js';

const line: TravelModel = {
  time: (a, b) => Math.abs(a.key - b.key),
  distance: (a, b) => Math.abs(a.key - b.key),
};
const at = (x: number): Place => ({ key: x, lat: 0, lon: x });
const visit = (id: string, x: number): Visit => ({
  id,
  place: at(x),
  duration: 50,
  window: { start: 0, end: 1000 },
  skills: [],
});

// Home at 0; shift 0–700 with up to 200 of overtime; a 50-long break to start between 300 and 400.
const technician = (id: string): Technician => ({
  id,
  skills: [],
  start: at(0),
  end: at(0),
  shifts: [
    {
      id: 'S1',
      interval: { start: 0, end: 700 },
      maxOvertime: 200,
      breaks: [{ earliestStart: 300, latestStart: 400, duration: 50 }],
    },
  ],
});

const problem: Problem = {
  technicians: [technician('T1'), technician('T2')],
  visits: [visit('A', 100), visit('B', 200), visit('C', 250), visit('D', 40)],
  travel: line,
};

// A at 150; the break at 300 between A and B; B at 400; C at 500; home at 800.
const route: Route = {
  technicianId: 'T1',
  shiftId: 'S1',
  stops: [
    { visitId: 'A', start: 150 },
    { visitId: 'B', start: 400 },
    { visitId: 'C', start: 500 },
  ],
  breakStarts: [300],
};

describe('routeTimeline', () => {
  it('gives arrival, start, end, wait and travel per stop, and the route totals', () => {
    expect(checkPlan(problem, { routes: [route], unassigned: [] })).toEqual([]);
    expect(routeTimeline(problem, route)).toEqual({
      technicianId: 'T1',
      shiftId: 'S1',
      shift: { start: 0, end: 700 },
      // Leaves home just in time for A: 150 − 100 of driving.
      departure: 50,
      stops: [
        {
          visitId: 'A',
          travel: 100,
          distance: 100,
          breakTime: 0,
          arrival: 150,
          wait: 0,
          start: 150,
          end: 200,
        },
        // Leaves A at 200, drives 100, takes the 50-long break: there at 350, waits 50 until 400.
        {
          visitId: 'B',
          travel: 100,
          distance: 100,
          breakTime: 50,
          arrival: 350,
          wait: 50,
          start: 400,
          end: 450,
        },
        { visitId: 'C', travel: 50, distance: 50, breakTime: 0, arrival: 500, wait: 0, start: 500, end: 550 },
      ],
      returnTravel: 250,
      returnDistance: 250,
      back: 800,
      breaks: [{ start: 300, end: 350 }],
      // 100 + 100 + 50 + 250 of driving; back at 800 for a shift ending at 700.
      totals: { travelTime: 500, distance: 500, waiting: 50, overtime: 100 },
    });
  });

  it('shows an empty route as a day at home, its break at the earliest start', () => {
    expect(routeTimeline(problem, { technicianId: 'T2', shiftId: 'S1', stops: [] })).toEqual({
      technicianId: 'T2',
      shiftId: 'S1',
      shift: { start: 0, end: 700 },
      departure: null,
      stops: [],
      returnTravel: 0,
      returnDistance: 0,
      back: null,
      breaks: [{ start: 300, end: 350 }],
      totals: { travelTime: 0, distance: 0, waiting: 0, overtime: 0 },
    });
  });

  it('does not describe a route naming an unknown technician, shift or visit', () => {
    expect(routeTimeline(problem, { ...route, technicianId: 'nobody' })).toBeUndefined();
    expect(routeTimeline(problem, { ...route, shiftId: 'S9' })).toBeUndefined();
    expect(routeTimeline(problem, { ...route, stops: [{ visitId: 'Z', start: 150 }] })).toBeUndefined();
  });

  it('is what planCost sums over a plan', () => {
    const other: Route = {
      technicianId: 'T2',
      shiftId: 'S1',
      stops: [{ visitId: 'D', start: 40 }],
      breakStarts: [300],
    };
    const plan: Plan = { routes: [route, other], unassigned: [] };
    expect(checkPlan(problem, plan)).toEqual([]);
    const a = routeTimeline(problem, route)!.totals;
    const b = routeTimeline(problem, other)!.totals;
    // T2: 40 out, 40 back; leaves at 0, is home at 180 after the break.
    expect(b).toEqual({ travelTime: 80, distance: 80, waiting: 0, overtime: 0 });
    expect(planCost(problem, plan)).toEqual({
      travelTime: a.travelTime + b.travelTime,
      distance: a.distance + b.distance,
      waiting: a.waiting + b.waiting,
      overtime: a.overtime + b.overtime,
    });
  });
});
