/**
 * Every refusal the planner's page can meet, said in French and naming the field in the page's
 * words. Each route the page calls (the day, proposals and applying them, moving, placing,
 * pinning, progress, the move check and the move dialog's places, making room, absences, urgent
 * work) gets the body or query the page sends, with one field at a time replaced by what a form
 * lets through (nothing, spaces, a pasted tab, a novel, a number out of range…) or by what only a
 * bug of the page could send. A problem without a `code` (the schema's English) must come out of
 * the staff pages' translation, in the planner's words, as a French sentence naming the field; a
 * problem with a code is the service's own French, which the page shows as it is: a sentence,
 * never a request field's name. The problem+json itself keeps naming the field for API clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fieldWords,
  frenchFieldProblem,
  frenchProblem,
  type FieldProblem,
} from '../../src/staff/problems.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { TEST_TODAY } from '../helpers/database.js';
import { DELETE, ENGLISH, leaves, replaced } from '../helpers/field-problems.js';

let t: TestApp;
const DAY = '2026-03-26';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const planner = () => ({ ...bearer(t.tokens.planner), 'accept-language': 'fr' });

/** Values Gaëtan can type or paste into a text field the page sends as it is. */
const TYPED = ['', '   ', 'x'.repeat(5000), 'ab\tcd', 'ab\u202ecd', '6900'];
/** Numbers a number field lets through. */
const TYPED_NUMBERS = [3, 1000];
/** Values only a fault of the page could send. */
const MALFORMED: unknown[] = ['zzz', 12, -1, null, true, [], {}];

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  base: Record<string, unknown>;
  /** Leaves Gaëtan types into (dotted paths): a typed value must get a precise sentence. */
  typed: string[];
}

function leaf(base: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((at, k) => (at as Record<string, unknown>)[k], base);
}

/** A request field's own name in a sentence: camelCase, a dotted path, or the bare English words. */
const RAW_FIELD =
  /\b[a-z]+[A-Z]\w*\b|\b(body|query|params)\.|\b(from|to|start|end|id|kind|reason|progress|pinned)\b|«\s*\w+\s*»/;

interface Day {
  technicians: { id: string }[];
  current: {
    routes: {
      technicianId: string;
      stops: { visitId: string; planned: { start: string }; version: number }[];
    }[];
  };
}

let routes: Route[];
let visitId: string;
let technicianId: string;

beforeAll(async () => {
  t = await createTestApp();
  const day = (
    await t.app.inject({ method: 'GET', url: `/v1/admin/routes?date=${DAY}`, headers: planner() })
  ).json() as Day;
  const route = day.current.routes.find((r) => r.stops.length >= 2)!;
  const stop = route.stops[1]!;
  visitId = stop.visitId;
  technicianId = route.technicianId;
  const proposal = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/plans',
    headers: planner(),
    payload: { date: DAY, timeLimitMs: 300 },
  });
  expect(proposal.statusCode, proposal.body).toBe(201);
  const planId = (proposal.json() as { id: string }).id;
  const service = (
    (await t.app.inject({ method: 'GET', url: '/v1/services' })).json() as { services: { id: string }[] }
  ).services[0]!;
  const urgent = {
    serviceId: service.id,
    address: { street: '12 rue Paul Bert', postcode: '69003', city: 'Lyon' },
    deadline: `${TEST_TODAY}T16:00:00+01:00`,
    durationMinutes: 45,
  };
  routes = [
    { name: 'day', method: 'GET', url: '/v1/admin/routes', base: { date: DAY }, typed: [] },
    {
      name: 'proposal',
      method: 'POST',
      url: '/v1/admin/plans',
      base: { date: DAY, timeLimitMs: 300 },
      typed: [],
    },
    {
      name: 'move',
      method: 'PATCH',
      url: `/v1/admin/visits/${visitId}`,
      base: { technicianId, plannedStart: stop.planned.start, version: stop.version },
      typed: [],
    },
    { name: 'pin', method: 'PATCH', url: `/v1/admin/visits/${visitId}`, base: { pinned: true }, typed: [] },
    {
      name: 'progress',
      method: 'PATCH',
      url: `/v1/admin/visits/${visitId}`,
      base: { progress: 'planned', version: stop.version },
      typed: [],
    },
    {
      name: 'move check',
      method: 'POST',
      url: `/v1/admin/visits/${visitId}/move-check`,
      base: { technicianId, start: stop.planned.start },
      typed: [],
    },
    {
      name: 'move dialog places',
      method: 'GET',
      url: `/v1/admin/visits/${visitId}/move-options`,
      base: { technicianId, limit: '6' },
      typed: [],
    },
    {
      name: 'absences of the day',
      method: 'GET',
      url: '/v1/admin/availability/exceptions',
      base: { kind: 'absence', from: DAY, to: DAY },
      typed: [],
    },
    {
      name: 'absence for some hours',
      method: 'POST',
      url: '/v1/admin/availability/exceptions',
      base: {
        kind: 'absence',
        technicianId: UNKNOWN,
        start: `${DAY}T12:00:00+01:00`,
        end: `${DAY}T14:00:00+01:00`,
        reason: 'Rendez-vous médical',
      },
      typed: ['reason'],
    },
    {
      name: 'urgent options',
      method: 'POST',
      url: '/v1/admin/urgent/options',
      base: urgent,
      typed: ['address.street', 'address.postcode', 'address.city', 'durationMinutes'],
    },
    {
      name: 'urgent visit',
      method: 'POST',
      url: '/v1/admin/urgent',
      base: {
        ...urgent,
        // Nobody: each sweep is refused before anything is written, or by urgent-no-room.
        technicianId: UNKNOWN,
        customer: { name: 'Marie Lefort', phone: '06 11 22 33 44' },
      },
      typed: [
        'address.street',
        'address.postcode',
        'address.city',
        'durationMinutes',
        'customer.name',
        'customer.phone',
      ],
    },
  ];
  // Ids in the path: what only a bug of the page (or a stale page) sends.
  for (const [name, method, url] of [
    ['apply', 'POST', `/v1/admin/plans/{id}/apply`],
    ['make room', 'POST', `/v1/admin/visits/{id}/make-room`],
    ['move dialog places', 'GET', `/v1/admin/visits/{id}/move-options`],
    ['delete an absence', 'DELETE', `/v1/admin/availability/exceptions/{id}`],
  ] as const)
    routes.push({ name, method, url, base: { '{id}': planId }, typed: [] });
});
afterAll(async () => {
  await t?.close();
});

