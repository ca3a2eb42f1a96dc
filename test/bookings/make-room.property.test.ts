/**
 * A property of make-room through HTTP, on real PostgreSQL: on a busy zone booked in any order,
 * every window /v1/slots offers — make-room ones (needsMoves) included — books right away, and no
 * sequence of bookings leaves a plan that breaks a promise (checkPlan over the final rows).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPlan } from '../../solver/check.js';
import { currentPlan } from '../../solver/slots.js';
import { buildDayProblem } from '../../src/domain/planning/day-problem.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bookingPayload } from '../helpers/booking.js';
import { movableDay } from './make-room-fixture.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
});
afterAll(async () => t?.close());

const DAYS = ['2026-03-30', '2026-03-31'];
type OfferedWindow = { start: string; end: string; needsMoves?: true };

describe('make-room windows are bookable', () => {
  it('books whatever is offered, in any order, and every plan keeps its promises', async () => {
    let run = 0;
    let booked = 0;
    let withMoves = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ heatPump: fc.boolean(), day: fc.nat(1), pick: fc.nat() }), {
          minLength: 3,
          maxLength: 9,
        }),
        async (requests) => {
          const f = await movableDay(t.testDb.handle.db, {
            suffix: `prop${run}`,
            postcode: `74${String(run++).padStart(3, '0')}`,
            day: DAYS[0]!,
          });
          for (const r of requests) {
            const serviceId = r.heatPump ? f.heatPumpServiceId : f.repairServiceId;
            const day = DAYS[r.day]!;
            const res = await t.app.inject({
              method: 'GET',
              url: `/v1/slots?serviceId=${serviceId}&postcode=${f.postcode}&from=${day}&to=${day}`,
            });
            expect(res.statusCode).toBe(200);
            const windows = (res.json().days as { windows: OfferedWindow[] }[]).flatMap((d) => d.windows);
            if (windows.length === 0) continue;
            const w = windows[r.pick % windows.length]!;
            const created = await t.app.inject({
              method: 'POST',
              url: '/v1/bookings',
              headers: { 'idempotency-key': randomUUID() },
              payload: bookingPayload(
                serviceId,
                { start: w.start, end: w.end },
                f.postcode,
                w.needsMoves ? { needsMoves: true } : {},
              ),
            });
            expect(
              created.statusCode,
              `${w.start} ${w.needsMoves ?? ''}: ${created.body.slice(0, 200)}`,
            ).toBe(201);
            booked++;
            if (w.needsMoves) withMoves++;
          }
          for (const day of DAYS) {
            const built = await buildDayProblem(t.testDb.handle.db, day, {
              technicianIds: [f.heatPumpTechnician.id, f.electrician.id],
            });
            expect(
              checkPlan(built.problem, currentPlan(built.problem), { requireAll: true, epsilon: 0.01 }),
            ).toEqual([]);
          }
        },
      ),
      { numRuns: Number(process.env.SLOT_RUNS ?? 12), seed: 20261215 },
    );
    expect(withMoves).toBeGreaterThan(0);
    console.log(`make-room property: ${booked} booked, ${withMoves} by making room`);
  });
});
