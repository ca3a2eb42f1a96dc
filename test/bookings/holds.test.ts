import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/http/server.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { bookingPayload } from '../helpers/booking.js';
import { lonelyTechnician } from '../helpers/fixtures.js';
import { randomUUID } from 'node:crypto';

let t: TestApp;
/** A second instance on the same database whose clock the tests move (hold expiry). */
let later: FastifyInstance;
let clock = new Date('2026-03-25T07:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
  later = await buildServer(t.config, { database: t.testDb.handle, logger: false, clock: () => clock });
  await later.ready();
});
afterAll(async () => {
  await later?.close();
  await t?.close();
});

const morning = (day: string) => ({ start: `${day}T08:00:00+02:00`, end: `${day}T10:00:00+02:00` });

function hold(
  client: string,
  body: { serviceId: string; window: { start: string; end: string }; postcode: string },
  app: FastifyInstance = t.app,
) {
  return app.inject({ method: 'POST', url: '/v1/holds', payload: body, remoteAddress: client });
}

function bookAs(
  client: string,
  payload: Record<string, unknown>,
  app: FastifyInstance = t.app,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/v1/bookings',
    payload,
    remoteAddress: client,
    headers: { 'idempotency-key': randomUUID(), ...headers },
  });
}

async function windowsSeenBy(client: string, serviceId: string, postcode: string, day: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/slots?serviceId=${serviceId}&postcode=${postcode}&from=${day}&to=${day}`,
    remoteAddress: client,
  });
  expect(res.statusCode).toBe(200);
  return (res.json().days as { windows: { start: string }[] }[]).flatMap((d) =>
    d.windows.map((w) => w.start),
  );
}

describe('holds', () => {
  it('keeps a window for its client: others no longer see it nor book it; the holder books it with the hold', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'hold-basic');
    const day = '2026-03-30';
    const res = await hold('10.0.0.1', {
      serviceId: solo.serviceId,
      window: morning(day),
      postcode: solo.postcode,
    });
    expect(res.statusCode).toBe(201);
    const held = res.json();
    expect(held.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(held.expiresAt).getTime()).toBe(new Date('2026-03-25T07:05:00Z').getTime());

    expect(await windowsSeenBy('10.0.0.1', solo.serviceId, solo.postcode, day)).toContain(morning(day).start);
    expect(await windowsSeenBy('10.0.0.2', solo.serviceId, solo.postcode, day)).not.toContain(
      morning(day).start,
    );

    const payload = bookingPayload(solo.serviceId, morning(day), solo.postcode);
    const other = await bookAs('10.0.0.2', payload);
    expect(other.statusCode).toBe(409);
    expect(other.json().alternatives.days.length).toBeGreaterThan(0);

    const mine = await bookAs('10.0.0.1', { ...payload, holdId: held.id });
    expect(mine.statusCode).toBe(201);
    const row = await t.testDb.handle.db
      .selectFrom('holds')
      .select('released_at')
      .where('id', '=', held.id)
      .executeTakeFirstOrThrow();
    expect(row.released_at).not.toBeNull();
  });

  it('a released or expired hold frees the window; a booking with an expired hold books while the window is free', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'hold-free');
    const day = '2026-03-31';
    const body = { serviceId: solo.serviceId, window: morning(day), postcode: solo.postcode };
    const first = (await hold('10.0.1.1', body)).json();
    expect(await windowsSeenBy('10.0.1.2', solo.serviceId, solo.postcode, day)).not.toContain(
      morning(day).start,
    );
    const released = await t.app.inject({
      method: 'DELETE',
      url: `/v1/holds/${first.id}`,
      remoteAddress: '10.0.1.1',
    });
    expect(released.statusCode).toBe(204);
    expect(await windowsSeenBy('10.0.1.2', solo.serviceId, solo.postcode, day)).toContain(morning(day).start);

    const second = (await hold('10.0.1.1', body)).json();
    clock = new Date('2026-03-25T07:06:00Z'); // past the 5 minutes
    const seen = await later.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${solo.serviceId}&postcode=${solo.postcode}&from=${day}&to=${day}`,
      remoteAddress: '10.0.1.2',
    });
    expect(JSON.stringify(seen.json().days)).toContain(morning(day).start);
    const booked = await bookAs(
      '10.0.1.1',
      { ...bookingPayload(solo.serviceId, morning(day), solo.postcode), holdId: second.id },
      later,
    );
    expect(booked.statusCode).toBe(201);
    clock = new Date('2026-03-25T07:00:00Z');
  });

  it('a booking with an expired hold gets alternatives when someone else took the window meanwhile', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'hold-late');
    const day = '2026-04-01';
    const held = (
      await hold('10.0.2.1', { serviceId: solo.serviceId, window: morning(day), postcode: solo.postcode })
    ).json();
    clock = new Date('2026-03-25T07:06:00Z');
    const payload = bookingPayload(solo.serviceId, morning(day), solo.postcode);
    expect((await bookAs('10.0.2.2', payload, later)).statusCode).toBe(201);
    const late = await bookAs('10.0.2.1', { ...payload, holdId: held.id }, later);
    expect(late.statusCode).toBe(409);
    expect(late.json().alternatives.days.length).toBeGreaterThan(0);
    clock = new Date('2026-03-25T07:00:00Z');
  });

  it('renews once, keeps at most two live holds per client, and hides holds from other clients (404)', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'hold-limits');
    const body = (day: string) => ({
      serviceId: solo.serviceId,
      window: morning(day),
      postcode: solo.postcode,
    });
    const first = await hold('10.0.3.1', body('2026-04-07'));
    expect(first.statusCode).toBe(201);
    const a = first.json();
    // Asking again for the same window keeps the same hold.
    expect((await hold('10.0.3.1', body('2026-04-07'))).json().id).toBe(a.id);
    expect((await hold('10.0.3.1', body('2026-04-08'))).statusCode).toBe(201);
    const third = await hold('10.0.3.1', body('2026-04-09'));
    expect(third.statusCode).toBe(429);
    expect(third.json().code).toBe('too-many-holds');

    const renew = (client: string) =>
      t.app.inject({ method: 'POST', url: `/v1/holds/${a.id}/renew`, remoteAddress: client });
    expect((await renew('10.0.3.9')).statusCode).toBe(404);
    const renewed = await renew('10.0.3.1');
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json()).toMatchObject({ id: a.id, renewable: false });
    expect((await renew('10.0.3.1')).json().code).toBe('hold-renewed-already');

    const stranger = await t.app.inject({
      method: 'DELETE',
      url: `/v1/holds/${a.id}`,
      remoteAddress: '10.0.3.9',
    });
    expect(stranger.statusCode).toBe(404);
    const stolen = await bookAs('10.0.3.9', {
      ...bookingPayload(solo.serviceId, morning('2026-04-07'), solo.postcode),
      holdId: a.id,
    });
    expect(stolen.statusCode).toBe(404);
    expect(stolen.json().field).toBe('body.holdId');
    const mismatch = await bookAs('10.0.3.1', {
      ...bookingPayload(solo.serviceId, morning('2026-04-08'), solo.postcode),
      holdId: a.id,
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().code).toBe('hold-mismatch');
  });

  it('refuses a window that is not offered with 409 and alternatives, and bad input with 400 naming the field', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'hold-bad');
    const off = await hold('10.0.4.1', {
      serviceId: solo.serviceId,
      window: { start: '2026-04-09T08:15:00+02:00', end: '2026-04-09T10:15:00+02:00' },
      postcode: solo.postcode,
    });
    expect(off.statusCode).toBe(409);
    expect(off.json().alternatives.days.length).toBeGreaterThan(0);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/holds',
      payload: { serviceId: solo.serviceId, window: morning('2026-04-09'), postcode: '380' },
      remoteAddress: '10.0.4.1',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('body.postcode');
    expect(
      await t.testDb.handle.db.selectFrom('holds').selectAll().where('client_hash', '=', 'x').execute(),
    ).toEqual([]);
  });

  it('never blocks the desk: a staff booking takes a held window and the hold is released', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'hold-desk');
    const day = '2026-04-10';
    const held = (
      await hold('10.0.5.1', { serviceId: solo.serviceId, window: morning(day), postcode: solo.postcode })
    ).json();
    const desk = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${solo.serviceId}&postcode=${solo.postcode}&from=${day}&to=${day}`,
      headers: bearer(t.tokens.agent),
    });
    expect(JSON.stringify(desk.json().days)).toContain(morning(day).start);
    const payload = bookingPayload(solo.serviceId, morning(day), solo.postcode);
    expect((await bookAs('10.0.5.2', payload, t.app, bearer(t.tokens.agent))).statusCode).toBe(201);
    const row = await t.testDb.handle.db
      .selectFrom('holds')
      .select('released_at')
      .where('id', '=', held.id)
      .executeTakeFirstOrThrow();
    expect(row.released_at).not.toBeNull();
    const late = await bookAs('10.0.5.1', { ...payload, holdId: held.id });
    expect(late.statusCode).toBe(409);
  });

  it('race: 20 clients hold the same last window, exactly one gets it, the others get alternatives', async () => {
    const solo = await lonelyTechnician(t.testDb.handle.db, 'hold-race');
    const body = { serviceId: solo.serviceId, window: morning('2026-04-02'), postcode: solo.postcode };
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => hold(`10.1.0.${i + 1}`, body)));
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    for (const r of responses.filter((x) => x.statusCode === 409)) {
      expect(r.json().code).toBe('window-taken');
      const offered = (r.json().alternatives.days as { windows: { start: string }[] }[]).flatMap((d) =>
        d.windows.map((w) => w.start),
      );
      expect(offered.length).toBeGreaterThan(0);
      expect(offered).not.toContain(body.window.start);
    }
    const live = await t.testDb.handle.db
      .selectFrom('holds')
      .select('id')
      .where('technician_id', '=', solo.technicianId)
      .where('released_at', 'is', null)
      .execute();
    expect(live).toHaveLength(1);
  });
});
