import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentPlan } from '../../solver/slots.js';
import { checkPlan } from '../../solver/check.js';
import type { Violation } from '../../solver/problem.js';
import { buildDayProblem } from '../../src/domain/planning/day-problem.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload } from '../helpers/booking.js';

/**
 * End to end, through HTTP: any window the slots endpoint offers can be
 * booked right away, across services, postal codes and the days around the
 * March 2026 clock change — make-room windows (needsMoves) booked as marked —;
 * and no booking ever overlaps another or leaves its promised window.
 */
type OfferedWindow = { start: string; end: string; needsMoves?: true };
const windowsOf = (body: { days: { windows: OfferedWindow[] }[] }) => body.days.flatMap((d) => d.windows);
/** The booking sends the mark back: it may then move visits to take the window. */
const asOffered = (w: OfferedWindow) => ({
  window: { start: w.start, end: w.end },
  ...(w.needsMoves ? { needsMoves: true } : {}),
});
let t: TestApp;
let services: { id: string; slug: string }[];
let postcodes: string[];
const DAYS = [
  '2026-03-26',
  '2026-03-27',
  '2026-03-30',
  '2026-03-31',
  '2026-04-01',
  '2026-04-02',
  '2026-04-03',
];
/** What each day's plan already broke before the bookings (seeded data): no booking may add to it. */
const baseline = new Map<string, Set<string>>();

const key = (v: Violation) => `${v.code}|${v.visitId ?? ''}|${v.technicianId ?? ''}`;
/** Each day's plan as the rows say, judged to the millisecond the database keeps. */
async function violationsOf(day: string): Promise<Violation[]> {
  const built = await buildDayProblem(t.testDb.handle.db, day);
  return checkPlan(built.problem, currentPlan(built.problem), { epsilon: 0.01 });
}

/** The rules each day's plan breaks now that it did not break before. */
async function brokenPromises(): Promise<Violation[]> {
  const broken = [];
  for (const day of DAYS)
    broken.push(...(await violationsOf(day)).filter((v) => !baseline.get(day)!.has(key(v))));
  return broken;
}

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
  services = (await t.app.inject({ method: 'GET', url: '/v1/services' })).json().services;
  postcodes = (
    await t.testDb.handle.db.selectFrom('zone_postcodes').select('postcode').distinct().execute()
  ).map((r) => r.postcode);
  for (const day of DAYS) baseline.set(day, new Set((await violationsOf(day)).map(key)));
});
afterAll(async () => t?.close());

describe('offered windows are bookable', () => {
  it('books whatever /v1/slots offers, and the table stays free of overlaps', async () => {
    let booked = 0;
    let empty = 0;
    let withMoves = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: services.length - 1 }),
        fc.integer({ min: 0, max: postcodes.length - 1 }),
        fc.constantFrom('2026-03-26', '2026-03-27', '2026-03-30', '2026-03-31', '2026-04-01'),
        fc.nat(),
        async (s, p, from, pick) => {
          const service = services[s]!;
          const postcode = postcodes[p]!;
          const res = await t.app.inject({
            method: 'GET',
            url: `/v1/slots?serviceId=${service.id}&postcode=${postcode}&from=${from}&to=2026-04-03`,
          });
          expect(res.statusCode).toBe(200);
          const windows = windowsOf(res.json());
          if (windows.length === 0) {
            empty++;
            return;
          }
          const window = windows[pick % windows.length]!;
          if (window.needsMoves) withMoves++;
          const created = await book(t.app, bookingPayload(service.id, window, postcode, asOffered(window)), {
            pow: false,
          });
          expect(
            created.statusCode,
            `${service.slug} ${postcode} ${window.start}: ${created.body.slice(0, 200)}`,
          ).toBe(201);
          booked++;
          const row = await t.testDb.handle.db
            .selectFrom('visits')
            .selectAll()
            .where('id', '=', created.json().booking.id)
            .executeTakeFirstOrThrow();
          expect(row.planned_start.getTime()).toBeGreaterThanOrEqual(Date.parse(window.start));
          expect(row.planned_start.getTime()).toBeLessThanOrEqual(Date.parse(window.end));
        },
      ),
      { numRuns: Number(process.env.SLOT_RUNS ?? 40), seed: 20260329 },
    );
    const overlaps = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM visits a JOIN visits b
        ON a.technician_id = b.technician_id AND a.id < b.id AND a.status = 'booked' AND b.status = 'booked'
       AND tstzrange(a.planned_start, a.planned_end) && tstzrange(b.planned_start, b.planned_end)`.execute(
      t.testDb.handle.db,
    );
    expect(overlaps.rows[0]!.n).toBe(0);
    expect(await brokenPromises()).toEqual([]);
    expect(booked).toBeGreaterThan(10);
    console.log(
      `offered windows: ${booked} booked (${withMoves} by making room), ${empty} queries with no window`,
    );
  });

  it('with holds: a client with no live hold can hold any window offered to it, and every offered window books', async () => {
    let held = 0;
    let booked = 0;
    const holdsOf = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: services.length - 1 }),
        fc.integer({ min: 0, max: postcodes.length - 1 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.nat(),
        async (s, p, who, holdFirst, pick) => {
          const service = services[s]!;
          const postcode = postcodes[p]!;
          const client = `10.9.0.${who}`;
          const res = await t.app.inject({
            method: 'GET',
            url: `/v1/slots?serviceId=${service.id}&postcode=${postcode}&from=2026-03-30&to=2026-04-03`,
            remoteAddress: client,
          });
          expect(res.statusCode).toBe(200);
          const windows = windowsOf(res.json());
          if (windows.length === 0) return;
          const window = windows[pick % windows.length]!;
          // A make-room window is not held (the widget books it straight away): a hold moves nobody.
          if (holdFirst && !holdsOf.has(client) && !window.needsMoves) {
            const h = await t.app.inject({
              method: 'POST',
              url: '/v1/holds',
              payload: { serviceId: service.id, window: asOffered(window).window, postcode },
              remoteAddress: client,
            });
            expect(h.statusCode, `${service.slug} ${postcode} ${window.start}: ${h.body.slice(0, 200)}`).toBe(
              201,
            );
            holdsOf.set(client, h.json().id);
            held++;
            return;
          }
          const created = await t.app.inject({
            method: 'POST',
            url: '/v1/bookings',
            payload: bookingPayload(service.id, window, postcode, asOffered(window)),
            headers: { 'idempotency-key': `prop-${Date.now()}-${Math.random().toString(36).slice(2)}` },
            remoteAddress: client,
          });
          expect(
            created.statusCode,
            `${service.slug} ${postcode} ${window.start}: ${created.body.slice(0, 200)}`,
          ).toBe(201);
          // Booking released whatever this client held.
          holdsOf.delete(client);
          booked++;
        },
      ),
      { numRuns: Number(process.env.SLOT_RUNS ?? 40), seed: 20261201 },
    );
    expect(await brokenPromises()).toEqual([]);
    expect(held).toBeGreaterThan(3);
    expect(booked).toBeGreaterThan(3);
    console.log(`offered windows with holds: ${held} held, ${booked} booked`);
  });
});
