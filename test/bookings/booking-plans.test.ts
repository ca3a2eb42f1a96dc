/**
 * A booking's statements inside its locked transaction run on their generic plans (planned once per
 * connection): left to choose, PostgreSQL re-planned the fresh read at every booking, because its
 * generic plan is estimated dearer than the custom plans its parameters fold — and the planning
 * cost more than the plan ran. The open statement sets plan_cache_mode for its transaction only.
 * The locked transaction is the desk's (and make-room's, and a public booking's whose snapshot went
 * stale): an ordinary public booking reads its snapshot and calls book_visit instead (479f598).
 */
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { buildServer } from '../../src/http/server.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';

const url = process.env.DATABASE_URL;

describe.skipIf(!url)('booking statements’ plans, on PostgreSQL', () => {
  let t: TestApp;
  /** One connection, so its prepared statements are the ones every booking ran. */
  let single: DatabaseHandle;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await createTestApp();
    single = await openDatabase({ url: t.testDb.url, schema: t.testDb.schema, poolSize: 1 });
    app = await buildServer(t.config, {
      database: single,
      logger: false,
      clock: () => new Date('2026-03-25T07:00:00Z'),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await single?.close();
    await t?.close();
  });

  it('the fresh read is planned once, not at every booking; outside a booking the choice is PostgreSQL’s again', async () => {
    const service = await firstService(app, 'depannage');
    const windows = (await slotsFor(app, service.id, '69003')).flatMap((d) => d.windows);
    // More than the five custom plans PostgreSQL makes before it may settle on the generic one (the
    // suite's caps are off: one customer books them all).
    for (const window of windows.slice(0, 8)) {
      // Booked at the desk: the locked transaction, whose fresh read this is about.
      const res = await book(app, bookingPayload(service.id, window, '69003'), {
        headers: bearer(t.tokens.agent),
        pow: false,
      });
      expect(res.statusCode).toBe(201);
    }
    const plans = await sql<{ statement: string; generic_plans: number; custom_plans: number }>`
      SELECT statement, generic_plans::int, custom_plans::int FROM pg_prepared_statements`.execute(single.db);
    const freshRead = plans.rows.find((p) => p.statement.includes('WITH locks AS'));
    expect(freshRead).toBeDefined();
    expect(freshRead!.custom_plans).toBe(0);
    expect(freshRead!.generic_plans).toBe(8);
    // SET LOCAL: the setting ended with each booking's transaction.
    const mode = await sql<{ mode: string }>`SELECT current_setting('plan_cache_mode') AS mode`.execute(
      single.db,
    );
    expect(mode.rows[0]!.mode).toBe('auto');
  });
});
