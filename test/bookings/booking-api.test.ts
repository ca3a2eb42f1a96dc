import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import {
  book,
  bookingPayload,
  firstService,
  slotsFor,
  solvedPow,
  manageTokenOf,
} from '../helpers/booking.js';

let t: TestApp;
let depannage: { id: string; name: string };

beforeAll(async () => {
  // Low proof-of-work difficulty keeps the suite fast; the rule is the same.
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '8' } });
  depannage = await firstService(t.app, 'depannage');
});
afterAll(async () => t?.close());

const countVisits = async () =>
  (
    await t.testDb.handle.db
      .selectFrom('visits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;

describe('GET /v1/services', () => {
  it('lists active services with duration and window length', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/services' });
    expect(res.statusCode).toBe(200);
    const services = res.json().services;
    expect(services.length).toBe(7);
    expect(services[0]).toHaveProperty('durationMinutes');
    expect(services[0]).toHaveProperty('windowMinutes');
  });
});

describe('GET /v1/slots', () => {
  it('offers windows grouped by day, with offsets, and no technician data', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${depannage.id}&postcode=69003`,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.city).toBe('Lyon 3e');
    expect(body.days.length).toBeGreaterThan(3);
    for (const day of body.days) {
      for (const w of day.windows) {
        expect(w.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
        expect(w.start.slice(0, 10)).toBe(day.date);
      }
    }
    expect(res.body).not.toMatch(/technician|Julien|Sophie/i);
  });

  it('keeps 08:00 local across the March clock change', async () => {
    const days = await slotsFor(t.app, depannage.id, '69003', '&from=2026-03-27&to=2026-03-31');
    const starts = days.flatMap((d) => d.windows.map((w) => w.start));
    expect(starts).toContain('2026-03-27T08:00:00+01:00');
    expect(starts).toContain('2026-03-30T08:00:00+02:00');
    expect(starts.some((s) => s.startsWith('2026-03-28') || s.startsWith('2026-03-29'))).toBe(false);
  });

  it('answers an unserved postcode with no days and a reason naming the areas served, not an error', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${depannage.id}&postcode=75001`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ postcode: '75001', days: [], reason: { code: 'zone-not-served' } });
    expect(res.json().reason.servedAreas).toContain('Lyon intra-muros');
  });

  it.each([
    ['serviceId=nope&postcode=69003', 'query.serviceId', 400],
    [`serviceId=${randomUUID()}&postcode=69003`, 'query.serviceId', 422],
    ['serviceId=SERVICE&postcode=6900', 'query.postcode', 400],
    ['serviceId=SERVICE&postcode=69003&from=2026-03-26&to=2026-06-30', 'query.to', 400],
    ['serviceId=SERVICE&postcode=69003&from=2026-03-30&to=2026-03-26', 'query.to', 400],
    ['serviceId=SERVICE&postcode=69003&lat=45.7', 'query.lon', 400],
    ['serviceId=SERVICE&postcode=69003&from=2026-02-30', 'query.from', 400],
  ])('rejects %s naming %s', async (query, field, status) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?${query.replace('SERVICE', depannage.id)}`,
    });
    expect(res.statusCode).toBe(status);
    expect(res.json().field).toBe(field);
  });
});

describe('POST /v1/bookings', () => {
  it('books an offered window, returns manage and .ics links, and the window is then taken by that visit', async () => {
    const [day] = await slotsFor(t.app, depannage.id, '69003');
    const window = day!.windows[0]!;
    const res = await book(t.app, bookingPayload(depannage.id, window, '69003'));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    // The offer may carry more than the window itself (withinChangeCutoff); the booking keeps start and end.
    expect(body.booking).toMatchObject({
      status: 'booked',
      window: { start: window.start, end: window.end },
      service: { id: depannage.id },
    });
    expect(body.booking.reference).toMatch(/^DE-[A-Z0-9]{6}$/);
    expect(body.manageUrl).toMatch(/\/manage#/);
    expect(body.manageUrl).not.toContain(`/${body.booking.id}/`);
    expect(body.icsUrl).toMatch(/\/v1\/bookings\/.+\/calendar\.ics\?token=/);
    const row = await t.testDb.handle.db
      .selectFrom('visits')
      .selectAll()
      .where('id', '=', body.booking.id)
      .executeTakeFirstOrThrow();
    expect(row.channel).toBe('web');
    expect(row.booked_by).toBe('web');
    expect(row.planned_start.getTime()).toBeGreaterThanOrEqual(Date.parse(window.start));
    expect(row.planned_start.getTime()).toBeLessThanOrEqual(Date.parse(window.end));
  });

  it('returns the same booking for the same Idempotency-Key, never a second one', async () => {
    const [, day] = await slotsFor(t.app, depannage.id, '69100');
    const payload = {
      ...bookingPayload(depannage.id, day!.windows[0]!, '69100'),
      pow: await solvedPow(t.app),
    };
    const key = randomUUID();
    const before = await countVisits();
    const first = await book(t.app, payload, { key, pow: false });
    const second = await book(t.app, payload, { key, pow: false });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().booking.id).toBe(first.json().booking.id);
    expect(await countVisits()).toBe(before + 1);
    const other = await book(t.app, { ...payload, notes: 'different' }, { key, pow: false });
    expect(other.statusCode).toBe(422);
    expect(other.json().field).toBe('headers.idempotency-key');
  });

  it('refuses a replayed proof of work and a missing one', async () => {
    const [day] = await slotsFor(t.app, depannage.id, '69007');
    const pow = await solvedPow(t.app);
    const ok = await book(
      t.app,
      { ...bookingPayload(depannage.id, day!.windows.at(-1)!, '69007'), pow },
      { pow: false },
    );
    expect(ok.statusCode).toBe(201);
    const replay = await book(
      t.app,
      { ...bookingPayload(depannage.id, day!.windows[0]!, '69007'), pow },
      { pow: false },
    );
    expect(replay.statusCode).toBe(422);
    expect(replay.json().field).toBe('body.pow');
    const missing = await book(t.app, bookingPayload(depannage.id, day!.windows[0]!, '69007'), {
      pow: false,
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().field).toBe('body.pow');
  });

  it('refuses a window that is not on the grid', async () => {
    const res = await book(
      t.app,
      bookingPayload(
        depannage.id,
        { start: '2026-03-30T08:15:00+02:00', end: '2026-03-30T10:15:00+02:00' },
        '69003',
      ),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().field).toBe('body.window');
  });

  it('refuses a window inside the minimum notice for the public, allows it for the desk', async () => {
    const soon = { start: '2026-03-25T10:00:00+01:00', end: '2026-03-25T12:00:00+01:00' };
    const tooSoon = await book(t.app, bookingPayload(depannage.id, soon, '69003'));
    expect(tooSoon.statusCode).toBe(422);
    const desk = await book(
      t.app,
      { ...bookingPayload(depannage.id, soon, '69003'), channel: 'phone' },
      { headers: bearer(t.tokens.agent), pow: false },
    );
    expect([201, 409]).toContain(desk.statusCode);
    if (desk.statusCode === 201) {
      const row = await t.testDb.handle.db
        .selectFrom('visits')
        .selectAll()
        .where('id', '=', desk.json().booking.id)
        .executeTakeFirstOrThrow();
      expect(row.channel).toBe('phone');
      expect(row.booked_by).toBe('agent:test agent');
    }
  });

  it.each([
    [{ customer: { name: 'A', phone: '123', email: 'a@b.fr' } }, 'body.customer.phone'],
    [{ customer: { name: '', phone: '0612345678' } }, 'body.customer.name'],
    [{ customer: { name: 'A', phone: '0612345678', email: 'not-an-email' } }, 'body.customer.email'],
    [{ address: { line: 'x', postcode: 'ABCDE', city: 'Lyon' } }, 'body.address.postcode'],
    [{ consent: false }, 'body.consent'],
    [{ serviceId: 'x' }, 'body.serviceId'],
    [{ window: { start: 'tomorrow', end: 'later' } }, 'body.window.start'],
    [{ notes: 'x'.repeat(5000) }, 'body.notes'],
    [{ address: { line: 'x', postcode: '75001', city: 'Paris' } }, 'body.address.postcode'],
  ])('rejects bad input %#, naming the field, writing nothing', async (override, field) => {
    const [day] = await slotsFor(t.app, depannage.id, '69003');
    const before = await countVisits();
    const res = await book(t.app, bookingPayload(depannage.id, day!.windows[0]!, '69003', override));
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().field).toBe(field);
    expect(await countVisits()).toBe(before);
  });

  it('requires an Idempotency-Key', async () => {
    const [day] = await slotsFor(t.app, depannage.id, '69003');
    const payload = {
      ...bookingPayload(depannage.id, day!.windows[0]!, '69003'),
      pow: await solvedPow(t.app),
    };
    const res = await t.app.inject({ method: 'POST', url: '/v1/bookings', payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('headers.idempotency-key');
  });

  it('rejects a filled honeypot', async () => {
    const [day] = await slotsFor(t.app, depannage.id, '69003');
    const res = await book(
      t.app,
      bookingPayload(depannage.id, day!.windows[0]!, '69003', { website: 'http://spam' }),
    );
    expect(res.statusCode).toBe(422);
  });
});

describe('managing a booking', () => {
  it('reads, reschedules (version bump) and cancels with the manage token only', async () => {
    const days = await slotsFor(t.app, depannage.id, '69006');
    const created = (await book(t.app, bookingPayload(depannage.id, days[1]!.windows[0]!, '69006'))).json();
    const token = manageTokenOf(created.manageUrl);
    const id = created.booking.id;

    expect((await t.app.inject({ method: 'GET', url: `/v1/bookings/${id}` })).statusCode).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/bookings/${id}`,
          headers: { 'x-manage-token': 'mng_wrong' },
        })
      ).statusCode,
    ).toBe(404);
    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/bookings/${id}`,
      headers: { 'x-manage-token': token },
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().version).toBe(1);

    const target = days[2]!.windows.at(-1)!;
    const moved = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${id}/reschedule`,
      headers: { 'x-manage-token': token },
      payload: { window: target },
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().window).toEqual(target);
    expect(moved.json().version).toBe(2);

    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${id}/cancel`,
      headers: { 'x-manage-token': token },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
    expect(cancelled.json().version).toBe(3);
    const again = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${id}/cancel`,
      headers: { 'x-manage-token': token },
    });
    expect(again.json().status).toBe('cancelled');
  });
});

describe('GET /v1/admin/visits', () => {
  it('lists visits by range and searches by customer name or phone', async () => {
    const all = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/visits?from=2026-03-30&to=2026-04-04',
      headers: bearer(t.tokens.agent),
    });
    expect(all.statusCode).toBe(200);
    const visits = all.json().visits;
    expect(visits.length).toBeGreaterThan(20);
    expect(visits[0]).toHaveProperty('technician.name');
    const name = visits[0].customer.name.split(' ')[1];
    const byName = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/visits?q=${encodeURIComponent(name)}`,
      headers: bearer(t.tokens.agent),
    });
    expect(
      byName.json().visits.every((v: { customer: { name: string } }) => v.customer.name.includes(name)),
    ).toBe(true);
    const phone = visits[0].customer.phone.replace(/\s/g, '');
    const byPhone = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/visits?q=${phone}`,
      headers: bearer(t.tokens.agent),
    });
    expect(byPhone.json().visits.map((v: { id: string }) => v.id)).toContain(visits[0].id);
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/visits' })).statusCode).toBe(401);
  });
});