async function send(route: Route, body: Record<string, unknown>) {
  const headers = planner();
  if ('{id}' in route.base || route.url.includes('{id}')) {
    const id = body['{id}'];
    const url = route.url.replace('{id}', id === undefined ? '' : encodeURIComponent(String(id)));
    return t.app.inject({ method: route.method, url, headers });
  }
  if (route.method === 'GET') {
    const query = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)]));
    return t.app.inject({ method: 'GET', url: `${route.url}?${query}`, headers });
  }
  return t.app.inject({ method: route.method, url: route.url, headers, payload: body });
}

interface Problem {
  code?: string;
  detail: string;
  field?: string;
  instance: string;
  errors?: FieldProblem[];
}

describe('the planner’s refusals in French', () => {
  it('says every problem the routes the page calls answer in French, naming the field in the page’s words', async () => {
    const seen = new Map<
      string,
      { problem: FieldProblem; instance: string; typed: boolean; route: string }
    >();
    const coded = new Map<string, { route: string; problem: Problem }>();
    for (const route of routes) {
      for (const path of leaves(route.base)) {
        const typed = route.typed.includes(path);
        const values =
          path === '{id}'
            ? ['zzz', '12', 'ab\tcd', UNKNOWN]
            : route.method === 'GET'
              ? [...TYPED, DELETE]
              : [...TYPED, ...TYPED_NUMBERS, ...MALFORMED, DELETE];
        for (const value of values) {
          const res = await send(route, replaced(route.base, path, value));
          if (res.statusCode < 400) continue;
          expect(res.statusCode, `${route.name} ${path}=${String(value)}: ${res.body}`).toBeLessThan(500);
          const body = res.json() as Problem;
          if (body.code) {
            coded.set(`${body.code}|${body.detail}`, { route: route.name, problem: body });
            continue;
          }
          if (res.statusCode === 404) continue; // a path the service does not know: said by its status
          // The API's problem+json is left as machines read it: the field as the request named it.
          expect(body.detail).toMatch(/^(body|query|params)/);
          expect(body.errors?.length).toBeGreaterThan(0);
          for (const problem of body.errors ?? []) {
            // What the field's input gives: text in a text field, a number in a number field.
            const fromTypedValue = typed && typeof value === typeof leaf(route.base, path);
            const key = `${body.instance}|${problem.field}|${problem.message}`;
            const known = seen.get(key);
            if (!known || (fromTypedValue && !known.typed))
              seen.set(key, { problem, instance: body.instance, typed: fromTypedValue, route: route.name });
          }
        }
      }
    }
    const sentences = [...seen.values()].map((s) => ({
      ...s,
      french: frenchFieldProblem(s.problem, 'planner', s.instance),
    }));
    // One line in CI; PLANNER_PROBLEMS=list prints each problem with its sentence, to review the wording.
    console.log(
      `${sentences.length} distinct validation problems, ${new Set(sentences.map((s) => s.french)).size} French sentences; ${coded.size} refusals of the service's rules`,
    );
    if (process.env.PLANNER_PROBLEMS === 'list')
      console.log(
        [
          ...sentences.map((s) => `  ${s.route} ${s.problem.field}: ${s.problem.message}\n    → ${s.french}`),
          ...[...coded.values()].map(
            (c) => `  ${c.route} ${c.problem.code} (${c.problem.field ?? '—'})\n    → ${c.problem.detail}`,
          ),
        ].join('\n'),
      );
    // The sweep reached the schemas and the rules behind them.
    const fields = new Set(sentences.map((s) => s.problem.field));
    for (const f of ['body.technicianId', 'body.plannedStart', 'body.start', 'query.date', 'body.reason'])
      expect(fields).toContain(f);
    const codes = new Set([...coded.values()].map((c) => c.problem.code));
    for (const c of ['unknown-technician', 'visit-changed', 'plan-not-found', 'invalid-field'])
      expect(codes).toContain(c);

    for (const s of sentences) {
      const where = `${s.route} ${s.problem.field}: ${s.problem.message} → ${s.french}`;
      expect(s.french, where).not.toMatch(ENGLISH);
      expect(s.french, where).toMatch(/^[A-ZÀ-Ý«]/);
      // Named in the page's words, never by the request's name.
      expect(fieldWords(s.problem.field, 'planner', s.instance), where).not.toMatch(/^le champ/);
      expect(s.french, where).not.toMatch(RAW_FIELD);
      // What Gaëtan can type gets a sentence that says what to do, not "reload the page".
      if (s.typed) expect(s.french, where).not.toMatch(/^La page a envoyé/);
    }
    for (const { route, problem } of coded.values()) {
      const where = `${route} ${problem.code}: ${problem.detail}`;
      // The page shows the service's French as it is: a whole sentence, no request field's name.
      expect(problem.detail, where).toMatch(/^[A-ZÀ-Ý«]/);
      expect(problem.detail, where).toMatch(/[.!]$/);
      expect(problem.detail, where).not.toMatch(RAW_FIELD);
      expect(frenchProblem(400, problem, 'planner')).toBe(problem.detail);
      // …and the problem+json still names the field for API clients, in the request's words.
      if (problem.field) expect(problem.errors?.[0]?.field, where).toBe(problem.field);
    }
  });

  it('says the ones Gaëtan meets as he would read them, the field kept for API clients', async () => {
    const move = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/visits/${visitId}`,
      headers: planner(),
      payload: { technicianId: UNKNOWN, plannedStart: `${DAY}T10:00:00+01:00` },
    });
    expect(move.statusCode).toBe(422);
    expect(move.json()).toMatchObject({
      code: 'technician-unknown',
      field: 'body.technicianId',
      errors: [{ field: 'body.technicianId' }],
      detail: 'Le technicien choisi est inconnu ou inactif : rechargez la journée.',
    });

    const hours = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/availability/exceptions',
      headers: planner(),
      payload: {
        kind: 'absence',
        technicianId,
        start: `${DAY}T14:00:00+01:00`,
        end: `${DAY}T12:00:00+01:00`,
      },
    });
    expect(hours.statusCode).toBe(400);
    expect(hours.json()).toMatchObject({
      field: 'body.end',
      detail: 'L’heure de fin doit suivre l’heure de début.',
    });
    // An API client asking English gets English.
    const english = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/availability/exceptions',
      headers: { ...bearer(t.tokens.planner), 'accept-language': 'en' },
      payload: { kind: 'absence', from: DAY },
    });
    expect(english.json()).toMatchObject({
      field: 'body.technicianId',
      detail: 'is required for an absence',
    });

    const say = (field: string, message: string, instance = '') =>
      frenchProblem(400, { errors: [{ field, message }], instance }, 'planner');
    expect(say('body.reason', 'must not contain control or bidirectional-override characters')).toMatch(
      /^Le motif contient un caractère invisible/,
    );
    expect(say('body.technicianId', 'Invalid UUID')).toMatch(
      /^La page a envoyé le technicien sous une forme/,
    );
    expect(say('body.start', 'Invalid ISO datetime', `/v1/admin/visits/${visitId}/move-check`)).toMatch(
      /^La page a envoyé l’heure d’arrivée/,
    );
    expect(say('body.start', 'Invalid ISO datetime', '/v1/admin/availability/exceptions')).toMatch(
      /^La page a envoyé l’heure de début/,
    );
    expect(say('body.durationMinutes', 'Too small: expected number to be >=5')).toBe(
      'La durée doit être d’au moins 5 minutes.',
    );
    expect(say('params.id', 'Invalid UUID', `/v1/admin/plans/x/apply`)).toMatch(/la proposition/);
    // The desk keeps its words: `reason` is the reason a request is closed.
    expect(frenchProblem(400, { errors: [{ field: 'body.reason', message: 'Required' }] })).toBe(
      'Indiquez la raison.',
    );
  });
});
