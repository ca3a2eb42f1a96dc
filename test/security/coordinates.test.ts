import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';

/** Issue 18 item 12: client coordinates are checked, not trusted. */
let t: TestApp;
let serviceId: string;
beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '0' } });
  serviceId = (await firstService(t.app, 'depannage')).id;
});
afterAll(async () => t?.close());

const slots = (extra: string) =>
  t.app.inject({ method: 'GET', url: `/v1/slots?serviceId=${serviceId}&postcode=69003${extra}` });

describe('coordinates', () => {
  it('empty lat/lon → 400 naming the field (it used to mean 0, 0)', async () => {
    const res = await slots('&lat=&lon=');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('query.lat');
  });

  it('a point far from the postal code → 400 naming lat; a point inside it is served', async () => {
    const paris = await slots('&lat=48.8566&lon=2.3522');
    expect(paris.statusCode).toBe(400);
    expect(paris.json()).toMatchObject({ code: 'coordinates-outside-postcode', field: 'query.lat' });
    expect((await slots('&lat=45.7597&lon=4.8590')).statusCode).toBe(200);

    const days = await slotsFor(t.app, serviceId, '69003');
    const res = await book(
      t.app,
      bookingPayload(serviceId, days[0]!.windows[0]!, '69003', {
        address: { line: '1 place Bellecour', postcode: '69003', city: 'Lyon', lat: 48.8566, lon: 2.3522 },
      }),
      { pow: false },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'body.address.lat' });
  });
});
