import { createHash, randomInt } from 'node:crypto';
import type { Db } from '../db/database.js';
import {
  cancelVisitRow,
  deferOverlapCheck,
  findVisitWithService,
  insertVisitRow,
  rescheduleVisitRow,
} from '../db/visits.js';
import { claimIdempotencyKey, findIdempotentResponse, storeIdempotentOutcome } from '../db/idempotency.js';
import { getCompanySettings } from '../db/company-settings.js';
import { spendChallenge } from '../db/challenges.js';
import { type Executor } from '../db/database.js';
import type { Transaction } from 'kysely';
import type { BookingChannel, Database, VisitRow } from '../db/schema.js';
import { candidateWindows } from './arrival-windows.js';
import { localDateOf, localIso } from './local-time.js';
import { alternativesFor, parseWindow, windowTaken } from './booking-windows.js';
import type { HoldView } from './booking-problem.js';
import { clientHash, holdForBooking, isLive, releaseHoldsBrokenBy } from './holds/index.js';
import { applyRetiming, placeVisit } from './placement.js';
import { releaseClientHolds, releaseHolds } from '../db/holds.js';
import { challengeSecret, verifyChallenge } from './challenge.js';
import { changeWindow, checkContact, contactRules, CUSTOMER_CHANGE_CUTOFF_HOURS } from './customer-rules.js';
import type { ResolvedAddress } from './eligibility.js';
import { DomainError } from './errors.js';
import type { Geocoder } from './geocoding.js';
import { newSecret, secretsEqual, sha256Hex } from './secrets.js';
import { enqueueMessage, visitEventData } from './outbox/index.js';
import { admitWebBooking, rememberWebBooking, type WebBooker } from './booking-guards/index.js';
import { linkVisitToCustomer } from './customers/index.js';
import { shiftKey } from './shift-key.js';
import { freshReads } from './slot-reads.js';
import { requireActiveService, requireServedAddress, windowRulesFor, type AddressInput } from './slots.js';

export { CUSTOMER_CHANGE_CUTOFF_HOURS };

export interface CustomerDetails {
  name: string;
  phone: string;
  email?: string | null;
}

export interface BookingAddress extends AddressInput {
  line: string;
  city: string;
}

export interface Booker {
  channel: BookingChannel;
  /** Who booked: 'web' for the public site, the token's name for the desk. */
  bookedBy: string;
  /** Desk agents may book inside the minimum notice and change bookings after the cut-off. */
  isStaff: boolean;
}

export interface BookingRequest {
  serviceId: string;
  window: { start: string; end: string };
  customer: CustomerDetails;
  address: BookingAddress;
  notes?: string;
  /** The customer's language for e-mails; French when absent. */
  locale?: 'fr' | 'en';
  /** The hold placed on this window while the customer typed (POST /v1/holds): consumed by the booking. */
  holdId?: string;
}

export interface BookingView {
  id: string;
  reference: string;
  status: VisitRow['status'];
  version: number;
  service: { id: string; name: string };
  window: { start: string; end: string };
  address: { line: string; postcode: string; city: string };
  customer: { name: string; phone: string; email: string | null };
  notes: string;
  channel: BookingChannel;
  createdAt: string;
  updatedAt: string;
  /** Whether the reader may still change or cancel it (customers: until the cut-off; the desk: while booked). */
  changeable: boolean;
  /** When online changes close for the customer. */
  changeableUntil: string;
}

/** Who reads a booking, and when: it decides whether they may still change it. */
export interface Reader {
  now: Date;
  isStaff: boolean;
}

export interface CreatedBooking {
  booking: BookingView;
  /** The links carry secrets shown once: a replay of the Idempotency-Key answers without them. */
  manageUrl?: string;
  icsUrl?: string;
}

export interface BookingLinks {
  manageUrl(id: string, token: string): string;
  icsUrl(id: string, token: string): string;
}

export function bookingView(
  row: VisitRow,
  serviceName: string,
  timezone: string,
  reader: Reader,
): BookingView {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    version: row.version,
    service: { id: row.service_id, name: serviceName },
    window: {
      start: localIso(row.window_start.getTime() / 1000, timezone),
      end: localIso(row.window_end.getTime() / 1000, timezone),
    },
    address: { line: row.address_line, postcode: row.postcode, city: row.city },
    customer: { name: row.customer_name, phone: row.customer_phone, email: row.customer_email },
    notes: row.notes,
    channel: row.channel,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    ...changeWindow(row, reader.now, reader.isStaff),
  };
}

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

