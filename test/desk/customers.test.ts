import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalisePhone } from '../../src/domain/customers/index.js';
import { dispatchEvents } from '../../src/domain/outbox/dispatch.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor, type Slot } from '../helpers/booking.js';

let t: TestApp;
let service: { id: string; name: string };
let windows: Slot[];
let marie: { customerId: string; reference: string; visitId: string };

const db = () => t.testDb.handle.db;
const agent = () => bearer(t.tokens.agent);
const admin = () => bearer(t.tokens.admin);

async function search(q: string, extra = '') {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/admin/customers?q=${encodeURIComponent(q)}${extra}`,
    headers: agent(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    items: { id: string; name: string; phones: string[]; matchedOn: string; upcomingVisits: number }[];
    total: number;
    truncated: boolean;
    nextOffset: number | null;
  };
}

async function customerOfVisit(visitId: string): Promise<string> {
  const row = await db()
    .selectFrom('visits')
    .select('customer_id')
    .where('id', '=', visitId)
    .executeTakeFirstOrThrow();
  return row.customer_id!;
}

let nextWindow = 0;
async function bookAs(customer: Record<string, unknown>, options: { staff?: boolean; line?: string } = {}) {
  const payload = bookingPayload(service.id, windows[nextWindow++]!, '69003', {
    customer,
    address: { line: options.line ?? '12 rue Victor Hugo', postcode: '69003', city: 'Lyon 3e' },
  });
  const res = options.staff
    ? await book(t.app, { ...payload, channel: 'phone' }, { headers: agent(), pow: false })
    : await book(t.app, payload);
  expect(res.statusCode, res.body).toBe(201);
  const booking = res.json().booking as { id: string; reference: string };
  return { visitId: booking.id, reference: booking.reference, customerId: await customerOfVisit(booking.id) };
}

beforeAll(async () => {
  t = await createTestApp({ env: { TOURNEE_POW_DIFFICULTY: '4' } });
  service = await firstService(t.app, 'depannage');
  windows = (await slotsFor(t.app, service.id, '69003')).flatMap((d) => d.windows);
  // The widget books as the customer typed the number; the desk later hears it in another format.
  marie = await bookAs({ name: 'Marie Dupont', phone: '06 12 34 56 78', email: 'Marie.Dupont@example.org' });
});
afterAll(async () => t?.close());

describe('phone numbers', () => {
  it.each([
    ['06 12 34 56 78', '+33612345678'],
    ['0612345678', '+33612345678'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['0033612345678', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['+32 470 12 34 56', '+32470123456'],
    ['0041 79 123 45 67', '+41791234567'],
    ['12345', null],
    ['+33 6 12', null],
    ['06 12 34 56 78 90', null],
    ['bonjour', null],
  ])('%s → %s', (raw, e164) => {
    expect(normalisePhone(raw)).toBe(e164);
  });

  it('refuses a country the company does not call when its codes are given', () => {
    expect(normalisePhone('+44 20 7946 0958', ['33', '32'])).toBeNull();
    expect(normalisePhone('+32 470 12 34 56', ['33', '32'])).toBe('+32470123456');
  });

  it('the SQL backfill reads numbers the same way', async () => {
    const cases = [
      '06 12 34 56 78',
      '0033612345678',
      '+33 6 12 34 56 78',
      '+32 470 12 34 56',
      '12345',
      '+33 6 12',
    ];
    for (const raw of cases) {
      const { rows } = await sql<{ e: string | null }>`SELECT phone_e164(${raw}) AS e`.execute(db());
      expect(rows[0]!.e, raw).toBe(normalisePhone(raw));
    }
  });
});

describe('find-or-create on every booking', () => {
  it('stores the widget booking’s customer in E.164 with its address and consent', async () => {
    const c = await db()
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', marie.customerId)
      .executeTakeFirstOrThrow();
    expect(c).toMatchObject({
      full_name: 'Marie Dupont',
      phones: ['+33612345678'],
      email: 'Marie.Dupont@example.org',
    });
    expect(c.addresses).toEqual([{ street: '12 rue Victor Hugo', postcode: '69003', city: 'Lyon 3e' }]);
    expect(c.consent_at).not.toBeNull();
  });

  it('a desk booking with the number in another format and no e-mail is the same customer', async () => {
    const again = await bookAs({ name: 'Mme Dupont', phone: '+33 6 12 34 56 78' }, { staff: true });
    expect(again.customerId).toBe(marie.customerId);
  });

  it('the same e-mail (any case) with a new number is the same customer, who gains the number', async () => {
    const again = await bookAs(
      { name: 'Marie Dupont', phone: '07 00 00 00 01', email: 'marie.dupont@EXAMPLE.org' },
      { line: '3 place Bellecour' },
    );
    expect(again.customerId).toBe(marie.customerId);
    const c = await db()
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', marie.customerId)
      .executeTakeFirstOrThrow();
    expect(c.phones).toEqual(['+33612345678', '+33700000001']);
    expect(c.addresses.map((a) => a.street)).toEqual(['12 rue Victor Hugo', '3 place Bellecour']);
  });

  it('the same name with another number and e-mail is someone else', async () => {
    const other = await bookAs({
      name: 'Marie Dupont',
      phone: '06 99 88 77 66',
      email: 'mdupont@example.net',
    });
    expect(other.customerId).not.toBe(marie.customerId);
  });
});

describe('GET /v1/admin/customers?q=', () => {
  it.each([
    '+33 6 12 34 56 78',
    '06 12 34 56 78',
    '0612345678',
    '0033612345678',
    '5678',
    '56 78',
    '06 12 34',
  ])('finds the caller by phone typed as %s', async (q) => {
    const found = await search(q);
    expect(found.items[0]).toMatchObject({ id: marie.customerId, matchedOn: 'phone' });
  });

  it.each([
    'Marie Dupont',
    'Dupont Marie',
    'dupont',
    'DUPONT marie',
    'dupond',
    'dopont',
    'Dupônt',
    'Marie Dupnt',
  ])('finds her by name typed as %s', async (q) => {
    const found = await search(q);
    const hit = found.items.find((i) => i.id === marie.customerId);
    expect(hit, JSON.stringify(found.items.slice(0, 3))).toMatchObject({ matchedOn: 'name' });
  });

  it('ranks the exact name above the one-typo match', async () => {
    const found = await search('Marie Dupont');
    expect(found.items[0]!.name).toBe('Marie Dupont');
  });

  it('finds her by e-mail, in any case', async () => {
    const found = await search('marie.dupont@example.ORG');
    expect(found.items[0]).toMatchObject({ id: marie.customerId, matchedOn: 'email' });
  });

  it('finds her by booking reference, with or without the dash', async () => {
    for (const q of [marie.reference, marie.reference.toLowerCase(), marie.reference.replace('-', '')]) {
      const found = await search(q);
      expect(found.items[0], q).toMatchObject({ id: marie.customerId, matchedOn: 'reference' });
    }
  });

  it('finds her by street, and says when the answer was cut', async () => {
    const first = await search('place bellecour');
    expect(first.items.map((i) => i.id)).toContain(marie.customerId);
    expect(first.items.find((i) => i.id === marie.customerId)!.matchedOn).toBe('street');
    // rue Victor Hugo is a demo street: many customers live there.
    const page = await search('rue victor hugo', '&limit=5');
    expect(page.items).toHaveLength(5);
    expect(page.total).toBeGreaterThan(5);
    expect(page).toMatchObject({ truncated: true, nextOffset: 5 });
    const next = await search('rue victor hugo', '&limit=5&offset=5');
    expect(next.items.map((i) => i.id)).not.toContain(page.items[0]!.id);
    const last = await search('rue victor hugo', `&limit=5&offset=${page.total - 1}`);
    expect(last).toMatchObject({ truncated: false, nextOffset: null, total: page.total });
    expect(last.items).toHaveLength(1);
  });

  it('counts upcoming visits', async () => {
    const found = await search('0612345678');
    expect(found.items[0]!.upcomingVisits).toBe(3);
  });

  it('answers nothing (not an error) when nobody matches', async () => {
    expect(await search('Zyxwvut')).toEqual({ items: [], total: 0, truncated: false, nextOffset: null });
  });

  it.each([
    ['a', 'query.q'],
    ['x'.repeat(101), 'query.q'],
    ['', 'query.q'],
  ])('q=%s → 400 naming q', async (q, field) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/customers?q=${encodeURIComponent(q)}`,
      headers: agent(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
  });

  it('needs a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/admin/customers?q=dupont' });
    expect(res.statusCode).toBe(401);
  });
});

