/**
 * The calendars follow a booking through the public API: booked, rescheduled, cancelled — the
 * customer's .ics, the technician's feed and the team feed, read with ical.js and node-ical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor, manageTokenOf } from '../helpers/booking.js';
import { feedTokenOf, TEST_TEAM_FEED_TOKEN } from '../helpers/database.js';
import { parseBoth } from './ics-check.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '8' } });
});
afterAll(async () => t?.close());

const db = () => t.testDb.handle.db;
const path = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

async function calendarAt(url: string) {
  const res = await t.app.inject({ method: 'GET', url });
  expect(res.statusCode, res.body).toBe(200);
  return { parsed: parseBoth(res.body), etag: String(res.headers.etag), body: res.body };
}

async function feedsOf(visitId: string) {
  const visit = await db()
    .selectFrom('visits')
    .selectAll()
    .where('id', '=', visitId)
    .executeTakeFirstOrThrow();
  return {
    visit,
    technicianFeed: await calendarAt(`/v1/feeds/technicians/${feedTokenOf(visit.technician_id)}.ics`),
    teamFeed: await calendarAt(`/v1/feeds/team/${TEST_TEAM_FEED_TOKEN}.ics`),
  };
}

describe('a booking through the API, in every calendar', () => {
  it('booked, rescheduled and cancelled: windows, planned times, SEQUENCE and STATUS follow', async () => {
    const service = await firstService(t.app, 'depannage');
    const days = await slotsFor(t.app, service.id, '69007');
    const created = await book(
      t.app,
      bookingPayload(service.id, days[1]!.windows[0]!, '69007', {
        customer: { name: 'Gaspard Privé', phone: '06 98 76 54 32', email: 'gaspard@example.fr' },
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const { booking, icsUrl, manageUrl } = created.json() as {
      booking: { id: string; reference: string };
      icsUrl: string;
      manageUrl: string;
    };
    const token = manageTokenOf(manageUrl);
    const uid = `visit-${booking.id}@127.0.0.1`;

    // Booked.
    const ics1 = await calendarAt(path(icsUrl));
    const feeds1 = await feedsOf(booking.id);
    const customerEvent1 = ics1.parsed.events.get(uid)!;
    expect(customerEvent1.start.toISOString()).toBe(feeds1.visit.window_start.toISOString());
    expect(customerEvent1.end.toISOString()).toBe(feeds1.visit.window_end.toISOString());
    expect(customerEvent1.sequence).toBe(0);
    const techEvent1 = feeds1.technicianFeed.parsed.events.get(uid)!;
    expect(techEvent1.start.toISOString()).toBe(feeds1.visit.planned_start.toISOString());
    expect(techEvent1.end.toISOString()).toBe(feeds1.visit.planned_end.toISOString());
    expect(techEvent1.description).toContain('06 98 76 54 32');
    expect(feeds1.teamFeed.parsed.events.get(uid)!.start.toISOString()).toBe(
      feeds1.visit.planned_start.toISOString(),
    );
    expect(feeds1.teamFeed.body).not.toContain('Gaspard');
    expect(feeds1.teamFeed.body).not.toContain('06 98 76 54 32');
    expect(ics1.body).not.toContain('06 98 76 54 32');
    expect(ics1.body).not.toContain('Code porte');

    // Rescheduled by the customer to another day.
    const target = days[2]!.windows.at(-1)!;
    const moved = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/reschedule`,
      headers: { 'x-manage-token': token },
      payload: { window: target },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const ics2 = await calendarAt(path(icsUrl));
    const feeds2 = await feedsOf(booking.id);
    const customerEvent2 = ics2.parsed.events.get(uid)!;
    expect(customerEvent2.sequence).toBe(1);
    expect(customerEvent2.start.toISOString()).toBe(new Date(target.start).toISOString());
    expect(customerEvent2.end.toISOString()).toBe(new Date(target.end).toISOString());
    expect(ics2.etag).not.toBe(ics1.etag);
    const techEvent2 = feeds2.technicianFeed.parsed.events.get(uid)!;
    expect(techEvent2.sequence).toBe(1);
    expect(techEvent2.start.toISOString()).toBe(feeds2.visit.planned_start.toISOString());
    expect(techEvent2.start.getTime()).not.toBe(techEvent1.start.getTime());
    expect(feeds2.teamFeed.parsed.events.get(uid)!.sequence).toBe(1);
    if (feeds2.visit.technician_id !== feeds1.visit.technician_id) {
      // Reassigned by the reschedule: gone from the first technician's feed.
      const oldToken = feedTokenOf(feeds1.visit.technician_id);
      expect((await calendarAt(`/v1/feeds/technicians/${oldToken}.ics`)).parsed.events.has(uid)).toBe(false);
    }

    // Cancelled.
    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: { 'x-manage-token': token },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const ics3 = await calendarAt(path(icsUrl));
    const feeds3 = await feedsOf(booking.id);
    for (const event of [
      ics3.parsed.events.get(uid)!,
      feeds3.technicianFeed.parsed.events.get(uid)!,
      feeds3.teamFeed.parsed.events.get(uid)!,
    ]) {
      expect(event.status).toBe('CANCELLED');
      expect(event.sequence).toBe(2);
    }
    expect(ics3.parsed.events.get(uid)!.description).toContain('annulé');
  });
});
