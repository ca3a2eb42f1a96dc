/** Booking a visit (POST /v1/bookings): the checks, then one transaction that places and inserts it. */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Interval } from '../../../solver/problem.js';
import {
  bookVisit,
  bookVisitRefusal,
  openBooking,
  readBookingContext,
  readBookingSnapshot,
  recordBooking,
  type BookingContext,
  type BookingContextQuery,
  type BookingSnapshot,
  type BookVisit,
  type RecordBooking,
  type RetimedStop,
} from '../../db/booking-statements.js';
import type { ServiceWithSkills } from '../../db/catalogue.js';
import type { CompanySettings } from '../../db/company-settings.js';
import { contactLockKeys } from '../../db/customers.js';
import type { Db } from '../../db/database.js';
import { HOLD_ROUTE_PREFIX } from '../../db/holds.js';
import type { Database, NewVisit, VisitRow } from '../../db/schema.js';
import { candidateWindows } from '../arrival-windows.js';
import {
  buildBookingProblem,
  localDaySpan,
  type HoldView,
  type RoutedTechnician,
} from '../booking-problem.js';
import {
  admitClient,
  admitCustomer,
  bookerLockKeys,
  capWindowStart,
  MAX_POW_BITS,
  powCountsBookings,
  powDifficultyFor,
  powCountSince,
  powDifficultyOf,
  type PowPolicy,
  type WebBooker,
} from '../booking-guards/index.js';
import { alternativesFor, parseWindow, windowTaken } from '../booking-windows.js';
import { challengeSecret, verifyChallenge } from '../challenge.js';
import { checkContact, contactRules } from '../customer-rules.js';
import { normalisePhone } from '../customers/index.js';
import { eligibleTechnicianFrom, resolveFromZones, type ResolvedAddress } from '../eligibility.js';
import { DomainError } from '../errors.js';
import type { Geocoder } from '../geocoding.js';
import { clientHash, holdForBooking, isLive, releaseHoldsBrokenBy } from '../holds/index.js';
import { localDateOf } from '../local-time.js';
import { visitEventData, wakeWorkersSoon } from '../outbox/index.js';
import { bookingPaths, slotCache } from '../../observability/metrics.js';
import { placeOnProblem, type Placement } from '../placement.js';
import { placeMakingRoom } from '../room/index.js';
import { newSecret, sha256Hex } from '../secrets.js';
import { CachedReads, freshReads, type SlotReads } from '../slot-reads.js';
import { requireActiveService, requireServedAddress, windowRulesFor } from '../slots.js';
import { isOverlapViolation, isUniqueViolation, WindowGone } from './conflicts.js';
import { problemOfDay, readFreshDay } from './fresh-day.js';
import {
  IDEMPOTENCY_KEY_TTL_MS,
  IDEMPOTENCY_SCOPE,
  replayIfKnown,
  replayStored,
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
import { shiftKey } from '../shift-key.js';

/**
 * How recent the slot reads' last freshness answer must be for a booking to be placed on it without
 * asking again (bookOnMemory): bench:api's customer books a few ms after the slot read that offered
 * the window; a live instance's slot reads are as close together.
 */
const PROBE_REUSE_MS = 200;

export interface ProofOfWork {
  challenge: string;
  nonce: string;
}

export interface CreateBookingInput {
  request: BookingRequest;
  booker: Booker;
  idempotencyKey: string;
  pow?: ProofOfWork;
  /**
   * The proof of work this booker must have solved. With `powPolicy` and a webBooker, it is worked out
   * from the client's recent bookings, counted in the booking's first statement (this is then ignored).
   */
  powDifficulty?: number | Promise<number>;
  /** The growing proof of work (booking-guards): counted for the webBooker's client key. */
  powPolicy?: PowPolicy;
  now: Date;
  links: BookingLinks;
  /** Places the street address when the caller sent no lat/lon; without one the visit sits at the postal-code centroid. */
  geocoder?: Geocoder;
  /** The client's network address: whose holds are whose. */
  client?: string;
  /** An online booker, counted against the daily caps (booking-guards); staff bookings have none. */
  webBooker?: WebBooker;
  /**
   * The service's slot reads (a read cache that sees every change committed before each request): a
   * 409's alternatives are computed from them. Without them, from the database.
   */
  slotReads?: SlotReads;
  /** How recent the slot reads' last answer must be to place a public booking on it (PROBE_REUSE_MS by default). */
  probeReuseMs?: number;
  /** Fault-injection seam for tests: runs inside the transaction just before it commits. */
  beforeCommit?: (tx: Transaction<Database>) => Promise<void>;
  /**
   * Test seam: runs between a public booking's unlocked read and its write (book_visit), where a
   * change committed by someone else must send the booking through the locked transaction.
   */
  afterRead?: () => Promise<void>;
}

/**
 * Books a visit. Outside the transaction, the cheap checks on reads made at once (service,
 * settings, address, hold, a replay of the key). A public booking of an ordinary window then takes
 * two round trips in all: its first read also brings its technicians' day, unlocked, with the
 * snapshot it was read in; the solver places the visit on it; book_visit (migration 0023) takes the
 * locks, checks under them that no change the read did not see has reached that technician-day or
 * the slowly-changing data, and writes — or, when one has, writes nothing, and the booking goes
 * through the locked transaction. That transaction (the desk, make-room, a changed day) is three
 * statements (src/db/booking-statements.ts): open (claim the idempotency key, spend the proof of
 * work, take the booker's and the candidate technician-days' advisory locks), the fresh read of that
 * day, and — after the solver placed the visit on what was just read — record (customer, re-timed
 * stops, holds, the visit, the online booking, the key's outcome, the outbox event). The exclusion
 * constraint on (technician, planned interval) guards the rest.
 */
export async function createBooking(db: Db, input: CreateBookingInput): Promise<BookingOutcome> {
  const fromMemory = await bookOnMemory(db, input);
  if (fromMemory === 'not-for-memory') return bookOnRead(db, input);
  if (fromMemory !== 'overtaken') return fromMemory;
  // The memory was overtaken between its read and the write: the test seam ran there already.
  return bookOnRead(db, { ...input, afterRead: undefined });
}

/** createBooking's way when not on the memory: a read with its snapshot, or the locked transaction. */
async function bookOnRead(db: Db, input: CreateBookingInput): Promise<BookingOutcome> {
  const fingerprint = requestFingerprint(input.request);
  const { request, booker, now } = input;
  // What the checks read comes in one statement (readBookingContext): the key, the service, the
  // settings, the postal code's zones, the client's hold on this window and their recent bookings
  // (the proof of work's difficulty). Only a named hold is read on its own, at the same time.
  const client = input.client === undefined ? undefined : clientHash(input.client);
  const webBooker = booker.isStaff ? undefined : input.webBooker;
  const countRecent =
    webBooker && input.powPolicy && powCountsBookings(input.powPolicy) ? webBooker.clientKey : undefined;
  const heldWindow = client && request.holdId === undefined ? windowOrUndefined(request.window) : undefined;
  const contextQuery: BookingContextQuery = {
    scope: IDEMPOTENCY_SCOPE,
    key: input.idempotencyKey,
    now,
    serviceId: request.serviceId,
    postcode: request.address.postcode,
    ...(client && heldWindow
      ? {
          hold: {
            clientHash: client,
            windowStart: new Date(heldWindow.start * 1000),
            windowEnd: new Date(heldWindow.end * 1000),
          },
        }
      : {}),
  };
  // A public booking of an ordinary window reads its technicians' day with its context, unlocked,
  // and writes in one call that re-checks that day under the locks (bookOnSnapshot); the rest goes
  // through the locked transaction below.
  const plan = client === undefined ? undefined : await planSnapshot(input);
  // The proof of work a client owes grows with their bookings of the last hour: on the snapshot's
  // way book_visit counts them under the client's lock (migration 0027), so the read does not.
  const powCountedInWrite = plan !== undefined && countRecent !== undefined;
  if (countRecent && !powCountedInWrite)
    contextQuery.recentOf = { clientKey: countRecent, since: powCountSince(now) };
  const snapshot = plan
    ? readBookingSnapshot(db, {
        ...contextQuery,
        zoneIds: plan.zoneIds,
        day: {
          ...plan.span,
          holds: { now, exceptClient: client! },
          ...(webBooker && webBooker.caps.perClient > 0
            ? { clientBookings: { clientKey: webBooker.clientKey, since: capWindowStart(now) } }
            : {}),
        },
      })
    : undefined;
  const context = snapshot ? snapshot.then((s) => s.context) : readBookingContext(db, contextQuery);
  const reads = prefetchedReads(db, context, request.address.postcode);
  const reading = {
    context,
    service: requireActiveService(reads, request.serviceId, 'body.serviceId'),
    settings: context.then((c) => c.settings),
    served: requireServedAddress(reads, request.address, 'body.address.postcode'),
    // A live hold of this client on this window is consumed (not counted against it); an expired or
    // released one changes nothing: the booking goes through if the window is still free.
    hold: (async (): Promise<ConsumedHold | undefined> => {
      if (request.holdId === undefined) {
        if (!client) return undefined;
        const id = (await context).clientHoldId;
        return id === null ? undefined : { id, live: true };
      }
      const row = await holdForBooking(db, {
        holdId: request.holdId,
        client: input.client,
        serviceId: request.serviceId,
        window: parseWindow(request.window, 'body.window'),
        now,
      });
      return row && { id: row.id, live: isLive(row, now) };
    })(),
    powDifficulty: booker.isStaff
      ? Promise.resolve(0)
      : webBooker && input.powPolicy
        ? powCountedInWrite
          ? Promise.resolve(powDifficultyOf(input.powPolicy, 0))
          : context.then((c) => powDifficultyOf(input.powPolicy!, c.clientRecent))
        : Promise.resolve(input.powDifficulty ?? 0),
    // Kept in memory once read: costs a round trip once per process.
    powSecret: booker.isStaff ? Promise.resolve(undefined) : challengeSecret(db),
  };
  for (const pending of Object.values(reading)) pending.catch(() => undefined);
  const replay = await replayStored(db, (await context).stored, fingerprint, {
    now,
    isStaff: booker.isStaff,
  });
  if (replay) return replay;

  const service = await reading.service;
  const settings = await reading.settings;
  checkContact(request.customer, contactRules(settings), booker.isStaff);
  const served = await reading.served;
  const window = parseWindow(request.window, 'body.window');
  const day = localDateOf(window.start, settings.timezone);
  const offered = candidateWindows(windowRulesFor(settings, service), day, day, now, booker.isStaff);
  if (!offered.some((w) => w.start === window.start && w.end === window.end)) throw windowNotOffered();

  let challenge: { challenge: string; expiresAt: Date; difficulty: number } | undefined;
  const minDifficulty = await reading.powDifficulty;
  if (minDifficulty > 0) {
    if (!input.pow) throw powMissing();
    const verdict = verifyChallenge(
      (await reading.powSecret)!,
      input.pow.challenge,
      input.pow.nonce,
      minDifficulty,
      now,
    );
    if (!verdict.ok) throw powFailed(verdict.reason);
    challenge = {
      challenge: input.pow.challenge,
      expiresAt: verdict.expiresAt,
      difficulty: verdict.difficulty,
    };
  }

  const hold = await reading.hold;
  // The client's own holds never block their booking (as they never hide windows from them), and
  // booking releases them all: a customer books one visit, the other window they held is moot.
  const holds: HoldView | undefined = booker.isStaff
    ? undefined
    : {
        now,
        ...(client ? { exceptClient: client } : hold?.live ? { exceptHold: hold.id } : {}),
      };

  // Geocode only now, once the request passed every cheap check (a robot must not make us call the upstream),
  // and outside the transaction (no locks held while we wait on the network).
  const address = await streetLevel(input.geocoder, request.address, served);
  const manageToken = newSecret('mng', 24);
  // Read-only, for the .ics link: whoever fetches the calendar cannot change the booking.
  const calendarToken = newSecret('ics', 24);
  const phone = normalisePhone(request.customer.phone);
  let path: 'locked' | 'stale' = 'locked';
  try {
    if (plan && snapshot) {
      const snap = await snapshot;
      // The memory the read was planned from agrees with what it read: same time zone, same zones.
      if (settings.timezone === plan.timezone && sameMembers(address.zoneIds, plan.zoneIds)) {
        const booked = await bookOnSnapshot(db, input, snap, {
          service,
          settings,
          address,
          window,
          day: plan.day,
          span: plan.span,
          challenge,
          pow:
            powCountedInWrite && challenge
              ? {
                  difficulty: challenge.difficulty,
                  base: input.powPolicy!.base,
                  step: input.powPolicy!.stepBits,
                  max: MAX_POW_BITS,
                  since: powCountSince(now),
                }
              : undefined,
          hold,
          fingerprint,
          client: client!,
          manageToken,
          calendarToken,
          phone,
        });
        if (booked) {
          bookingPaths.inc({ path: 'snapshot' });
          return { replayed: false, status: 201, body: booked };
        }
        path = 'stale';
      }
    }
    // The snapshot's way left the growing proof of work to book_visit: counted here before the
    // locked transaction, as the context read counts it when there is no snapshot.
    if (powCountedInWrite && challenge) {
      const owed = await powDifficultyFor(db, webBooker!.clientKey, now, input.powPolicy!);
      if (challenge.difficulty < owed) throw powFailed('too-weak');
    }
    bookingPaths.inc({ path });
    const created = await db.transaction().execute(async (tx) => {
      // 1. Open: the key, the challenge, the booker's locks and, for an ordinary window, the
      // candidate technician-days' locks; the candidates are read with them.
      const opened = await openBooking(tx, {
        claim: {
          scope: IDEMPOTENCY_SCOPE,
          key: input.idempotencyKey,
          requestHash: fingerprint,
          now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS),
        },
        ...(challenge ? { challenge } : {}),
        bookerKeys: webBooker ? bookerLockKeys(webBooker, request.customer) : [],
        serviceId: service.id,
        zoneIds: address.zoneIds,
        // Make-room locks every day it may touch itself, in one sorted call.
        day: request.needsMoves ? null : day,
      });
      if (!opened.claimed) throw new KeyInUse();
      if (!opened.challengeSpent) throw powReplayed();
      const span = localDaySpan(day, day, settings.timezone);
      const freshQuery = {
        from: span.from,
        to: span.to,
        ...(holds ? { holds } : {}),
        ...(webBooker && webBooker.caps.perClient > 0
          ? { clientBookings: { clientKey: webBooker.clientKey, since: capWindowStart(now) } }
          : {}),
        // Taken after the technician-days' locks, the order every path takes them in.
        contactKeys: contactLockKeys(phone, request.customer.email),
      };

      // 2-3. Fresh read of the technician-day now that nobody else can book it, and placement on
      // what was just read. A window offered by making room (needsMoves): make-room reads, places
      // and writes its moves under every touched day's lock; the fresh read then only counts.
      let placement: Placement | null;
      let technicians: RoutedTechnician[];
      let clientBookings: number;
      if (request.needsMoves) {
        const room = await placeMakingRoom(tx, {
          service,
          address,
          window,
          timezone: settings.timezone,
          holds,
          now,
        });
        if (!room) throw new WindowGone();
        ({ placement, technicians } = room);
        ({ clientBookings } = await readFreshDay(tx, [], freshQuery));
      } else {
        technicians = opened.technicians.map(eligibleTechnicianFrom);
        const fresh = await readFreshDay(tx, technicians, freshQuery);
        clientBookings = fresh.clientBookings;
        placement = placeOnProblem(fresh.built, service, address, window);
      }
      if (webBooker) admitClient(webBooker, clientBookings);
      // Roll back, so the idempotency claim goes too and a retry of this key is tried afresh.
      if (!placement) throw new WindowGone();

      // 4. Record, with the booking.created event in the same statement: the visit's id is chosen
      // here, so the event is made from the row as it will be stored.
      const { visit, eventRow } = newVisitRows(input, service, address, window, placement, {
        manageToken,
        calendarToken,
      });
      const { row, customerBookings } = await recordBooking(
        tx,
        recordInput(input, {
          visit,
          eventRow,
          service,
          settings,
          address,
          placement,
          hold,
          client,
          manageToken,
          phone,
        }),
      );
      if (webBooker) admitCustomer(webBooker, customerBookings);
      // The desk ignores holds; the holds its booking left with no timetable are released now.
      if (booker.isStaff) await releaseHoldsBrokenBy(tx, technicians, day, settings.timezone, now);
      wakeWorkersSoon();
      const body: CreatedBooking = {
        booking: bookingView(row, service.name, settings.timezone, { now, isStaff: booker.isStaff }),
        manageUrl: input.links.manageUrl(row.id, manageToken),
        icsUrl: input.links.icsUrl(row.id, calendarToken),
      };
      await input.beforeCommit?.(tx);
      return body;
    });
    return { replayed: false, status: 201, body: created };
  } catch (error) {
    if (error instanceof KeyInUse || isUniqueViolation(error, 'idempotency_keys')) {
      const again = await replayIfKnown(db, input.idempotencyKey, fingerprint, {
        now,
        isStaff: booker.isStaff,
      });
      if (again) return again;
      if (error instanceof KeyInUse) throw keyInUse();
    }
    if (!(error instanceof WindowGone) && !isOverlapViolation(error)) throw error;
  }
  throw windowTaken(
    await alternativesFor(
      db,
      service,
      address,
      settings,
      day,
      now,
      booker.isStaff,
      holds && { now },
      input.slotReads,
    ),
  );
}

