/** Booking a visit (POST /v1/bookings): the checks, then one transaction that places and inserts it. */
import type { Transaction } from 'kysely';
import { spendChallenge } from '../../db/challenges.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import { releaseClientHolds, releaseHolds } from '../../db/holds.js';
import { claimIdempotencyKey, storeIdempotentOutcome } from '../../db/idempotency.js';
import type { Database } from '../../db/schema.js';
import { deferOverlapCheck, insertVisitRow } from '../../db/visits.js';
import { candidateWindows } from '../arrival-windows.js';
import type { HoldView } from '../booking-problem.js';
import { admitWebBooking, rememberWebBooking, type WebBooker } from '../booking-guards/index.js';
import { alternativesFor, parseWindow, windowTaken } from '../booking-windows.js';
import { challengeSecret, verifyChallenge } from '../challenge.js';
import { checkContact, contactRules } from '../customer-rules.js';
import { linkVisitToCustomer } from '../customers/index.js';
import type { ResolvedAddress } from '../eligibility.js';
import { DomainError } from '../errors.js';
import type { Geocoder } from '../geocoding.js';
import { clientHash, holdForBooking, isLive, releaseHoldsBrokenBy } from '../holds/index.js';
import { localDateOf } from '../local-time.js';
import { enqueueMessage, visitEventData } from '../outbox/index.js';
import { applyRetiming, placeVisit } from '../placement.js';
import { placeMakingRoom } from '../room/index.js';
import { newSecret, sha256Hex } from '../secrets.js';
import { freshReads } from '../slot-reads.js';
import { requireActiveService, requireServedAddress, windowRulesFor } from '../slots.js';
import { isOverlapViolation, isUniqueViolation, WindowGone } from './conflicts.js';
import {
  IDEMPOTENCY_KEY_TTL_MS,
  IDEMPOTENCY_SCOPE,
  replayIfKnown,
  requestFingerprint,
  type BookingOutcome,
} from './idempotency.js';
import {
  bookingView,
  type BookingAddress,
  type BookingLinks,
  type BookingRequest,
  type Booker,
  type CreatedBooking,
} from './view.js';
import { newReference } from '../references.js';

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
      // A window offered by making room (needsMoves): placed, moves written, under every touched day's lock.
      const placed = request.needsMoves
        ? await placeMakingRoom(tx, { service, address, window, timezone: settings.timezone, holds, now })
        : await placeVisit(tx, service, address, window, settings.timezone, { holds });
      // Roll back, so the idempotency claim goes too and a retry of this key is tried afresh.
      if (!placed) throw new WindowGone();
      await deferOverlapCheck(tx);
      await applyRetiming(tx, placed.placement);
      if (hold) await releaseHolds(tx, [hold.id], now);
      if (client && !booker.isStaff) await releaseClientHolds(tx, client, now);
      const row = await insertVisitRow(tx, {
        reference: newReference('visit'),
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