describe('the card', () => {
  it('shows contact, visits newest first with their technician, and requests', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/customers/${marie.customerId}`,
      headers: agent(),
    });
    expect(res.statusCode).toBe(200);
    const card = res.json();
    expect(card).toMatchObject({ id: marie.customerId, name: 'Marie Dupont', notes: '', requests: [] });
    expect(card.visits).toHaveLength(3);
    const starts = card.visits.map((v: { windowStart: string }) => Date.parse(v.windowStart));
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    expect(card.visits.at(-1)).toMatchObject({
      id: marie.visitId,
      reference: marie.reference,
      serviceId: service.id,
      serviceName: service.name,
      status: 'booked',
      manageable: true,
      address: { street: '12 rue Victor Hugo', postcode: '69003', city: 'Lyon 3e' },
    });
    expect(card.visits[0].technicianName).toEqual(expect.any(String));
  });

  it('a demo customer has past visits that the desk cannot manage any more', async () => {
    const past = await db()
      .selectFrom('visits')
      .select('customer_id')
      .where('status', '=', 'done')
      .executeTakeFirstOrThrow();
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/customers/${past.customer_id}`,
      headers: agent(),
    });
    const done = res.json().visits.find((v: { status: string }) => v.status === 'done');
    expect(done.manageable).toBe(false);
  });

  it('unknown id → 404, not an id → 400', async () => {
    const missing = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/customers/00000000-0000-4000-8000-000000000000',
      headers: agent(),
    });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'GET', url: '/v1/admin/customers/nope', headers: agent() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('params.id');
  });
});