/**
 * A public booking of an ordinary window placed on the slot reads' memory, with no read before its
 * one write: the memory is brought up to date as a slot request's is (one small probe, shared with the
 * requests that arrive meanwhile), and the snapshot that probe saw goes to book_visit, which under the
 * locks refuses to write when the chosen technician's day or the slowly-changing data changed in a
 * transaction that snapshot did not see (the memory may not show it). The checks and the placement
 * are those of the snapshot's way, on the memory's settings, service, zones, technicians, shifts and
 * routes; the proof of work's growth and the caps are counted by book_visit.
 *
 * 'not-for-memory': not for this way (the desk, make-room, a named hold, a test seam on the locked
 * transaction, reads with no memory); 'overtaken': book_visit found a change the memory's snapshot
 * did not see, and wrote nothing. The caller then books as before (a read, or the locked way).
 * A refusal found on the memory (a window taken, not offered, a proof of work) first looks up the
 * key, so a retried booking still replays what it made.
 */
async function bookOnMemory(
  db: Db,
  input: CreateBookingInput,
  /** Place it on the memory's last answer when recent enough (answeredWithin), without asking again. */
  mayReuse = true,
): Promise<BookingOutcome | 'not-for-memory' | 'overtaken'> {
  const { request, booker, now, slotReads } = input;
  if (
    !(slotReads instanceof CachedReads) ||
    booker.isStaff ||
    input.client === undefined ||
    request.needsMoves ||
    request.holdId !== undefined ||
    input.beforeCommit
  )
    return 'not-for-memory';
  const window = windowOrUndefined(request.window);
  if (!window) return 'not-for-memory';
  // The slot request that offered the window has usually just asked (in the widget's flow, or another
  // customer's on a busy instance): its answer serves when no booking or cancellation of this instance
  // came since. A change it misses elsewhere makes book_visit refuse (memory_stale), and a window it
  // wrongly shows taken is placed again after a fresh question, so no answer depends on the reuse.
  const reused = mayReuse && slotReads.bookedRoutes.answeredWithin(input.probeReuseMs ?? PROBE_REUSE_MS);
  if (reused) slotCache.inc({ event: 'probe_reused' });
  const reads = reused ? slotReads : await slotReads.upToDate();
  const snapshot = slotReads.bookedRoutes.seenSnapshot;
  if (snapshot === null) return 'not-for-memory';
  const fingerprint = requestFingerprint(request);
  const client = clientHash(input.client);
  const webBooker = input.webBooker;
  const policy = webBooker ? input.powPolicy : undefined;
  // On this way book_visit counts the client's recent bookings (migration 0027): the base here.
  const minDifficulty = booker.isStaff
    ? 0
    : policy
      ? powDifficultyOf(policy, 0)
      : await Promise.resolve(input.powDifficulty ?? 0);
  const holds: HoldView = { now, exceptClient: client };
  let service: ServiceWithSkills | undefined;
  let settings: CompanySettings | undefined;
  let address: ResolvedAddress | undefined;
  let day = '';
  try {
    const [found, companySettings, served] = await Promise.all([
      requireActiveService(reads, request.serviceId, 'body.serviceId'),
      reads.settings(),
      requireServedAddress(reads, request.address, 'body.address.postcode'),
    ]);
    service = found;
    settings = companySettings;
    checkContact(request.customer, contactRules(settings), false);
    day = localDateOf(window.start, settings.timezone);
    const offered = candidateWindows(windowRulesFor(settings, service), day, day, now, false);
    if (!offered.some((w) => w.start === window.start && w.end === window.end)) throw windowNotOffered();
    let challenge: ReadBooking['challenge'];
    let pow: BookVisit['pow'];
    if (minDifficulty > 0) {
      if (!input.pow) throw powMissing();
      const verdict = verifyChallenge(
        await challengeSecret(db),
        input.pow.challenge,
        input.pow.nonce,
        minDifficulty,
        now,
      );
      if (!verdict.ok) throw powFailed(verdict.reason);
      challenge = { challenge: input.pow.challenge, expiresAt: verdict.expiresAt };
      if (policy && powCountsBookings(policy))
        pow = {
          difficulty: verdict.difficulty,
          base: policy.base,
          step: policy.stepBits,
          max: MAX_POW_BITS,
          since: powCountSince(now),
        };
    }
    address = await streetLevel(input.geocoder, request.address, served);
    const span = localDaySpan(day, day, settings.timezone);
    const technicians = await reads.eligible(service.id, address);
    const built = await buildBookingProblem(db, technicians, span.from, span.to, {
      reads,
      withRows: false,
      holds,
    });
    const placement = placeOnProblem(built, service, address, window);
    if (!placement && reused) return bookOnMemory(db, input, false);
    if (!placement) throw new WindowGone();
    await input.afterRead?.();
    const booked = await writeOnRead(db, input, snapshot, placement, {
      service,
      settings,
      address,
      window,
      day,
      span,
      challenge,
      pow,
      hold: undefined,
      fingerprint,
      client,
      manageToken: newSecret('mng', 24),
      calendarToken: newSecret('ics', 24),
      phone: normalisePhone(request.customer.phone),
    });
    if (!booked) {
      bookingPaths.inc({ path: 'memory_stale' });
      return 'overtaken';
    }
    bookingPaths.inc({ path: 'memory' });
    return { replayed: false, status: 201, body: booked };
  } catch (caught) {
    // The exclusion constraint: as the other ways answer it, the window is taken.
    const error = isOverlapViolation(caught) ? new WindowGone() : caught;
    if (!(error instanceof DomainError) && !(error instanceof WindowGone) && !(error instanceof KeyInUse))
      throw error;
    // A retry of a booking that was made finds its window taken (by itself), its challenge spent: the
    // key answers first, as it does before any check on the other ways.
    const again = await replayIfKnown(db, input.idempotencyKey, fingerprint, {
      now,
      isStaff: false,
    });
    if (again) return again;
    if (error instanceof KeyInUse) throw keyInUse();
    if (!(error instanceof WindowGone)) throw error;
  }
  throw windowTaken(
    await alternativesFor(db, service!, address!, settings!, day, now, false, { now }, slotReads),
  );
}

