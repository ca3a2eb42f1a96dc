import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createApiToken } from '../../src/domain/auth.js';
import { buildServer } from '../../src/http/server.js';
import { bearer, WITHOUT_ABUSE_GUARDS } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';
import { createTestDatabase, TEST_TODAY, type TestDatabase } from '../helpers/database.js';

/** Issue 18 items 1 and 11: what a client types is checked at the edge, and errors are logged without it. */
let testDb: TestDatabase;
let app: Awaited<ReturnType<typeof buildServer>>;
let admin: string;
const logLines: string[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase({ demo: true });
  const now = new Date(`${TEST_TODAY}T07:00:00Z`);
  app = await buildServer(
    loadConfig({
      ...WITHOUT_ABUSE_GUARDS,
      TOURNEE_POW_DIFFICULTY: '0',
      TOURNEE_READ_CACHE_MS: '0',
      TOURNEE_RATE_LIMIT: '100000',
    }),
    {
      database: testDb.handle,
      clock: () => now,
      logStream: { write: (line: string) => void logLines.push(line) },
    },
  );
  // A route as another stream might add it, with a plain z.string(): the edge net still refuses controls.
  app.post(
    '/v1/test-echo',
    {
      schema: {
        body: z.object({ text: z.string(), nested: z.array(z.object({ v: z.string() })).optional() }),
      },
    },
    async (request) => request.body,
  );
  // A failure deep below a route, carrying what database drivers attach to their errors.
  app.get('/v1/test-boom', async () => {
    throw Object.assign(new Error('insert failed'), {
      code: 'XX000',
      query: 'INSERT INTO visits (customer_name) VALUES ($1)',
      params: ['Jeanne Secretfamille', '06 55 44 33 22'],
      parameters: ['Jeanne Secretfamille'],
      detail: 'Failing row contains (Jeanne Secretfamille, 06 55 44 33 22).',
      body: { customer: 'Jeanne Secretfamille' },
    });
  });
  await app.ready();
  admin = (await createApiToken(testDb.handle.db, 'admin', 'edge test')).token;
});
afterAll(async () => {
  await app?.close();
  await testDb?.destroy();
});

const HOSTILE: Record<string, string> = {
  NUL: 'Jean\u0000Dupont',
  'C0 (ESC)': 'Jean\u001bDupont',
  'C1 NEL': 'Jean\u0085Dupont',
  'C1 CSI': 'Jean\u009bDupont',
  'line separator': 'Jean\u2028Dupont',
  'trailing paragraph separator': 'Jean Dupont\u2029',
  'bidi override': '\u202eJean Dupont',
  'bidi isolate': 'Jean \u2066Dupont',
  'lone surrogate': 'Jean \ud800Dupont',
};

async function bookWith(overrides: Record<string, unknown>) {
  const service = await firstService(app, 'depannage');
  const days = await slotsFor(app, service.id, '69003');
  return book(app, bookingPayload(service.id, days[0]!.windows[0]!, '69003', overrides), { pow: false });
}

function expectFieldProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): any },
  field: string,
) {
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
}

describe('control characters at the edge', () => {
  for (const [kind, value] of Object.entries(HOSTILE)) {
    it(`${kind} in the customer's name → 400 naming body.customer.name`, async () => {
      const res = await bookWith({
        customer: { name: value, phone: '06 12 34 56 78', email: 'marie.dubois@example.fr' },
      });
      expectFieldProblem(res, 'body.customer.name');
    });
  }

  it('NUL in notes → 400 naming body.notes (was a 500 whose log held the customer record)', async () => {
    const res = await bookWith({ notes: 'Code porte\u0000 1234' });
    expectFieldProblem(res, 'body.notes');
    // Notes keep their line breaks and tabs.
    const ok = await bookWith({ notes: 'Code porte 1234\n\tsonner deux fois' });
    expect(ok.statusCode).toBe(201);
  });

  it('a lone surrogate in the address → 400 naming body.address.line', async () => {
    const res = await bookWith({ address: { line: '12 rue \udc00Hugo', postcode: '69003', city: 'Lyon' } });
    expectFieldProblem(res, 'body.address.line');
  });

  it('NUL in the desk search → 400 naming query.q', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/admin/visits?q=Jean%20Dupont%00',
      headers: bearer(admin),
    });
    expectFieldProblem(res, 'query.q');
  });

  it('admin labels refuse controls too (token name, skill label, settings phone)', async () => {
    const token = await app.inject({
      method: 'POST',
      url: '/v1/admin/tokens',
      headers: bearer(admin),
      payload: { name: 'desk\u2028Claire', role: 'agent' },
    });
    expectFieldProblem(token, 'body.name');
    const settings = await app.inject({
      method: 'PATCH',
      url: '/v1/admin/settings',
      headers: bearer(admin),
      payload: { phone: '04 78 00 00 00\u0000' },
    });
    expectFieldProblem(settings, 'body.phone');
  });

  it('a route whose schema forgot the check still refuses controls, naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/test-echo',
      payload: { text: 'fine', nested: [{ v: 'ok' }, { v: 'bad\u0000' }] },
    });
    expectFieldProblem(res, 'body.nested.1.v');
    const query = await app.inject({ method: 'POST', url: '/v1/test-echo?x=%00', payload: { text: 'a' } });
    expectFieldProblem(query, 'query.x');
    const fine = await app.inject({ method: 'POST', url: '/v1/test-echo', payload: { text: 'Élodie 😀\n' } });
    expect(fine.statusCode).toBe(200);
  });
});

describe('dates outside 2000–2100', () => {
  const cases: [string, string][] = [
    ['/v1/admin/routes?date=9999-12-31', 'query.date'],
    ['/v1/admin/availability/exceptions?from=0001-01-01&to=9999-12-31', 'query.from'],
    ['/v1/admin/visits?from=1900-01-01T00:00:00Z', 'query.from'],
  ];
  for (const [url, field] of cases) {
    it(`GET ${url} → 400 naming ${field}`, async () => {
      const res = await app.inject({ method: 'GET', url, headers: bearer(admin) });
      expectFieldProblem(res, field);
    });
  }

  it('public slots refuse a year 9999 range', async () => {
    const service = await firstService(app, 'depannage');
    const res = await app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${service.id}&postcode=69003&from=9999-12-01&to=9999-12-31`,
    });
    expectFieldProblem(res, 'query.from');
  });
});

describe('error logs', () => {
  it('log an unexpected error by message, code and route only: never its SQL parameters or body', async () => {
    logLines.length = 0;
    const res = await app.inject({ method: 'GET', url: '/v1/test-boom' });
    expect(res.statusCode).toBe(500);
    const logs = logLines.join('');
    expect(logs).toContain('insert failed');
    expect(logs).toContain('XX000');
    expect(logs).toContain('/v1/test-boom');
    expect(logs).not.toContain('Secretfamille');
    expect(logs).not.toContain('06 55 44 33 22');
    expect(logs).not.toContain('INSERT INTO');
  });
});
