/**
 * Guards that keep one client from filling the calendar (issue 18 item 5), on top of the proof of work
 * and the per-minute rate limit:
 *  - daily caps on online bookings per customer (same phone or e-mail) and per client address;
 *  - a proof of work that grows with the bookings the same client made in the last hour, so a real
 *    customer's first booking costs what it always did and a script's tenth costs seconds of CPU;
 *  - refusals counted per day and rule, for the admin's view (no personal data).
 * Staff bookings (the desk) never count and are never capped.
 */
import { createHmac } from 'node:crypto';
import type { Transaction } from 'kysely';
import { countRefusal, countWebBookings, purgeWebBookings, refusalRows } from '../../db/booking-guards.js';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { challengeSecret } from '../challenge.js';
import { normalisePhone } from '../customers/index.js';
import { DomainError } from '../errors.js';
import { localDateOf } from '../local-time.js';

const DAY_MS = 24 * 3_600_000;
const HOUR_MS = 3_600_000;
/** The longest a proof of work may be asked to be (2^24 hashes: tens of seconds in a browser). */
export const MAX_POW_BITS = 24;
/** How long a client's bookings are remembered: the caps look back 24 h. */
export const WEB_BOOKING_MEMORY_MS = 2 * DAY_MS;

export interface BookingCaps {
  perCustomer: number;
  perClient: number;
}

/** The online booker, as the guards know them: a keyed hash of their address, never the address. */
export interface WebBooker {
  clientKey: string;
  caps: BookingCaps;
}

/** Keyed (HMAC) so the hashes cannot be reversed by hashing every IPv4 address. */
export async function clientKeyFor(db: Db, clientAddress: string): Promise<string> {
  const secret = await challengeSecret(db);
  return createHmac('sha256', secret).update(`booking-client:${clientAddress}`).digest('base64url');
}

export interface PowPolicy {
  base: number;
  stepBits: number;
}

/** The proof of work this client must solve now: the base, plus `stepBits` per booking of theirs in the last hour. */
export async function powDifficultyFor(
  db: Db,
  clientKey: string,
  now: Date,
  policy: PowPolicy,
): Promise<number> {
  if (!powCountsBookings(policy)) return powDifficultyOf(policy, 0);
  return powDifficultyOf(policy, await countWebBookings(db, { clientKey }, powCountSince(now)));
}

/** Whether the difficulty depends on the client's recent bookings (else no count is needed). */
export function powCountsBookings(policy: PowPolicy): boolean {
  return policy.base > 0 && policy.stepBits > 0;
}

/** Since when the growing proof of work counts a client's bookings (the last hour). */
export function powCountSince(now: Date): Date {
  return new Date(now.getTime() - HOUR_MS);
}

/** The difficulty for a client with `recent` online bookings since powCountSince. */
export function powDifficultyOf(policy: PowPolicy, recent: number): number {
  if (policy.base === 0) return 0;
  if (policy.stepBits === 0) return policy.base;
  return Math.min(MAX_POW_BITS, policy.base + policy.stepBits * recent);
}

function capReached(code: 'booking-cap-client' | 'booking-cap-customer', field?: string): DomainError {
  return new DomainError(
    'too-many',
    code,
    {
      fr: 'Trop de réservations en ligne en 24 h pour ce client. Appelez-nous pour en prendre une autre.',
      en: 'Too many online bookings in 24 h for this customer. Please call us to book another one.',
    },
    field,
  );
}

/**
 * The advisory-lock keys that serialise an online booking with the same client's and the same
 * contact's other bookings until its transaction ends, so two bookings sent at once cannot both
 * pass a cap that only one of them fits under. Taken before anything is counted.
 */
export function bookerLockKeys(
  booker: WebBooker,
  contact: { phone: string; email?: string | null },
): string[] {
  const phone = normalisePhone(contact.phone) ?? contact.phone;
  const keys = [`client:${booker.clientKey}`, `phone:${phone}`];
  if (contact.email) keys.push(`email:${contact.email.trim().toLowerCase()}`);
  return keys;
}

/** Since when the caps count online bookings (the last 24 h). */
export function capWindowStart(now: Date): Date {
  return new Date(now.getTime() - DAY_MS);
}

/** Under the booker's locks: refuses the booking when this client is at its cap (`made`: its online bookings in 24 h). */
export function admitClient(booker: WebBooker, made: number): void {
  if (booker.caps.perClient > 0 && made >= booker.caps.perClient) throw capReached('booking-cap-client');
}

/** Once the visit has its customer: refuses it when the customer is at its cap (`made`: theirs in 24 h, this one excluded). */
export function admitCustomer(booker: WebBooker, made: number): void {
  if (booker.caps.perCustomer > 0 && made >= booker.caps.perCustomer)
    throw capReached('booking-cap-customer', 'body.customer.phone');
}

/** The guard rule behind a refused online booking, or undefined when the refusal is not a guard's. */
export function refusalRule(error: unknown): string | undefined {
  if (!(error instanceof DomainError)) return undefined;
  if (error.code.startsWith('booking-cap-') || error.code.startsWith('pow-')) return error.code;
  return undefined;
}

export async function countRefused(db: Db, rule: string, now: Date, timezone: string): Promise<void> {
  await countRefusal(db, localDateOf(now.getTime() / 1000, timezone), rule, now);
}

export interface RefusalsView {
  from: string;
  to: string;
  days: { date: string; rule: string; count: number; lastAt: string }[];
  totals: Record<string, number>;
}

export async function refusalsBetween(db: Db, from: string, to: string): Promise<RefusalsView> {
  const rows = await refusalRows(db, from, to);
  const totals: Record<string, number> = {};
  for (const r of rows) totals[r.rule] = (totals[r.rule] ?? 0) + r.count;
  return {
    from,
    to,
    days: rows.map((r) => ({ date: r.day, rule: r.rule, count: r.count, lastAt: r.lastAt.toISOString() })),
    totals,
  };
}

export async function forgetOldWebBookings(db: Db | Transaction<Database>, now: Date): Promise<number> {
  return purgeWebBookings(db, new Date(now.getTime() - WEB_BOOKING_MEMORY_MS));
}