/** What a public booking's one read must know before it is made, taken from the slot reads' memory. */
interface SnapshotPlan {
  timezone: string;
  /** The postal code's zones: whose technicians are read. */
  zoneIds: string[];
  /** The window's local date, and that day's span. */
  day: string;
  span: { from: Date; to: Date };
}

/**
 * The time zone (which local day is read) and the postal code's zones (whose technicians), from the
 * slot reads' memory: the read itself returns both afresh, and a booking whose memory disagreed goes
 * through the locked transaction. Only public bookings of an ordinary window (the desk releases the
 * holds its booking breaks, make-room locks days of its own), and not with the test seam that needs
 * the locked transaction.
 */
async function planSnapshot(input: CreateBookingInput): Promise<SnapshotPlan | undefined> {
  const { request, booker, slotReads } = input;
  if (!slotReads || booker.isStaff || request.needsMoves || input.beforeCommit) return undefined;
  const window = windowOrUndefined(request.window);
  if (!window) return undefined;
  const [settings, resolved] = await Promise.all([
    slotReads.settings(),
    // By postal code alone: its zones do not depend on the street, and the memory keeps one entry a code.
    slotReads.resolve({ postcode: request.address.postcode }),
  ]);
  if (!resolved) return undefined;
  const day = localDateOf(window.start, settings.timezone);
  return {
    timezone: settings.timezone,
    zoneIds: resolved.zoneIds,
    day,
    span: localDaySpan(day, day, settings.timezone),
  };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((x) => set.has(x));
}

