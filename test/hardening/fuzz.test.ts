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
const DATABASES = (['pglite', 'postgres'] as const).filter((k) => k === 'pglite' || process.env.DATABASE_URL);

describe.each(DATABASES)('on %s', (kind) => {
  let t: TestApp;
  let routes: { method: string; path: string }[];

  beforeAll(async () => {
    t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '8' }, kind });
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
          fc.constantFrom<'none' | 'admin' | 'agent' | 'garbage'>(
            'none',
            'admin',
            'admin',
            'agent',
            'garbage',
          ),
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
      console.log(
        `fuzz (${kind}): ${tried} requests over ${routes.length} routes; statuses ${JSON.stringify(statuses)}`,
      );
    });
  });

  describe('hostile text in every string field', () => {
    it('answers 400 naming the field (4xx for 100 KB values), and no log line holds the value', async () => {
      const service = (await t.app.inject({ method: 'GET', url: '/v1/services' })).json().services[0];
      const templates = stringFieldTemplates(service.id);
      const leaves = templates.flatMap((template, index) =>
        stringLeaves(template.payload ?? {}, 'body')
          .concat(stringLeaves(template.query ?? {}, 'query'))
          .map((leaf) => ({
            index,
            leaf,
          })),
      );
      expect(leaves.length).toBeGreaterThan(30);
      let tried = 0;
      const markers: string[] = [];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...leaves),
          fc.constantFrom(...HOSTILE_TEXT),
          async ({ index, leaf }, hostile) => {
            // A lone surrogate cannot be percent-encoded (URLSearchParams sends U+FFFD): bodies only.
            fc.pre(!(leaf.startsWith('query.') && hostile.kind.includes('surrogate')));
            const template = templates[index]!;
            const marker = `Fuzzpersonne${tried++}x`;
            markers.push(marker);
            const value = hostile.kind === 'long' ? marker + hostile.value : `${marker} ${hostile.value} fin`;
            const payload = template.payload && structuredClone(template.payload);
            const query = { ...template.query };
            if (leaf.startsWith('body.')) setLeaf(payload!, leaf.slice(5), value);
            else query[leaf.slice(6)] = value;
            const qs = new URLSearchParams(query as Record<string, string>).toString();
            const res = await t.app.inject({
              method: template.method,
              url: template.url + (qs ? `?${qs}` : ''),
              headers: {
                ...(template.auth ? bearer(t.tokens.admin) : {}),
                ...(template.method === 'POST' && template.url === '/v1/bookings'
                  ? { 'idempotency-key': `fuzz-${marker}` }
                  : {}),
              },
              ...(payload ? { payload } : {}),
            });
            const where = `${template.method} ${template.url} ${leaf} (${hostile.kind})`;
            expect(res.statusCode, `${where} → ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
            expect(res.statusCode, where).toBeLessThan(500);
            expect(res.headers['content-type'], where).toMatch(/application\/problem\+json/);
            if (hostile.kind !== 'long') {
              expect(res.statusCode, where).toBe(400);
              expect(
                res.json().errors.map((e: { field: string }) => e.field),
                where,
              ).toContain(leaf);
            }
          },
        ),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 600), seed: Number(process.env.FUZZ_SEED ?? 20261201) },
      );
      const logs = t.logLines.join('');
      expect(logs.length).toBeGreaterThan(0);
      const leaked = markers.filter((m) => logs.includes(m));
      expect(leaked, `log lines hold submitted values`).toEqual([]);
      console.log(
        `string fields (${kind}): ${tried} hostile values over ${leaves.length} fields of ${templates.length} routes`,
      );
    });
  });
});

/** The kinds of text no field accepts, and a value far over every field's length. */
const HOSTILE_TEXT: { kind: string; value: string }[] = [
  { kind: 'NUL', value: '\u0000' },
  { kind: 'C0 bell', value: '\u0007' },
  { kind: 'C0 escape', value: '\u001b[2J' },
  { kind: 'DEL', value: '\u007f' },
  { kind: 'C1 NEL', value: '\u0085' },
  { kind: 'C1 CSI', value: '\u009b' },
  { kind: 'line separator', value: '\u2028' },
  { kind: 'paragraph separator', value: '\u2029' },
  { kind: 'lone high surrogate', value: '\ud800' },
  { kind: 'lone low surrogate', value: '\udfff' },
  { kind: 'bidi override RLO', value: '\u202e' },
  { kind: 'bidi isolate LRI', value: '\u2066' },
  { kind: 'long', value: 'a'.repeat(100_000) },
  { kind: 'long', value: 'é'.repeat(50_000) + '\u0000' },
];

interface Template {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  auth?: boolean;
  query?: Record<string, string>;
  payload?: Record<string, unknown>;
}

/** One valid request per route that takes text, so a hostile leaf is the only thing wrong with it. */
function stringFieldTemplates(serviceId: string): Template[] {
  return [
    {
      method: 'POST',
      url: '/v1/bookings',
      payload: {
        serviceId,
        window: { start: '2026-03-30T08:00:00+02:00', end: '2026-03-30T10:00:00+02:00' },
        customer: { name: 'Marie Dubois', phone: '06 12 34 56 78', email: 'marie.dubois@example.fr' },
        address: { line: '12 rue Victor Hugo', postcode: '69003', city: 'Lyon' },
        notes: 'Code porte 1234',
        consent: true,
        website: '',
      },
    },
    {
      method: 'GET',
      url: '/v1/slots',
      query: { serviceId, postcode: '69003', from: '2026-03-26', to: '2026-03-27' },
    },
    { method: 'GET', url: '/v1/admin/visits', auth: true, query: { q: 'Dubois', from: '2026-03-26' } },
    { method: 'GET', url: '/v1/admin/routes', auth: true, query: { date: '2026-03-26' } },
    {
      method: 'POST',
      url: '/v1/admin/tokens',
      auth: true,
      payload: { name: 'Claire (accueil)', role: 'agent' },
    },
    {
      method: 'PATCH',
      url: '/v1/admin/settings',
      auth: true,
      payload: { name: 'Duret Électricité', phone: '04 78 00 00 00' },
    },
    {
      method: 'POST',
      url: '/v1/admin/skills',
      auth: true,
      payload: { code: 'fuzz-skill', label: 'Compétence' },
    },
    {
      method: 'POST',
      url: '/v1/admin/zones',
      auth: true,
      payload: {
        name: 'Zone test',
        postcodes: [{ postcode: '69009', city: 'Lyon 9e', lat: 45.77, lon: 4.8 }],
      },
    },
    {
      method: 'POST',
      url: '/v1/admin/services',
      auth: true,
      payload: {
        slug: 'fuzz-service',
        name: 'Prestation test',
        description: 'Une description\nsur deux lignes',
        durationMinutes: 60,
        windowMinutes: 120,
        minNoticeMinutes: 0,
        maxHorizonDays: 30,
        priceLabel: 'à partir de 80 €',
        active: true,
        skills: [],
      },
    },
    {
      method: 'POST',
      url: '/v1/admin/technicians',
      auth: true,
      payload: {
        name: 'Technicien Test',
        email: 'tech@example.fr',
        phone: '06 00 00 00 00',
        home: { address: '1 rue de la République, Lyon', lat: 45.76, lon: 4.83 },
      },
    },
    {
      method: 'POST',
      url: '/v1/admin/availability/exceptions',
      auth: true,
      payload: { kind: 'closure', from: '2026-05-01', to: '2026-05-01', reason: 'Pont du 1er mai' },
    },
  ];
}

/** Dotted paths of the string leaves of a value ("body.customer.name", "body.postcodes.0.city"). */
function stringLeaves(value: unknown, path: string): string[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, `${path}.${i}`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, `${path}.${k}`));
  return [];
}

function setLeaf(target: Record<string, unknown>, path: string, value: string): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}
