/**
 * Travel split around a break (drive, lunch, drive on): the optimiser's timing must agree with
 * slot offering (gapArrival) and checkPlan. Built by hand, not from the optimiser's own output.
 *
 * One technician, 08:00–17:00, lunch fixed at 12:00–13:00. Visit A at the base's door (ready
 * 11:00, 40 min); visit B 40 min away with the window 13:00–13:30. Leaving A at 11:40, the
 * technician drives 20 min, has lunch at 12:00 and drives the last 20 min: B at 13:20.
 * Waiting idle until lunch and driving only afterwards would reach B at 13:40, too late.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { planRoutes } from '../../solver/optimiser/index.js';
import { currentPlanSolution } from '../../solver/optimiser/initial.js';
import { compileInstance } from '../../solver/optimiser/instance.js';
import { routeCost, scheduleRoute } from '../../solver/optimiser/schedule.js';
import type { Plan, Problem, Visit } from '../../solver/problem.js';
import { offerSlots } from '../../solver/slots.js';
import { MatrixTravel } from '../../solver/travel.js';

const H = 3600;
const M = 60;
const base = { key: 0, lat: 0, lon: 0 };
const placeA = { key: 1, lat: 0, lon: 0 };
const placeB = { key: 2, lat: 0, lon: 40 * M };
// Times in seconds; A sits at the base, B is 40 min from both.
const travel = new MatrixTravel([
  [0, 0, 40 * M],
  [0, 0, 40 * M],
  [40 * M, 40 * M, 0],
]);
const technician = {
  id: 'T1',
  skills: [],
  start: base,
  end: base,
  shifts: [
    {
      id: 'day',
      interval: { start: 8 * H, end: 17 * H },
      breaks: [{ earliestStart: 12 * H, latestStart: 12 * H, duration: H }],
    },
  ],
};
const visitA: Visit = {
  id: 'A',
  place: placeA,
  duration: 40 * M,
  window: { start: 11 * H, end: 11 * H },
  skills: [],
  assigned: { technicianId: 'T1', shiftId: 'day', plannedStart: 11 * H },
};
const windowB = { start: 13 * H, end: 13 * H + 30 * M };

describe('drive, lunch, drive on', () => {
  it('slot offering offers B at 13:20 and checkPlan accepts that plan', () => {
    const problem: Problem = { technicians: [technician], visits: [visitA], travel };
    const offers = offerSlots(problem, { place: placeB, duration: 30 * M, skills: [], windows: [windowB] });
    expect(offers).toHaveLength(1);
    expect(offers[0]!.plannedStart).toBe(13 * H + 20 * M);
    const visitB: Visit = {
      id: 'B',
      place: placeB,
      duration: 30 * M,
      window: windowB,
      skills: [],
      assigned: { technicianId: 'T1', shiftId: 'day', plannedStart: 13 * H + 20 * M },
    };
    const plan: Plan = {
      routes: [
        {
          technicianId: 'T1',
          shiftId: 'day',
          stops: [
            { visitId: 'A', start: 11 * H },
            { visitId: 'B', start: 13 * H + 20 * M },
          ],
          breakStarts: [12 * H],
        },
      ],
      unassigned: [],
    };
    expect(checkPlan({ ...problem, visits: [visitA, visitB] }, plan, { requireAll: true })).toEqual([]);
  });

  const visitB: Visit = {
    id: 'B',
    place: placeB,
    duration: 30 * M,
    window: windowB,
    skills: [],
    assigned: { technicianId: 'T1', shiftId: 'day', plannedStart: 13 * H + 20 * M },
  };
  const problem: Problem = { technicians: [technician], visits: [visitA, visitB], travel };

  it('routeCost is finite and the schedule splits the drive around lunch', () => {
    const inst = compileInstance(problem);
    expect(routeCost(inst, 0, [0, 1])).toBeLessThan(Infinity);
    const s = scheduleRoute(inst, 0, [0, 1])!;
    expect(s.starts).toEqual([11 * H, 13 * H + 20 * M]);
    expect(s.breakStarts).toEqual([12 * H]);
    expect(s.travelTime).toBe(80 * M);
  });

  it('currentPlanSolution keeps both booked visits on their route', () => {
    const sol = currentPlanSolution(compileInstance(problem));
    expect(sol.unassigned).toEqual([]);
    expect(sol.routes[0]!.visits).toEqual([0, 1]);
  });

  it('planRoutes keeps the plan and checkPlan accepts it', async () => {
    const result = await planRoutes(problem, { timeLimitMs: 2_000, maxIterations: 50, seed: 1 });
    expect(result.plan.unassigned).toEqual([]);
    expect(checkPlan(problem, result.plan, { requireAll: true })).toEqual([]);
    expect(result.plan.routes[0]!.stops.map((s) => s.start)).toEqual([11 * H, 13 * H + 20 * M]);
  });

  it('a break that can wait costs nothing: lunch in the idle time before an afternoon visit', () => {
    // B's window opens at 14:00: waiting covers lunch, the drive fits before or after it.
    const { assigned: _booked, ...unbooked } = visitB;
    const late: Visit = { ...unbooked, window: { start: 14 * H, end: 14 * H + 30 * M } };
    const p: Problem = { technicians: [technician], visits: [visitA, late], travel };
    const s = scheduleRoute(compileInstance(p), 0, [0, 1])!;
    expect(s.starts).toEqual([11 * H, 14 * H]);
    expect(s.breakStarts).toEqual([12 * H]);
  });
});
