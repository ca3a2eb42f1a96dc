/**
 * The availability model's admin API through app.inject, on PostgreSQL when
 * DATABASE_URL is set (PGlite otherwise). Every rejected request is checked
 * to name the field and to leave every table exactly as it was.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let technicianId: string;
let zoneId: string;

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

async function call(
  method: Method,
  url: string,
  payload?: unknown,
  token: 'admin' | 'planner' | 'agent' | null = 'admin',
) {
  const response = await t.app.inject({
    method,
    url,
    headers: token ? bearer(t.tokens[token]) : {},
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  return {
    status: response.statusCode,
    body: response.body ? (JSON.parse(response.body) as any) : undefined,
    type: response.headers['content-type'],
  };
}

const TABLES = [
  'company_settings',
  'skills',
  'zones',
  'zone_postcodes',
  'technicians',
  'technician_skills',
  'technician_zones',
  'working_hours',
  'availability_exceptions',
  'services',
  'service_skills',
];

/** Every row of every table the model touches, in a stable order. */
async function snapshot(): Promise<string> {
  const parts: unknown[] = [];
  for (const table of TABLES) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(
      t.testDb.handle.db,
    );
    parts.push(rows.rows.map((r) => JSON.stringify(r)).sort());
  }
  return JSON.stringify(parts);
}

beforeAll(async () => {
  t = await createTestApp();
  const technicians = (await call('GET', '/v1/admin/technicians')).body as {
    id: string;
    name: string;
    zoneIds: string[];
  }[];
  const julien = technicians.find((x) => x.name === 'Julien Martin')!;
  technicianId = julien.id;
  zoneId = julien.zoneIds[0]!;
});
afterAll(async () => t?.close());