/** The UTC dates [from, to) touches: route_day_changes' days for that span. */
function utcDatesOf(span: { from: Date; to: Date }): string[] {
  const dates: string[] = [];
  const last = span.to.getTime() - 1;
  for (
    let t = Date.UTC(span.from.getUTCFullYear(), span.from.getUTCMonth(), span.from.getUTCDate());
    t <= last;
    t += 86_400_000
  )
    dates.push(new Date(t).toISOString().slice(0, 10));
  return dates;
}

/**
 * A public booking on its unlocked read: the visit placed on the snapshot's day, then book_visit,
 * which writes only if, under the locks, nothing the snapshot did not see has changed that
 * technician's day or the slowly-changing data. undefined when something did: the caller books
 * through the locked transaction, which reads afresh. Throws what the locked transaction would
 * (WindowGone, KeyInUse, the caps, a spent challenge), for the caller's handling.
 */
async function bookOnSnapshot(
  db: Db,
  input: CreateBookingInput,
  snap: BookingSnapshot,
  b: ReadBooking,
): Promise<CreatedBooking | undefined> {
  const webBooker = input.webBooker;
  // As the locked transaction: the client's cap before the window (counted again under the lock).
  if (webBooker) admitClient(webBooker, snap.day.clientBookings);
  const technicians = snap.technicians.map(eligibleTechnicianFrom);
  const placement = placeOnProblem(
    problemOfDay(technicians, snap.day, b.span),
    b.service,
    b.address,
    b.window,
  );
  if (!placement) throw new WindowGone();
  await input.afterRead?.();
  return writeOnRead(db, input, snap.snapshot, placement, b);
}

