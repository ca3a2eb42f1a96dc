/**
 * The day as read from the database, re-timed before make-room searches it (src/domain/room/heal.ts):
 * planned times truncated to the millisecond, or off by minutes, on a route the room does not touch
 * must not veto the room; a route no timetable fits is left out and put back for judging.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { makeRoom } from '../../solver/make-room.js';
import type { Place, Problem, SlotRequest, Technician, Visit } from '../../solver/problem.js';
import { currentPlan } from '../../solver/slots.js';
import { healDay, wholeDay } from '../../src/domain/room/heal.js';

const H = 3600;
/** Places on a line; driving takes a little more than |Δx| seconds, so exact starts are fractional. */
const line = {
  time: (a: Place, b: Place) => Math.abs(a.key - b.key) * 60 * 1.000411,
  distance: (a: Place, b: Place) => Math.abs(a.key - b.key),
};
const at = (x: number): Place => ({ key: x, lat: 0, lon: x });
const shift = { id: 'd', interval: { start: 8 * H, end: 17.5 * H } };
const tech = (id: string, skills: string[]): Technician => ({
  id,
  skills,
  start: at(0),
  end: at(0),
  shifts: [shift],
});
/** A start as the database gives it back: truncated to the millisecond. */
const stored = (s: number) => Math.floor(s * 1000) / 1000;
const visit = (
  id: string,
  x: number,
  technicianId: string,
  start: number,
  window: [number, number],
): Visit => ({
  id,
  place: at(x),
  duration: H,
  window: { start: window[0], end: window[1] },
  skills: ['elec'],
  assigned: { technicianId, shiftId: 'd', plannedStart: start },
});

/**
 * The heat-pump technician's morning is taken by a repair the electrician could do; a third
 * technician's day, which no room needs, has starts as the database stores them.
 */
function day(thirdStart: number): Problem {
  return {
    // The third technician does fire alarms only: neither a source nor a target of the room.
    technicians: [tech('pac', ['elec', 'pac']), tech('sparky', ['elec']), tech('third', ['ssi'])],
    visits: [
      { ...visit('repair', 7, 'pac', stored(8 * H + 7 * 60 * 1.000411), [8 * H, 10 * H]), duration: 3.5 * H },
      { ...visit('far', 9, 'third', thirdStart, [8 * H, 10 * H]), skills: ['ssi'] },
    ],
    travel: line,
  };
}
const heatPump: SlotRequest = {
  place: at(3),
  duration: 2 * H,
  skills: ['pac'],
  windows: [{ start: 8 * H, end: 10 * H }],
};
const morning = heatPump.windows[0]!;

describe('the day re-timed before make-room', () => {
  it('a millisecond-truncated route elsewhere no longer vetoes the room', () => {
    const asRead = day(stored(8 * H + 9 * 60 * 1.000411));
    expect(checkPlan(asRead, currentPlan(asRead)).map((v) => v.visitId)).toContain('far');
    // As read, that route alone vetoes every room.
    expect(makeRoom(asRead, heatPump, morning)).toBeNull();
    const healed = healDay(asRead);
    expect(checkPlan(healed.problem, currentPlan(healed.problem))).toEqual([]);
    const room = makeRoom(healed.problem, heatPump, morning)!;
    expect(room).not.toBeNull();
    expect(room.moves.map((m) => m.visitId)).toEqual(['repair']);
    // Judged as the rows stand (to the ms the database keeps), the whole day breaks nothing.
    expect(checkPlan(room.problem, wholeDay(room.plan, healed), { epsilon: 0.01 })).toEqual([]);
  });

  it('a route no timetable fits is left out of the search and put back for judging', () => {
    // Planned at 08:00, 9 minutes' drive from home, in a window that closes a minute after 08:00:
    // no timetable fits that route (a row written under another travel model).
    const asRead = day(8 * H);
    asRead.visits[1] = { ...asRead.visits[1]!, window: { start: 8 * H, end: 8 * H + 60 } };
    const healed = healDay(asRead);
    expect(healed.problem.technicians.map((t) => t.id)).toEqual(['pac', 'sparky']);
    expect(healed.leftOut.map((r) => r.technicianId)).toEqual(['third']);
    const room = makeRoom(healed.problem, heatPump, morning)!;
    expect(room.moves[0]!.to.technicianId).toBe('sparky');
    const whole = wholeDay(room.plan, healed);
    expect(whole.routes.find((r) => r.technicianId === 'third')!.stops).toEqual([
      { visitId: 'far', start: 8 * H },
    ]);
  });

  it('re-timing keeps every visit in its window, pinned ones exactly, and moves none to another route', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: fc.integer({ min: 1, max: 30 }), slot: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.boolean(),
        (stops, pinFirst) => {
          // One technician's day: visits of 1 h, each in its own 2 h window, planned as early as the
          // drive allows and stored to the millisecond.
          const visits: Visit[] = [];
          let free = 8 * H;
          let here = 0;
          for (const [i, s] of [...stops].sort((a, b) => a.slot - b.slot).entries()) {
            const windowStart = Math.max(8 * H + s.slot * 2 * H, free);
            const start = Math.max(windowStart, free + line.time(at(here), at(s.x)));
            const v = visit(`v${i}`, s.x, 'solo', stored(start), [windowStart, windowStart + 2 * H]);
            visits.push(i === 0 && pinFirst ? { ...v, pinned: true } : v);
            free = start + H;
            here = s.x;
          }
          const problem: Problem = {
            technicians: [
              { ...tech('solo', ['elec']), shifts: [{ id: 'd', interval: { start: 8 * H, end: 20 * H } }] },
            ],
            visits,
            travel: line,
          };
          const healed = healDay(problem);
          if (healed.leftOut.length > 0) return; // a pinned first stop the drive cannot reach in time
          expect(checkPlan(healed.problem, currentPlan(healed.problem))).toEqual([]);
          for (const v of healed.problem.visits) {
            const before = problem.visits.find((o) => o.id === v.id)!;
            expect(v.assigned!.technicianId).toBe('solo');
            expect(Math.abs(v.assigned!.plannedStart - before.assigned!.plannedStart)).toBeLessThan(0.001);
            if (before.pinned) expect(v.assigned!.plannedStart).toBe(before.assigned!.plannedStart);
          }
        },
      ),
      { numRuns: 200, seed: 20261201 },
    );
  });
});
