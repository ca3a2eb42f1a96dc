import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../benchmarks/lib/service.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

describe('probes and metrics (metrics behind a token)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('readiness turns 503 while draining, liveness stays 200', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    t.app.lifecycle.draining = true;
    try {
      const ready = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unavailable', checks: { draining: true } });
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      t.app.lifecycle.draining = false;
    }
  });

  it('readiness is 503 while a shipped migration is not applied', async () => {
    const last = await t.testDb.handle.db
      .selectFrom('schema_migrations')
      .select('name')
      .orderBy('name', 'desc')
      .executeTakeFirstOrThrow();
    await t.testDb.handle.db.deleteFrom('schema_migrations').where('name', '=', last.name).execute();
    try {
      const ready = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks).toMatchObject({ database: true, migrations: false });
    } finally {
      await t.testDb.handle.db.insertInto('schema_migrations').values({ name: last.name }).execute();
    }
  });

  it('serves Prometheus text to an admin only, with route templates as labels', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(t.tokens.agent) })).statusCode,
    ).toBe(403);
    const services = await t.app.inject({ method: 'GET', url: '/v1/services' });
    expect(services.statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(t.tokens.admin) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const text = res.body;
    expect(text).toMatch(
      /tournee_http_request_duration_seconds_count\{method="GET",route="\/v1\/services",status_code="200"\} \d+/,
    );
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('tournee_optimiser_run_seconds');
    expect(text).toContain('tournee_lock_wait_seconds');
    if (t.testDb.handle.kind === 'postgres')
      expect(text).toMatch(/tournee_db_pool_connections\{state="total"\}/);
  });

  it('shows the outbox: pending and dead-lettered messages, and how long the oldest work has waited', async () => {
    const db = t.testDb.handle.db;
    const scrape = async () =>
      (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(t.tokens.admin) })).body;
    const value = (text: string, series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    const before = await scrape();
    const pendingBefore = value(before, 'tournee_outbox_messages{status="pending"}');
    const failedBefore = value(before, 'tournee_outbox_messages{status="failed"}');
    expect(pendingBefore).toBeGreaterThanOrEqual(0);
    // An event committed 90 s ago that no worker has turned into messages yet (none runs here), one
    // message due 40 s ago, one dead-lettered.
    const aggregateId = '00000000-0000-4000-8000-0000000000a9';
    await sql`INSERT INTO outbox (type, aggregate, aggregate_id, payload, created_at)
      VALUES ('request.closed', 'request', ${aggregateId}, '{}', now() - interval '90 seconds')`.execute(db);
    for (const [key, status, dueAgo] of [
      ['metrics-test-pending', 'pending', '40 seconds'],
      ['metrics-test-failed', 'failed', '1 day'],
    ] as const)
      await sql`INSERT INTO messages (dedupe_key, channel, kind, aggregate, aggregate_id, recipient, payload,
          status, next_attempt_at, give_up_at)
        VALUES (${key}, 'webhook', 'request.closed', 'request', ${aggregateId}, 'https://crm.example/hook', '{}',
          ${status}, now() - ${dueAgo}::interval, now() + interval '1 day')`.execute(db);
    const text = await scrape();
    expect(value(text, 'tournee_outbox_messages{status="pending"}')).toBe(pendingBefore + 1);
    expect(value(text, 'tournee_outbox_messages{status="failed"}')).toBe(failedBefore + 1);
    expect(value(text, 'tournee_outbox_lag_seconds{stage="undispatched"}')).toBeGreaterThanOrEqual(89);
    expect(value(text, 'tournee_outbox_lag_seconds{stage="overdue"}')).toBeGreaterThanOrEqual(39);
  });

  it('counts slot answers by outcome: offered, or the reason there is none', async () => {
    const services = (await t.app.inject({ method: 'GET', url: '/v1/services' })).json().services as {
      id: string;
    }[];
    const serviceId = services[0]!.id;
    const offered = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${serviceId}&postcode=69003`,
    });
    expect(offered.statusCode).toBe(200);
    const away = await t.app.inject({
      method: 'GET',
      url: `/v1/slots?serviceId=${serviceId}&postcode=75001`,
    });
    expect(away.json().reason.code).toBe('zone-not-served');
    const text = (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(t.tokens.admin) }))
      .body;
    expect(text).toMatch(/tournee_slot_answers_total\{outcome="zone-not-served"\} [1-9]/);
    expect(text).toMatch(/tournee_slot_answers_total\{outcome="(offered|fully-booked)"\} [1-9]/);
  });

  it('labels unknown URLs as unmatched, never by their path', async () => {
    await t.app.inject({ method: 'GET', url: '/v1/nothing-here/0612345678' });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(t.tokens.admin) }))
      .body;
    expect(text).not.toContain('0612345678');
    expect(text).toMatch(/route="unmatched",status_code="404"/);
  });
});

describe('metrics on an internal port', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    t = await createTestApp({ env: { TOURNEE_METRICS_PORT: String(port) } });
  });
  afterAll(async () => t?.close());

  it('answers without a token on TOURNEE_METRICS_PORT and not on the public port', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('tournee_http_request_duration_seconds');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});