describe('invalid payloads: 400 problem+json naming the field, nothing written', () => {
  // payloads naming technicianId are functions: the id is only known once beforeAll has run
  const cases: [string, Method, () => string, unknown, string][] = [
    [
      'overlapping hours',
      'POST',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      { rrule: 'FREQ=WEEKLY;BYDAY=MO', startTime: '11:00', endTime: '12:30', validFrom: '2026-01-01' },
      'body.startTime',
    ],
    [
      'end before start',
      'POST',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      { rrule: 'FREQ=WEEKLY;BYDAY=SA', startTime: '12:00', endTime: '08:00', validFrom: '2026-01-01' },
      'body.endTime',
    ],
    [
      'equal start and end',
      'POST',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      { rrule: 'FREQ=WEEKLY;BYDAY=SA', startTime: '08:00', endTime: '08:00', validFrom: '2026-01-01' },
      'body.endTime',
    ],
    [
      'monthly RRULE',
      'POST',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      { rrule: 'FREQ=MONTHLY;BYDAY=SA', startTime: '08:00', endTime: '12:00', validFrom: '2026-01-01' },
      'body.rrule',
    ],
    [
      'garbage RRULE',
      'POST',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      { rrule: 'every saturday', startTime: '08:00', endTime: '12:00', validFrom: '2026-01-01' },
      'body.rrule',
    ],
    [
      'RRULE with BYHOUR',
      'POST',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      {
        rrule: 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=8',
        startTime: '08:00',
        endTime: '12:00',
        validFrom: '2026-01-01',
      },
      'body.rrule',
    ],
    [
      'validity reversed',
      'POST',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      {
        rrule: 'FREQ=WEEKLY;BYDAY=SA',
        startTime: '08:00',
        endTime: '12:00',
        validFrom: '2026-05-01',
        validUntil: '2026-04-01',
      },
      'body.validUntil',
    ],
    [
      'hour 25',
      'POST',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      { rrule: 'FREQ=WEEKLY;BYDAY=SA', startTime: '25:00', endTime: '26:00', validFrom: '2026-01-01' },
      'body.startTime',
    ],
    [
      'bad validFrom',
      'POST',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      { rrule: 'FREQ=WEEKLY;BYDAY=SA', startTime: '08:00', endTime: '12:00', validFrom: '2026-02-30' },
      'body.validFrom',
    ],
    [
      'overlap inside a replacement',
      'PUT',
      () => `/v1/admin/technicians/${technicianId}/working-hours`,
      {
        rules: [
          { rrule: 'FREQ=WEEKLY;BYDAY=MO,TU', startTime: '08:00', endTime: '12:00', validFrom: '2026-01-01' },
          { rrule: 'FREQ=DAILY', startTime: '11:30', endTime: '13:00', validFrom: '2026-01-01' },
        ],
      },
      'body.rules.1.startTime',
    ],
    [
      'unknown skill',
      'POST',
      () => '/v1/admin/technicians',
      { name: 'Nouveau', home: { lat: 45.76, lon: 4.85 }, skills: ['elec', 'plomberie'] },
      'body.skills.1',
    ],
    [
      'skill listed twice',
      'POST',
      () => '/v1/admin/technicians',
      { name: 'Nouveau', home: { lat: 45.76, lon: 4.85 }, skills: ['elec', 'elec'] },
      'body.skills.1',
    ],
    [
      'bad colour',
      'POST',
      () => '/v1/admin/technicians',
      { name: 'Nouveau', home: { lat: 45.76, lon: 4.85 }, colour: 'red' },
      'body.colour',
    ],
    [
      'unknown zone',
      'POST',
      () => '/v1/admin/technicians',
      { name: 'Nouveau', home: { lat: 45.76, lon: 4.85 }, zoneIds: ['00000000-0000-4000-8000-000000000000'] },
      'body.zoneIds.0',
    ],
    [
      'latitude out of range',
      'POST',
      () => '/v1/admin/technicians',
      { name: 'Nouveau', home: { lat: 95, lon: 4.85 } },
      'body.home.lat',
    ],
    [
      'unknown field',
      'POST',
      () => '/v1/admin/technicians',
      { name: 'Nouveau', home: { lat: 45.76, lon: 4.85 }, salary: 1 },
      'body',
    ],
    [
      'unknown skill on update',
      'PATCH',
      () => `/v1/admin/technicians/${technicianId}`,
      { name: 'Renamed', skills: ['nope'] },
      'body.skills.0',
    ],
    [
      'bad postal code',
      'POST',
      () => '/v1/admin/zones',
      { name: 'Nord', postcodes: [{ postcode: '6900', city: 'X', lat: 45.8, lon: 4.8 }] },
      'body.postcodes.0.postcode',
    ],
    [
      'postal code with letters',
      'POST',
      () => '/v1/admin/zones',
      { name: 'Corse', postcodes: [{ postcode: '2A004', city: 'Ajaccio', lat: 41.9, lon: 8.7 }] },
      'body.postcodes.0.postcode',
    ],
    [
      'postal code twice',
      'POST',
      () => '/v1/admin/zones',
      {
        name: 'Nord',
        postcodes: [
          { postcode: '69250', city: 'Neuville', lat: 45.87, lon: 4.84 },
          { postcode: '69250', city: 'Neuville', lat: 45.87, lon: 4.84 },
        ],
      },
      'body.postcodes.1.postcode',
    ],
    [
      'zone name taken (409)',
      'POST',
      () => '/v1/admin/zones',
      { name: 'Beaujolais', postcodes: [] },
      'body.name',
    ],
    [
      'bad postal code on update',
      'PATCH',
      () => `/v1/admin/zones/${zoneId}`,
      { name: 'Renamed', postcodes: [{ postcode: 'ABCDE', city: 'X', lat: 45, lon: 4 }] },
      'body.postcodes.0.postcode',
    ],
    [
      'service with unknown skill',
      'POST',
      () => '/v1/admin/services',
      { slug: 'plomberie', name: 'Plomberie', durationMinutes: 60, skills: ['plomberie'] },
      'body.skills.0',
    ],
    [
      'service too short',
      'POST',
      () => '/v1/admin/services',
      { slug: 'flash', name: 'Flash', durationMinutes: 2, skills: [] },
      'body.durationMinutes',
    ],
    [
      'window grid overlapping',
      'PATCH',
      () => '/v1/admin/settings',
      {
        windowGrid: [
          { start: '08:00', end: '10:00' },
          { start: '09:30', end: '11:00' },
        ],
      },
      'body.windowGrid.1.start',
    ],
    [
      'window grid unsorted',
      'PATCH',
      () => '/v1/admin/settings',
      {
        windowGrid: [
          { start: '10:00', end: '12:00' },
          { start: '08:00', end: '10:00' },
        ],
      },
      'body.windowGrid.1.start',
    ],
    [
      'window end before start',
      'PATCH',
      () => '/v1/admin/settings',
      { bookingHorizonDays: 30, windowGrid: [{ start: '10:00', end: '08:00' }] },
      'body.windowGrid.0.end',
    ],
    [
      'window not HH:MM',
      'PATCH',
      () => '/v1/admin/settings',
      { windowGrid: [{ start: '8h', end: '10:00' }] },
      'body.windowGrid.0.start',
    ],
    [
      'unknown holiday region',
      'PATCH',
      () => '/v1/admin/settings',
      { holidayRegion: '99' },
      'body.holidayRegion',
    ],
    [
      'unknown time zone',
      'PATCH',
      () => '/v1/admin/settings',
      { name: 'Autre', timezone: 'Mars/Olympus_Mons' },
      'body.timezone',
    ],
    [
      'horizon too long',
      'PATCH',
      () => '/v1/admin/settings',
      { bookingHorizonDays: 400 },
      'body.bookingHorizonDays',
    ],
    [
      'exception end before start',
      'POST',
      () => '/v1/admin/availability/exceptions',
      () => ({
        kind: 'absence',
        technicianId,
        start: '2026-03-30T12:00:00+02:00',
        end: '2026-03-30T10:00:00+02:00',
      }),
      'body.end',
    ],
    [
      'absence without technician',
      'POST',
      () => '/v1/admin/availability/exceptions',
      { kind: 'absence', from: '2026-03-30' },
      'body.technicianId',
    ],
    [
      'closure for one technician',
      'POST',
      () => '/v1/admin/availability/exceptions',
      () => ({ kind: 'closure', technicianId, from: '2026-08-10', to: '2026-08-21' }),
      'body.technicianId',
    ],
    [
      'days reversed',
      'POST',
      () => '/v1/admin/availability/exceptions',
      () => ({ kind: 'absence', technicianId, from: '2026-04-10', to: '2026-04-01' }),
      'body.to',
    ],
    [
      'days and hours both',
      'POST',
      () => '/v1/admin/availability/exceptions',
      () => ({
        kind: 'absence',
        technicianId,
        from: '2026-04-10',
        start: '2026-04-10T08:00:00+02:00',
        end: '2026-04-10T09:00:00+02:00',
      }),
      'body.start',
    ],
    [
      'unknown technician',
      'POST',
      () => '/v1/admin/availability/exceptions',
      {
        kind: 'extra_shift',
        technicianId: '00000000-0000-4000-8000-000000000000',
        start: '2026-03-28T08:00:00+01:00',
        end: '2026-03-28T12:00:00+01:00',
      },
      'body.technicianId',
    ],
    [
      'instant without offset',
      'POST',
      () => '/v1/admin/availability/exceptions',
      () => ({ kind: 'extra_shift', technicianId, start: '2026-03-28T08:00:00', end: '2026-03-28T12:00:00' }),
      'body.start',
    ],
  ];

  it.each(cases)('%s', async (_label, method, url, payload, field) => {
    const before = await snapshot();
    const response = await call(method, url(), typeof payload === 'function' ? payload() : payload);
    expect(response.status, JSON.stringify(response.body)).toBe(field === 'body.name' ? 409 : 400);
    expect(response.type).toMatch(/^application\/problem\+json/);
    expect(response.body.field).toBe(field);
    expect(await snapshot()).toBe(before);
  });
});

