import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solveChallenge } from '../../src/domain/challenge.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bookingPayload, firstService, slotsFor, type Slot } from '../helpers/booking.js';

/**
 * Issue 18 item 5: one client cannot fill the calendar. Daily caps per customer and per client
 * address, a proof of work that grows with the client's recent bookings, and the admin's count of
 * what was refused; a real customer booking meanwhile pays the base proof of work and books.
 */
const SCRIPT = '203.0.113.7';
const REAL_CUSTOMER = '198.51.100.20';

async function challengeFor(t: TestApp, ip: string) {
  const res = await t.app.inject({ method: 'GET', url: '/v1/challenge', remoteAddress: ip });
  expect(res.statusCode).toBe(200);
  return res.json() as { challenge: string; difficulty: number };
}

async function bookFrom(t: TestApp, ip: string, payload: Record<string, unknown>) {
  const { challenge, difficulty } = await challengeFor(t, ip);
  return t.app.inject({
    method: 'POST',
    url: '/v1/bookings',
    remoteAddress: ip,
    headers: { 'idempotency-key': randomUUID() },
    payload: { ...payload, pow: { challenge, nonce: solveChallenge(challenge, difficulty) } },
  });
}

/** Free windows of the depannage service in 69003, one per booking. */
async function windows(t: TestApp, n: number): Promise<{ serviceId: string; windows: Slot[] }> {
  const service = await firstService(t.app, 'depannage');
  const days = await slotsFor(t.app, service.id, '69003');
  // One window per day, so bookings never compete for a technician's time.
  const picked = days.map((d) => d.windows[0]!).slice(0, n);
  expect(picked).toHaveLength(n);
  return { serviceId: service.id, windows: picked };
}

const stranger = (i: number) => ({
  customer: {
    name: `Client ${i}`,
    phone: `07 00 ${String(Math.floor(i / 100)).padStart(2, '0')} ${String(i % 100).padStart(2, '0')} 11`,
    email: `c${i}@example.fr`,
  },
});

