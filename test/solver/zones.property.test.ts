/**
 * The zone rule: a technician serves some areas, a visit lies in one. checkPlan
 * reports a visit served outside its technician's areas; offerSlots and
 * insertVisit offer only technicians serving the request's area; the
 * optimiser never plans across areas.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { planRoutes, type PlanRoutesOptions } from '../../solver/optimiser/index.js';
import {
  servesArea,
  type Interval,
  type Place,
  type Problem,
  type SlotRequest,
  type Technician,
  type TravelModel,
  type Visit,
} from '../../solver/problem.js';
import { insertVisit, offerSlots } from '../../solver/slots.js';
import { Random } from '../../solver/optimiser/prng.js';
import { randomProblem } from './optimiserFixtures.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
const AREAS = ['69003', '69100', '69400'];
const FAST: PlanRoutesOptions = { timeLimitMs: 60_000, maxIterations: 150, seed: 1 };

/** randomProblem with areas: each technician serves a random non-empty subset (or, now and then, everywhere); visits lie in one area (or none). */
function zonedProblem(seed: number): Problem {
  const problem = randomProblem(seed);
  const rng = new Random(seed ^ 0x5a5a);
  for (const t of problem.technicians) {
    if (rng.next() < 0.15) continue;
    const serves = AREAS.filter(() => rng.next() < 0.5);
    t.serves = serves.length > 0 ? serves : [rng.pick(AREAS)];
  }
  for (const v of problem.visits) if (rng.next() < 0.9) v.area = rng.pick(AREAS);
  return problem;
}

function windowsOver(days: number): Interval[] {
  const out: Interval[] = [];
  for (let d = 0; d < days; d++)
    for (let h = 8; h < 17; h += 2) out.push({ start: d * DAY + h * HOUR, end: d * DAY + (h + 2) * HOUR });
  return out;
}

describe('checkPlan and the zone rule', () => {
  const line: TravelModel = { time: (a, b) => Math.abs(a.key - b.key), distance: () => 0 };
  const at = (x: number): Place => ({ key: x, lat: 0, lon: x });
  const tech = (serves?: string[]): Technician => ({
    id: 'T1',
    skills: [],
    start: at(0),
    end: at(0),
    shifts: [{ id: 'S1', interval: { start: 0, end: 1000 } }],
    ...(serves ? { serves } : {}),
  });
  const visit = (area?: string): Visit => ({
    id: 'V1',
    place: at(100),
    duration: 50,
    window: { start: 0, end: 1000 },
    skills: [],
    ...(area ? { area } : {}),
  });
  const plan = {
    routes: [{ technicianId: 'T1', shiftId: 'S1', stops: [{ visitId: 'V1', start: 100 }] }],
    unassigned: [],
  };
  const check = (t: Technician, v: Visit) => checkPlan({ technicians: [t], visits: [v], travel: line }, plan);

  it('flags a visit served by a technician who does not serve its area, with the ids and the area', () => {
    expect(check(tech(['69003']), visit('69100'))).toEqual([
      {
        code: 'zone',
        visitId: 'V1',
        technicianId: 'T1',
        shiftId: 'S1',
        area: '69100',
        message: expect.any(String),
      },
    ]);
    expect(check(tech([]), visit('69100')).map((v) => v.code)).toEqual(['zone']);
  });

  it('accepts the visit inside the area, and no restriction on either side', () => {
    expect(check(tech(['69003', '69100']), visit('69100'))).toEqual([]);
    expect(check(tech(), visit('69100'))).toEqual([]);
    expect(check(tech(['69003']), visit())).toEqual([]);
  });
});

describe('offering slots respects zones', () => {
  it('offers only technicians serving the area: exactly the offers of the request limited to them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(...AREAS), (seed, area) => {
        const problem = zonedProblem(seed);
        const days = Math.max(...problem.technicians.map((t) => t.shifts.length));
        const request: SlotRequest = {
          place: { key: 10_000, lat: 48.86, lon: 2.34 },
          duration: 45 * 60,
          skills: ['elec'],
          windows: windowsOver(days),
        };
        const serving = problem.technicians.filter((t) => servesArea(t, area)).map((t) => t.id);
        const offers = offerSlots(problem, { ...request, area });
        for (const offer of offers) expect(serving).toContain(offer.technicianId);
        expect(offers).toEqual(offerSlots(problem, { ...request, technicianIds: serving }));

        // Booking the first offer keeps every rule, zones included.
        const first = offers[0];
        if (first === undefined) return;
        const inserted = insertVisit(problem, { ...request, area }, first.window, undefined, {
          visitId: 'new',
        })!;
        expect(inserted.visit.area).toBe(area);
        const booked: Problem = { ...problem, visits: [...problem.visits, inserted.visit] };
        expect(checkPlan(booked, inserted.plan)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('offers nothing when nobody serves the area, even a technician next door', () => {
    const problem = zonedProblem(7);
    for (const t of problem.technicians) t.serves = ['69003'];
    const request: SlotRequest = {
      place: problem.technicians[0]!.start,
      duration: 30 * 60,
      skills: [],
      windows: windowsOver(1),
      area: '69400',
    };
    expect(offerSlots(problem, request)).toEqual([]);
    expect(offerSlots(problem, { ...request, area: '69003' }).length).toBeGreaterThan(0);
  });
});

describe('the optimiser respects zones', () => {
  it('never assigns a visit to a technician outside its area', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
        const problem = zonedProblem(seed);
        const { plan } = await planRoutes(problem, FAST);
        expect(checkPlan(problem, plan)).toEqual([]);
        const techs = new Map(problem.technicians.map((t) => [t.id, t]));
        const visits = new Map(problem.visits.map((v) => [v.id, v]));
        for (const r of plan.routes)
          for (const s of r.stops)
            expect(servesArea(techs.get(r.technicianId)!, visits.get(s.visitId)!.area)).toBe(true);
      }),
      { numRuns: 15 },
    );
  });

  it('sends a visit to the far technician of its area rather than the one at the door', async () => {
    const home = (x: number): Place => ({ key: x, lat: 45.75, lon: 4.8 + x / 100 });
    const shift = { id: 'day', interval: { start: 8 * HOUR, end: 18 * HOUR } };
    const near: Technician = {
      id: 'near',
      skills: [],
      start: home(0),
      end: home(0),
      shifts: [shift],
      serves: ['69003'],
    };
    const far: Technician = {
      id: 'far',
      skills: [],
      start: home(20),
      end: home(20),
      shifts: [shift],
      serves: ['69100'],
    };
    const problem: Problem = {
      technicians: [near, far],
      visits: [
        {
          id: 'V',
          place: { key: 99, lat: 45.75, lon: 4.8 },
          duration: HOUR,
          window: { start: 9 * HOUR, end: 12 * HOUR },
          skills: [],
          area: '69100',
        },
      ],
      travel: new (await import('../../solver/travel.js')).HaversineTravel(),
    };
    const { plan } = await planRoutes(problem, FAST);
    expect(plan.unassigned).toEqual([]);
    expect(plan.routes.map((r) => [r.technicianId, r.stops.map((s) => s.visitId)])).toEqual([['far', ['V']]]);
    expect(checkPlan(problem, plan, { requireAll: true })).toEqual([]);
  });
});
