import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailedLogins } from '../../src/http/failed-logins.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

/**
 * Issue 18 item 10: failed sign-ins are limited per client address. Past the limit in a minute the
 * address gets 429 with Retry-After, whatever token it sends, before any token is looked up; other
 * addresses and the public site are not affected.
 */
const GUESSER = '203.0.113.50';
const OFFICE = '198.51.100.7';

describe('failed sign-ins per address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TOURNEE_AUTH_FAILURE_LIMIT: '5' } });
  });
  afterAll(async () => t?.close());

  const visits = (ip: string, token?: string) =>
    t.app.inject({
      method: 'GET',
      url: '/v1/admin/visits?limit=1',
      remoteAddress: ip,
      ...(token ? { headers: bearer(token) } : {}),
    });

  it('answers 401 five times, then 429 with Retry-After even for a valid token; elsewhere nothing changes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await visits(GUESSER, `trn_admin_guess${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);

    const blocked = await visits(GUESSER, 'trn_admin_guess5');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toContain('application/problem+json');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await visits(GUESSER, t.tokens.admin)).statusCode).toBe(429);

    expect((await visits(OFFICE, t.tokens.agent)).statusCode).toBe(200);
    // The public site does not ask for a token: the guesser can still see the services.
    const services = await t.app.inject({ method: 'GET', url: '/v1/services', remoteAddress: GUESSER });
    expect(services.statusCode).toBe(200);
  });

  it('counts a missing token on an admin route as a failure', async () => {
    const ip = '203.0.113.51';
    for (let i = 0; i < 5; i++) expect((await visits(ip)).statusCode).toBe(401);
    expect((await visits(ip)).statusCode).toBe(429);
  });

  it('a bad token on a public route counts too', async () => {
    const ip = '203.0.113.52';
    const withBadToken = () =>
      t.app.inject({
        method: 'GET',
        url: '/v1/bookings/6f0c4a8e-1d2b-4c3a-9e8f-0a1b2c3d4e5f',
        remoteAddress: ip,
        headers: bearer('trn_agent_nope'),
      });
    for (let i = 0; i < 5; i++) expect((await withBadToken()).statusCode).toBe(401);
    expect((await withBadToken()).statusCode).toBe(429);
  });
});

describe('FailedLogins', () => {
  it('forgets failures older than a minute, and 0 means no limit', () => {
    const record = new FailedLogins(2);
    record.record('a', 0);
    record.record('a', 30_000);
    expect(record.retryAfter('a', 30_001)).toBe(30);
    expect(record.retryAfter('a', 60_001)).toBe(0);
    const off = new FailedLogins(0);
    for (let i = 0; i < 100; i++) off.record('a', i);
    expect(off.retryAfter('a', 100)).toBe(0);
  });
});
