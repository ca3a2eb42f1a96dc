import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchEvents } from '../../src/domain/outbox/dispatch.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { solvedPow } from '../helpers/booking.js';

let t: TestApp;
const db = () => t.testDb.handle.db;
const agent = () => bearer(t.tokens.agent);

interface Summary {
  id: string;
  reference: string;
  kind: string;
  status: string;
  customer: { id: string; name: string; phone: string };
  text: string;
  channel: string;
  ageMinutes: number;
  takenBy: string | null;
  bookingId: string | null;
  closeReason: string | null;
  preferredTime: string | null;
}

async function publicRequest(
  body: Record<string, unknown>,
  options: { pow?: boolean; headers?: Record<string, string> } = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/requests',
    headers: options.headers,
    payload: options.pow === false ? body : { ...body, pow: await solvedPow(t.app) },
  });
}

async function deskRequest(body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/v1/admin/requests', headers: agent(), payload: body });
}

async function patch(id: string, body: Record<string, unknown>) {
  return t.app.inject({ method: 'PATCH', url: `/v1/admin/requests/${id}`, headers: agent(), payload: body });
}

async function list(query: string) {
  const res = await t.app.inject({ method: 'GET', url: `/v1/admin/requests?${query}`, headers: agent() });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: Summary[]; total: number; truncated: boolean };
}

const callback = {
  kind: 'callback',
  name: 'Lucie Bernard',
  phone: '06 55 44 33 22',
  email: 'lucie@example.org',
  postcode: '69003',
  message: 'Disjoncteur qui saute le soir',
  preferredTime: 'après 17 h',
};

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '4' } });
});
afterAll(async () => t?.close());

