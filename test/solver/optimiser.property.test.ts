import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlan, planCost } from '../../solver/check.js';
import { planRoutes, type PlanRoutesOptions } from '../../solver/optimiser/index.js';
import type { Problem } from '../../solver/problem.js';
import { HaversineTravel } from '../../solver/travel.js';
import { bookPlan, randomProblem } from './optimiserFixtures.js';

// An iteration cap (not the clock) stops every search here, so runs repeat exactly on any machine.
const FAST: PlanRoutesOptions = { timeLimitMs: 60_000, maxIterations: 150, seed: 1 };
const RUNS = { numRuns: 15 };

describe('planRoutes on random small problems', () => {
  it('returns plans that pass checkPlan, keep every promise and never move a pinned visit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1000 }),
        async (seed, pick) => {
          const problem = randomProblem(seed);
          const first = await planRoutes(problem, FAST);
          expect(checkPlan(problem, first.plan)).toEqual([]);
          const served = first.plan.routes.reduce((n, r) => n + r.stops.length, 0);
          expect(served + first.plan.unassigned.length).toBe(problem.visits.length);

          // Book some of the served visits as planned, pin some of those, and re-plan with another seed.
          const booked = bookPlan(
            problem,
            first.plan,
            (id) => (id.length + pick) % 3 !== 0,
            (id) => (id.length + pick) % 2 === 0,
          );
          const second = await planRoutes(booked, { ...FAST, seed: FAST.seed + 1 });
          expect(checkPlan(booked, second.plan)).toEqual([]);
          const servedBy = new Map<string, { technicianId: string; shiftId: string; start: number }>();
          for (const r of second.plan.routes)
            for (const s of r.stops) servedBy.set(s.visitId, { ...r, start: s.start });
          for (const v of booked.visits) {
            if (!v.assigned) continue;
            // Every booking was feasible (it comes from a checked plan): it must stay served.
            expect(servedBy.has(v.id), `booked ${v.id} dropped (seed ${seed})`).toBe(true);
            if (v.pinned) {
              const s = servedBy.get(v.id)!;
              expect([s.technicianId, s.shiftId, s.start]).toEqual([
                v.assigned.technicianId,
                v.assigned.shiftId,
                v.assigned.plannedStart,
              ]);
            }
          }
        },
      ),
      RUNS,
    );
  });

  it('gives the same plan for the same seed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
        const problem = randomProblem(seed);
        const a = await planRoutes(problem, { ...FAST, seed: 7 });
        const b = await planRoutes(problem, { ...FAST, seed: 7 });
        expect(b.plan).toEqual(a.plan);
      }),
      { numRuns: 10 },
    );
  });

  it('changes a booked plan only when the change saves travel or overtime', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
        const problem = randomProblem(seed);
        const first = await planRoutes(problem, { ...FAST, maxIterations: 400 });
        const booked = bookPlan(problem, first.plan, () => true);
        const second = await planRoutes(booked, { ...FAST, seed: 3 });
        expect(checkPlan(booked, second.plan)).toEqual([]);
        const before = planCost(booked, first.plan);
        const after = planCost(booked, second.plan);
        const saving = before.travelTime + before.overtime - (after.travelTime + after.overtime);
        if (saving <= 1e-6) {
          expect(second.plan).toEqual(first.plan);
        }
      }),
      RUNS,
    );
  });
});

describe('planRoutes on a known optimal plan', () => {
  // One technician, three visits on a line whose windows force their order; the booked
  // starts are later than the earliest possible ones, so only a stable re-plan keeps them.
  const place = (key: number, lon: number) => ({ key, lat: 48.85, lon });
  const home = place(0, 2.3);
  const problem: Problem = {
    technicians: [
      {
        id: 'ana',
        skills: ['elec'],
        start: home,
        end: home,
        shifts: [{ id: 'mon', interval: { start: 28_800, end: 61_200 } }],
      },
    ],
    visits: [
      {
        id: 'a',
        place: place(1, 2.32),
        duration: 1800,
        window: { start: 28_800, end: 36_000 },
        skills: ['elec'],
      },
      {
        id: 'b',
        place: place(2, 2.34),
        duration: 1800,
        window: { start: 36_000, end: 43_200 },
        skills: ['elec'],
      },
      {
        id: 'c',
        place: place(3, 2.36),
        duration: 1800,
        window: { start: 43_200, end: 50_400 },
        skills: ['elec'],
      },
    ],
    travel: new HaversineTravel(),
  };
  const bookedAt = { a: 30_600, b: 37_800, c: 45_000 };
  const booked: Problem = {
    ...problem,
    visits: problem.visits.map((v) => ({
      ...v,
      assigned: {
        technicianId: 'ana',
        shiftId: 'mon',
        plannedStart: bookedAt[v.id as keyof typeof bookedAt],
      },
    })),
  };

  it('keeps the plan as booked, times included', async () => {
    const result = await planRoutes(booked, FAST);
    expect(result.plan).toEqual({
      routes: [
        {
          technicianId: 'ana',
          shiftId: 'mon',
          stops: [
            { visitId: 'a', start: 30_600 },
            { visitId: 'b', start: 37_800 },
            { visitId: 'c', start: 45_000 },
          ],
        },
      ],
      unassigned: [],
    });
    expect(result.cost.reassignments).toBe(0);
    expect(result.cost.timeShift).toBe(0);
  });
});
