/**
 * Feed polls that find nothing new answer from the freshness probe alone, without reading the
 * visit rows; every kind of change (customer reschedule, planner move, cancellation, and a
 * cancellation expiring with time alone) still reaches the ETag.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listFeedVisits } from '../../src/db/calendar.js';
import { buildServer } from '../../src/http/server.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor, manageTokenOf } from '../helpers/booking.js';
import { feedTokenOf, TEST_TEAM_FEED_TOKEN, TEST_TODAY } from '../helpers/database.js';

// The real query, counted: a poll that reads rows shows up here.
vi.mock('../../src/db/calendar.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/db/calendar.js')>();
  return { ...actual, listFeedVisits: vi.fn(actual.listFeedVisits) };
});

const CLOCK = new Date(`${TEST_TODAY}T07:00:00Z`);
const CANCELLED_KEPT_MS = 7 * 86_400_000;

let t: TestApp;
const extraApps: FastifyInstance[] = [];

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '8' } });
});
afterAll(async () => {
  for (const app of extraApps) await app.close();
  await t?.close();
});

const db = () => t.testDb.handle.db;

async function appAt(now: Date): Promise<FastifyInstance> {
  const app = await buildServer(t.config, { database: t.testDb.handle, logger: false, clock: () => now });
  await app.ready();
  extraApps.push(app);
  return app;
}

/** One poll, conditional when an ETag is given, with how many times it read the visit rows. */
async function poll(url: string, etag?: string, app: FastifyInstance = t.app) {
  vi.mocked(listFeedVisits).mockClear();
  const res = await app.inject({ method: 'GET', url, headers: etag ? { 'if-none-match': etag } : {} });
  return {
    status: res.statusCode,
    etag: String(res.headers.etag),
    body: res.body,
    rowReads: vi.mocked(listFeedVisits).mock.calls.length,
  };
}

async function feedUrlsOf(visitId: string): Promise<string[]> {
  const visit = await db()
    .selectFrom('visits')
    .select('technician_id')
    .where('id', '=', visitId)
    .executeTakeFirstOrThrow();
  return [
    `/v1/feeds/technicians/${feedTokenOf(visit.technician_id)}.ics`,
    `/v1/feeds/team/${TEST_TEAM_FEED_TOKEN}.ics`,
  ];
}

/** Each feed has a new ETag, read from the rows once; the next poll is a 304 again without reading them. */
async function expectChanged(
  urls: string[],
  etags: Map<string, string>,
  app: FastifyInstance = t.app,
): Promise<void> {
  for (const url of urls) {
    const changed = await poll(url, etags.get(url), app);
    expect(changed.status, url).toBe(200);
    expect(changed.etag, url).not.toBe(etags.get(url));
    expect(changed.rowReads, url).toBe(1);
    etags.set(url, changed.etag);
    const again = await poll(url, changed.etag, app);
    expect(again.status, url).toBe(304);
    expect(again.rowReads, url).toBe(0);
  }
}

describe('feed freshness probe', () => {
  it('answers an unchanged feed without reading visit rows; reschedule, planner move and cancel change the ETag', async () => {
    const service = await firstService(t.app, 'depannage');
    const days = await slotsFor(t.app, service.id, '69007');
    const created = await book(t.app, bookingPayload(service.id, days[1]!.windows[0]!, '69007'));
    expect(created.statusCode, created.body).toBe(201);
    const { booking, manageUrl } = created.json() as { booking: { id: string }; manageUrl: string };
    const manageToken = manageTokenOf(manageUrl);

    const etags = new Map<string, string>();
    let urls = await feedUrlsOf(booking.id);
    for (const url of urls) {
      const first = await poll(url);
      expect(first.status, first.body).toBe(200);
      etags.set(url, first.etag);
      // Unchanged: 304 on the validator, and the same 200 without one, neither reading rows.
      const conditional = await poll(url, first.etag);
      expect(conditional.status).toBe(304);
      expect(conditional.rowReads).toBe(0);
      const plain = await poll(url);
      expect(plain.status).toBe(200);
      expect(plain.etag).toBe(first.etag);
      expect(plain.body).toBe(first.body);
      expect(plain.rowReads).toBe(0);
    }

    // The customer reschedules through the API (possibly to another technician: the old feed changes too).
    const target = days[2]!.windows.at(-1)!;
    const moved = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/reschedule`,
      headers: { 'x-manage-token': manageToken },
      payload: { window: target },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const afterReschedule = await feedUrlsOf(booking.id);
    await expectChanged([...new Set([...urls, ...afterReschedule])], etags);
    urls = afterReschedule;

    // The planner pins it: nothing but its version and update time move.
    const pinned = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/visits/${booking.id}`,
      headers: bearer(t.tokens.planner),
      payload: { pinned: true },
    });
    expect(pinned.statusCode, pinned.body).toBe(200);
    await expectChanged(urls, etags);

    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: { 'x-manage-token': manageToken },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    await expectChanged(urls, etags);
  });

  it('a cancellation expiring with time alone, within the same day, changes the ETag', async () => {
    const visit = await db()
      .selectFrom('visits')
      .select(['id'])
      .where('status', '=', 'booked')
      .where('planned_start', '>', CLOCK)
      .orderBy('planned_start')
      .executeTakeFirstOrThrow();
    // Cancelled so that it expires one minute after CLOCK: same range before and after.
    const cancelledAt = new Date(CLOCK.getTime() - CANCELLED_KEPT_MS + 60_000);
    await db()
      .updateTable('visits')
      .set((eb) => ({
        status: 'cancelled',
        cancelled_at: cancelledAt,
        version: eb('version', '+', 1),
        updated_at: sql<Date>`now()`,
      }))
      .where('id', '=', visit.id)
      .execute();
    const urls = await feedUrlsOf(visit.id);
    const etags = new Map<string, string>();
    for (const url of urls) {
      const shown = await poll(url);
      expect(shown.status).toBe(200);
      expect(shown.body).toContain(visit.id);
      etags.set(url, shown.etag);
      expect((await poll(url, shown.etag)).rowReads).toBe(0);
    }
    const later = await appAt(new Date(CLOCK.getTime() + 120_000));
    await expectChanged(urls, etags, later);
    for (const url of urls) expect((await poll(url, undefined, later)).body).not.toContain(visit.id);
  });
});
