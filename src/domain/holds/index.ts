/**
 * Holds: a window chosen in the widget is kept for that client for five
 * minutes (renewable once) while they type their details. A hold is placed
 * on a route exactly like a booking (same lock, same insertion test), so the
 * slot engine counts it for everyone else; the client's own holds never
 * block them, the desk ignores holds, and an expired or released hold frees
 * the window by simply no longer being read.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Interval } from '../../../solver/problem.js';
import { routesWithoutTimetable } from '../../../solver/route-feasibility.js';
import { deferOverlapCheck } from '../../db/visits.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import {
  findHold,
  HOLD_ROUTE_PREFIX,
  insertHold,
  liveHoldsOfClient,
  lockClientHolds,
  purgeOldHolds,
  releaseHolds,
  renewHoldRow,
} from '../../db/holds.js';
import type { Database, HoldRow } from '../../db/schema.js';
import { candidateWindows } from '../arrival-windows.js';
import { buildBookingProblem, localDaySpan, type RoutedTechnician } from '../booking-problem.js';
import { alternativesFor, parseWindow, windowTaken } from '../booking-windows.js';
import { DomainError } from '../errors.js';
import { localDateOf } from '../local-time.js';
import { applyRetiming, placeVisit } from '../placement.js';
import { freshReads } from '../slot-reads.js';
import { requireActiveService, requireServedAddress, windowRulesFor, type AddressInput } from '../slots.js';

export const HOLD_MINUTES = 5;
/** Live holds one client may have at once: the window they chose, and one more while they change their mind. */
export const MAX_LIVE_HOLDS = 2;

/** Who holds: a hash of the client's network address (never stored in clear). */
export function clientHash(clientAddress: string): string {
  return createHash('sha256').update(`tournee-hold-client:${clientAddress}`).digest('hex');
}

export interface HoldRequest {
  serviceId: string;
  window: { start: string; end: string };
  address: AddressInput;
  /** The client's network address (request.ip). */
  client: string;
  isStaff: boolean;
  now: Date;
}

export interface HeldWindow {
  id: string;
  expiresAt: string;
  renewable: boolean;
}

function view(row: HoldRow): HeldWindow {
  return { id: row.id, expiresAt: row.expires_at.toISOString(), renewable: !row.renewed };
}

export function isLive(row: HoldRow, now: Date): boolean {
  return row.released_at === null && row.expires_at.getTime() > now.getTime();
}

class WindowGone extends Error {}

/** Places a hold on an offered window: 201 {id, expiresAt}; 409 with alternatives when it is not (or no longer) offered. */
export async function placeHold(db: Db, input: HoldRequest): Promise<HeldWindow> {
  const reads = freshReads(db);
  const [service, settings] = await Promise.all([
    requireActiveService(reads, input.serviceId, 'body.serviceId'),
    getCompanySettings(db),
  ]);
  const address = await requireServedAddress(reads, input.address, 'body.postcode');
  const window = parseWindow(input.window, 'body.window');
  const day = localDateOf(window.start, settings.timezone);
  const hash = clientHash(input.client);
  const alternatives = async () =>
    windowTaken(
      await alternativesFor(db, service, address, settings, day, input.now, input.isStaff, {
        now: input.now,
        exceptClient: hash,
      }),
    );
  const offered = candidateWindows(windowRulesFor(settings, service), day, day, input.now, input.isStaff);
  if (!offered.some((w) => w.start === window.start && w.end === window.end)) throw await alternatives();

  try {
    const row = await db.transaction().execute(async (tx) => {
      await lockClientHolds(tx, hash);
      const live = await liveHoldsOfClient(tx, hash, input.now);
      // Asking twice for the same window (a double tap) keeps the one hold.
      const same = live.find(
        (h) =>
          h.service_id === service.id &&
          h.window_start.getTime() === window.start * 1000 &&
          h.window_end.getTime() === window.end * 1000,
      );
      if (same) return same;
      if (live.length >= MAX_LIVE_HOLDS) {
        throw new DomainError('too-many', 'too-many-holds', {
          fr: `Vous gardez déjà ${MAX_LIVE_HOLDS} créneaux : réservez-en un ou libérez-en un.`,
          en: `You already hold ${MAX_LIVE_HOLDS} windows: book or release one first.`,
        });
      }
      // Every live hold counts here, the client's own too: two holds of one client never share a place.
      const placed = await placeVisit(tx, service, address, window, settings.timezone, {
        holds: { now: input.now },
      });
      if (!placed) throw new WindowGone();
      await deferOverlapCheck(tx);
      await applyRetiming(tx, placed.placement);
      return insertHold(tx, {
        client_hash: hash,
        service_id: service.id,
        technician_id: placed.placement.technicianId,
        window_start: new Date(window.start * 1000),
        window_end: new Date(window.end * 1000),
        planned_start: new Date(placed.placement.plannedStart * 1000),
        planned_end: new Date((placed.placement.plannedStart + service.durationMinutes * 60) * 1000),
        postcode: address.postcode,
        lat: address.lat,
        lon: address.lon,
        expires_at: new Date(input.now.getTime() + HOLD_MINUTES * 60_000),
        released_at: null,
      });
    });
    // Housekeeping off the hot path's transaction: rows a day past use go.
    await purgeOldHolds(db, new Date(input.now.getTime() - 86_400_000));
    return view(row);
  } catch (error) {
    if (!(error instanceof WindowGone) && (error as { code?: string })?.code !== '23P01') throw error;
  }
  throw await alternatives();
}

