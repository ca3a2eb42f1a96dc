/**
 * Feeds kept in memory by an instance that watches changes (kept-feeds.ts): a poll that finds nothing
 * new reads no visit row and answers 304 on its ETag, and every change — a booking, a cancellation,
 * an absence and its removal, a contact detail, the clock — shows in the next poll, on any instance:
 * the kept feed is always the one built afresh from the database at that moment.
 */
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listFeedVisits } from '../../src/db/calendar.js';
import { buildServer } from '../../src/http/server.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, manageTokenOf, slotsFor } from '../helpers/booking.js';
import { feedTokenOf, TEST_TEAM_FEED_TOKEN, TEST_TODAY } from '../helpers/database.js';

// The real query, counted: a poll that reads rows shows up here.
vi.mock('../../src/db/calendar.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/db/calendar.js')>();
  return { ...actual, listFeedVisits: vi.fn(actual.listFeedVisits) };
});

let t: TestApp;
/** Two instances keeping feeds (`kept`, `other`) and one building them on every poll (`fresh`), one clock. */
let kept: FastifyInstance;
let other: FastifyInstance;
let fresh: FastifyInstance;
let clock = new Date(`${TEST_TODAY}T07:00:00Z`);
let technicianIds: string[];

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '8', TOURNEE_READ_CACHE_MS: '2000' } });
  const options = { database: t.testDb.handle, logger: false, clock: () => clock } as const;
  kept = await buildServer(t.config, options);
  other = await buildServer(t.config, options);
  fresh = await buildServer({ ...t.config, TOURNEE_READ_CACHE_MS: 0 }, options);
  await Promise.all([kept.ready(), other.ready(), fresh.ready()]);
  expect(kept.ctx.keptFeeds).toBeDefined();
  expect(fresh.ctx.keptFeeds).toBeUndefined();
  technicianIds = (
    await t.testDb.handle.db.selectFrom('technicians').select('id').where('active', '=', true).execute()
  ).map((r) => r.id);
});
afterAll(async () => {
  for (const app of [kept, other, fresh]) await app?.close();
  await t?.close();
});

const teamUrl = `/v1/feeds/team/${TEST_TEAM_FEED_TOKEN}.ics`;
const technicianUrl = (id: string) => `/v1/feeds/technicians/${feedTokenOf(id)}.ics`;

async function poll(app: FastifyInstance, url: string, etag?: string) {
  vi.mocked(listFeedVisits).mockClear();
  const res = await app.inject({ method: 'GET', url, headers: etag ? { 'if-none-match': etag } : {} });
  return {
    status: res.statusCode,
    etag: String(res.headers.etag),
    body: res.body,
    rowReads: vi.mocked(listFeedVisits).mock.calls.length,
  };
}

/** Every feed as the keeping instance answers it equals the one built afresh; polled twice, the second reads nothing. */
async function expectKeptIsFresh(): Promise<void> {
  for (const url of [teamUrl, ...technicianIds.map(technicianUrl)]) {
    const expected = await poll(fresh, url);
    const got = await poll(kept, url);
    expect(got.status, url).toBe(expected.status);
    expect(got.body, url).toBe(expected.body);
    expect(got.etag, url).toBe(expected.etag);
    const again = await poll(kept, url, got.etag);
    expect(again.status, url).toBe(304);
    expect(again.rowReads, url).toBe(0);
  }
}

async function technicianOf(visitId: string): Promise<string> {
  const row = await t.testDb.handle.db
    .selectFrom('visits')
    .select('technician_id')
    .where('id', '=', visitId)
    .executeTakeFirstOrThrow();
  return row.technician_id;
}