function newReference(): string {
  let ref = 'DE-';
  for (let i = 0; i < 6; i++) ref += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return ref;
}

export { parseWindow } from './booking-windows.js';

export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** Thrown inside a booking transaction when nobody can take the window any more: it rolls everything back. */
class WindowGone extends Error {}

function isUniqueViolation(error: unknown, constraintHint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  return (
    e?.code === '23505' && (!constraintHint || (e.constraint ?? e.message ?? '').includes(constraintHint))
  );
}

function isOverlapViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23P01';
}

export interface ProofOfWork {
  challenge: string;
  nonce: string;
}

export interface CreateBookingInput {
  request: BookingRequest;
  booker: Booker;
  idempotencyKey: string;
  pow?: ProofOfWork;
  powDifficulty: number;
  now: Date;
  links: BookingLinks;
  /** Places the street address when the caller sent no lat/lon; without one the visit sits at the postal-code centroid. */
  geocoder?: Geocoder;
  /** The client's network address: whose holds are whose. */
  client?: string;
  /** An online booker, counted against the daily caps (booking-guards); staff bookings have none. */
  webBooker?: WebBooker;
  /** Fault-injection seam for tests: runs inside the transaction just before it commits. */
  beforeCommit?: (tx: Transaction<Database>) => Promise<void>;
}

export type BookingOutcome = { replayed: boolean; status: number; body: CreatedBooking };

const IDEMPOTENCY_SCOPE = 'booking:create';
/** Stripe's rule: a key means the same request for 24 hours, then it may be reused. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;

/**
 * Books a visit: one transaction that claims the idempotency key, locks the
 * candidate technicians' day, re-checks the window with the solver on what it
 * just read, picks the technician and planned arrival, and inserts. The
 * exclusion constraint on (technician, planned interval) guards the rest.
 */
