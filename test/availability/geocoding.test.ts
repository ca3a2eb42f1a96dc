import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BanGeocoder } from '../../src/domain/geocoding.js';

/** A local stand-in for api-adresse.data.gouv.fr answering in the BAN GeoJSON format. */
let server: Server;
let baseUrl: string;
const requests: URL[] = [];
let respond: (
  url: URL,
  req: IncomingMessage,
) => { status?: number; body?: unknown; raw?: string; delayMs?: number };

function feature(lon: number, lat: number, score: number, postcode: string) {
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: {
      label: '12 Rue Garibaldi 69003 Lyon',
      score,
      housenumber: '12',
      postcode,
      city: 'Lyon',
      citycode: '69383',
      type: 'housenumber',
    },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push(url);
    const answer = respond(url, req);
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(answer.raw ?? JSON.stringify(answer.body ?? {}));
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('BanGeocoder against a local stand-in', () => {
  it('asks /search/ with the address and reads [lon, lat] and the score', async () => {
    respond = () => ({
      body: { type: 'FeatureCollection', features: [feature(4.8512, 45.7601, 0.93, '69003')] },
    });
    const geocoder = new BanGeocoder(baseUrl);
    expect(await geocoder.geocode({ line: '12 rue Garibaldi', postcode: '69003', city: 'Lyon' })).toEqual({
      lat: 45.7601,
      lon: 4.8512,
      score: 0.93,
    });
    const asked = requests[requests.length - 1]!;
    expect(asked.pathname).toBe('/search/');
    expect(asked.searchParams.get('q')).toBe('12 rue Garibaldi 69003 Lyon');
    expect(asked.searchParams.get('postcode')).toBe('69003');
    expect(asked.searchParams.get('limit')).toBe('1');
  });

  it.each([
    ['no feature', () => ({ body: { type: 'FeatureCollection', features: [] } })],
    ['a weak score', () => ({ body: { features: [feature(4.85, 45.76, 0.2, '69003')] } })],
    ['another postal code', () => ({ body: { features: [feature(2.35, 48.85, 0.9, '75003')] } })],
    ['a server error', () => ({ status: 503, body: { message: 'busy' } })],
    ['invalid JSON', () => ({ raw: '{"features": [' })],
    [
      'a wrong shape',
      () => ({ body: { features: [{ geometry: { coordinates: ['x', 'y'] }, properties: {} }] } }),
    ],
  ])('returns null on %s', async (_label, answer) => {
    respond = answer;
    expect(
      await new BanGeocoder(baseUrl).geocode({ line: '12 rue Garibaldi', postcode: '69003', city: 'Lyon' }),
    ).toBeNull();
  });

  it('gives up after its timeout', async () => {
    respond = () => ({ delayMs: 1000, body: { features: [feature(4.85, 45.76, 0.9, '69003')] } });
    const started = performance.now();
    expect(
      await new BanGeocoder(baseUrl, fetch, { timeoutMs: 100 }).geocode({
        line: 'x',
        postcode: '69003',
        city: 'Lyon',
      }),
    ).toBeNull();
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('returns null when the upstream cannot be reached', async () => {
    expect(
      await new BanGeocoder('http://127.0.0.1:9', fetch, { timeoutMs: 500 }).geocode({
        line: 'x',
        postcode: '69003',
        city: 'Lyon',
      }),
    ).toBeNull();
  });
});
