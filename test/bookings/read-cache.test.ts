import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, slotsFor } from '../helpers/booking.js';
import { lonelyTechnician } from '../helpers/fixtures.js';

/**
 * Slot queries reuse working hours and booked routes from memory until a
 * change commits (migration 0019's triggers, probed by every slot request);
 * a booking never reuses anything. A window offered a moment before an
 * absence was entered is refused with fresh alternatives, and the next slot
 * answer no longer offers the day.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0', TOURNEE_READ_CACHE_MS: '60000' } });
});
afterAll(async () => t?.close());

describe('read cache for slot queries', () => {
  it('a window offered before an absence is refused with alternatives; the next answer follows the absence', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'cache');
    const days = await slotsFor(t.app, solo.serviceId, solo.postcode, '&from=2026-03-30&to=2026-03-30');
    expect(days[0]!.windows[0]).toEqual({
      start: '2026-03-30T08:00:00+02:00',
      end: '2026-03-30T10:00:00+02:00',
    });

    await t.testDb.handle.db
      .insertInto('availability_exceptions')
      .values({
        technician_id: solo.technicianId,
        kind: 'absence',
        starts_at: '2026-03-30T00:00:00+02:00',
        ends_at: '2026-03-31T00:00:00+02:00',
        reason: 'malade',
      })
      .execute();

    const res = await book(t.app, bookingPayload(solo.serviceId, days[0]!.windows[0]!, solo.postcode), {
      pow: false,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().alternatives.days.some((d: { date: string }) => d.date === '2026-03-30')).toBe(false);
    expect(await slotsFor(t.app, solo.serviceId, solo.postcode, '&from=2026-03-30&to=2026-03-30')).toEqual(
      [],
    );
  });
});
