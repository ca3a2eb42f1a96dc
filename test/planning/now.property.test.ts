/**
 * Property (issue 16): at any moment of a booked day, with any visits
 * marked started, a re-plan from now (freezeAt + the optimiser + the anchors
 * stripped, as proposals do) breaks no promised window and no rule the
 * booked day kept, moves no started or past visit, and starts nothing
 * before now. Random days of 2–3 technicians with a flexible lunch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { planRoutes } from '../../solver/optimiser/index.js';
import type { Problem, Technician, Visit } from '../../solver/problem.js';
import { currentPlan } from '../../solver/slots.js';
import { HaversineTravel } from '../../solver/travel.js';
import type { VisitRow } from '../../src/db/schema.js';
import { newViolations, placements, type DayProblem } from '../../src/domain/planning/day-problem.js';
import { freezeAt, withoutAnchors } from '../../src/domain/planning/now.js';

const H = 3600;
const DATE = '2026-03-26';
const travel = new HaversineTravel();

const dayArb = fc.record({
  technicians: fc.integer({ min: 2, max: 3 }),
  visits: fc.array(
    fc.record({
      lat: fc.double({ min: 45.7, max: 45.8, noNaN: true }),
      lon: fc.double({ min: 4.8, max: 4.9, noNaN: true }),
      slot: fc.integer({ min: 0, max: 3 }),
      minutes: fc.constantFrom(30, 45, 60, 90),
    }),
    { minLength: 3, maxLength: 9 },
  ),
  nowMinutes: fc.integer({ min: 7 * 60, max: 18 * 60 }),
  started: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
  seed: fc.integer({ min: 1, max: 1000 }),
});

type DaySpec = typeof dayArb extends fc.Arbitrary<infer T> ? T : never;

async function bookedDay(spec: DaySpec): Promise<Problem> {
  const technicians: Technician[] = Array.from({ length: spec.technicians }, (_, i) => ({
    id: `T${i}`,
    skills: [],
    start: { key: i, lat: 45.75, lon: 4.85 },
    end: { key: i, lat: 45.75, lon: 4.85 },
    shifts: [
      {
        id: `T${i}:${DATE}`,
        interval: { start: 8 * H, end: 17 * H },
        breaks: [{ earliestStart: 12 * H, latestStart: 13.5 * H, duration: H }],
      },
    ],
  }));
  const visits: Visit[] = spec.visits.map((v, i) => ({
    id: `v${i}`,
    place: { key: 10 + i, lat: v.lat, lon: v.lon },
    duration: v.minutes * 60,
    window: { start: (8 + 2 * v.slot) * H, end: (10 + 2 * v.slot) * H },
    skills: [],
  }));
  const problem: Problem = { technicians, visits, travel };
  // The booked day: the optimiser's first plan, written down as each visit's assignment.
  const first = await planRoutes(problem, {
    timeLimitMs: 2000,
    seed: spec.seed,
    maxIterations: 30,
    setPartitioning: false,
    threads: 1,
  });
  const booked = new Map(placements(first.plan));
  const shiftOf = (t: string) => `${t}:${DATE}`;
  return {
    technicians,
    travel,
    visits: visits
      .filter((v) => booked.has(v.id))
      .map((v) => {
        const p = booked.get(v.id)!;
        return {
          ...v,
          assigned: { technicianId: p.technicianId, shiftId: shiftOf(p.technicianId), plannedStart: p.start },
        };
      }),
  };
}

describe('re-planning from now', () => {
  it('keeps every promise and every started or past visit', async () => {
    await fc.assert(
      fc.asyncProperty(dayArb, async (spec) => {
        const problem = await bookedDay(spec);
        const rows = new Map(
          problem.visits.map((v, i) => [
            v.id,
            { progress: spec.started[i] ? 'on_site' : 'planned' } as VisitRow,
          ]),
        );
        const day = { date: DATE, problem, visitRows: rows } as unknown as DayProblem;
        const now = spec.nowMinutes * 60;
        const today = freezeAt(day, now);
        const result = await planRoutes(today.problem, {
          timeLimitMs: 2000,
          seed: spec.seed,
          maxIterations: 40,
          setPartitioning: false,
          threads: 1,
        });
        const before = currentPlan(problem);
        const plan = withoutAnchors(result.plan);
        // No promise broken, nothing the booked day kept is broken now.
        expect(checkPlan(problem, plan).filter((v) => v.code === 'window')).toEqual([]);
        expect(newViolations(problem, plan, before)).toEqual([]);
        const was = placements(before);
        const is = placements(plan);
        for (const id of today.frozen) expect(is.get(id)).toEqual(was.get(id));
        for (const [id, p] of is) if (!today.frozen.has(id)) expect(p.start).toBeGreaterThanOrEqual(now);
        // A visit booked for later is still served (the optimiser never drops a promise it can keep).
        expect([...was.keys()].filter((id) => !is.has(id))).toEqual([]);
      }),
      { numRuns: 30, seed: 16 },
    );
  }, 120_000);
});
