/**
 * The booking's record statement also writes its booking.created event (one CTE): the event is made
 * from the row as it will be stored, and a statement that fails writes nothing at all. A cancellation
 * is one statement too (update and event), applied only to the version it read.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localIsoSql, recordBooking } from '../../src/db/booking-statements.js';
import { isOverlapViolation } from '../../src/domain/bookings/conflicts.js';
import { localIso } from '../../src/domain/local-time.js';
import { visitEventData } from '../../src/domain/outbox/index.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { TEST_TODAY } from '../helpers/database.js';
import { book, bookingPayload, firstService, manageTokenOf, slotsFor } from '../helpers/booking.js';

/** The customer both hand-made record statements book for: as the visit row and as the customer stores them. */
const PAUL_MARTIN = {
  visit: {
    customer_name: 'Paul Martin',
    customer_phone: '06 98 76 54 32',
    customer_email: null,
    address_line: '3 place Bellecour',
    postcode: '69002',
    city: 'Lyon',
  },
  customer: {
    name: 'Paul Martin',
    phone: '+33698765432',
    email: null,
    street: '3 place Bellecour',
    postcode: '69002',
    city: 'Lyon',
  },
} as const;

describe('booking record statement', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const db = () => t.testDb.handle.db;

  it('writes the event the stored row makes, with the manage link kept private', async () => {
    const service = await firstService(t.app, 'depannage');
    const [day] = await slotsFor(t.app, service.id, '69003');
    const res = await book(t.app, bookingPayload(service.id, day!.windows[0]!, '69003'));
    expect(res.statusCode).toBe(201);
    const id = res.json().booking.id as string;
    const row = await db().selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const services = await db()
      .selectFrom('services')
      .select(['name', 'price_label'])
      .where('id', '=', service.id)
      .execute();
    const settings = await db().selectFrom('company_settings').select('timezone').executeTakeFirstOrThrow();
    const events = await db().selectFrom('outbox').selectAll().where('aggregate_id', '=', id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('booking.created');
    expect(events[0]!.aggregate).toBe('visit');
    // Field for field what the event of the stored row would say (status, version, times, contact).
    expect(events[0]!.payload).toEqual(
      JSON.parse(
        JSON.stringify(
          visitEventData(
            row,
            { name: services[0]!.name, priceLabel: services[0]!.price_label },
            settings.timezone,
          ),
        ),
      ),
    );
    expect(events[0]!.private_payload).toEqual({ manageUrl: res.json().manageUrl });
  });

  it('a record that fails (the interval is taken) leaves no visit, no event, no online booking', async () => {
    const service = await firstService(t.app, 'depannage');
    const [day] = await slotsFor(t.app, service.id, '69003');
    const res = await book(t.app, bookingPayload(service.id, day!.windows[0]!, '69003'));
    expect(res.statusCode).toBe(201);
    const taken = await db()
      .selectFrom('visits')
      .selectAll()
      .where('id', '=', res.json().booking.id)
      .executeTakeFirstOrThrow();
    const id = randomUUID();
    const now = new Date();
    const counts = async (tx: Parameters<typeof recordBooking>[0]) => {
      const { rows } = await sql<{ visits: number; events: number; web: number }>`
        SELECT (SELECT count(*) FROM visits WHERE id = ${id})::int AS visits,
               (SELECT count(*) FROM outbox WHERE aggregate_id = ${id})::int AS events,
               (SELECT count(*) FROM web_bookings WHERE visit_id = ${id})::int AS web`.execute(tx);
      return rows[0]!;
    };
    await db()
      .transaction()
      .execute(async (tx) => {
        await sql`SAVEPOINT record`.execute(tx);
        const failed = await recordBooking(tx, {
          visit: {
            id,
            reference: `TEST-${id.slice(0, 8)}`,
            service_id: taken.service_id,
            technician_id: taken.technician_id,
            window_start: taken.window_start,
            window_end: taken.window_end,
            planned_start: taken.planned_start,
            planned_end: taken.planned_end,
            ...PAUL_MARTIN.visit,
            lat: taken.lat,
            lon: taken.lon,
            channel: 'web',
            booked_by: 'web',
            manage_token_hash: `test-${id}`,
          },
          customer: { ...PAUL_MARTIN.customer, at: now },
          retimed: { visits: [], holds: [] },
          release: { holdId: null, clientHash: null, now },
          webBooking: { clientKey: 'test-client', at: now, countSince: null },
          outcome: { scope: 'booking:create', key: `test-${id}`, statusCode: 201 },
          event: {
            type: 'booking.created',
            aggregate: 'visit',
            payload: { id },
            privatePayload: { manageUrl: 'x' },
          },
          now,
        }).catch((error: unknown) => error);
        expect(isOverlapViolation(failed)).toBe(true);
        await sql`ROLLBACK TO SAVEPOINT record`.execute(tx);
        // Inside the same transaction, after the failed statement: none of its writes exist.
        expect(await counts(tx)).toEqual({ visits: 0, events: 0, web: 0 });
      });
    expect(await counts(db() as unknown as Parameters<typeof recordBooking>[0])).toEqual({
      visits: 0,
      events: 0,
      web: 0,
    });
  });

  it('cancels once when two cancellations race, with the event of the stored row', async () => {
    const service = await firstService(t.app, 'depannage');
    // A window days ahead: online changes close a while before the window.
    const day = (await slotsFor(t.app, service.id, '69003')).at(-1);
    const res = await book(t.app, bookingPayload(service.id, day!.windows[0]!, '69003'));
    expect(res.statusCode).toBe(201);
    const id = res.json().booking.id as string;
    const token = manageTokenOf(res.json().manageUrl);
    const cancel = () =>
      t.app.inject({
        method: 'POST',
        url: `/v1/bookings/${id}/cancel`,
        headers: { 'x-manage-token': token },
      });
    const answers = await Promise.all([cancel(), cancel(), cancel()]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.json().status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const row = await db().selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('cancelled');
    expect(row.version).toBe(2);
    const events = await db()
      .selectFrom('outbox')
      .selectAll()
      .where('aggregate_id', '=', id)
      .where('type', '=', 'booking.cancelled')
      .execute();
    expect(events).toHaveLength(1);
    const services = await db()
      .selectFrom('services')
      .select(['name', 'price_label'])
      .where('id', '=', service.id)
      .execute();
    const settings = await db().selectFrom('company_settings').select('timezone').executeTakeFirstOrThrow();
    expect(events[0]!.payload).toEqual(
      JSON.parse(
        JSON.stringify(
          visitEventData(
            row,
            { name: services[0]!.name, priceLabel: services[0]!.price_label },
            settings.timezone,
          ),
        ),
      ),
    );
    expect(events[0]!.private_payload).toBeNull();
    // A wrong token still reads as an unknown booking.
    const wrong = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${id}/cancel`,
      headers: { 'x-manage-token': `${token}x` },
    });
    expect(wrong.statusCode).toBe(404);
  });

  it('writes local times in SQL as localIso does: clock changes, half-hour offsets, fractions of a second', async () => {
    // Around the 2026 changes in Paris (29 March, 25 October), New York (8 March, 1 November) and
    // Lord Howe (+10:30 / +11), and in Kolkata (+05:30) and St John's (-03:30 / -02:30).
    const zones = [
      'Europe/Paris',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'America/St_Johns',
    ];
    const instants: Date[] = [];
    for (const day of ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01'])
      for (let hour = -3; hour <= 27; hour += 0.5)
        // Planned times carry fractions of a second: rounded to the nearest, half up.
        for (const ms of [0, 400, 500, 999])
          instants.push(new Date(Date.parse(`${day}T00:00:00Z`) + hour * 3_600_000 + ms));
    for (const timezone of zones) {
      const { rows } = await sql<{ at: Date; iso: string }>`
        SELECT t.at, ${localIsoSql(sql.ref('t.at'), sql`${timezone}::text`)} AS iso
          FROM unnest(${instants}::timestamptz[]) AS t(at)`.execute(db());
      expect(rows.map((r) => r.iso)).toEqual(rows.map((r) => localIso(r.at.getTime() / 1000, timezone)));
      expect(rows).toHaveLength(instants.length);
    }
  });

  it('refuses a customer’s cancellation past the cut-off without writing, and lets the desk cancel', async () => {
    const service = await firstService(t.app, 'depannage');
    // The first window the desk sees (no minimum notice): within 24 h of the clock.
    const agent = bearer(t.tokens.agent);
    const deskDays = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/slots?serviceId=${service.id}&postcode=69003`,
        headers: agent,
      })
    ).json().days as { date: string; windows: { start: string; end: string }[] }[];
    const window = deskDays[0]!.windows[0]!;
    expect(Date.parse(window.start) - Date.parse(`${TEST_TODAY}T07:00:00Z`)).toBeLessThan(86_400_000);
    const res = await book(t.app, bookingPayload(service.id, window, '69003'), {
      headers: agent,
      pow: false,
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().booking.id as string;
    const token = manageTokenOf(res.json().manageUrl);
    const late = await t.app.inject({
      method: 'POST',
      url: `/v1/bookings/${id}/cancel`,
      headers: { 'x-manage-token': token },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('change-cutoff-passed');
    const cancelledEvents = () =>
      db()
        .selectFrom('outbox')
        .select('payload')
        .where('aggregate_id', '=', id)
        .where('type', '=', 'booking.cancelled')
        .execute();
    expect(await cancelledEvents()).toHaveLength(0);
    const kept = await db().selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([kept.status, kept.version]).toEqual(['booked', 1]);

    const byDesk = await t.app.inject({ method: 'POST', url: `/v1/bookings/${id}/cancel`, headers: agent });
    expect(byDesk.statusCode).toBe(200);
    expect([byDesk.json().status, byDesk.json().version]).toEqual(['cancelled', 2]);
    const row = await db().selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(byDesk.json().updatedAt).toBe(row.updated_at.toISOString());
    const settings = await db().selectFrom('company_settings').select('timezone').executeTakeFirstOrThrow();
    const { price_label } = await db()
      .selectFrom('services')
      .select('price_label')
      .where('id', '=', service.id)
      .executeTakeFirstOrThrow();
    const events = await cancelledEvents();
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual(
      JSON.parse(
        JSON.stringify(
          visitEventData(row, { name: service.name, priceLabel: price_label }, settings.timezone),
        ),
      ),
    );
  });

  it('re-times the stops the insertion moved in the same statement (and leaves the others alone)', async () => {
    const service = await firstService(t.app, 'depannage');
    const day = (await slotsFor(t.app, service.id, '69003')).at(-2);
    const res = await book(t.app, bookingPayload(service.id, day!.windows[0]!, '69003'));
    expect(res.statusCode).toBe(201);
    const neighbour = await db()
      .selectFrom('visits')
      .selectAll()
      .where('id', '=', res.json().booking.id)
      .executeTakeFirstOrThrow();
    const id = randomUUID();
    const now = new Date();
    const later = (d: Date) => new Date(d.getTime() + 40 * 86_400_000);
    const input = (retimed: boolean): Parameters<typeof recordBooking>[1] => ({
      visit: {
        id,
        reference: `TEST-${id.slice(0, 8)}`,
        service_id: neighbour.service_id,
        technician_id: neighbour.technician_id,
        window_start: later(neighbour.window_start),
        window_end: later(neighbour.window_end),
        planned_start: later(neighbour.planned_start),
        planned_end: later(neighbour.planned_end),
        ...PAUL_MARTIN.visit,
        lat: neighbour.lat,
        lon: neighbour.lon,
        channel: 'phone',
        booked_by: 'test',
        manage_token_hash: `test-${id}`,
      },
      customer: { ...PAUL_MARTIN.customer, at: now },
      retimed: {
        visits: retimed
          ? [{ id: neighbour.id, start: neighbour.planned_start, end: neighbour.planned_end }]
          : [],
        holds: [],
      },
      release: { holdId: null, clientHash: null, now },
      outcome: { scope: 'booking:create', key: `test-${id}`, statusCode: 201 },
      now,
    });
    // Run in a transaction that is rolled back either way: only the version seen inside matters.
    const seen: number[] = [];
    for (const retimed of [false, true]) {
      await db()
        .transaction()
        .execute(async (tx) => {
          await recordBooking(tx, input(retimed));
          const row = await tx
            .selectFrom('visits')
            .select('version')
            .where('id', '=', neighbour.id)
            .executeTakeFirstOrThrow();
          seen.push(row.version);
          throw new Error('roll back');
        })
        .catch((error: unknown) => {
          if (!(error instanceof Error) || error.message !== 'roll back') throw error;
        });
    }
    expect(seen).toEqual([neighbour.version, neighbour.version + 1]);
  });
});
