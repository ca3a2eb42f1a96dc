import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { makeRoom, makeRoomForWindows } from '../../solver/make-room.js';
import type {
  Place,
  Problem,
  Shift,
  SlotRequest,
  Technician,
  TravelModel,
  Visit,
} from '../../solver/problem.js';
import { currentPlan, offerSlots } from '../../solver/slots.js';
import { busyDay, requestsForDay } from '../../benchmarks/busy-day.js';

/** Places on a line, x = key; travel time = |Δx| (minutes as seconds, for readability). */
const line: TravelModel = {
  time: (a, b) => Math.abs(a.key - b.key),
  distance: (a, b) => Math.abs(a.key - b.key),
};
const at = (x: number): Place => ({ key: x, lat: 0, lon: x });
const H = 60;
const shift: Shift = {
  id: 'day0',
  interval: { start: 8 * H, end: 17.5 * H },
  breaks: [{ earliestStart: 12 * H, latestStart: 12 * H, duration: 90 }],
};
const tech = (id: string, skills: string[], home = 0): Technician => ({
  id,
  skills,
  start: at(home),
  end: at(home),
  shifts: [shift],
});
const morning = { start: 8 * H, end: 10 * H };

function problem(over: Partial<Visit> = {}): Problem {
  // The heat-pump technician's morning is taken by a long repair anyone could do.
  const repair: Visit = {
    id: 'repair',
    place: at(5),
    duration: 3.5 * H,
    window: morning,
    skills: ['elec'],
    assigned: { technicianId: 'pac-tech', shiftId: 'day0', plannedStart: 8 * H + 5 },
    ...over,
  };
  return {
    technicians: [tech('pac-tech', ['elec', 'pac']), tech('sparky', ['elec'])],
    visits: [repair],
    travel: line,
  };
}
const heatPump: SlotRequest = { place: at(3), duration: 2 * H, skills: ['pac'], windows: [morning] };

