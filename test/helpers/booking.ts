import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { CreateBookingInput } from '../../src/domain/bookings/index.js';
import { solveChallenge } from '../../src/domain/challenge.js';

export interface Slot {
  start: string;
  end: string;
}

/** The manage token inside a booking's manageUrl (…/manage#<id>.<token>). */
export function manageTokenOf(manageUrl: string): string {
  const fragment = manageUrl.split('#')[1] ?? '';
  return fragment.slice(fragment.indexOf('.') + 1);
}

export async function firstService(
  app: FastifyInstance,
  slug: string,
): Promise<{ id: string; name: string }> {
  const res = await app.inject({ method: 'GET', url: '/v1/services' });
  const service = res.json().services.find((s: { slug: string }) => s.slug === slug);
  if (!service) throw new Error(`no service ${slug}`);
  return service;
}

export async function slotsFor(
  app: FastifyInstance,
  serviceId: string,
  postcode: string,
  extra = '',
): Promise<{ date: string; windows: Slot[] }[]> {
  const res = await app.inject({
    method: 'GET',
    url: `/v1/slots?serviceId=${serviceId}&postcode=${postcode}${extra}`,
  });
  if (res.statusCode !== 200) throw new Error(`slots ${res.statusCode}: ${res.body}`);
  return res.json().days;
}

/** A solved proof-of-work, as the widget sends it. */
export async function solvedPow(app: FastifyInstance): Promise<{ challenge: string; nonce: string }> {
  const res = await app.inject({ method: 'GET', url: '/v1/challenge' });
  const { challenge, difficulty } = res.json();
  return { challenge, nonce: solveChallenge(challenge, difficulty) };
}

export function bookingPayload(
  serviceId: string,
  window: Slot,
  postcode: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    serviceId,
    window,
    customer: { name: 'Marie Dubois', phone: '06 12 34 56 78', email: 'marie.dubois@example.fr' },
    address: { line: '12 rue Victor Hugo', postcode, city: 'Lyon' },
    notes: 'Code porte 1234',
    consent: true,
    website: '',
    ...overrides,
  };
}

export async function book(
  app: FastifyInstance,
  payload: Record<string, unknown>,
  options: { key?: string; headers?: Record<string, string>; pow?: boolean } = {},
) {
  const body = options.pow === false ? payload : { ...payload, pow: await solvedPow(app) };
  return app.inject({
    method: 'POST',
    url: '/v1/bookings',
    headers: { 'idempotency-key': options.key ?? randomUUID(), ...options.headers },
    payload: body,
  });
}

/** Who books a public booking in tests: a name, a phone, and the client address the caps count. */
export interface PublicBooker {
  name: string;
  phone: string;
  client: string;
}

/**
 * A public (web) booking's input for createBooking, in Grenoble where the lonely technician works,
 * with no proof of work; `slotReads` is where the booking takes its read plan from.
 */
export function publicBookingInput(
  serviceId: string,
  postcode: string,
  window: Slot,
  who: PublicBooker,
  at: { slotReads: CreateBookingInput['slotReads']; now?: Date },
): CreateBookingInput {
  return {
    request: {
      serviceId,
      window,
      customer: { name: who.name, phone: who.phone, email: null },
      address: { line: '3 rue Lesdiguières', postcode, city: 'Grenoble' },
    },
    booker: { channel: 'web', bookedBy: 'web', isStaff: false },
    idempotencyKey: randomUUID(),
    powDifficulty: 0,
    now: at.now ?? new Date('2026-03-25T07:00:00Z'),
    links: { manageUrl: () => 'm', icsUrl: () => 'i' },
    client: who.client,
    slotReads: at.slotReads,
  };
}