/** What book_visit writes besides the placement: the booking's checked parts and secrets. */
interface ReadBooking {
  service: ServiceWithSkills;
  settings: CompanySettings;
  address: ResolvedAddress;
  window: Interval;
  day: string;
  span: { from: Date; to: Date };
  challenge: { challenge: string; expiresAt: Date } | undefined;
  /** The growing proof of work, for book_visit to count (BookVisit['pow']). */
  pow: BookVisit['pow'];
  hold: ConsumedHold | undefined;
  fingerprint: string;
  client: string;
  manageToken: string;
  calendarToken: string;
  phone: string | null;
}

/**
 * book_visit on a placement made on a read taken in (or, for the memory, as fresh as) `snapshot`:
 * the booking, or undefined when under the locks some change the read did not see had reached the
 * chosen technician's day or the slowly-changing data (the caller then books the locked way).
 */
async function writeOnRead(
  db: Db,
  input: CreateBookingInput,
  snapshot: string,
  placement: Placement,
  b: ReadBooking,
): Promise<CreatedBooking | undefined> {
  const { request, now } = input;
  const webBooker = input.webBooker;

  const { visit, eventRow } = newVisitRows(input, b.service, b.address, b.window, placement, b);
  const record = recordInput(input, { ...b, visit, eventRow, placement });
  try {
    const written = await bookVisit(db, {
      snapshot,
      routeDays: utcDatesOf(b.span),
      claim: {
        scope: IDEMPOTENCY_SCOPE,
        key: input.idempotencyKey,
        requestHash: b.fingerprint,
        now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS),
      },
      ...(b.challenge
        ? { challenge: { challenge: b.challenge.challenge, expiresAt: b.challenge.expiresAt } }
        : {}),
      ...(b.pow ? { pow: b.pow } : {}),
      // The open statement's keys: the booker's caps, then the technician-day (sorted in the database).
      lockKeys: [
        ...(webBooker ? bookerLockKeys(webBooker, request.customer) : []).map((k) => `booking-cap:${k}`),
        `tech-day:${shiftKey(placement.technicianId, b.day)}`,
      ],
      contactKeys: contactLockKeys(b.phone, request.customer.email),
      clientCap: {
        clientKey: webBooker?.clientKey ?? null,
        cap: webBooker?.caps.perClient ?? 0,
        since: capWindowStart(now),
      },
      customerCap: { cap: webBooker?.caps.perCustomer ?? 0, since: capWindowStart(now) },
      record: { ...record, event: record.event! },
    });
    const row: VisitRow = { ...eventRow, customer_id: written.customerId, updated_at: written.updatedAt };
    wakeWorkersSoon();
    return {
      booking: bookingView(row, b.service.name, b.settings.timezone, { now, isStaff: false }),
      manageUrl: input.links.manageUrl(row.id, b.manageToken),
      icsUrl: input.links.icsUrl(row.id, b.calendarToken),
    };
  } catch (error) {
    switch (bookVisitRefusal(error)) {
      case 'stale':
        return undefined;
      case 'key-in-use':
        throw new KeyInUse();
      case 'challenge-spent':
        throw powReplayed();
      case 'pow-too-weak':
        throw powFailed('too-weak');
      case 'client-cap':
        admitClient(webBooker!, Number.POSITIVE_INFINITY);
        break;
      case 'customer-cap':
        admitCustomer(webBooker!, Number.POSITIVE_INFINITY);
        break;
    }
    throw error;
  }
}