describe('booking guards', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        TOURNEE_POW_DIFFICULTY: '8',
        TOURNEE_POW_ESCALATION_BITS: '2',
        TOURNEE_BOOKING_CAP_PER_CLIENT: '4',
        TOURNEE_BOOKING_CAP_PER_CUSTOMER: '3',
      },
    });
  });
  afterAll(async () => t?.close());

  it('a scripted client pays more for each booking, stops at its daily cap, while a real customer pays the base and books', async () => {
    const { serviceId, windows: free } = await windows(t, 7);
    const difficulties: number[] = [];
    for (let i = 0; i < 4; i++) {
      difficulties.push((await challengeFor(t, SCRIPT)).difficulty);
      const res = await bookFrom(t, SCRIPT, bookingPayload(serviceId, free[i]!, '69003', stranger(i)));
      expect(res.statusCode).toBe(201);
    }
    expect(difficulties).toEqual([8, 10, 12, 14]);

    const refused = await bookFrom(t, SCRIPT, bookingPayload(serviceId, free[4]!, '69003', stranger(4)));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('booking-cap-client');

    // Meanwhile, from elsewhere: the base proof of work, and the booking goes through.
    expect((await challengeFor(t, REAL_CUSTOMER)).difficulty).toBe(8);
    const real = await bookFrom(t, REAL_CUSTOMER, bookingPayload(serviceId, free[5]!, '69003'));
    expect(real.statusCode).toBe(201);
  });

  it('a challenge solved before the client booked again is too weak afterwards', async () => {
    const { serviceId, windows: free } = await windows(t, 9);
    const ip = '203.0.113.99';
    const early = await challengeFor(t, ip);
    expect(early.difficulty).toBe(8);
    expect(
      (await bookFrom(t, ip, bookingPayload(serviceId, free[7]!, '69003', stranger(40)))).statusCode,
    ).toBe(201);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/bookings',
      remoteAddress: ip,
      headers: { 'idempotency-key': randomUUID() },
      payload: {
        ...bookingPayload(serviceId, free[8]!, '69003', stranger(41)),
        pow: { challenge: early.challenge, nonce: solveChallenge(early.challenge, early.difficulty) },
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('pow-too-weak');
  });

  it('one customer, however the phone is written and wherever they book from, stops at the cap; the desk still books for them', async () => {
    const service = await firstService(t.app, 'prises-eclairage');
    const days = await slotsFor(t.app, service.id, '69006');
    const free = days.map((d) => d.windows.at(-1)!);
    const phones = ['06 55 44 33 22', '+33 6 55 44 33 22', '0033655443322', '0655443322'];
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < phones.length; i++) {
      last = await bookFrom(
        t,
        `192.0.2.${10 + i}`,
        bookingPayload(service.id, free[i]!, '69006', {
          customer: { name: 'Lucie Garnier', phone: phones[i], email: null },
        }),
      );
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(last!.json()).toMatchObject({ code: 'booking-cap-customer', field: 'body.customer.phone' });

    const desk = await t.app.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: { 'idempotency-key': randomUUID(), authorization: `Bearer ${t.tokens.agent}` },
      payload: bookingPayload(service.id, free[3]!, '69006', {
        customer: { name: 'Lucie Garnier', phone: '06 55 44 33 22' },
        channel: 'phone',
      }),
    });
    expect(desk.statusCode).toBe(201);
  });

  it('the admin sees what was refused, per day and rule, with no personal data; an agent may not', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/refusals',
      headers: { authorization: `Bearer ${t.tokens.admin}` },
    });
    expect(res.statusCode).toBe(200);
    const view = res.json();
    expect(view.totals).toMatchObject({
      'booking-cap-client': 1,
      'booking-cap-customer': 1,
      'pow-too-weak': 1,
    });
    expect(view.guards).toEqual({ capPerCustomer: 3, capPerClient: 4, powBaseBits: 8, powEscalationBits: 2 });
    expect(res.body).not.toMatch(/Garnier|55 44|203\.0\.113/);

    const agent = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/refusals',
      headers: { authorization: `Bearer ${t.tokens.agent}` },
    });
    expect(agent.statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/refusals?from=2026-12-09&to=2026-12-01',
      headers: { authorization: `Bearer ${t.tokens.admin}` },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('query.from');
  });

  it('the windows carry a base challenge that books once; a client with recent bookings is sent to GET /v1/challenge', async () => {
    const service = await firstService(t.app, 'depannage');
    const serviceId = service.id;
    // The last window of two days: the other tests of this file book the first ones.
    const free = (await slotsFor(t.app, serviceId, '69003')).slice(0, 2).map((d) => d.windows.at(-1)!);
    const ip = '203.0.113.150';
    const slotsWithChallenge = async (headers: Record<string, string> = {}) => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/slots?serviceId=${serviceId}&postcode=69003`,
        remoteAddress: ip,
        headers,
      });
      expect(res.statusCode).toBe(200);
      return res;
    };
    const first = await slotsWithChallenge();
    expect(first.headers['cache-control']).toBe('no-store');
    const offered = first.json().challenge as { challenge: string; difficulty: number; expiresAt: string };
    expect(offered.difficulty).toBe(8);
    // A new one with every answer, though the windows are the same remembered answer.
    const second = (await slotsWithChallenge()).json();
    expect(second.challenge.challenge).not.toBe(offered.challenge);
    expect(second.days).toEqual(first.json().days);
    // The desk books without a proof of work: no challenge in its answers.
    const desk = await slotsWithChallenge({ authorization: `Bearer ${t.tokens.agent}` });
    expect(desk.json().challenge).toBeUndefined();

    const bookWith = (pow: { challenge: string; difficulty: number }, window: Slot, who: number, from = ip) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/bookings',
        remoteAddress: from,
        headers: { 'idempotency-key': randomUUID() },
        payload: {
          ...bookingPayload(serviceId, window, '69003', stranger(who)),
          pow: { challenge: pow.challenge, nonce: solveChallenge(pow.challenge, pow.difficulty) },
        },
      });
    expect((await bookWith(offered, free[0]!, 60)).statusCode).toBe(201);
    // Spent: the same challenge does not book twice (from an address with no booking yet, whose base it meets).
    const replayed = await bookWith(offered, free[1]!, 61, '203.0.113.151');
    expect(replayed.statusCode).toBe(422);
    expect(replayed.json().code).toBe('pow-replayed');
    // This client booked in the last hour: the windows' base challenge is too weak for it now, and
    // GET /v1/challenge, which counts its bookings, gives the one that books.
    const weak = await bookWith((await slotsWithChallenge()).json().challenge, free[1]!, 61);
    expect(weak.statusCode).toBe(422);
    expect(weak.json()).toMatchObject({ code: 'pow-too-weak', field: 'body.pow' });
    const harder = await challengeFor(t, ip);
    expect(harder.difficulty).toBe(10);
    expect((await bookWith(harder, free[1]!, 61)).statusCode).toBe(201);
  });
});

describe('booking caps under concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        TOURNEE_POW_DIFFICULTY: '8',
        TOURNEE_POW_ESCALATION_BITS: '0',
        TOURNEE_BOOKING_CAP_PER_CLIENT: '3',
        TOURNEE_BOOKING_CAP_PER_CUSTOMER: '0',
      },
    });
  });
  afterAll(async () => t?.close());

  it('eight bookings sent at once by one client: exactly the cap goes through', async () => {
    const { serviceId, windows: free } = await windows(t, 8);
    const results = await Promise.all(
      free.map((w, i) => bookFrom(t, SCRIPT, bookingPayload(serviceId, w, '69003', stranger(100 + i)))),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
  });
});
