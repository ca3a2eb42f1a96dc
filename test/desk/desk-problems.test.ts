/**
 * Every validation problem the desk can meet, said in French. Each route the desk calls gets the
 * body (or query) the desk sends, with one field at a time replaced by what a form lets through
 * (nothing, spaces, a pasted tab, a novel, an e-mail without its domain, four digits…) or by what
 * only a bug of the page could send; every problem+json the service answers without a `code` (the
 * schema's English) must come out of the staff pages' translation as a French sentence naming the
 * field in the forms' words. The service's problem+json itself stays English for machines.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fieldWords,
  frenchFieldProblem,
  frenchProblem,
  type FieldProblem,
} from '../../src/staff/problems.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';
import { DELETE, ENGLISH, leaves, replaced } from '../helpers/field-problems.js';

let t: TestApp;
const agent = () => bearer(t.tokens.agent);

/** Values a person can type or paste into a text field the desk sends as it is. */
const TYPED = ['', '   ', 'x'.repeat(5000), 'ab\tcd', 'ab\u0007cd', 'ab\u202ecd', 'claire@localhost', '6900'];
/** Values only a fault of the page could send. */
const MALFORMED: unknown[] = ['zzz', 12, null, true, [], {}];

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  /** A body or query as the desk sends it. */
  base: Record<string, unknown>;
  /** Leaves Claire types into (dotted paths): a typed value must get a precise sentence. */
  typed: string[];
  headers?: () => Record<string, string>;
}

let routes: Route[];

beforeAll(async () => {
  t = await createTestApp();
  const service = await firstService(t.app, 'depannage');
  const days = await slotsFor(t.app, service.id, '69003');
  // As the desk sends them: the window's times (the flags the slots answer adds are not strings to break).
  const [first, second] = days.flatMap((d) => d.windows).map((w) => ({ start: w.start, end: w.end }));
  const booked = await book(t.app, bookingPayload(service.id, first!, '69003'));
  expect(booked.statusCode, booked.body).toBe(201);
  const booking = booked.json().booking as { id: string };
  const customer = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/customers',
    headers: agent(),
    payload: { name: 'Paul Girard', phone: '06 98 76 54 32' },
  });
  const customerId = (customer.json() as { id: string }).id;
  const request = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/requests',
    headers: agent(),
    payload: { kind: 'callback', customerId, text: 'Rappeler', channel: 'phone' },
  });
  const requestId = (request.json() as { id: string }).id;
  routes = [
    {
      name: 'search',
      method: 'GET',
      url: '/v1/admin/customers',
      base: { q: 'Dubois', limit: '8' },
      typed: ['q'],
    },
    {
      name: 'new caller',
      method: 'POST',
      url: '/v1/admin/customers',
      base: {
        name: 'Jean Martin',
        phone: '07 11 22 33 44',
        email: 'jean.martin@example.fr',
        address: { street: '8 rue Garibaldi', postcode: '69006', city: 'Lyon' },
      },
      typed: ['name', 'phone', 'email', 'address.street', 'address.postcode', 'address.city'],
    },
    {
      name: 'contact and notes',
      method: 'PATCH',
      url: `/v1/admin/customers/${customerId}`,
      base: {
        name: 'Paul Girard',
        phones: ['06 98 76 54 32', '04 72 10 20 30'],
        email: 'paul.girard@example.fr',
        notes: 'Préfère être appelé après 18 h',
      },
      typed: ['name', 'phones.0', 'phones.1', 'email', 'notes'],
    },
    {
      name: 'services',
      method: 'GET',
      url: '/v1/services',
      base: { postcode: '69003' },
      typed: ['postcode'],
    },
    {
      name: 'slots',
      method: 'GET',
      url: '/v1/slots',
      base: { serviceId: service.id, postcode: '69003', from: days[0]!.date },
      typed: ['postcode'],
    },
    {
      name: 'booking',
      method: 'POST',
      url: '/v1/bookings',
      base: {
        serviceId: service.id,
        window: second!,
        customer: { name: 'Paul Girard', phone: '+33698765432', email: 'paul.girard@example.fr' },
        address: { line: '8 rue Garibaldi', postcode: '69003', city: 'Lyon' },
        notes: 'Code porte 1234',
        consent: true,
        channel: 'phone',
      },
      typed: ['address.line', 'address.city', 'notes'],
      headers: () => ({ ...agent(), 'idempotency-key': randomUUID() }),
    },
    {
      name: 'move',
      method: 'POST',
      url: `/v1/bookings/${booking.id}/reschedule`,
      base: { window: second! },
      typed: [],
    },
    {
      name: 'new request',
      method: 'POST',
      url: '/v1/admin/requests',
      base: {
        kind: 'callback',
        customer: { name: 'Anne Roux', phone: '06 55 66 77 88' },
        text: 'Rappeler demain matin',
        serviceId: service.id,
        postcode: '69003',
        channel: 'phone',
      },
      typed: ['customer.name', 'customer.phone', 'text', 'postcode'],
    },
    {
      name: 'new request for a card',
      method: 'POST',
      url: '/v1/admin/requests',
      base: { kind: 'no_window', customerId, text: 'Aucun créneau', channel: 'email' },
      typed: ['text'],
    },
    {
      name: 'close a request',
      method: 'PATCH',
      url: `/v1/admin/requests/${requestId}`,
      base: { status: 'done', reason: 'Rappelé, devis envoyé', bookingId: booking.id },
      typed: ['reason'],
    },
    {
      name: 'queue',
      method: 'GET',
      url: '/v1/admin/requests',
      base: { status: 'new,in_progress', kind: 'callback' },
      typed: [],
    },
  ];
});
afterAll(async () => {
  await t?.close();
});