export async function createBooking(db: Db, input: CreateBookingInput): Promise<BookingOutcome> {
  const fingerprint = requestFingerprint(input.request);
  const replay = await replayIfKnown(db, input.idempotencyKey, fingerprint, {
    now: input.now,
    isStaff: input.booker.isStaff,
  });
  if (replay) return replay;

  const { request, booker, now } = input;
  const reads = freshReads(db);
  const [service, settings] = await Promise.all([
    requireActiveService(reads, request.serviceId, 'body.serviceId'),
    getCompanySettings(db),
  ]);
  checkContact(request.customer, contactRules(settings), booker.isStaff);
  const served = await requireServedAddress(reads, request.address, 'body.address.postcode');
  const window = parseWindow(request.window, 'body.window');
  const day = localDateOf(window.start, settings.timezone);
  const offered = candidateWindows(windowRulesFor(settings, service), day, day, now, booker.isStaff);
  if (!offered.some((w) => w.start === window.start && w.end === window.end)) {
    throw new DomainError(
      'unprocessable',
      'window-not-offered',
      {
        fr: 'Ce créneau n’est pas proposé pour cette prestation.',
        en: 'This window is not offered for this service.',
      },
      'body.window',
    );
  }

  let powSecret: string | undefined;
  const requiresPow = !booker.isStaff && input.powDifficulty > 0;
  if (requiresPow) {
    if (!input.pow)
      throw new DomainError(
        'invalid',
        'pow-missing',
        { fr: 'Vérification anti-robot manquante.', en: 'Missing anti-robot check.' },
        'body.pow',
      );
    powSecret = await challengeSecret(db);
    const verdict = verifyChallenge(
      powSecret,
      input.pow.challenge,
      input.pow.nonce,
      input.powDifficulty,
      now,
    );
    if (!verdict.ok) {
      throw new DomainError(
        'unprocessable',
        `pow-${verdict.reason}`,
        {
          fr: 'La vérification anti-robot a échoué, réessayez.',
          en: 'The anti-robot check failed; please retry.',
        },
        'body.pow',
      );
    }
  }

  // A live hold of this client on this window is consumed (not counted against it); an expired or
  // released one changes nothing: the booking goes through if the window is still free.
  const hold = await holdForBooking(db, {
    holdId: request.holdId,
    client: input.client,
    serviceId: service.id,
    window,
    now,
  });
  // The client's own holds never block their booking (as they never hide windows from them), and
  // booking releases them all: a customer books one visit, the other window they held is moot.
  const client = input.client === undefined ? undefined : clientHash(input.client);
  const holds: HoldView | undefined = booker.isStaff
    ? undefined
    : {
        now,
        ...(client ? { exceptClient: client } : hold && isLive(hold, now) ? { exceptHold: hold.id } : {}),
      };

  // Geocode only now, once the request passed every cheap check (a robot must not make us call the upstream),
  // and outside the transaction (no locks held while we wait on the network).
  const address = await streetLevel(input.geocoder, request.address, served);
  const manageToken = newSecret('mng', 24);
  // Read-only, for the .ics link: whoever fetches the calendar cannot change the booking.
  const calendarToken = newSecret('ics', 24);
  try {
    const created = await db.transaction().execute(async (tx) => {
      await claimIdempotencyKey(tx, {
        scope: IDEMPOTENCY_SCOPE,
        key: input.idempotencyKey,
        requestHash: fingerprint,
        now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS),
      });
      if (requiresPow && input.pow) {
        const verdict = verifyChallenge(
          powSecret!,
          input.pow.challenge,
          input.pow.nonce,
          input.powDifficulty,
          now,
        );
        if (!verdict.ok || !(await spendChallenge(tx, input.pow.challenge, verdict.expiresAt))) {
          throw new DomainError(
            'unprocessable',
            'pow-replayed',
            {
              fr: 'La vérification anti-robot a déjà servi, réessayez.',
              en: 'The anti-robot check was already used; please retry.',
            },
            'body.pow',
          );
        }
      }
      const webBooker = booker.isStaff ? undefined : input.webBooker;
      if (webBooker) await admitWebBooking(tx, webBooker, request.customer, now);
      const placed = await placeVisit(tx, service, address, window, settings.timezone, { holds });
      // Roll back, so the idempotency claim goes too and a retry of this key is tried afresh.
      if (!placed) throw new WindowGone();
      await deferOverlapCheck(tx);
      await applyRetiming(tx, placed.placement);
      if (hold) await releaseHolds(tx, [hold.id], now);
      if (client && !booker.isStaff) await releaseClientHolds(tx, client, now);
      const row = await insertVisitRow(tx, {
        reference: newReference(),
        service_id: service.id,
        technician_id: placed.placement.technicianId,
        window_start: new Date(window.start * 1000),
        window_end: new Date(window.end * 1000),
        planned_start: new Date(placed.placement.plannedStart * 1000),
        planned_end: new Date((placed.placement.plannedStart + service.durationMinutes * 60) * 1000),
        customer_name: request.customer.name,
        customer_phone: request.customer.phone,
        customer_email: request.customer.email ?? null,
        address_line: request.address.line,
        postcode: address.postcode,
        city: request.address.city,
        lat: address.lat,
        lon: address.lon,
        notes: request.notes ?? '',
        channel: booker.channel,
        booked_by: booker.bookedBy,
        manage_token_hash: sha256Hex(manageToken),
        calendar_token_hash: sha256Hex(calendarToken),
        cancelled_at: null,
        locale: request.locale ?? 'fr',
        // The booking's own clock (pinned in tests), so "booked 24 h ahead" compares like with like.
        created_at: now,
      });
      const customerId = await linkVisitToCustomer(tx, row, now);
      if (webBooker) await rememberWebBooking(tx, webBooker, { id: row.id, customerId }, now);
      // The desk ignores holds; the holds its booking left with no timetable are released now.
      if (booker.isStaff) await releaseHoldsBrokenBy(tx, placed.technicians, day, settings.timezone, now);
      await enqueueMessage(tx, {
        type: 'booking.created',
        aggregate: 'visit',
        aggregateId: row.id,
        payload: { ...visitEventData(row, service, settings.timezone) },
        privatePayload: { manageUrl: input.links.manageUrl(row.id, manageToken) },
      });
      const body: CreatedBooking = {
        booking: bookingView(row, service.name, settings.timezone, { now, isStaff: booker.isStaff }),
        manageUrl: input.links.manageUrl(row.id, manageToken),
        icsUrl: input.links.icsUrl(row.id, calendarToken),
      };
      await storeIdempotentOutcome(tx, IDEMPOTENCY_SCOPE, input.idempotencyKey, 201, row.id);
      await input.beforeCommit?.(tx);
      return body;
    });
    return { replayed: false, status: 201, body: created };
  } catch (error) {
    if (isUniqueViolation(error, 'idempotency_keys')) {
      const again = await replayIfKnown(db, input.idempotencyKey, fingerprint, {
        now,
        isStaff: booker.isStaff,
      });
      if (again) return again;
    }
    if (!(error instanceof WindowGone) && !isOverlapViolation(error)) throw error;
  }
  throw windowTaken(
    await alternativesFor(db, service, address, settings, day, now, booker.isStaff, holds && { now }),
  );
}

