import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, manageTokenOf, slotsFor } from '../helpers/booking.js';

/** Issue 18 item 8: the .ics link reads, never changes; the manage token travels only in a header. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
});
afterAll(async () => t?.close());

describe('booking calendar token', () => {
  it('the .ics token reads the calendar but cannot cancel; the manage token works only in X-Manage-Token', async () => {
    const service = await firstService(t.app, 'depannage');
    const days = await slotsFor(t.app, service.id, '69003');
    const created = await book(t.app, bookingPayload(service.id, days[1]!.windows[0]!, '69003'), {
      pow: false,
    });
    expect(created.statusCode).toBe(201);
    const { booking, icsUrl, manageUrl } = created.json();
    const calendarToken = decodeURIComponent(icsUrl.split('token=')[1]);
    const manageToken = manageTokenOf(manageUrl);
    expect(calendarToken).not.toBe(manageToken);

    const ics = await t.app.inject({ method: 'GET', url: icsUrl.replace(/^https?:\/\/[^/]+/, '') });
    expect(ics.statusCode).toBe(200);
    expect(ics.body).toContain('BEGIN:VCALENDAR');

    const cancelWith = (headers: Record<string, string>, query = '') =>
      t.app.inject({ method: 'POST', url: `/v1/bookings/${booking.id}/cancel${query}`, headers });
    // What a calendar service that fetched the .ics holds cannot cancel the visit…
    expect((await cancelWith({ 'x-manage-token': calendarToken })).statusCode).toBe(404);
    expect((await cancelWith({}, `?token=${encodeURIComponent(calendarToken)}`)).statusCode).toBe(404);
    // …and the manage token is not taken from a URL any more, only from the header.
    expect((await cancelWith({}, `?token=${encodeURIComponent(manageToken)}`)).statusCode).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/bookings/${booking.id}?token=${encodeURIComponent(manageToken)}`,
        })
      ).statusCode,
    ).toBe(404);
    const cancelled = await cancelWith({ 'x-manage-token': manageToken });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
  });
});