describe('makeRoom', () => {
  it('moves a booked visit to another technician, inside its own window, to free the morning', () => {
    const p = problem();
    expect(offerSlots(p, heatPump)).toEqual([]);
    const room = makeRoom(p, heatPump, morning)!;
    expect(room).not.toBeNull();
    expect(room.technicianId).toBe('pac-tech');
    expect(room.moves).toEqual([
      {
        visitId: 'repair',
        from: { technicianId: 'pac-tech', shiftId: 'day0', plannedStart: 8 * H + 5 },
        to: expect.objectContaining({ technicianId: 'sparky', shiftId: 'day0' }),
      },
    ]);
    const moved = room.moves[0]!.to.plannedStart;
    expect(moved >= morning.start && moved <= morning.end).toBe(true);
    expect(checkPlan(room.problem, room.plan, { requireAll: true })).toEqual([]);
    // The new visit itself arrives in the window it was asked for.
    expect(room.plannedStart >= morning.start && room.plannedStart <= morning.end).toBe(true);
  });

  it('needs no move when the window is free as the day stands', () => {
    const p = problem();
    const afternoon = { start: 13.5 * H, end: 15.5 * H };
    const room = makeRoom(p, { ...heatPump, windows: [afternoon] }, afternoon)!;
    expect(room.moves).toEqual([]);
    expect(room.technicianId).toBe('pac-tech');
    expect(checkPlan(room.problem, room.plan, { requireAll: true })).toEqual([]);
  });

  it('moves two visits down a chain when no single move frees the window', () => {
    // Only pac-tech can do the heat pump; its morning repair needs an EV-charger technician,
    // whose own morning is full with a job anyone can do, and the third technician is free.
    const charger: Visit = {
      id: 'charger',
      place: at(5),
      duration: 3.5 * H,
      window: morning,
      skills: ['irve'],
      assigned: { technicianId: 'pac-tech', shiftId: 'day0', plannedStart: 8 * H + 5 },
    };
    const socket: Visit = {
      id: 'socket',
      place: at(4),
      duration: 3.5 * H,
      window: morning,
      skills: ['elec'],
      assigned: { technicianId: 'irve-tech', shiftId: 'day0', plannedStart: 8 * H + 4 },
    };
    const p: Problem = {
      technicians: [
        tech('pac-tech', ['elec', 'pac', 'irve']),
        tech('irve-tech', ['elec', 'irve']),
        tech('helper', ['elec']),
      ],
      visits: [charger, socket],
      travel: line,
    };
    expect(offerSlots(p, heatPump)).toEqual([]);
    expect(makeRoom(p, heatPump, morning, { maxMoves: 1 })).toBeNull();
    const room = makeRoom(p, heatPump, morning)!;
    expect(room.technicianId).toBe('pac-tech');
    expect(room.moves.map((m) => [m.visitId, m.from.technicianId, m.to.technicianId])).toEqual([
      ['charger', 'pac-tech', 'irve-tech'],
      ['socket', 'irve-tech', 'helper'],
    ]);
    expect(checkPlan(room.problem, room.plan, { requireAll: true })).toEqual([]);
  });

  it('of the ways with fewest moves, takes the one that adds the least driving', () => {
    const repair: Visit = {
      id: 'repair',
      place: at(5),
      duration: 2.5 * H,
      window: morning,
      skills: ['elec'],
      assigned: { technicianId: 'pac-tech', shiftId: 'day0', plannedStart: 8 * H + 5 },
    };
    const p: Problem = {
      technicians: [
        tech('pac-tech', ['elec', 'pac']),
        tech('far', ['elec'], 50),
        tech('next-door', ['elec'], 5),
      ],
      visits: [repair],
      travel: line,
    };
    expect(offerSlots(p, heatPump)).toEqual([]);
    const room = makeRoom(p, heatPump, morning)!;
    expect(room.moves).toHaveLength(1);
    expect(room.moves[0]!.to.technicianId).toBe('next-door');
  });

  it('is not stopped by a route elsewhere that already breaks a rule, and adds no fault of its own', () => {
    const clash = (id: string): Visit => ({
      id,
      place: at(20),
      duration: H,
      window: morning,
      skills: ['irve'],
      assigned: { technicianId: 'irve-only', shiftId: 'day0', plannedStart: 9 * H },
    });
    const base = problem();
    // Two visits at the same time on a route nobody here touches (as a desk booking could leave it).
    const p: Problem = {
      ...base,
      technicians: [...base.technicians, tech('irve-only', ['irve'])],
      visits: [...base.visits, clash('first'), clash('second')],
    };
    const before = checkPlan(p, currentPlan(p));
    expect(before.map((v) => v.code)).toContain('overlap');
    const room = makeRoom(p, heatPump, morning)!;
    expect(room.moves.map((m) => m.visitId)).toEqual(['repair']);
    expect(checkPlan(room.problem, room.plan)).toEqual(before);
  });

  it('never moves a pinned visit, nor one no other technician may take', () => {
    expect(makeRoom(problem({ pinned: true }), heatPump, morning)).toBeNull();
    expect(makeRoom(problem({ skills: ['pac'] }), heatPump, morning)).toBeNull();
  });

  it('on a busy day: every room made keeps every promise, with at most 3 moves', () => {
    const day = busyDay(3);
    const requests = requestsForDay(day, 40, 5);
    let made = 0;
    for (const request of requests) {
      const offered = new Set(offerSlots(day.problem, request).map((o) => o.window.start));
      for (const window of request.windows) {
        if (offered.has(window.start)) continue;
        const room = makeRoom(day.problem, request, window);
        if (!room) continue;
        made++;
        expect(room.moves.length).toBeGreaterThan(0);
        expect(room.moves.length).toBeLessThanOrEqual(3);
        expect(checkPlan(room.problem, room.plan, { requireAll: true })).toEqual([]);
        const before = new Map(day.problem.visits.map((v) => [v.id, v]));
        for (const v of room.problem.visits) {
          const was = before.get(v.id);
          if (!was) continue;
          expect(v.window).toEqual(was.window);
          if (was.pinned) expect(v.assigned).toEqual(was.assigned);
        }
      }
    }
    expect(made).toBeGreaterThan(0);
  });

  it('on a busy day: a day of windows at once gives what one window at a time gives', () => {
    const day = busyDay(2);
    for (const request of requestsForDay(day, 8, 7)) {
      const one = request.windows.map((w) => makeRoom(day.problem, request, w));
      expect(makeRoomForWindows(day.problem, request, request.windows)).toEqual(one);
    }
  });
});
