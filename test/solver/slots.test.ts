import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { currentPlan, insertVisit, offerSlots, prepareSlotIndex } from '../../solver/slots.js';
import type {
  Place,
  Problem,
  Shift,
  SlotRequest,
  Technician,
  TravelModel,
  Visit,
} from '../../solver/problem.js';

/** Places on a line, x = key; travel time = distance = |Δx| (minutes as seconds, for readability). */
const line: TravelModel = {
  time: (a, b) => Math.abs(a.key - b.key),
  distance: (a, b) => Math.abs(a.key - b.key),
};
const at = (x: number): Place => ({ key: x, lat: 0, lon: x });
const H = 60;

/** 08:00–12:00 / 13:30–17:30 as one shift with a fixed lunch, in minutes from midnight of day `d`. */
function day(d: number): Shift {
  const o = d * 24 * H;
  return {
    id: `day${d}`,
    interval: { start: o + 8 * H, end: o + 17.5 * H },
    breaks: [{ earliestStart: o + 12 * H, latestStart: o + 12 * H, duration: 90 }],
  };
}
function tech(id: string, over: Partial<Technician> = {}): Technician {
  return { id, skills: ['elec'], start: at(0), end: at(0), shifts: [day(0), day(1)], ...over };
}
function booked(
  id: string,
  x: number,
  techId: string,
  shiftId: string,
  plannedStart: number,
  window: [number, number],
  over: Partial<Visit> = {},
): Visit {
  return {
    id,
    place: at(x),
    duration: 60,
    window: { start: window[0], end: window[1] },
    skills: [],
    assigned: { technicianId: techId, shiftId, plannedStart },
    ...over,
  };
}
const grid = (d: number) => {
  const o = d * 24 * H;
  return [
    [8, 10],
    [10, 12],
    [13.5, 15.5],
    [15.5, 17.5],
  ].map(([a, b]) => ({ start: o + a! * H, end: o + b! * H }));
};
function request(x: number, over: Partial<SlotRequest> = {}): SlotRequest {
  return { place: at(x), duration: 60, skills: ['elec'], windows: [...grid(0), ...grid(1)], ...over };
}