describe('POST and PATCH /v1/admin/customers', () => {
  let paulId: string;

  it('creates a new caller (201), then finds them by phone instead of duplicating (200)', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/customers',
      headers: agent(),
      payload: {
        name: 'Paul Fèvre',
        phone: '07 11 22 33 44',
        address: { street: '4 rue Pasteur', postcode: '69007', city: 'Lyon 7e' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    paulId = created.json().id;
    expect(created.json()).toMatchObject({ name: 'Paul Fèvre', phones: ['+33711223344'], visits: [] });
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/customers',
      headers: agent(),
      payload: { name: 'P. Fevre', phone: '+33711223344' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(paulId);
    expect((await search('fevre')).items[0]!.id).toBe(paulId);
  });

  it('two desks creating the same new caller at once make one customer', async () => {
    const create = (phone: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/admin/customers',
        headers: agent(),
        payload: { name: 'Inès Roux', phone },
      });
    const answers = await Promise.all([
      create('06 44 33 22 11'),
      create('+33644332211'),
      create('0644332211'),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    const rows = await db()
      .selectFrom('customers')
      .select('id')
      .where(sql<boolean>`phones @> ARRAY['+33644332211']`)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('a phone that is not a phone → 400 naming the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/customers',
      headers: agent(),
      payload: { name: 'X', phone: '12 34' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('body.phone');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/customers/${paulId}`,
      headers: agent(),
      payload: { phones: ['07 11 22 33 44', 'pas un numéro'] },
    });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().field).toBe('body.phones.1');
  });

  it('corrects name, e-mail, numbers and notes', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/customers/${paulId}`,
      headers: agent(),
      payload: {
        name: 'Paul Fèvre',
        email: 'paul@example.org',
        phones: ['0711223344', '+32 470 12 34 56'],
        notes: 'Chien méchant',
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      email: 'paul@example.org',
      phones: ['+33711223344', '+32470123456'],
      notes: 'Chien méchant',
    });
    expect((await search('470 12 34 56')).items[0]!.id).toBe(paulId);
  });

  it('refuses a number that is another customer’s (409 naming it)', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/customers/${paulId}`,
      headers: agent(),
      payload: { phones: ['0711223344', '06 12 34 56 78'] },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().field).toBe('body.phones.1');
  });

  it('unknown id → 404', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/v1/admin/customers/00000000-0000-4000-8000-000000000000',
      headers: agent(),
      payload: { notes: 'x' },
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('GDPR export and erasure', () => {
  it('an agent may do neither (403)', async () => {
    for (const [method, url] of [
      ['GET', `/v1/admin/customers/${marie.customerId}/export`],
      ['POST', `/v1/admin/customers/${marie.customerId}/erase`],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: agent() });
      expect(res.statusCode, url).toBe(403);
    }
  });

  it('exports everything held about the customer', async () => {
    await dispatchEvents(db(), new Date());
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/customers/${marie.customerId}/export`,
      headers: admin(),
    });
    expect(res.statusCode).toBe(200);
    const data = res.json();
    expect(data.customer).toMatchObject({ name: 'Marie Dupont', phones: ['+33612345678', '+33700000001'] });
    expect(data.visits).toHaveLength(3);
    expect(data.messages.some((m: { recipient: string }) => /dupont@example\.org/i.test(m.recipient))).toBe(
      true,
    );
    expect(res.body).not.toMatch(/manage_token|mng_/);
  });

  it('refuses while a visit is to come, then erases everywhere once they are cancelled; twice = same 200', async () => {
    const refused = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/customers/${marie.customerId}/erase`,
      headers: admin(),
    });
    expect(refused.statusCode).toBe(409);
    const visitIds = (
      await db().selectFrom('visits').select('id').where('customer_id', '=', marie.customerId).execute()
    ).map((v) => v.id);
    for (const id of visitIds) {
      const cancelled = await t.app.inject({
        method: 'POST',
        url: `/v1/bookings/${id}/cancel`,
        headers: agent(),
      });
      expect(cancelled.statusCode).toBe(200);
    }
    await dispatchEvents(db(), new Date());

    const erased = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/customers/${marie.customerId}/erase`,
      headers: admin(),
    });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json()).toMatchObject({ id: marie.customerId, visitsKept: 3 });
    const twice = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/customers/${marie.customerId}/erase`,
      headers: admin(),
    });
    expect(twice.statusCode).toBe(200);
    expect(twice.json()).toEqual(erased.json());

    // Nothing left of her in any table that held her; the visits keep what statistics need.
    // Whole numbers only: a bare digit run like 700000001 turns up inside logged response times.
    const personal = /dupont|\+33612345678|12 34 56 78|\+33700000001|07 00 00 00 01|victor hugo|bellecour/i;
    const dump = await sql<{ t: string }>`
      SELECT concat_ws(' ', (SELECT json_agg(c)::text FROM customers c WHERE c.id = ${marie.customerId}),
                            (SELECT json_agg(v)::text FROM visits v WHERE v.id IN (${sql.join(visitIds)})),
                            (SELECT json_agg(o)::text FROM outbox o WHERE o.aggregate_id IN (${sql.join(visitIds)})),
                            (SELECT json_agg(m)::text FROM messages m WHERE m.aggregate_id IN (${sql.join(visitIds)}))) AS t`.execute(
      db(),
    );
    expect(dump.rows[0]!.t).not.toMatch(personal);
    const visits = await db().selectFrom('visits').selectAll().where('id', 'in', visitIds).execute();
    expect(
      visits.every((v) => v.postcode === '69003' && v.service_id === service.id && v.status === 'cancelled'),
    ).toBe(true);
    const outbox = await db()
      .selectFrom('outbox')
      .select('payload')
      .where('aggregate_id', 'in', visitIds)
      .execute();
    expect(outbox.length).toBeGreaterThan(0);
    expect(outbox.every((o) => (o.payload as { window?: unknown }).window)).toBe(true);

    expect((await search('0612345678')).items).toEqual([]);
    const card = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/customers/${marie.customerId}`,
      headers: agent(),
    });
    expect(card.statusCode).toBe(404);
    // The erasure is logged, without her data (the log scan at close checks every line).
    expect(t.logLines.some((l) => l.includes('customer.erased') && l.includes(marie.customerId))).toBe(true);
    expect(t.logLines.join('')).not.toMatch(personal);
  });

  it('unknown id → 404', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/customers/00000000-0000-4000-8000-000000000000/erase',
      headers: admin(),
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('backfill from existing visits', () => {
  it('links every demo visit; one e-mail behind several numbers makes one customer', async () => {
    const unlinked = await db().selectFrom('visits').select('id').where('customer_id', 'is', null).execute();
    expect(unlinked).toEqual([]);
    const visits = await db()
      .selectFrom('visits')
      .select(['id', 'customer_phone', 'customer_id'])
      .where('customer_name', '=', 'Patrick Dumont')
      .execute();
    expect(visits.length).toBeGreaterThan(1);
    const phones = new Set(visits.map((v) => normalisePhone(v.customer_phone)));
    expect(phones.size).toBeGreaterThan(1);
    // The demo's namesakes are different people (one customer each)…
    expect(new Set(visits.map((v) => v.customer_id)).size).toBe(visits.length);
    // …until they turn out to share one e-mail: then they are one person with several numbers.
    const ids = visits.map((v) => v.id);
    await sql`UPDATE visits SET customer_email = 'patrick.dumont@example.fr', customer_id = NULL
               WHERE id IN (${sql.join(ids)})`.execute(db());
    await db()
      .deleteFrom('customers')
      .where(
        'id',
        'in',
        visits.map((v) => v.customer_id!),
      )
      .execute();
    await sql`SELECT customers_backfill()`.execute(db());
    const after = await db().selectFrom('visits').select('customer_id').where('id', 'in', ids).execute();
    expect(new Set(after.map((v) => v.customer_id)).size).toBe(1);
    const c = await db()
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', after[0]!.customer_id!)
      .executeTakeFirstOrThrow();
    expect(new Set(c.phones)).toEqual(phones);
    expect(c.email).toBe('patrick.dumont@example.fr');
  });

  it('same name, different numbers and no shared e-mail: one customer per number; one number in two formats: one', async () => {
    const visits = await db()
      .selectFrom('visits')
      .select(['id', 'customer_phone'])
      .where('customer_name', '=', 'Patrick Dumont')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const ids = visits.map((v) => v.id);
    const before = await db().selectFrom('visits').select('customer_id').where('id', 'in', ids).execute();
    // As if each had typed their own address, and the first one had come back giving his number as +33.
    await sql`UPDATE visits SET customer_email = 'p' || substr(id::text, 1, 8) || '@example.net', customer_id = NULL
               WHERE id IN (${sql.join(ids)})`.execute(db());
    await sql`UPDATE visits SET customer_phone = ${'+33 ' + normalisePhone(visits[0]!.customer_phone)!.slice(3)},
                                customer_email = NULL, customer_id = NULL
               WHERE id = ${ids[1]!}`.execute(db());
    // The one customer the migration made of them goes, as on a database that never had it.
    await db()
      .deleteFrom('customers')
      .where(
        'id',
        'in',
        before.map((v) => v.customer_id!),
      )
      .execute();
    const linked = await sql<{ n: number }>`SELECT customers_backfill() AS n`.execute(db());
    expect(Number(linked.rows[0]!.n)).toBe(ids.length);
    const after = await db()
      .selectFrom('visits')
      .select(['id', 'customer_id'])
      .where('id', 'in', ids)
      .execute();
    const byVisit = new Map(after.map((v) => [v.id, v.customer_id]));
    expect(byVisit.get(ids[1]!)).toBe(byVisit.get(ids[0]!));
    expect(new Set(after.map((v) => v.customer_id)).size).toBe(ids.length - 1);
    const found = await search('Patrick Dumont', '&limit=50');
    const newOnes = new Set(after.map((v) => v.customer_id));
    expect(found.items.filter((i) => newOnes.has(i.id))).toHaveLength(ids.length - 1);
  });
});