/** The visit as it will be stored (its id chosen here), and as its booking.created event shows it. */
function newVisitRows(
  input: CreateBookingInput,
  service: ServiceWithSkills,
  address: ResolvedAddress,
  window: Interval,
  placement: Placement,
  tokens: { manageToken: string; calendarToken: string },
): { visit: Omit<NewVisit, 'customer_id'> & { id: string }; eventRow: VisitRow } {
  const { request, booker, now } = input;
  const visit = {
    id: randomUUID(),
    reference: newReference('visit'),
    service_id: service.id,
    technician_id: placement.technicianId,
    window_start: new Date(window.start * 1000),
    window_end: new Date(window.end * 1000),
    planned_start: new Date(placement.plannedStart * 1000),
    planned_end: new Date((placement.plannedStart + service.durationMinutes * 60) * 1000),
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
    manage_token_hash: sha256Hex(tokens.manageToken),
    calendar_token_hash: sha256Hex(tokens.calendarToken),
    cancelled_at: null,
    locale: request.locale ?? 'fr',
    // The booking's own clock (pinned in tests), so "booked 24 h ahead" compares like with like.
    created_at: now,
  } satisfies NewVisit;
  const eventRow: VisitRow = {
    ...visit,
    status: 'booked',
    version: 1,
    pinned: false,
    updated_at: now,
    done_at: null,
    customer_id: null,
    progress: 'planned',
    progress_at: null,
    unassigned_reason: null,
    unassigned_at: null,
  };
  return { visit, eventRow };
}

