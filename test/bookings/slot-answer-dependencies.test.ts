/**
 * Remembered slot answers and make-room results (src/domain/slot-answers.ts) are forgotten when a
 * technician-day they read changes, and only then: a booking for technician T on day D changes the
 * answers that read (T, D), and the others are still served from memory. Hits are counted on the
 * cache's own metric (tournee_slot_cache_total), never timed; every answer, remembered or not, is
 * the one the same query computes from fresh reads.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedReads } from '../../src/domain/slot-reads.js';
import { findSlots, type SlotAnswer, type SlotQuery } from '../../src/domain/slots.js';
import { slotCache } from '../../src/observability/metrics.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bookingPayload } from '../helpers/booking.js';
import { lonelyTechnician } from '../helpers/fixtures.js';
import { movableDay, type MovableDay } from './make-room-fixture.js';

let t: TestApp;
let reads: CachedReads;
let a: { technicianId: string; serviceId: string; postcode: string };
let b: { technicianId: string; serviceId: string; postcode: string };
let m: MovableDay;

const NOW = new Date('2026-03-25T07:00:00Z');
const db = () => t.testDb.handle.db;

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
  // Two technicians alone with a service each, in postal codes of their own: neither's bookings touch
  // the routes the other's answers read. (Sharing one, a full day's make-room search for one would
  // read the other's day too, as whoever could take a visit off them: seed 1883950755 found it.)
  a = await lonelyTechnician(db(), 'deps-a', '38000');
  b = await lonelyTechnician(db(), 'deps-b', '38100');
  m = await movableDay(db(), { suffix: 'deps', postcode: '73190', day: '2026-04-08' });
  // The slot reads of an instance with its read cache on, as the service builds them.
  reads = new CachedReads(db(), 60_000);
});
afterAll(async () => t?.close());

function query(serviceId: string, postcode: string, from: string, to: string): SlotQuery {
  return { serviceId, address: { postcode }, from, to, now: NOW, holds: { now: NOW } };
}

async function counters(): Promise<Record<string, number>> {
  const metric = await slotCache.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.event), v.value]));
}

/** The answer through the cache, whether it came from memory (answer and make-room), and the fresh answer. */
async function ask(
  q: SlotQuery,
): Promise<{ answer: SlotAnswer; hit: boolean; roomHits: number; roomMisses: number }> {
  const before = await counters();
  const answer = await findSlots(db(), q, reads);
  const after = await counters();
  const delta = (event: string) => (after[event] ?? 0) - (before[event] ?? 0);
  expect(delta('answer_hit') + delta('answer_miss')).toBe(1);
  expect(answer).toEqual(await findSlots(db(), q));
  return {
    answer,
    hit: delta('answer_hit') === 1,
    roomHits: delta('room_hit'),
    roomMisses: delta('room_miss'),
  };
}

const starts = (answer: SlotAnswer) => answer.days.flatMap((d) => d.windows.map((w) => w.start));
const window = (day: string, hhmm: string) => {
  const end = `${String(Number(hhmm.slice(0, 2)) + 2).padStart(2, '0')}${hhmm.slice(2)}`;
  return { start: `${day}T${hhmm}:00+02:00`, end: `${day}T${end}:00+02:00` };
};

async function book(
  who: { serviceId: string; postcode: string },
  w: { start: string; end: string },
): Promise<{ status: number; id?: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/bookings',
    headers: { 'idempotency-key': randomUUID() },
    payload: bookingPayload(who.serviceId, w, who.postcode),
  });
  return { status: res.statusCode, id: res.statusCode === 201 ? res.json().booking.id : undefined };
}