/**
 * The served address moved to the geocoder's street-level answer, when there
 * is a geocoder and the caller did not place the address themselves. Any miss
 * (no match, weak match, another postal code, slow or broken upstream) keeps
 * the postal-code centroid: a booking never fails for want of coordinates.
 */
async function streetLevel(
  geocoder: Geocoder | undefined,
  requested: BookingAddress,
  served: ResolvedAddress,
): Promise<ResolvedAddress> {
  if (!geocoder || served.precise) return served;
  // Geocoders promise not to throw; a booking must not turn into a 500 if one ever does.
  const found = await geocoder
    .geocode({ line: requested.line, postcode: served.postcode, city: requested.city })
    .catch(() => null);
  return found ? { ...served, lat: found.lat, lon: found.lon, precise: true } : served;
}

/** The answer to a key seen in the last 24 hours, rebuilt from the booking it made (without its links). */
async function replayIfKnown(
  db: Db,
  key: string,
  fingerprint: string,
  reader: Reader,
): Promise<BookingOutcome | null> {
  const stored = await findIdempotentResponse(db, IDEMPOTENCY_SCOPE, key, reader.now);
  if (!stored || stored.statusCode === 0 || !stored.resourceId) return null;
  if (stored.requestHash !== fingerprint) {
    throw new DomainError(
      'unprocessable',
      'idempotency-key-reused',
      {
        fr: 'Cette clé d’idempotence a déjà servi pour une autre demande.',
        en: 'This Idempotency-Key was already used for a different request.',
      },
      'headers.idempotency-key',
    );
  }
  const row = await findVisitWithService(db, stored.resourceId);
  if (!row) return null;
  const settings = await getCompanySettings(db);
  return {
    replayed: true,
    status: stored.statusCode,
    body: { booking: bookingView(row, row.service_name, settings.timezone, reader) },
  };
}

// ---------------------------------------------------------------------------
// Managing a booking with its token (customer) or as staff

export async function loadBookingForManager(
  db: Executor,
  id: string,
  token: string | undefined,
  isStaff: boolean,
) {
  const row = await findVisitWithService(db, id);
  // Unknown booking and wrong token answer alike, so a token cannot be probed for ids.
  if (!row || (!isStaff && (!token || !secretsEqual(sha256Hex(token), row.manage_token_hash)))) {
    throw new DomainError('not-found', 'booking-not-found', {
      fr: 'Réservation introuvable.',
      en: 'Booking not found.',
    });
  }
  return row;
}

export async function getBooking(
  db: Db,
  id: string,
  token: string | undefined,
  isStaff: boolean,
  now: Date,
): Promise<BookingView> {
  const row = await loadBookingForManager(db, id, token, isStaff);
  const settings = await getCompanySettings(db);
  return bookingView(row, row.service_name, settings.timezone, { now, isStaff });
}

function assertChangeable(row: VisitRow, now: Date, isStaff: boolean): void {
  if (row.status !== 'booked') {
    throw new DomainError('conflict', 'booking-not-active', {
      fr: 'Cette réservation n’est plus active.',
      en: 'This booking is no longer active.',
    });
  }
  const cutoff = row.window_start.getTime() - CUSTOMER_CHANGE_CUTOFF_HOURS * 3_600_000;
  if (!isStaff && now.getTime() > cutoff) {
    throw new DomainError('too-late', 'change-cutoff-passed', {
      fr: `Les modifications en ligne sont possibles jusqu’à ${CUSTOMER_CHANGE_CUTOFF_HOURS} h avant le créneau ; appelez-nous.`,
      en: `Online changes are possible until ${CUSTOMER_CHANGE_CUTOFF_HOURS} h before the window; please call us.`,
    });
  }
}

