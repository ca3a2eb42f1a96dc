/**
 * The benchmark's realistic scenario (Haversine floats, fixed lunch, 2-hour
 * grid): its booked plan is valid, and every slot offered for a sample of
 * requests books into a plan checkPlan accepts. No timing here: speed is the
 * benchmark's business.
 */
import { describe, expect, it } from 'vitest';
import { SIZES, generateRequests, generateScenario } from '../../benchmarks/scenario.js';
import { checkPlan } from '../../solver/check.js';
import { currentPlan, insertVisit, offerSlots, prepareSlotIndex } from '../../solver/slots.js';

describe('benchmark scenario S', () => {
  const scenario = generateScenario(SIZES.S, 3);
  const { problem } = scenario;
  const index = prepareSlotIndex(problem);

  it('books the requested number of visits into a valid plan', () => {
    expect(problem.visits).toHaveLength(500);
    expect(checkPlan(problem, currentPlan(problem, index), { requireAll: true })).toEqual([]);
  });

  it('every offered window books into a valid plan, on real-looking travel times', () => {
    let checked = 0;
    for (const request of generateRequests(scenario, 15, 4)) {
      const offers = offerSlots(problem, request, { index });
      for (const offer of offers) {
        const done = insertVisit(problem, request, offer.window, offer.technicianId, {
          index,
          visitId: 'new',
        });
        expect(done).not.toBeNull();
        expect(done!.plannedStart).toBeCloseTo(offer.plannedStart, 6);
        expect(checkPlan({ ...problem, visits: [...problem.visits, done!.visit] }, done!.plan)).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