describe('remembered answers follow the technician-days they read', () => {
  it('a booking for T on D recomputes the answers that read (T, D) and leaves the others remembered', async () => {
    const day = '2026-04-07';
    const far = '2026-04-21';
    const near = query(a.serviceId, a.postcode, day, day);
    const later = query(a.serviceId, a.postcode, far, far);
    const other = query(b.serviceId, b.postcode, day, day);
    for (const q of [near, later, other]) expect((await ask(q)).hit).toBe(false);
    for (const q of [near, later, other]) expect((await ask(q)).hit).toBe(true);
    const w = window(day, '08:00');
    expect(starts((await ask(near)).answer)).toContain(w.start);

    expect((await book(a, w)).status).toBe(201);

    const afterNear = await ask(near);
    expect(afterNear.hit).toBe(false);
    expect(starts(afterNear.answer)).not.toContain(w.start);
    // The same technician two weeks later, and another technician on that very day: from memory.
    expect((await ask(later)).hit).toBe(true);
    const afterOther = await ask(other);
    expect(afterOther.hit).toBe(true);
    expect(starts(afterOther.answer)).toContain(w.start);
  });

  it('make-room results are kept per search, reused by a recomputed answer, and follow a visit starting', async () => {
    const day = '2026-04-08';
    const oneDay = query(m.heatPumpServiceId, m.postcode, day, day);
    const week = query(m.heatPumpServiceId, m.postcode, day, '2026-04-15');
    const first = await ask(oneDay);
    expect(first).toMatchObject({ hit: false, roomMisses: 1, roomHits: 0 });
    const moved = first.answer.days.flatMap((d) => d.windows).filter((w) => w.needsMoves);
    expect(moved.length).toBeGreaterThan(0);
    // The week's answer searches the same full day (its first): the same make-room result.
    expect(await ask(week)).toMatchObject({ hit: false, roomMisses: 0, roomHits: 1 });

    // A heat-pump visit booked the next Monday: the week's answer read that day, the make-room
    // search (the full day only) and the one-day answer did not.
    expect(
      (await book({ serviceId: m.heatPumpServiceId, postcode: m.postcode }, window('2026-04-13', '08:00')))
        .status,
    ).toBe(201);
    expect(await ask(week)).toMatchObject({ hit: false, roomMisses: 0, roomHits: 1 });
    expect(await ask(oneDay)).toMatchObject({ hit: true, roomMisses: 0, roomHits: 0 });

    // A repair on the full day starts (progress, migration 0020): it may no longer be moved.
    await sql`UPDATE visits SET progress = 'en_route', progress_at = now() WHERE id = ${m.repairs[0]!.id}`.execute(
      db(),
    );
    const started = await ask(oneDay);
    expect(started).toMatchObject({ hit: false, roomMisses: 1 });
    expect(await ask(week)).toMatchObject({ hit: false, roomMisses: 0, roomHits: 1 });
  });
});

describe('property: remembered answers equal fresh ones, and only the read technician-days forget', () => {
  const DAYS = ['2026-05-04', '2026-05-05', '2026-05-06', '2026-05-11', '2026-05-12'];
  const QUERIES = [
    ['2026-05-04', '2026-05-04'],
    ['2026-05-11', '2026-05-12'],
    ['2026-05-04', '2026-05-12'],
  ] as const;
  const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;

  it('after any sequence of bookings and cancellations', async () => {
    const booked: { tech: 'a' | 'b'; day: string; id: string }[] = [];
    const who = { a: () => a, b: () => b };
    const all = (['a', 'b'] as const).flatMap((tech) =>
      QUERIES.map(([from, to]) => ({
        tech,
        from,
        to,
        q: query(who[tech]().serviceId, who[tech]().postcode, from, to),
      })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            tech: fc.constantFrom('a' as const, 'b' as const),
            day: fc.constantFrom(...DAYS),
            hhmm: fc.constantFrom('08:00', '10:00', '13:30', '15:30'),
            cancel: fc.boolean(),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (steps) => {
          for (const { q } of all) await ask(q);
          for (const step of steps) {
            let changed = false;
            const mine = booked.findIndex((x) => x.tech === step.tech && x.day === step.day);
            if (step.cancel && mine >= 0) {
              const [gone] = booked.splice(mine, 1);
              await sql`UPDATE visits SET status = 'cancelled', cancelled_at = now() WHERE id = ${gone!.id}`.execute(
                db(),
              );
              changed = true;
            } else {
              const res = await book(who[step.tech](), window(step.day, step.hhmm));
              expect([201, 409, 422]).toContain(res.status);
              if (res.id) {
                booked.push({ tech: step.tech, day: step.day, id: res.id });
                changed = true;
              }
            }
            for (const { tech, from, to, q } of all) {
              const { hit } = await ask(q);
              const d = dayNumber(step.day);
              if (tech !== step.tech) expect(hit).toBe(true);
              else if (changed && d >= dayNumber(from) && d <= dayNumber(to)) expect(hit).toBe(false);
              else if (d >= dayNumber(to) + 3 || d <= dayNumber(from) - 3) expect(hit).toBe(true);
            }
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});