export async function rescheduleBooking(
  db: Db,
  input: {
    id: string;
    token?: string;
    isStaff: boolean;
    window: { start: string; end: string };
    now: Date;
    /** For the manage link in the change e-mail, when the customer's own token came with the request. */
    links?: BookingLinks;
  },
): Promise<BookingView> {
  const current = await loadBookingForManager(db, input.id, input.token, input.isStaff);
  assertChangeable(current, input.now, input.isStaff);
  const reads = freshReads(db);
  const [service, settings] = await Promise.all([
    requireActiveService(reads, current.service_id, 'body.serviceId'),
    getCompanySettings(db),
  ]);
  const address: ResolvedAddress = {
    ...(await requireServedAddress(
      reads,
      { postcode: current.postcode, lat: current.lat, lon: current.lon },
      'body.address.postcode',
    )),
    lat: current.lat,
    lon: current.lon,
  };
  const window = parseWindow(input.window, 'body.window');
  const day = localDateOf(window.start, settings.timezone);
  const offered = candidateWindows(windowRulesFor(settings, service), day, day, input.now, input.isStaff);
  if (!offered.some((w) => w.start === window.start && w.end === window.end)) {
    throw new DomainError(
      'unprocessable',
      'window-not-offered',
      { fr: 'Ce créneau n’est pas proposé.', en: 'This window is not offered.' },
      'body.window',
    );
  }
  const oldDay = localDateOf(current.planned_start.getTime() / 1000, settings.timezone);
  try {
    const updated = await db.transaction().execute(async (tx) => {
      const placed = await placeVisit(tx, service, address, window, settings.timezone, {
        excludeVisitId: current.id,
        extraLockKeys: [shiftKey(current.technician_id, oldDay)],
        holds: input.isStaff ? undefined : { now: input.now },
      });
      if (!placed) throw new WindowGone();
      await deferOverlapCheck(tx);
      await applyRetiming(tx, placed.placement);
      const row = await rescheduleVisitRow(tx, current.id, {
        technicianId: placed.placement.technicianId,
        windowStart: new Date(window.start * 1000),
        windowEnd: new Date(window.end * 1000),
        plannedStart: new Date(placed.placement.plannedStart * 1000),
        plannedEnd: new Date((placed.placement.plannedStart + service.durationMinutes * 60) * 1000),
      });
      if (input.isStaff)
        await releaseHoldsBrokenBy(tx, placed.technicians, day, settings.timezone, input.now);
      await enqueueMessage(tx, {
        type: 'booking.rescheduled',
        aggregate: 'visit',
        aggregateId: row.id,
        payload: {
          ...visitEventData(row, service, settings.timezone, {
            windowStart: current.window_start,
            windowEnd: current.window_end,
          }),
        },
        // the token was checked (staff requests are not), so the link in the e-mail works
        ...(input.token && input.links && !input.isStaff
          ? { privatePayload: { manageUrl: input.links.manageUrl(row.id, input.token) } }
          : {}),
      });
      return row;
    });
    return bookingView(updated, service.name, settings.timezone, input);
  } catch (error) {
    if (!(error instanceof WindowGone) && !isOverlapViolation(error)) throw error;
  }
  throw windowTaken(await alternativesFor(db, service, address, settings, day, input.now, input.isStaff));
}

export async function cancelBooking(
  db: Db,
  input: { id: string; token?: string; isStaff: boolean; now: Date },
): Promise<BookingView> {
  const current = await loadBookingForManager(db, input.id, input.token, input.isStaff);
  const settings = await getCompanySettings(db);
  // Cancelling twice is not an error: the customer sees the booking cancelled either way.
  if (current.status === 'cancelled')
    return bookingView(current, current.service_name, settings.timezone, input);
  assertChangeable(current, input.now, input.isStaff);
  const row = await db.transaction().execute(async (tx) => {
    const cancelled = await cancelVisitRow(tx, current.id, input.now);
    await enqueueMessage(tx, {
      type: 'booking.cancelled',
      aggregate: 'visit',
      aggregateId: cancelled.id,
      payload: {
        ...visitEventData(
          cancelled,
          { name: current.service_name, priceLabel: current.service_price_label },
          settings.timezone,
        ),
      },
    });
    return cancelled;
  });
  return bookingView(row, current.service_name, settings.timezone, input);
}
