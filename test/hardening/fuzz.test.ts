import { sql } from 'kysely';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

/**
 * Hostile input against every route the OpenAPI document lists: random and
 * malformed JSON, huge strings, wrong types, injection strings, odd Unicode,
 * bad dates, ranges years long. The service must answer 2xx/3xx or a 4xx
 * problem+json — never a 5xx — and a rejected request must write nothing.
 */
let t: TestApp;
let routes: { method: string; path: string }[];

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '8' } });
  const spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((m) => ['get', 'post', 'patch', 'put', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), path })),
  );
});
afterAll(async () => t?.close());

const NASTY_STRINGS = [
  "' OR 1=1 --",
  "'; DROP TABLE visits; --",
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '\u0000',
  '\uD800',
  '🔌⚡️',
  'e\u0301\u0301\u0301',
  '\u202Eevil',
  'x'.repeat(100_000),
  '9'.repeat(400),
  '-1',
  'NaN',
  'null',
  '1e309',
  '2026-02-30',
  '0000-00-00T00:00:00Z',
  '1970-01-01',
  '9999-12-31',
  '2026-03-29T02:30:00+01:00',
  '${jndi:ldap://x}',
  '%00',
  '%',
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
  '75001',
  '69003',
];

const nasty = fc.constantFrom(...NASTY_STRINGS);
const scalar = fc.oneof(
  nasty,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nasty, fc.string({ maxLength: 12 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Bodies shaped like ours with hostile leaves, so validation goes deep before it fails. */
const almostBooking = fc.record({
  serviceId: fc.oneof(fc.uuid(), nasty),
  window: fc.record({
    start: fc.oneof(
      nasty,
      fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
    ),
    end: nasty,
  }),
  customer: fc.record({ name: scalar, phone: scalar, email: scalar }),
  address: fc.record({
    line: scalar,
    postcode: fc.oneof(nasty, fc.stringMatching(/^\d{5}$/)),
    city: scalar,
    lat: scalar,
    lon: scalar,
  }),
  consent: fc.oneof(fc.constant(true), scalar),
  notes: scalar,
});

const rawBody = fc.oneof(
  jsonValue.map((v) => ({ payload: JSON.stringify(v), type: 'application/json' })),
  almostBooking.map((v) => ({ payload: JSON.stringify(v), type: 'application/json' })),
  fc
    .constantFrom(
      '{',
      '{"a":',
      '[1,2',
      'nul',
      '"\\u0000"',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
    )
    .map((p) => ({ payload: p, type: 'application/json' })),
  fc.string({ maxLength: 50 }).map((p) => ({ payload: p, type: 'text/plain' })),
  fc.constant({ payload: 'a=1&b=2', type: 'application/x-www-form-urlencoded' }),
);

const queryValue = fc.oneof(
  nasty,
  fc.string({ maxLength: 20 }),
  fc.uuid(),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  fc.integer().map(String),
);
const QUERY_KEYS = [
  'serviceId',
  'postcode',
  'from',
  'to',
  'lat',
  'lon',
  'technicianId',
  'status',
  'q',
  'limit',
  'date',
  'token',
];

function fillPath(path: string, values: string[]): string {
  let i = 0;
  // A lone surrogate cannot be percent-encoded as UTF-8: surrogates go as the replacement character.
  return path.replace(/\{[^}]+\}/g, () =>
    encodeURIComponent((values[i++ % values.length] ?? 'x').replace(/[\uD800-\uDFFF]/g, '\uFFFD')),
  );
}

async function rowFingerprint(): Promise<string> {
  const result = await sql<{ f: string }>`
    SELECT concat_ws(',',
      (SELECT count(*) FROM visits), (SELECT coalesce(sum(version), 0) FROM visits),
      (SELECT count(*) FROM technicians), (SELECT count(*) FROM services), (SELECT count(*) FROM skills),
      (SELECT count(*) FROM zones), (SELECT count(*) FROM zone_postcodes), (SELECT count(*) FROM working_hours),
      (SELECT count(*) FROM availability_exceptions), (SELECT count(*) FROM api_tokens), (SELECT count(*) FROM plans),
      (SELECT count(*) FROM idempotency_keys), (SELECT count(*) FROM technician_skills), (SELECT count(*) FROM technician_zones),
      (SELECT max(updated_at)::text FROM technicians), (SELECT max(updated_at)::text FROM services),
      (SELECT updated_at::text FROM company_settings)) AS f`.execute(t.testDb.handle.db);
  return result.rows[0]!.f;
}

describe('hostile input on every route', () => {
  it('never answers 5xx, answers 4xx as problem+json, and a rejected request writes nothing', async () => {
    expect(routes.length).toBeGreaterThan(8);
    let tried = 0;
    const statuses: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(queryValue, { minLength: 1, maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...QUERY_KEYS), queryValue, { maxKeys: 5 }),
        rawBody,
        fc.constantFrom<'none' | 'admin' | 'agent' | 'garbage'>('none', 'admin', 'admin', 'agent', 'garbage'),
        fc.option(fc.oneof(nasty, fc.uuid()), { nil: undefined }),
        async (route, pathValues, query, body, auth, idempotencyKey) => {
          const url = fillPath(route.path, pathValues) + '?' + new URLSearchParams(query).toString();
          const headers: Record<string, string> = {};
          if (auth === 'admin') Object.assign(headers, bearer(t.tokens.admin));
          if (auth === 'agent') Object.assign(headers, bearer(t.tokens.agent));
          if (auth === 'garbage') headers.authorization = 'Bearer ' + pathValues[0];
          if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
          const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
          if (hasBody) headers['content-type'] = body.type;
          const before = await rowFingerprint();
          const res = await t.app.inject({
            method: route.method as 'GET',
            url,
            headers,
            ...(hasBody ? { payload: body.payload } : {}),
          });
          tried++;
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          expect(res.statusCode, `${route.method} ${url} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(res.headers['content-type'], `${route.method} ${url}`).toMatch(
              /application\/problem\+json/,
            );
            expect(
              await rowFingerprint(),
              `${route.method} ${url} wrote a row and answered ${res.statusCode}`,
            ).toBe(before);
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 600), seed: Number(process.env.FUZZ_SEED ?? 20261127) },
    );
    console.log(`fuzz: ${tried} requests over ${routes.length} routes; statuses ${JSON.stringify(statuses)}`);
  });
});
