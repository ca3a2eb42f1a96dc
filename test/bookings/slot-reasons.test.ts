import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { firstService } from '../helpers/booking.js';
import { addDays } from '../../src/domain/local-time.js';
import { TEST_TODAY } from '../helpers/database.js';

let t: TestApp;
const services: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const slug of ['depannage', 'entretien-pac', 'devis', 'borne-recharge', 'prises-eclairage'])
    services[slug] = (await firstService(t.app, slug)).id;
});
afterAll(async () => t?.close());

async function slots(slug: string, postcode: string, extra = '') {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/slots?serviceId=${services[slug]}&postcode=${postcode}${extra}`,
  });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    days: { date: string; windows: unknown[] }[];
    reason?: { code: string; nextAvailable?: string; servedAreas?: string[] };
  };
}

describe('GET /v1/slots reasons', () => {
  it('gives no reason when there are windows', async () => {
    const answer = await slots('depannage', '69003');
    expect(answer.days.length).toBeGreaterThan(0);
    expect(answer.reason).toBeUndefined();
  });

  it('zone-not-served: 200, no days, every area served by name', async () => {
    const answer = await slots('depannage', '13001');
    expect(answer.days).toEqual([]);
    expect(answer.reason?.code).toBe('zone-not-served');
    expect(answer.reason?.servedAreas).toEqual(
      expect.arrayContaining(['Lyon intra-muros', 'Est lyonnais', 'Beaujolais']),
    );
  });

  it('service-not-offered-here: no heat-pump technician in the Beaujolais, and where the service is offered', async () => {
    const answer = await slots('entretien-pac', '69220', `&to=${addDays(TEST_TODAY, 41)}`);
    expect(answer.days).toEqual([]);
    expect(answer.reason?.code).toBe('service-not-offered-here');
    expect(answer.reason?.servedAreas).toContain('Ouest et Monts d’Or');
    expect(answer.reason?.servedAreas).not.toContain('Beaujolais');
  });

  it('beyond-horizon: asked past the 14 days of a repair, with the first date that has a window', async () => {
    const from = addDays(TEST_TODAY, 20);
    const answer = await slots('depannage', '69003', `&from=${from}&to=${addDays(from, 2)}`);
    expect(answer.days).toEqual([]);
    expect(answer.reason?.code).toBe('beyond-horizon');
    const next = answer.reason!.nextAvailable!;
    expect(next >= TEST_TODAY && next <= addDays(TEST_TODAY, 14)).toBe(true);
    const there = await slots('depannage', '69003', `&from=${next}&to=${next}`);
    expect(there.days[0]?.date).toBe(next);
  });

  it('too-soon: inside the three days of notice of a charger installation, with the first date after it', async () => {
    const tomorrow = addDays(TEST_TODAY, 1);
    const answer = await slots('borne-recharge', '69003', `&from=${tomorrow}&to=${tomorrow}`);
    expect(answer.days).toEqual([]);
    expect(answer.reason?.code).toBe('too-soon');
    const next = answer.reason!.nextAvailable!;
    expect(next > addDays(TEST_TODAY, 2)).toBe(true);
    const there = await slots('borne-recharge', '69003', `&from=${next}&to=${next}`);
    expect(there.days.map((d) => d.date)).toEqual([next]);
  });

  it('fully-booked: a day nobody can take, with the next date that has a window (found server-side)', async () => {
    // Saturday 28 March 2026: nobody works, so nothing can be booked that day.
    const answer = await slots('depannage', '69003', '&from=2026-03-28&to=2026-03-28');
    expect(answer.days).toEqual([]);
    expect(answer.reason).toEqual({ code: 'fully-booked', nextAvailable: '2026-03-30' });
  });

  it('lets a client ask for everything up to the service horizon at once (42 days), not more', async () => {
    const all = await slots('prises-eclairage', '69003', `&to=${addDays(TEST_TODAY, 42)}`);
    expect(all.days.at(-1)!.date > addDays(TEST_TODAY, 31)).toBe(true);
    const tooLong = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${services['prises-eclairage']}&postcode=69003&to=${addDays(TEST_TODAY, 43)}`,
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().field).toBe('query.to');
  });

  it('range=horizon: up to each service’s own last bookable day, as the widget asks', async () => {
    const whole = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/slots?serviceId=${services['prises-eclairage']}&postcode=69003&range=horizon`,
      })
    ).json() as { from: string; to: string; days: { date: string }[] };
    expect(whole).toMatchObject({ from: TEST_TODAY, to: addDays(TEST_TODAY, 42) });
    expect(whole.days.at(-1)!.date > addDays(TEST_TODAY, 31)).toBe(true);
    // A repair is booked at most 14 days ahead: its horizon, not 42 days.
    const repair = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/slots?serviceId=${services.depannage}&postcode=69003&range=horizon`,
      })
    ).json() as { to: string };
    expect(repair.to).toBe(addDays(TEST_TODAY, 14));
    const bad = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${services.depannage}&postcode=69003&range=forever`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('query.range');
  });
});

describe('GET /v1/services?postcode=', () => {
  const byslug = async (postcode: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/services?postcode=${postcode}` });
    expect(res.statusCode).toBe(200);
    return new Map(
      (res.json().services as { slug: string; bookableHere: boolean; reason?: string }[]).map((s) => [
        s.slug,
        s,
      ]),
    );
  };

  it('marks what cannot be booked at a postcode and why', async () => {
    const belleville = await byslug('69220');
    expect(belleville.get('depannage')).toMatchObject({ bookableHere: true });
    expect(belleville.get('depannage')!.reason).toBeUndefined();
    expect(belleville.get('entretien-pac')).toMatchObject({
      bookableHere: false,
      reason: 'service-not-offered-here',
    });
    const paris = await byslug('75001');
    for (const s of paris.values())
      expect(s).toMatchObject({ bookableHere: false, reason: 'zone-not-served' });
  });

  it('answers a bad postcode with 400 naming the field, and without one says nothing about bookability', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/v1/services?postcode=750' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('query.postcode');
    const plain = await t.app.inject({ method: 'GET', url: '/v1/services' });
    expect(plain.json().services[0].bookableHere).toBeUndefined();
  });
});