/** Every write of a booking (recordBooking's, book_visit's): customer, re-timed stops, holds, visit, caps, key, event. */
function recordInput(
  input: CreateBookingInput,
  r: {
    visit: Omit<NewVisit, 'customer_id'>;
    eventRow: VisitRow;
    service: ServiceWithSkills;
    settings: CompanySettings;
    address: ResolvedAddress;
    placement: Placement;
    hold: ConsumedHold | undefined;
    client: string | undefined;
    manageToken: string;
    phone: string | null;
  },
): RecordBooking {
  const { request, booker, now } = input;
  const webBooker = booker.isStaff ? undefined : input.webBooker;
  return {
    visit: r.visit,
    customer: {
      name: request.customer.name,
      phone: r.phone,
      email: request.customer.email ?? null,
      street: request.address.line,
      postcode: r.address.postcode,
      city: request.address.city,
      at: now,
    },
    retimed: retimedStops(r.placement),
    release: {
      holdId: r.hold?.id ?? null,
      clientHash: r.client && !booker.isStaff ? r.client : null,
      now,
    },
    ...(webBooker
      ? {
          webBooking: {
            clientKey: webBooker.clientKey,
            at: now,
            countSince: webBooker.caps.perCustomer > 0 ? capWindowStart(now) : null,
          },
        }
      : {}),
    outcome: { scope: IDEMPOTENCY_SCOPE, key: input.idempotencyKey, statusCode: 201 },
    event: {
      type: 'booking.created',
      aggregate: 'visit',
      payload: { ...visitEventData(r.eventRow, r.service, r.settings.timezone) },
      privatePayload: { manageUrl: input.links.manageUrl(r.visit.id!, r.manageToken) },
    },
    now,
  };
}