function holdNotFound(field?: string): DomainError {
  return new DomainError(
    'not-found',
    'hold-not-found',
    { fr: 'Cette réservation provisoire est introuvable.', en: 'This hold was not found.' },
    field,
  );
}

/** The client's own hold; another client's hold is as unknown as a missing one. */
export async function ownHold(db: Db, id: string, client: string, field?: string): Promise<HoldRow> {
  const row = await findHold(db, id);
  if (!row || row.client_hash !== clientHash(client)) throw holdNotFound(field);
  return row;
}

export async function releaseHold(db: Db, id: string, client: string, now: Date): Promise<void> {
  const row = await ownHold(db, id, client);
  await releaseHolds(db, [row.id], now);
}

/** Five more minutes, once. */
export async function renewHold(db: Db, id: string, client: string, now: Date): Promise<HeldWindow> {
  const row = await ownHold(db, id, client);
  if (!isLive(row, now)) {
    throw new DomainError('conflict', 'hold-expired', {
      fr: 'Ce créneau n’est plus gardé : choisissez-le à nouveau.',
      en: 'This window is no longer held: choose it again.',
    });
  }
  if (row.renewed) {
    throw new DomainError('conflict', 'hold-renewed-already', {
      fr: 'Ce créneau a déjà été prolongé une fois.',
      en: 'This hold was already renewed once.',
    });
  }
  return view(await renewHoldRow(db, row.id, new Date(now.getTime() + HOLD_MINUTES * 60_000)));
}

/**
 * After a desk booking (which ignores holds) on `day`: the holds whose route
 * it left with no feasible timetable are released. The desk is never
 * blocked; those customers then book if their window is still free, else
 * get alternatives, as with an expired hold.
 */
export async function releaseHoldsBrokenBy(
  tx: Transaction<Database>,
  technicians: RoutedTechnician[],
  day: string,
  timezone: string,
  now: Date,
): Promise<void> {
  const span = localDaySpan(day, day, timezone);
  const built = await buildBookingProblem(tx, technicians, span.from, span.to, {
    withRows: false,
    holds: { now },
  });
  if (!built.problem.visits.some((v) => v.id.startsWith(HOLD_ROUTE_PREFIX))) return;
  const broken = routesWithoutTimetable(built.problem)
    .flat()
    .filter((id) => id.startsWith(HOLD_ROUTE_PREFIX))
    .map((id) => id.slice(HOLD_ROUTE_PREFIX.length));
  await releaseHolds(tx, broken, now);
}

/**
 * The hold a booking consumes: the one it names (the client's own, for the
 * same service and window), or else the client's live hold on that very
 * window. undefined when there is none.
 */
export async function holdForBooking(
  db: Db,
  input: { holdId?: string; client?: string; serviceId: string; window: Interval; now: Date },
): Promise<HoldRow | undefined> {
  const sameWindow = (h: HoldRow) =>
    h.service_id === input.serviceId &&
    h.window_start.getTime() === input.window.start * 1000 &&
    h.window_end.getTime() === input.window.end * 1000;
  if (input.holdId !== undefined) {
    const row = await ownHold(db, input.holdId, input.client ?? '', 'body.holdId');
    if (!sameWindow(row)) {
      throw new DomainError(
        'unprocessable',
        'hold-mismatch',
        {
          fr: 'Ce créneau gardé ne correspond pas à la réservation.',
          en: 'This hold is for another service or window.',
        },
        'body.holdId',
      );
    }
    return row;
  }
  if (input.client === undefined) return undefined;
  return (await liveHoldsOfClient(db, clientHash(input.client), input.now)).find(sameWindow);
}
