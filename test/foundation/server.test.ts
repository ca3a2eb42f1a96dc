import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/auth.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('service foundation', () => {
  it('answers /health (liveness) and /ready (database, migrations)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
    expect(res.headers['x-request-id']).toBeTruthy();
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: true, migrations: true } });
  });

  it('publishes OpenAPI 3.1 and the docs page', async () => {
    const json = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json().openapi).toBe('3.1.0');
    expect(Object.keys(json.json().paths)).toContain('/health');
    const page = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/html/);
  });

  it('answers unknown routes with problem+json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, title: 'Not found' });
  });

  describe('admin authentication', () => {
    it('401 without a token, with WWW-Authenticate', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/admin/me' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/Bearer/);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    });

    it('401 with a wrong token', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/admin/me',
        headers: bearer('trn_admin_wrong'),
      });
      expect(res.statusCode).toBe(401);
    });

    it('200 with a valid token', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/admin/me',
        headers: bearer(t.tokens.planner),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ name: 'test planner', role: 'planner' });
    });

    it('403 with a role too low', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/admin/tokens',
        headers: bearer(t.tokens.agent),
      });
      expect(res.statusCode).toBe(403);
    });

    it('admin creates a token shown once, lists without values, and revokes it', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/tokens',
        headers: bearer(t.tokens.admin),
        payload: { name: 'Claire (desk)', role: 'agent' },
      });
      expect(created.statusCode).toBe(201);
      const { id, token } = created.json();
      expect(token).toMatch(/^trn_agent_/);
      expect(
        (await t.app.inject({ method: 'GET', url: '/v1/admin/me', headers: bearer(token) })).statusCode,
      ).toBe(200);
      const list = await t.app.inject({
        method: 'GET',
        url: '/v1/admin/tokens',
        headers: bearer(t.tokens.admin),
      });
      expect(list.body).not.toContain(token);
      expect(
        (
          await t.app.inject({
            method: 'DELETE',
            url: `/v1/admin/tokens/${id}`,
            headers: bearer(t.tokens.admin),
          })
        ).statusCode,
      ).toBe(204);
      expect(
        (await t.app.inject({ method: 'GET', url: '/v1/admin/me', headers: bearer(token) })).statusCode,
      ).toBe(401);
    });

    it('rejects an expired token', async () => {
      const { token } = await createApiToken(
        t.testDb.handle.db,
        'admin',
        'expired',
        new Date(Date.now() - 1000),
      );
      expect(
        (await t.app.inject({ method: 'GET', url: '/v1/admin/me', headers: bearer(token) })).statusCode,
      ).toBe(401);
    });
  });

  describe('bad input', () => {
    it('names the failing field', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/tokens',
        headers: bearer(t.tokens.admin),
        payload: { name: 'x', role: 'king' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().field).toBe('body.role');
    });

    it('rejects malformed JSON with 400', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/tokens',
        headers: { ...bearer(t.tokens.admin), 'content-type': 'application/json' },
        payload: '{"name": ',
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    });

    it('rejects an unsupported content type with 415', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/tokens',
        headers: { ...bearer(t.tokens.admin), 'content-type': 'text/xml' },
        payload: '<x/>',
      });
      expect(res.statusCode).toBe(415);
    });
  });

  describe('CORS', () => {
    it('allows configured origins only', async () => {
      const ok = await t.app.inject({
        method: 'OPTIONS',
        url: '/health',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
      });
      expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      const ko = await t.app.inject({
        method: 'OPTIONS',
        url: '/health',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      expect(ko.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it('sets security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeTruthy();
  });
});