describe('offerSlots', () => {
  it('offers every grid window on an empty calendar, none tight, ranked by cost', () => {
    const p: Problem = { technicians: [tech('T1')], visits: [], travel: line };
    const offers = offerSlots(p, request(20));
    expect(offers).toHaveLength(8);
    expect(offers.every((o) => !o.tight && o.addedTravel === 40)).toBe(true);
    for (let i = 1; i < offers.length; i++)
      expect(offers[i]!.cost).toBeGreaterThanOrEqual(offers[i - 1]!.cost);
  });

  it('respects the fixed lunch: a 3-hour job cannot start in the 10–12 window', () => {
    const p: Problem = { technicians: [tech('T1')], visits: [], travel: line };
    const offers = offerSlots(p, request(5, { duration: 180, windows: grid(0) }));
    const starts = offers.map((o) => o.window.start / H);
    // 08:00 + 5 → 08:05–11:05 fits before lunch; 10:00 start would cross 12:00; afternoon windows fit, 15:30+3h+5 does not.
    expect(starts.sort((x, y) => x - y)).toEqual([8, 13.5]);
  });

  it('moves a booked visit within its window to make room, but never a pinned one', () => {
    // A booked at 08:10 at x=10, window 08:00–10:00. A new 90-min job at x=10 in 08:00–10:00 fits only if A slides to 09:40.
    const a = booked('A', 10, 'T1', 'day0', 8 * H + 10, [8 * H, 10 * H]);
    const t = tech('T1', { shifts: [day(0)] });
    const p: Problem = { technicians: [t], visits: [a], travel: line };
    const req = request(10, { duration: 90, windows: [grid(0)[0]!] });
    const [offer] = offerSlots(p, req);
    expect(offer?.plannedStart).toBe(8 * H + 10);
    const done = insertVisit(p, req, grid(0)[0]!, 'T1', { visitId: 'N' })!;
    expect(done.moved).toEqual([{ visitId: 'A', from: 8 * H + 10, to: 8 * H + 10 + 90 }]);
    expect(checkPlan({ ...p, visits: [a, done.visit] }, done.plan)).toEqual([]);

    const pinned: Problem = { technicians: [t], visits: [{ ...a, pinned: true }], travel: line };
    // Pinned at 08:10: the new job can only go after it (09:10 + travel 0 = 09:10, within 08:00–10:00).
    const [after] = offerSlots(pinned, req);
    expect(after?.plannedStart).toBe(9 * H + 10);
    expect(insertVisit(pinned, req, grid(0)[0]!, 'T1')!.moved).toEqual([]);
  });

  it('marks tight the insertions next to existing work, and prefers them', () => {
    const p: Problem = {
      technicians: [
        tech('T1', { shifts: [day(0)] }),
        tech('T2', { shifts: [day(0)], start: at(100), end: at(100) }),
      ],
      visits: [booked('A', 100, 'T2', 'day0', 9 * H, [8 * H, 10 * H])],
      travel: line,
    };
    const offers = offerSlots(p, request(102, { windows: grid(0) }));
    const morning = offers.find((o) => o.window.start === 10 * H)!;
    expect(morning.technicianId).toBe('T2');
    expect(morning.tight).toBe(true);
    expect(morning.addedTravel).toBe(4);
  });

  it('only offers technicians with every skill, within the requested ones', () => {
    const p: Problem = {
      technicians: [tech('T1'), tech('T2', { skills: ['elec', 'irve'] })],
      visits: [],
      travel: line,
    };
    expect(new Set(offerSlots(p, request(5, { skills: ['irve'] })).map((o) => o.technicianId))).toEqual(
      new Set(['T2']),
    );
    expect(offerSlots(p, request(5, { skills: ['irve'], technicianIds: ['T1'] }))).toEqual([]);
    expect(
      new Set(offerSlots(p, request(5, { technicianIds: ['T1', 'ghost'] })).map((o) => o.technicianId)),
    ).toEqual(new Set(['T1']));
  });

  it('refuses a window that would break a later promise', () => {
    // B is promised 10:00–10:30 at x=0; a 60-min job at x=30 in 08:00–10:00 that starts at 09:30 would make B late.
    const b = booked('B', 0, 'T1', 'day0', 10 * H, [10 * H, 10.5 * H], { pinned: false });
    const p: Problem = { technicians: [tech('T1', { shifts: [day(0)] })], visits: [b], travel: line };
    const offers = offerSlots(p, request(30, { windows: [{ start: 9.5 * H, end: 10 * H }] }));
    // 09:30 + 60 + 30 travel = 11:00 > 10:30, and after B: 11:00 + 30 = 11:30 > 10:00 window end.
    expect(offers).toEqual([]);
    expect(insertVisit(p, request(30), { start: 9.5 * H, end: 10 * H })).toBeNull();
  });

  it('gives the same answer with a prepared index, and rejects an index for another problem', () => {
    const p: Problem = {
      technicians: [tech('T1')],
      visits: [booked('A', 10, 'T1', 'day1', 24 * H + 9 * H, [24 * H + 8 * H, 24 * H + 10 * H])],
      travel: line,
    };
    const index = prepareSlotIndex(p);
    expect(offerSlots(p, request(12), { index })).toEqual(offerSlots(p, request(12)));
    expect(() => offerSlots({ ...p }, request(12), { index })).toThrow(/another Problem/);
    expect(() => offerSlots(p, request(12, { duration: -1 }))).toThrow(RangeError);
  });

  it('currentPlan turns bookings into a plan checkPlan accepts, lunch included', () => {
    const p: Problem = {
      technicians: [tech('T1')],
      visits: [
        booked('A', 10, 'T1', 'day0', 11 * H, [10 * H, 12 * H]),
        booked('B', 20, 'T1', 'day0', 13.5 * H + 10, [13.5 * H, 15.5 * H]),
        { id: 'C', place: at(3), duration: 30, window: { start: 0, end: 1e6 }, skills: [] },
      ],
      travel: line,
    };
    const plan = currentPlan(p);
    expect(plan.unassigned).toEqual(['C']);
    expect(plan.routes).toHaveLength(1);
    expect(plan.routes[0]!.breakStarts).toEqual([12 * H]);
    expect(checkPlan(p, plan)).toEqual([]);
  });
});
