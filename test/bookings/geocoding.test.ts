import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor, type Slot } from '../helpers/booking.js';

/** The 69003 centroid of the demo zones: where a booking sits when nothing better is known. */
const CENTROID_69003 = { lat: 45.7597, lon: 4.8503 };
/** Where the stand-in places "12 rue Victor Hugo, 69003 Lyon". */
const STREET = { lat: 45.7561, lon: 4.8427 };

type Answer = { status?: number; body?: unknown; delayMs?: number; hangUp?: boolean };

/** A local stand-in for api-adresse.data.gouv.fr answering in the BAN GeoJSON format. */
let server: Server;
let baseUrl: string;
const asked: URL[] = [];
let respond: (url: URL) => Answer = () => ({ body: { features: [] } });

function featureCollection(lat: number, lon: number, postcode: string, score = 0.92) {
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [lon, lat] },
        properties: {
          label: `12 Rue Victor Hugo ${postcode} Lyon`,
          score,
          housenumber: '12',
          postcode,
          city: 'Lyon',
          type: 'housenumber',
        },
      },
    ],
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    asked.push(url);
    const answer = respond(url);
    if (answer.hangUp) {
      req.socket.destroy();
      return;
    }
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body ?? {}));
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function storedPlace(t: TestApp, bookingId: string) {
  return t.testDb.handle.db
    .selectFrom('visits')
    .select(['lat', 'lon'])
    .where('id', '=', bookingId)
    .executeTakeFirstOrThrow();
}

describe('POST /v1/bookings with TOURNEE_GEOCODER_URL set', () => {
  let t: TestApp;
  let serviceId: string;
  let windows: Slot[];
  let next = 0;
  /** A different offered window for each booking, so no test depends on another's capacity. */
  const freshWindow = () => windows[next++]!;

  beforeAll(async () => {
    t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '8', TOURNEE_GEOCODER_URL: baseUrl } });
    serviceId = (await firstService(t.app, 'depannage')).id;
    // The first window of each offered day: spread over days, far from one another.
    windows = (await slotsFor(t.app, serviceId, '69003')).map((d) => d.windows[0]!).filter(Boolean);
  });
  afterAll(async () => t?.close());

  it('stores the geocoded street position of a booking sent without lat/lon', async () => {
    respond = (url) =>
      url.pathname === '/search/'
        ? { body: featureCollection(STREET.lat, STREET.lon, '69003') }
        : { status: 404 };
    const before = asked.length;
    const res = await book(t.app, bookingPayload(serviceId, freshWindow(), '69003'));
    expect(res.statusCode).toBe(201);
    expect(await storedPlace(t, res.json().booking.id)).toEqual(STREET);
    const query = asked.slice(before);
    expect(query).toHaveLength(1);
    expect(query[0]!.searchParams.get('q')).toBe('12 rue Victor Hugo 69003 Lyon');
    expect(query[0]!.searchParams.get('postcode')).toBe('69003');
  });

  it("keeps the caller's own lat/lon without asking the geocoder", async () => {
    respond = () => ({ body: featureCollection(STREET.lat, STREET.lon, '69003') });
    const before = asked.length;
    const payload = bookingPayload(serviceId, freshWindow(), '69003');
    const res = await book(t.app, { ...payload, address: { ...payload.address, lat: 45.7612, lon: 4.8555 } });
    expect(res.statusCode).toBe(201);
    expect(await storedPlace(t, res.json().booking.id)).toEqual({ lat: 45.7612, lon: 4.8555 });
    expect(asked.length).toBe(before);
  });

  it('leaves slot queries on the centroid: they never call the geocoder', async () => {
    const before = asked.length;
    await slotsFor(t.app, serviceId, '69003');
    expect(asked.length).toBe(before);
  });

  it.each<[string, () => Answer]>([
    ['a match in another postal code', () => ({ body: featureCollection(48.8566, 2.3522, '75004') })],
    ['a weak match', () => ({ body: featureCollection(STREET.lat, STREET.lon, '69003', 0.2) })],
    ['no match', () => ({ body: { type: 'FeatureCollection', features: [] } })],
    ['an upstream error', () => ({ status: 503, body: { message: 'busy' } })],
    ['a dropped connection', () => ({ hangUp: true })],
  ])('falls back to the postal-code centroid on %s, and still books', async (_label, answer) => {
    respond = answer;
    const res = await book(t.app, bookingPayload(serviceId, freshWindow(), '69003'));
    expect(res.statusCode).toBe(201);
    expect(await storedPlace(t, res.json().booking.id)).toEqual(CENTROID_69003);
  });

  it('does not wait on a slow upstream: centroid after the timeout, still 201', async () => {
    respond = () => ({ delayMs: 6000, body: featureCollection(STREET.lat, STREET.lon, '69003') });
    const res = await book(t.app, bookingPayload(serviceId, freshWindow(), '69003'));
    expect(res.statusCode).toBe(201);
    expect(await storedPlace(t, res.json().booking.id)).toEqual(CENTROID_69003);
  }, 15_000);

  it('refuses an unserved postcode without calling the geocoder', async () => {
    const before = asked.length;
    const res = await book(t.app, bookingPayload(serviceId, freshWindow(), '75001'));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ field: 'body.address.postcode', code: 'postcode-not-served' });
    expect(asked.length).toBe(before);
  });
});

describe('POST /v1/bookings with the geocoder down', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on the discard port: every geocoder call is refused.
    t = await createTestApp({
      env: { TOURNEE_POW_DIFFICULTY: '8', TOURNEE_GEOCODER_URL: 'http://127.0.0.1:9' },
    });
  });
  afterAll(async () => t?.close());

  it('books at the postal-code centroid', async () => {
    const serviceId = (await firstService(t.app, 'depannage')).id;
    const window = (await slotsFor(t.app, serviceId, '69003'))[0]!.windows[0]!;
    const res = await book(t.app, bookingPayload(serviceId, window, '69003'));
    expect(res.statusCode).toBe(201);
    expect(await storedPlace(t, res.json().booking.id)).toEqual(CENTROID_69003);
  });
});

describe('TOURNEE_GEOCODER_URL', () => {
  it('is optional and must be an http(s) URL', () => {
    expect(loadConfig({}).TOURNEE_GEOCODER_URL).toBeUndefined();
    expect(
      loadConfig({ TOURNEE_GEOCODER_URL: 'https://api-adresse.data.gouv.fr' }).TOURNEE_GEOCODER_URL,
    ).toBe('https://api-adresse.data.gouv.fr');
    expect(() => loadConfig({ TOURNEE_GEOCODER_URL: 'not a url' })).toThrow(/TOURNEE_GEOCODER_URL/);
    expect(() => loadConfig({ TOURNEE_GEOCODER_URL: 'ftp://example.fr' })).toThrow(/TOURNEE_GEOCODER_URL/);
  });
});