describe('POST /v1/requests (public)', () => {
  let created: { id: string; reference: string };

  it('records a callback request with a solved proof of work, its customer and its event', async () => {
    const res = await publicRequest(callback);
    expect(res.statusCode, res.body).toBe(201);
    created = res.json();
    expect(created.reference).toMatch(/^DM-[2-9A-HJ-NP-Z]{6}$/);
    const row = await db()
      .selectFrom('requests')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'callback',
      status: 'new',
      channel: 'web',
      created_by: 'web',
      postcode: '69003',
    });
    const customer = await db()
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', row.customer_id)
      .executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ full_name: 'Lucie Bernard', phones: ['+33655443322'] });
    const events = await db()
      .selectFrom('outbox')
      .selectAll()
      .where('aggregate_id', '=', created.id)
      .execute();
    expect(events.map((e) => e.type)).toEqual(['request.created']);
    expect(events[0]!.payload).toMatchObject({
      reference: created.reference,
      kind: 'callback',
      status: 'new',
    });
  });

  it('the same caller again is the same customer', async () => {
    const res = await publicRequest({ ...callback, kind: 'no_window', phone: '+33655443322', email: null });
    expect(res.statusCode).toBe(201);
    const ids = await db()
      .selectFrom('requests')
      .select('customer_id')
      .where('id', 'in', [created.id, res.json().id])
      .execute();
    expect(new Set(ids.map((r) => r.customer_id)).size).toBe(1);
  });

  it('refuses without proof of work, a replayed one, a robot, a bad or foreign number, a staff-only kind', async () => {
    const noPow = await publicRequest(callback, { pow: false });
    expect(noPow.statusCode).toBe(400);
    expect(noPow.json().field).toBe('body.pow');

    const pow = await solvedPow(t.app);
    expect((await publicRequest({ ...callback, pow }, { pow: false })).statusCode).toBe(201);
    const replay = await publicRequest({ ...callback, pow }, { pow: false });
    expect(replay.statusCode).toBe(422);
    expect(replay.json().field).toBe('body.pow');

    const robot = await publicRequest({ ...callback, website: 'http://spam' });
    expect(robot.statusCode).toBe(422);

    for (const phone of ['12 34', '+44 20 7946 0958']) {
      const bad = await publicRequest({ ...callback, phone });
      expect(bad.statusCode, phone).toBe(400);
      expect(bad.json().field).toBe('body.phone');
    }
    const field = await publicRequest({ ...callback, kind: 'field' });
    expect(field.statusCode).toBe(400);
    expect(field.json().field).toBe('body.kind');
    const kind = await publicRequest({ ...callback, kind: 'nope' });
    expect(kind.statusCode).toBe(400);
    expect(kind.json().field).toBe('body.kind');
  });

  it('a staff token needs no proof of work', async () => {
    const res = await publicRequest({ ...callback, kind: 'quote' }, { pow: false, headers: agent() });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('the desk’s requests', () => {
  let known: Summary;
  let caller: Summary;
  let customerId: string;

  beforeAll(async () => {
    customerId = (
      await db()
        .selectFrom('visits')
        .select('customer_id')
        .where('status', '=', 'booked')
        .executeTakeFirstOrThrow()
    ).customer_id!;
  });

  it('records one for a known customer and one for a new caller', async () => {
    const res = await deskRequest({
      kind: 'quote',
      customerId,
      text: 'Devis tableau électrique',
      channel: 'phone',
      postcode: '69003',
    });
    expect(res.statusCode, res.body).toBe(201);
    known = res.json();
    expect(known).toMatchObject({
      kind: 'quote',
      status: 'new',
      customer: { id: customerId },
      text: 'Devis tableau électrique',
      channel: 'phone',
      postcode: '69003',
      ageMinutes: 0,
      takenBy: null,
      bookingId: null,
    });
    expect(known.customer.phone).toMatch(/^\+33\d{9}$/);

    const other = await deskRequest({
      kind: 'out_of_area',
      customer: { name: 'Hugo Martin', phone: '07 12 12 12 12' },
      text: 'Habite à Vienne',
      channel: 'desk',
    });
    expect(other.statusCode, other.body).toBe(201);
    caller = other.json();
    expect(caller.customer).toMatchObject({ name: 'Hugo Martin', phone: '+33712121212' });
  });

  it('bad input names the field', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ kind: 'quote', text: 'x', channel: 'phone' }, 400, 'body.customer'],
      [
        { kind: 'quote', customerId: '00000000-0000-4000-8000-000000000000', text: 'x', channel: 'phone' },
        422,
        'body.customerId',
      ],
      [
        { kind: 'quote', customer: { name: 'A', phone: 'abc' }, text: 'x', channel: 'phone' },
        400,
        'body.customer.phone',
      ],
      [{ kind: 'quote', customerId, text: 'x', channel: 'web' }, 400, 'body.channel'],
      [{ kind: 'later', customerId, text: 'x', channel: 'phone' }, 400, 'body.kind'],
    ];
    for (const [body, status, field] of cases) {
      const res = await deskRequest(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().field).toBe(field);
    }
    const anonymous = await t.app.inject({ method: 'POST', url: '/v1/admin/requests', payload: {} });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lists oldest first with their age, filtered by status, kind, age and customer; says when cut', async () => {
    // Age them as if they came in earlier this morning.
    await sql`UPDATE requests SET created_at = created_at - interval '3 hours' WHERE id = ${known.id}`.execute(
      db(),
    );
    await sql`UPDATE requests SET created_at = created_at - interval '30 minutes' WHERE id = ${caller.id}`.execute(
      db(),
    );
    const all = await list('status=open');
    expect(all.items[0]!.id).toBe(known.id);
    expect(all.items[0]!.ageMinutes).toBe(180);
    const created = all.items.map((i) => i.ageMinutes);
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    expect((await list('olderThan=60')).items.map((i) => i.id)).toEqual([known.id]);
    expect((await list('olderThan=20&kind=out_of_area,quote')).items.map((i) => i.id)).toEqual([
      known.id,
      caller.id,
    ]);
    expect((await list(`customerId=${customerId}`)).items.map((i) => i.id)).toEqual([known.id]);
    const cut = await list('status=new&limit=1');
    expect(cut).toMatchObject({ truncated: true });
    expect(cut.total).toBeGreaterThan(1);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/requests?status=lost',
      headers: agent(),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toMatch(/^query\.status/);
  });

  it('goes new → in_progress → done with a reason, each step in the history, the close in the outbox', async () => {
    const taken = await patch(known.id, { status: 'in_progress' });
    expect(taken.statusCode, taken.body).toBe(200);
    expect(taken.json()).toMatchObject({ status: 'in_progress', takenBy: 'agent:test agent' });

    const noReason = await patch(known.id, { status: 'done' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().field).toBe('body.reason');
    const blank = await patch(known.id, { status: 'done', reason: '   ' });
    expect(blank.statusCode).toBe(400);

    const visit = await db()
      .selectFrom('visits')
      .select('id')
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    const unknownBooking = await patch(known.id, {
      status: 'done',
      reason: 'Rendez-vous pris',
      bookingId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownBooking.statusCode).toBe(422);
    expect(unknownBooking.json().field).toBe('body.bookingId');

    const done = await patch(known.id, { status: 'done', reason: 'Rendez-vous pris', bookingId: visit.id });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'done',
      closeReason: 'Rendez-vous pris',
      bookingId: visit.id,
    });

    const detail = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/requests/${known.id}`,
      headers: agent(),
    });
    expect(detail.statusCode).toBe(200);
    expect(
      detail
        .json()
        .history.map((h: { from: string | null; to: string; actor: string; note: string }) => [
          h.from,
          h.to,
          h.actor,
          h.note,
        ]),
    ).toEqual([
      [null, 'new', 'agent:test agent', ''],
      ['new', 'in_progress', 'agent:test agent', ''],
      ['in_progress', 'done', 'agent:test agent', 'Rendez-vous pris'],
    ]);
    const events = await db()
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('aggregate_id', '=', known.id)
      .orderBy('created_at')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['request.created', 'request.closed']);
    expect(events[1]!.payload).toMatchObject({
      status: 'done',
      reason: 'Rendez-vous pris',
      bookingId: visit.id,
    });

    // Closed stays closed; asking again for what it is changes nothing.
    const reopen = await patch(known.id, { status: 'in_progress' });
    expect(reopen.statusCode).toBe(409);
    const again = await patch(known.id, { status: 'done', reason: 'Rendez-vous pris' });
    expect(again.statusCode).toBe(200);
    const history = await db()
      .selectFrom('request_history')
      .select('id')
      .where('request_id', '=', known.id)
      .execute();
    expect(history).toHaveLength(3);
  });

  it('cancels with a reason, straight from new', async () => {
    const res = await patch(caller.id, {
      status: 'cancelled',
      reason: 'Hors zone, orienté vers un confrère',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'cancelled',
      closeReason: 'Hors zone, orienté vers un confrère',
    });
  });

  it('unknown id → 404', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/admin/requests/${id}`, headers: agent() })).statusCode,
    ).toBe(404);
    expect((await patch(id, { status: 'in_progress' })).statusCode).toBe(404);
  });

  it('a request is never deleted and its history never rewritten', async () => {
    await expect(sql`DELETE FROM requests WHERE id = ${known.id}`.execute(db())).rejects.toThrow(
      /never deleted/,
    );
    await expect(
      sql`DELETE FROM request_history WHERE request_id = ${known.id}`.execute(db()),
    ).rejects.toThrow(/never deleted/);
    await expect(
      sql`UPDATE request_history SET to_status = 'cancelled' WHERE request_id = ${known.id}`.execute(db()),
    ).rejects.toThrow(/append-only/);
  });

  it('shows on the customer’s card, and its reference finds the customer', async () => {
    const card = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/customers/${customerId}`,
      headers: agent(),
    });
    expect(card.json().requests.map((r: Summary) => r.id)).toContain(known.id);
    const found = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/customers?q=${known.reference}`,
      headers: agent(),
    });
    expect(found.json().items[0]).toMatchObject({ id: customerId, matchedOn: 'reference' });
  });

  it('erasing the customer waits for open requests, then blanks their text, notes and events', async () => {
    const hugo = caller.customer.id;
    const open = await deskRequest({
      kind: 'callback',
      customerId: hugo,
      text: 'Rappeler Hugo au 07 12 12 12 12',
      channel: 'phone',
    });
    const admin = bearer(t.tokens.admin);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/customers/${hugo}/erase`,
      headers: admin,
    });
    expect(refused.statusCode).toBe(409);
    expect((await patch(open.json().id, { status: 'done', reason: 'Hugo Martin rappelé' })).statusCode).toBe(
      200,
    );
    // The company's CRM hears of requests: their webhook messages carry the person until the erasure.
    await db()
      .insertInto('webhooks')
      .values({
        url: 'https://crm.example.org/hook',
        events: ['request.created', 'request.closed'],
        secret: 'whsec_dGVzdA==',
      })
      .execute();
    await dispatchEvents(db(), new Date());
    const hooks = await sql<{ payload: { data: { reference: string } } }>`
      SELECT m.payload FROM messages m JOIN requests r ON r.id = m.aggregate_id
       WHERE r.customer_id = ${hugo} AND m.channel = 'webhook'`.execute(db());
    expect(hooks.rows.length).toBe(4);
    expect(JSON.stringify(hooks.rows)).toMatch(/Hugo Martin/);
    const erased = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/customers/${hugo}/erase`,
      headers: admin,
    });
    expect(erased.statusCode, erased.body).toBe(200);
    const dump = await sql<{ t: string }>`
      SELECT concat_ws(' ',
        (SELECT json_agg(r)::text FROM requests r WHERE r.customer_id = ${hugo}),
        (SELECT json_agg(h)::text FROM request_history h JOIN requests r ON r.id = h.request_id WHERE r.customer_id = ${hugo}),
        (SELECT json_agg(o)::text FROM outbox o JOIN requests r ON r.id = o.aggregate_id WHERE r.customer_id = ${hugo}),
        (SELECT json_agg(m)::text FROM messages m JOIN requests r ON r.id = m.aggregate_id WHERE r.customer_id = ${hugo})) AS t`.execute(
      db(),
    );
    expect(dump.rows[0]!.t).not.toMatch(/hugo|martin|712121212|vienne/i);
    const kept = await db()
      .selectFrom('requests')
      .select(['kind', 'status'])
      .where('customer_id', '=', hugo)
      .execute();
    expect(kept).toHaveLength(2);
  });
});

describe('the public booking route, for the desk', () => {
  it('declares optional bearer security, so /docs sends the staff token', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(spec.paths['/v1/bookings'].post.security).toEqual([{}, { bearer: [] }]);
    expect(spec.paths['/v1/slots'].get.security).toEqual([{}, { bearer: [] }]);
    expect(spec.paths['/v1/requests'].post.security).toEqual([{}, { bearer: [] }]);
  });

  it('a channel without a staff token is refused under its own title', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/bookings',
      headers: { 'idempotency-key': 'channel-refused-1' },
      payload: {
        serviceId: '00000000-0000-4000-8000-000000000000',
        window: { start: '2026-03-30T08:00:00+02:00', end: '2026-03-30T10:00:00+02:00' },
        customer: { name: 'A B', phone: '0612345678' },
        address: { line: '1 rue X', postcode: '69003', city: 'Lyon' },
        consent: true,
        channel: 'phone',
      },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ title: 'Channel reserved for staff', field: 'body.channel' });
  });
});