describe('feeds kept by an instance', () => {
  it('a booking made on another instance, then its cancellation, show in the next poll; unchanged polls are 304 without reading rows', async () => {
    const service = await firstService(kept, 'depannage');
    const days = await slotsFor(kept, service.id, '69007');
    const before = new Map<string, string>();
    for (const url of [teamUrl, ...technicianIds.map(technicianUrl)]) {
      const first = await poll(kept, url);
      expect(first.status).toBe(200);
      before.set(url, first.etag);
      const unchanged = await poll(kept, url, first.etag);
      expect(unchanged.status).toBe(304);
      expect(unchanged.rowReads).toBe(0);
    }

    const created = await book(other, bookingPayload(service.id, days[1]!.windows[0]!, '69007'));
    expect(created.statusCode, created.body).toBe(201);
    const { booking, manageUrl } = created.json() as {
      booking: { id: string; reference: string };
      manageUrl: string;
    };
    const mine = technicianUrl(await technicianOf(booking.id));
    for (const url of [mine, teamUrl]) {
      const changed = await poll(kept, url, before.get(url));
      expect(changed.status, url).toBe(200);
      expect(changed.body, url).toContain(`Réf. ${booking.reference}`);
      expect(changed.rowReads, url).toBe(1);
      before.set(url, changed.etag);
    }
    // Another technician's feed did not change: still a 304 on the old ETag, without reading rows.
    const someoneElse = technicianIds.map(technicianUrl).find((u) => u !== mine)!;
    const untouched = await poll(kept, someoneElse, before.get(someoneElse));
    expect(untouched.status).toBe(304);
    expect(untouched.rowReads).toBe(0);

    const cancelled = await other.inject({
      method: 'POST',
      url: `/v1/bookings/${booking.id}/cancel`,
      headers: { 'x-manage-token': manageTokenOf(manageUrl) },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const afterCancel = await poll(kept, mine, before.get(mine));
    expect(afterCancel.status).toBe(200);
    const event = afterCancel.body
      .replace(/\r\n[ \t]/g, '')
      .split('BEGIN:VEVENT')
      .find((e) => e.includes(`Réf. ${booking.reference}`))!;
    expect(event).toContain('STATUS:CANCELLED');
    await expectKeptIsFresh();
  });

  it('property: after any sequence of bookings, cancellations, absences and their removal, and time passing, every kept feed is the fresh one', async () => {
    const service = await firstService(kept, 'depannage');
    const made: { id: string; token: string }[] = [];
    const absences: string[] = [];
    type Step =
      | { kind: 'book'; day: number; window: number; postcode: string }
      | { kind: 'cancel'; which: number }
      | { kind: 'absence'; technician: number; day: number }
      | { kind: 'removeAbsence'; which: number }
      | { kind: 'time'; minutes: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('book' as const),
        day: fc.nat(6),
        window: fc.nat(8),
        postcode: fc.constantFrom('69001', '69003', '69007'),
      }),
      fc.record({ kind: fc.constant('cancel' as const), which: fc.nat() }),
      fc.record({ kind: fc.constant('absence' as const), technician: fc.nat(), day: fc.nat(6) }),
      fc.record({ kind: fc.constant('removeAbsence' as const), which: fc.nat() }),
      fc.record({ kind: fc.constant('time' as const), minutes: fc.integer({ min: 1, max: 3 * 24 * 60 }) }),
    );
    const run = async (s: Step, app: FastifyInstance) => {
      switch (s.kind) {
        case 'book': {
          const days = await slotsFor(app, service.id, s.postcode);
          const day = days[s.day % Math.max(1, days.length)];
          const window = day?.windows[s.window % Math.max(1, day.windows.length)];
          if (!window) return;
          const res = await book(app, bookingPayload(service.id, window, s.postcode));
          if (res.statusCode === 201) {
            const { booking, manageUrl } = res.json() as { booking: { id: string }; manageUrl: string };
            made.push({ id: booking.id, token: manageTokenOf(manageUrl) });
          }
          return;
        }
        case 'cancel': {
          const booking = made[s.which % Math.max(1, made.length)];
          if (booking)
            await app.inject({
              method: 'POST',
              url: `/v1/bookings/${booking.id}/cancel`,
              headers: { 'x-manage-token': booking.token },
            });
          return;
        }
        case 'absence': {
          const date = new Date(clock.getTime() + (s.day + 1) * 86_400_000).toISOString().slice(0, 10);
          const res = await app.inject({
            method: 'POST',
            url: '/v1/admin/availability/exceptions',
            headers: bearer(t.tokens.admin),
            payload: {
              kind: 'absence',
              technicianId: technicianIds[s.technician % technicianIds.length],
              from: date,
              reason: 'formation',
            },
          });
          if (res.statusCode === 201) absences.push(exceptionId(res.json()));
          return;
        }
        case 'removeAbsence': {
          const id = absences.splice(s.which % Math.max(1, absences.length), 1)[0];
          if (id)
            await app.inject({
              method: 'DELETE',
              url: `/v1/admin/availability/exceptions/${id}`,
              headers: bearer(t.tokens.admin),
            });
          return;
        }
        case 'time':
          clock = new Date(clock.getTime() + s.minutes * 60_000);
          return;
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(step, fc.boolean()), { minLength: 1, maxLength: 4 }),
        async (steps) => {
          for (const [s, onOther] of steps) {
            await run(s, onOther ? other : kept);
            await expectKeptIsFresh();
          }
        },
      ),
      { numRuns: 6, seed: 19 },
    );
  }, 300_000);

  it('a contact detail changed by a writer that bumps no version (as an erasure does) reaches the kept feed (last: feeds built without keeping miss it)', async () => {
    const db = t.testDb.handle.db;
    const visit = await db
      .selectFrom('visits')
      .select(['id', 'technician_id', 'customer_phone'])
      .where('status', '=', 'booked')
      .where('planned_start', '>', clock)
      .orderBy('planned_start')
      .executeTakeFirstOrThrow();
    const url = technicianUrl(visit.technician_id);
    const first = await poll(kept, url);
    await db
      .updateTable('visits')
      .set({ customer_phone: '04 72 00 00 99' })
      .where('id', '=', visit.id)
      .execute();
    const changed = await poll(kept, url, first.etag);
    expect(changed.status).toBe(200);
    expect(changed.body).toContain('04 72 00 00 99');
  });
});

/** The recorded exception's id, whatever the answer wraps it in. */
function exceptionId(body: { id?: string; exception?: { id: string } }): string {
  return body.exception?.id ?? body.id!;
}