async function send(route: Route, body: Record<string, unknown>) {
  const headers = route.headers?.() ?? agent();
  if (route.method === 'GET') {
    const query = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)]));
    return t.app.inject({ method: 'GET', url: `${route.url}?${query}`, headers });
  }
  return t.app.inject({ method: route.method, url: route.url, headers, payload: body });
}

describe('the desk’s validation problems in French', () => {
  it('translates every problem the routes the desk calls answer to what its forms can send', async () => {
    const seen = new Map<string, { problem: FieldProblem; typed: boolean; route: string }>();
    for (const route of routes) {
      for (const path of leaves(route.base)) {
        const typed = route.typed.includes(path);
        const values = route.method === 'GET' ? [...TYPED, DELETE] : [...TYPED, ...MALFORMED, DELETE];
        for (const value of values) {
          const res = await send(route, replaced(route.base, path, value));
          if (res.statusCode !== 400) continue;
          const body = res.json() as { code?: string; errors?: FieldProblem[]; detail: string };
          if (body.code) continue; // the service's own rules: French already
          // The API's problem+json is left as machines read it.
          expect(body.detail).toMatch(/^(body|query|params)/);
          for (const problem of body.errors ?? []) {
            const fromTypedValue = typed && typeof value === 'string';
            const key = `${problem.field}|${problem.message}`;
            const known = seen.get(key);
            if (!known || (fromTypedValue && !known.typed))
              seen.set(key, { problem, typed: fromTypedValue, route: route.name });
          }
        }
      }
    }
    const sentences = [...seen.values()].map(({ problem, typed, route }) => ({
      route,
      problem,
      typed,
      french: frenchFieldProblem(problem),
    }));
    // One line in CI; DESK_PROBLEMS=list prints each problem with its sentence, to review the wording.
    console.log(
      `${sentences.length} distinct validation problems, ${new Set(sentences.map((s) => s.french)).size} French sentences`,
    );
    if (process.env.DESK_PROBLEMS === 'list')
      console.log(
        sentences.map((s) => `  ${s.problem.field}: ${s.problem.message}\n    → ${s.french}`).join('\n'),
      );
    // The usual suspects were met, so the sweep really reached the schemas.
    const messages = sentences.map((s) => s.problem.message);
    expect(messages).toEqual(expect.arrayContaining(['Invalid email address']));
    expect(messages.some((m) => m.startsWith('Too small'))).toBe(true);
    expect(messages.some((m) => m.startsWith('Too big'))).toBe(true);
    expect(messages.some((m) => /control or bidirectional-override/.test(m))).toBe(true);
    expect(messages.some((m) => /5-digit French postal code/.test(m))).toBe(true);

    for (const s of sentences) {
      const where = `${s.route} ${s.problem.field}: ${s.problem.message} → ${s.french}`;
      expect(s.french, where).not.toMatch(ENGLISH);
      expect(s.french, where).toMatch(/^[A-ZÀ-Ý«]/);
      // Named in the forms' words, never by the request's path.
      expect(fieldWords(s.problem.field), where).not.toMatch(/^le champ/);
      expect(s.french, where).not.toContain(s.problem.field);
      // What Claire can type gets a sentence that says what to do, not "reload the page".
      if (s.typed) expect(s.french, where).not.toMatch(/^La page a envoyé/);
    }
  });

  it('says the common ones as Claire would read them', () => {
    const say = (field: string, message: string) => frenchProblem(400, { errors: [{ field, message }] });
    expect(say('body.email', 'Invalid email address')).toBe(
      'L’adresse e-mail n’est pas valide : il faut un @ suivi d’un domaine complet (exemple : prenom.nom@exemple.fr).',
    );
    expect(say('body.name', 'Too small: expected string to have >=1 characters')).toBe(
      'Indiquez le nom du client.',
    );
    expect(say('body.address.line', 'Too big: expected string to have <=200 characters')).toBe(
      'La rue ne peut pas dépasser 200 caractères : raccourcissez ce texte.',
    );
    expect(say('body.address.postcode', 'must be a 5-digit French postal code')).toBe(
      'Le code postal doit compter 5 chiffres (exemple : 69003).',
    );
    expect(say('body.phones.1', 'must not contain control or bidirectional-override characters')).toMatch(
      /^L’autre téléphone contient un caractère invisible/,
    );
    expect(say('body.phones', 'Too small: expected array to have >=1 items')).toBe(
      'Indiquez au moins un numéro de téléphone.',
    );
    expect(say('query.q', 'String must contain at least 2 character(s)')).toBe(
      'La recherche doit compter au moins 2 caractères.',
    );
    // A rule of the service (with its code) keeps the service's French.
    expect(
      frenchProblem(409, {
        code: 'phone-taken',
        detail: 'Ce numéro appartient déjà à un autre client.',
        errors: [{ field: 'body.phones.1', message: 'This number belongs to another customer.' }],
      }),
    ).toBe('Ce numéro appartient déjà à un autre client.');
    // The HTTP layer's English refusals, by their status.
    expect(
      frenchProblem(429, { title: 'Too many requests', detail: 'Too many requests: retry later.' }),
    ).toMatch(/^Trop de demandes/);
    expect(frenchProblem(503, { detail: 'The service is temporarily unavailable; retry shortly.' })).toMatch(
      /^Le service a rencontré un problème/,
    );
  });
});
