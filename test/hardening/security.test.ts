import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createApiToken } from '../../src/domain/auth.js';
import { buildServer } from '../../src/http/server.js';
import { bearer, WITHOUT_ABUSE_GUARDS } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor, manageTokenOf } from '../helpers/booking.js';
import { createTestDatabase, feedTokenOf, TEST_TODAY, type TestDatabase } from '../helpers/database.js';

let testDb: TestDatabase;
const logLines: string[] = [];
let app: Awaited<ReturnType<typeof buildServer>>;
let limited: Awaited<ReturnType<typeof buildServer>>;

beforeAll(async () => {
  testDb = await createTestDatabase({ demo: true });
  const now = new Date(`${TEST_TODAY}T07:00:00Z`);
  const base = {
    ...WITHOUT_ABUSE_GUARDS,
    TOURNEE_POW_DIFFICULTY: '0',
    TOURNEE_READ_CACHE_MS: '0',
    LOG_LEVEL: 'info',
  };
  app = await buildServer(loadConfig({ ...base, TOURNEE_RATE_LIMIT: '100000' }), {
    database: testDb.handle,
    clock: () => now,
    logStream: { write: (line: string) => void logLines.push(line) },
  });
  limited = await buildServer(loadConfig({ ...base, TOURNEE_RATE_LIMIT: '5' }), {
    database: testDb.handle,
    logger: false,
    clock: () => now,
  });
});
afterAll(async () => {
  await app?.close();
  await limited?.close();
  await testDb?.destroy();
});

describe('security', () => {
  it('rate limits public routes with 429 problem+json and Retry-After; admin routes are not counted', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push(
        (await limited.inject({ method: 'GET', url: '/v1/services', remoteAddress: '10.0.0.7' })).statusCode,
      );
    expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const res = await limited.inject({ method: 'GET', url: '/v1/services', remoteAddress: '10.0.0.7' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // another client is not affected
    expect(
      (await limited.inject({ method: 'GET', url: '/v1/services', remoteAddress: '10.0.0.8' })).statusCode,
    ).toBe(200);
  });

  it('sets security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'self'/);
    expect(res.headers['referrer-policy']).toBeTruthy();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('keeps personal data out of public responses and secrets out of logs', async () => {
    const service = await firstService(app, 'depannage');
    const days = await slotsFor(app, service.id, '69003');
    const customer = {
      name: 'Bérénice Secretnom',
      phone: '06 99 88 77 66',
      email: 'berenice.secret@example.fr',
    };
    const created = await book(app, bookingPayload(service.id, days[0]!.windows[0]!, '69003', { customer }), {
      pow: false,
    });
    expect(created.statusCode).toBe(201);
    const { booking, icsUrl, manageUrl } = created.json();
    const manageToken = manageTokenOf(manageUrl);
    const calendarToken = decodeURIComponent(icsUrl.split('token=')[1]);
    expect(manageToken.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits in base64url

    await app.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}`,
      headers: { 'x-manage-token': manageToken },
    });
    await app.inject({
      method: 'GET',
      url: `/v1/bookings/${booking.id}/calendar.ics?token=${encodeURIComponent(calendarToken)}`,
    });
    const tech = await testDb.handle.db.selectFrom('technicians').select('id').executeTakeFirstOrThrow();
    const feedToken = feedTokenOf(tech.id);
    await app.inject({ method: 'GET', url: `/v1/feeds/technicians/${feedToken}.ics` });
    const { token: adminToken } = await createApiToken(testDb.handle.db, 'admin', 'log check');
    await app.inject({ method: 'GET', url: '/v1/admin/visits?q=Secretnom', headers: bearer(adminToken) });

    // Public answers carry no other customer's data.
    const publicAnswers = [
      (await app.inject({ method: 'GET', url: `/v1/slots?serviceId=${service.id}&postcode=69003` })).body,
      (await app.inject({ method: 'GET', url: '/v1/services' })).body,
      (await app.inject({ method: 'GET', url: '/v1/challenge' })).body,
    ].join('\n');
    for (const secret of [customer.name, customer.phone, customer.email, 'Julien Martin', '06 11 22 33 01'])
      expect(publicAnswers).not.toContain(secret);

    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [
      manageToken,
      calendarToken,
      feedToken,
      adminToken,
      customer.name,
      customer.phone,
      customer.email,
      'Secretnom',
    ])
      expect(logs).not.toContain(secret);
    expect(logs).toContain('[redacted]');
  });
});