describe('technicians', () => {
  it('creates one with skills, zones, home base, colour and a feed URL, then edits and deactivates it', async () => {
    const created = await call('POST', '/v1/admin/technicians', {
      name: 'Hugo Lefort',
      email: 'hugo@duret-electricite.fr',
      colour: '#123abc',
      home: { address: 'Lyon 7e', lat: 45.7416, lon: 4.8403 },
      skills: ['elec', 'irve'],
      zoneIds: [zoneId],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Hugo Lefort',
      colour: '#123abc',
      active: true,
      skills: ['elec', 'irve'],
      zoneIds: [zoneId],
      home: { lat: 45.7416, lon: 4.8403 },
    });
    expect(created.body.feedUrl).toMatch(
      new RegExp(`^${t.config.TOURNEE_PUBLIC_URL ?? 'http'}.*/v1/feeds/technicians/[^/]+\\.ics$`),
    );
    const id = created.body.id as string;

    const patched = await call('PATCH', `/v1/admin/technicians/${id}`, {
      skills: ['elec'],
      colour: '#000000',
    });
    expect(patched.body).toMatchObject({ skills: ['elec'], colour: '#000000', name: 'Hugo Lefort' });

    const removed = await call('DELETE', `/v1/admin/technicians/${id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.active).toBe(false);
    expect((await call('GET', `/v1/admin/technicians/${id}`)).body.active).toBe(false);
    expect(
      ((await call('GET', '/v1/admin/technicians?active=true')).body as { id: string }[]).some(
        (x) => x.id === id,
      ),
    ).toBe(false);
    expect((await call('GET', '/v1/admin/technicians/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
  });
});

describe('working hours and availability', () => {
  let newcomer: string;

  beforeAll(async () => {
    newcomer = (
      await call('POST', '/v1/admin/technicians', {
        name: 'Léa Dumas',
        home: { lat: 45.76, lon: 4.85 },
        skills: ['elec'],
        zoneIds: [zoneId],
      })
    ).body.id;
  });

  it('keeps 08:00 local on both sides of the March clock change', async () => {
    const week = await call(
      'PUT',
      `/v1/admin/technicians/${newcomer}/working-hours`,
      {
        rules: [
          {
            rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
            startTime: '08:00',
            endTime: '12:00',
            validFrom: '2026-01-05',
          },
          {
            rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
            startTime: '13:30',
            endTime: '17:30',
            validFrom: '2026-01-05',
          },
        ],
      },
      'planner',
    );
    expect(week.status).toBe(200);
    expect(week.body).toHaveLength(2);
    const view = await call(
      'GET',
      `/v1/admin/availability?technicianId=${newcomer}&from=2026-03-27&to=2026-03-30`,
      undefined,
      'planner',
    );
    expect(view.status).toBe(200);
    expect(view.body.technicians[0].shifts).toEqual([
      { start: '2026-03-27T08:00:00+01:00', end: '2026-03-27T12:00:00+01:00' },
      { start: '2026-03-27T13:30:00+01:00', end: '2026-03-27T17:30:00+01:00' },
      { start: '2026-03-30T08:00:00+02:00', end: '2026-03-30T12:00:00+02:00' },
      { start: '2026-03-30T13:30:00+02:00', end: '2026-03-30T17:30:00+02:00' },
    ]);
  });

  it('adds, changes and deletes one rule', async () => {
    const added = await call(
      'POST',
      `/v1/admin/technicians/${newcomer}/working-hours`,
      {
        rrule: 'FREQ=WEEKLY;BYDAY=SA',
        startTime: '09:00',
        endTime: '12:00',
        validFrom: '2026-03-01',
        validUntil: '2026-06-30',
      },
      'planner',
    );
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      rrule: 'FREQ=WEEKLY;BYDAY=SA',
      startTime: '09:00',
      endTime: '12:00',
      validUntil: '2026-06-30',
    });
    const ruleId = added.body.id as string;
    const saturday = async () =>
      (await call('GET', `/v1/admin/availability?technicianId=${newcomer}&from=2026-03-28&to=2026-03-28`))
        .body.technicians[0].shifts;
    expect(await saturday()).toEqual([
      { start: '2026-03-28T09:00:00+01:00', end: '2026-03-28T12:00:00+01:00' },
    ]);

    const changed = await call(
      'PATCH',
      `/v1/admin/technicians/${newcomer}/working-hours/${ruleId}`,
      { startTime: '10:00' },
      'planner',
    );
    expect(changed.body.startTime).toBe('10:00');
    expect(await saturday()).toEqual([
      { start: '2026-03-28T10:00:00+01:00', end: '2026-03-28T12:00:00+01:00' },
    ]);

    const before = await snapshot();
    const clash = await call(
      'PATCH',
      `/v1/admin/technicians/${newcomer}/working-hours/${ruleId}`,
      { rrule: 'FREQ=DAILY' },
      'planner',
    );
    expect([clash.status, clash.body.field]).toEqual([400, 'body.startTime']);
    expect(await snapshot()).toBe(before);

    expect(
      (
        await call(
          'DELETE',
          `/v1/admin/technicians/${newcomer}/working-hours/${ruleId}`,
          undefined,
          'planner',
        )
      ).status,
    ).toBe(204);
    expect(await saturday()).toEqual([]);
    expect(
      (
        await call(
          'DELETE',
          `/v1/admin/technicians/${newcomer}/working-hours/${ruleId}`,
          undefined,
          'planner',
        )
      ).status,
    ).toBe(404);
  });

  it('accepts the same weekday when the hours or the validity do not overlap', async () => {
    const a = await call('POST', `/v1/admin/technicians/${newcomer}/working-hours`, {
      rrule: 'FREQ=WEEKLY;BYDAY=SU',
      startTime: '08:00',
      endTime: '10:00',
      validFrom: '2026-01-01',
      validUntil: '2026-01-31',
    });
    const b = await call('POST', `/v1/admin/technicians/${newcomer}/working-hours`, {
      rrule: 'FREQ=WEEKLY;BYDAY=SU',
      startTime: '08:00',
      endTime: '10:00',
      validFrom: '2026-02-01',
    });
    const c = await call('POST', `/v1/admin/technicians/${newcomer}/working-hours`, {
      rrule: 'FREQ=WEEKLY;BYDAY=SU',
      startTime: '10:00',
      endTime: '11:00',
      validFrom: '2026-01-01',
    });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
  });

  it('removes absences and closures, adds extra shifts, and shows them as local times', async () => {
    const absence = await call(
      'POST',
      '/v1/admin/availability/exceptions',
      { kind: 'absence', technicianId: newcomer, from: '2026-03-31', to: '2026-04-01', reason: 'formation' },
      'planner',
    );
    expect(absence.status).toBe(201);
    expect(absence.body).toMatchObject({
      kind: 'absence',
      technicianId: newcomer,
      start: '2026-03-31T00:00:00+02:00',
      end: '2026-04-02T00:00:00+02:00',
      reason: 'formation',
    });
    const dentist = await call(
      'POST',
      '/v1/admin/availability/exceptions',
      {
        kind: 'absence',
        technicianId: newcomer,
        start: '2026-04-02T08:00:00+02:00',
        end: '2026-04-02T10:00:00+02:00',
      },
      'planner',
    );
    const extra = await call(
      'POST',
      '/v1/admin/availability/exceptions',
      {
        kind: 'extra_shift',
        technicianId: newcomer,
        start: '2026-04-04T08:00:00+02:00',
        end: '2026-04-04T12:00:00+02:00',
      },
      'planner',
    );
    const closure = await call(
      'POST',
      '/v1/admin/availability/exceptions',
      { kind: 'closure', from: '2026-04-03', reason: 'pont' },
      'planner',
    );
    expect([dentist.status, extra.status, closure.status]).toEqual([201, 201, 201]);

    const shifts = (
      await call('GET', `/v1/admin/availability?technicianId=${newcomer}&from=2026-03-31&to=2026-04-04`)
    ).body.technicians[0].shifts;
    expect(shifts).toEqual([
      { start: '2026-04-02T10:00:00+02:00', end: '2026-04-02T12:00:00+02:00' },
      { start: '2026-04-02T13:30:00+02:00', end: '2026-04-02T17:30:00+02:00' },
      { start: '2026-04-04T08:00:00+02:00', end: '2026-04-04T12:00:00+02:00' },
    ]);

    const listed = (
      await call(
        'GET',
        `/v1/admin/availability/exceptions?technicianId=${newcomer}&from=2026-03-30&to=2026-04-05`,
        undefined,
        'planner',
      )
    ).body as { id: string; kind: string }[];
    expect(listed.map((e) => e.kind)).toEqual(['absence', 'absence', 'closure', 'extra_shift']);

    const moved = await call(
      'PATCH',
      `/v1/admin/availability/exceptions/${closure.body.id}`,
      { from: '2026-04-10', to: '2026-04-10' },
      'planner',
    );
    expect(moved.body).toMatchObject({
      kind: 'closure',
      technicianId: null,
      start: '2026-04-10T00:00:00+02:00',
      end: '2026-04-11T00:00:00+02:00',
      reason: 'pont',
    });
    const deleted = await call(
      'DELETE',
      `/v1/admin/availability/exceptions/${dentist.body.id}`,
      undefined,
      'planner',
    );
    expect([deleted.status, deleted.body]).toEqual([200, { restoredVisits: [] }]);
    expect((await call('GET', `/v1/admin/availability/exceptions/${dentist.body.id}`)).status).toBe(404);
  });

  it('rejects an unbounded or reversed range', async () => {
    const reversed = await call(
      'GET',
      `/v1/admin/availability?technicianId=${newcomer}&from=2026-04-10&to=2026-04-01`,
    );
    expect([reversed.status, reversed.body.field]).toEqual([400, 'query.to']);
    const long = await call('GET', `/v1/admin/availability?from=2026-01-01&to=2026-12-31`);
    expect([long.status, long.body.field]).toEqual([400, 'query.to']);
    const missing = await call('GET', `/v1/admin/availability?technicianId=${newcomer}`);
    expect([missing.status, missing.body.field]).toEqual([400, 'query.from']);
  });

  it('lists every active technician when none is named', async () => {
    const all = await call(
      'GET',
      '/v1/admin/availability?from=2026-03-30T00:00:00%2B02:00&to=2026-03-31T00:00:00%2B02:00',
      undefined,
      'planner',
    );
    expect(all.status).toBe(200);
    expect(all.body.technicians.length).toBeGreaterThanOrEqual(13);
  });
});

describe('settings and holidays', () => {
  it('changes the window grid, the horizon and the holiday rules', async () => {
    const grid = [
      { start: '08:00', end: '10:00' },
      { start: '10:00', end: '12:00' },
      { start: '14:00', end: '17:00' },
    ];
    const patched = await call('PATCH', '/v1/admin/settings', {
      windowGrid: grid,
      bookingHorizonDays: 35,
      holidayRegion: '57',
      whitMondayWorked: true,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      windowGrid: grid,
      bookingHorizonDays: 35,
      holidayRegion: '57',
      whitMondayWorked: true,
      timezone: 'Europe/Paris',
    });
    expect((await call('GET', '/v1/admin/settings', undefined, 'planner')).body.windowGrid).toEqual(grid);

    const shiftsOn = async (day: string) =>
      (await call('GET', `/v1/admin/availability?technicianId=${technicianId}&from=${day}&to=${day}`)).body
        .technicians[0].shifts as unknown[];
    expect(await shiftsOn('2026-04-03')).toEqual([]); // Good Friday in Alsace-Moselle
    expect(await shiftsOn('2026-05-25')).toHaveLength(2); // Whit Monday worked
    expect(await shiftsOn('2026-05-14')).toEqual([]); // Ascension

    await call('PATCH', '/v1/admin/settings', { holidayRegion: null, whitMondayWorked: false });
    expect(await shiftsOn('2026-04-03')).toHaveLength(2);
    expect(await shiftsOn('2026-05-25')).toEqual([]);
  });
});

describe('catalogue', () => {
  it('skills: create, rename, refuse to delete one in use, delete an unused one', async () => {
    expect((await call('POST', '/v1/admin/skills', { code: 'domotique', label: 'Domotique' })).status).toBe(
      201,
    );
    expect((await call('POST', '/v1/admin/skills', { code: 'domotique', label: 'Encore' })).status).toBe(409);
    expect((await call('PATCH', '/v1/admin/skills/domotique', { label: 'Maison connectée' })).body).toEqual({
      code: 'domotique',
      label: 'Maison connectée',
    });
    const inUse = await call('DELETE', '/v1/admin/skills/elec');
    expect([inUse.status, inUse.body.code]).toEqual([409, 'skill-in-use']);
    expect((await call('DELETE', '/v1/admin/skills/domotique')).status).toBe(204);
    expect(
      ((await call('GET', '/v1/admin/skills', undefined, 'planner')).body as { code: string }[]).map(
        (s) => s.code,
      ),
    ).not.toContain('domotique');
  });

  it('zones: create with postal codes and centroids, replace them, delete when unserved', async () => {
    const created = await call('POST', '/v1/admin/zones', {
      name: 'Val de Saône',
      kind: 'rural',
      postcodes: [
        { postcode: '69250', city: 'Neuville-sur-Saône', lat: 45.8758, lon: 4.8411 },
        { postcode: '69270', city: 'Fontaines-sur-Saône', lat: 45.8347, lon: 4.8472 },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body.postcodes).toHaveLength(2);
    const id = created.body.id as string;
    const replaced = await call('PATCH', `/v1/admin/zones/${id}`, {
      postcodes: [{ postcode: '69250', city: 'Neuville-sur-Saône', lat: 45.87, lon: 4.84 }],
    });
    expect(replaced.body).toMatchObject({
      name: 'Val de Saône',
      kind: 'rural',
      postcodes: [{ postcode: '69250', city: 'Neuville-sur-Saône', lat: 45.87, lon: 4.84 }],
    });
    const served = await call('DELETE', `/v1/admin/zones/${zoneId}`);
    expect([served.status, served.body.code]).toEqual([409, 'zone-in-use']);
    expect((await call('DELETE', `/v1/admin/zones/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/admin/zones/${id}`)).status).toBe(404);
  });

  it('services: create with skills, change, deactivate', async () => {
    const created = await call('POST', '/v1/admin/services', {
      slug: 'domotique-audit',
      name: 'Audit domotique',
      durationMinutes: 75,
      skills: ['elec', 'devis'],
      priceLabel: '120 € TTC',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      windowMinutes: 120,
      minNoticeMinutes: 1440,
      maxHorizonDays: 28,
      active: true,
      skills: ['devis', 'elec'],
      priceLabel: '120 € TTC',
    });
    const id = created.body.id as string;
    expect(
      (
        await call('POST', '/v1/admin/services', {
          slug: 'domotique-audit',
          name: 'Doublon',
          durationMinutes: 60,
          skills: [],
        })
      ).body.field,
    ).toBe('body.slug');
    const changed = await call('PATCH', `/v1/admin/services/${id}`, {
      durationMinutes: 90,
      skills: ['elec'],
      priceLabel: null,
    });
    expect(changed.body).toMatchObject({
      durationMinutes: 90,
      skills: ['elec'],
      priceLabel: null,
      name: 'Audit domotique',
    });
    const before = await snapshot();
    const bad = await call('PATCH', `/v1/admin/services/${id}`, { name: 'Renommé', skills: ['inconnue'] });
    expect([bad.status, bad.body.field]).toEqual([400, 'body.skills.0']);
    expect(await snapshot()).toBe(before);
    expect((await call('DELETE', `/v1/admin/services/${id}`)).body.active).toBe(false);
  });
});

describe('roles', () => {
  it('lets planners read and edit availability, only admins edit the catalogue, agents nothing here', async () => {
    expect((await call('GET', '/v1/admin/technicians', undefined, null)).status).toBe(401);
    expect((await call('GET', '/v1/admin/technicians', undefined, 'agent')).status).toBe(403);
    expect((await call('GET', '/v1/admin/technicians', undefined, 'planner')).status).toBe(200);
    expect((await call('POST', '/v1/admin/skills', { code: 'x', label: 'X' }, 'planner')).status).toBe(403);
    expect((await call('PATCH', '/v1/admin/settings', { bookingHorizonDays: 30 }, 'planner')).status).toBe(
      403,
    );
    expect(
      (await call('PATCH', `/v1/admin/technicians/${technicianId}`, { colour: '#ffffff' }, 'planner')).status,
    ).toBe(403);
    expect(
      (await call('GET', `/v1/admin/technicians/${technicianId}/working-hours`, undefined, 'agent')).status,
    ).toBe(403);
  });
});