/** The hold a booking consumes: its id, and whether it was still live. */
interface ConsumedHold {
  id: string;
  live: boolean;
}

/** The requested window, or undefined when it does not parse (parseWindow reports that later, in its turn). */
function windowOrUndefined(window: { start: string; end: string }): Interval | undefined {
  try {
    return parseWindow(window, 'body.window');
  } catch {
    return undefined;
  }
}

/** The key is claimed by a request that is still running or left no booking to replay. */
class KeyInUse extends Error {}

function keyInUse(): DomainError {
  return new DomainError(
    'conflict',
    'idempotency-key-in-use',
    {
      fr: 'Cette demande est déjà en cours de traitement ; réessayez dans un instant.',
      en: 'A request with this Idempotency-Key is still being processed; retry in a moment.',
    },
    'headers.idempotency-key',
  );
}

function windowNotOffered(): DomainError {
  return new DomainError(
    'unprocessable',
    'window-not-offered',
    {
      fr: 'Ce créneau n’est pas proposé pour cette prestation.',
      en: 'This window is not offered for this service.',
    },
    'body.window',
  );
}

function powMissing(): DomainError {
  return new DomainError(
    'invalid',
    'pow-missing',
    { fr: 'Vérification anti-robot manquante.', en: 'Missing anti-robot check.' },
    'body.pow',
  );
}

/** A proof of work refused: `pow-<reason>` (malformed, forged, expired, too-weak, wrong-nonce). */
function powFailed(reason: string): DomainError {
  return new DomainError(
    'unprocessable',
    `pow-${reason}`,
    {
      fr: 'La vérification anti-robot a échoué, réessayez.',
      en: 'The anti-robot check failed; please retry.',
    },
    'body.pow',
  );
}

function powReplayed(): DomainError {
  return new DomainError(
    'unprocessable',
    'pow-replayed',
    {
      fr: 'La vérification anti-robot a déjà servi, réessayez.',
      en: 'The anti-robot check was already used; please retry.',
    },
    'body.pow',
  );
}

/** The placement's re-timed stops, split into booked visits and holds, as instants. */
function retimedStops(placement: Placement): { visits: RetimedStop[]; holds: RetimedStop[] } {
  const visits: RetimedStop[] = [];
  const holds: RetimedStop[] = [];
  for (const move of placement.moved) {
    const start = new Date(move.to * 1000);
    const end = new Date((move.to + move.duration) * 1000);
    if (move.visitId.startsWith(HOLD_ROUTE_PREFIX))
      holds.push({ id: move.visitId.slice(HOLD_ROUTE_PREFIX.length), start, end });
    else visits.push({ id: move.visitId, start, end });
  }
  return { visits, holds };
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

/**
 * The checks' reads (requireActiveService, requireServedAddress) answered from the booking's context
 * statement; anything else they might ask goes to the database.
 */
function prefetchedReads(db: Db, context: Promise<BookingContext>, postcode: string): SlotReads {
  const fresh = freshReads(db);
  return {
    ...fresh,
    service: async (id) => {
      const c = await context;
      return c.service?.id === id ? c.service : fresh.service(id);
    },
    settings: async () => (await context).settings,
    resolve: async (address) => {
      return address.postcode === postcode
        ? resolveFromZones((await context).postcodeZones, address)
        : fresh.resolve(address);
    },
  };
}
