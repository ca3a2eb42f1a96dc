/** Managing a booking with its token (customer) or as staff: read, reschedule, cancel. */
import { getCompanySettings } from '../../db/company-settings.js';
import { cancelBookingRow, readManagedBooking } from '../../db/booking-statements.js';
import type { Db, Executor } from '../../db/database.js';
import type { VisitRow } from '../../db/schema.js';
import { deferOverlapCheck, findVisitWithService, rescheduleVisitRow } from '../../db/visits.js';
import { candidateWindows } from '../arrival-windows.js';
import { alternativesFor, parseWindow, windowTaken } from '../booking-windows.js';
import { CUSTOMER_CHANGE_CUTOFF_HOURS } from '../customer-rules.js';
import type { ResolvedAddress } from '../eligibility.js';
import { DomainError } from '../errors.js';
import { releaseHoldsBrokenBy } from '../holds/index.js';
import { localDateOf } from '../local-time.js';
import { enqueueMessage, visitEventData, wakeWorkersSoon } from '../outbox/index.js';
import { applyRetiming, placeVisit } from '../placement.js';
import { secretsEqual, sha256Hex } from '../secrets.js';
import { shiftKey } from '../shift-key.js';
import { freshReads } from '../slot-reads.js';
import { requireActiveService, requireServedAddress, windowRulesFor } from '../slots.js';
import { isOverlapViolation, WindowGone } from './conflicts.js';
import { bookingView, type BookingLinks, type BookingView } from './view.js';

export async function loadBookingForManager(
  db: Executor,
  id: string,
  token: string | undefined,
  isStaff: boolean,
) {
  return mayManage(await findVisitWithService(db, id), token, isStaff);
}

/** The row, when the reader may manage it (staff, or the booking's own token). */
function mayManage<Row extends { manage_token_hash: string }>(
  row: Row | undefined,
  token: string | undefined,
  isStaff: boolean,
): Row {
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
  const row = mayManage(await readManagedBooking(db, id), token, isStaff);
  return bookingView(row, row.service_name, row.timezone, { now, isStaff });
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

/** How many times a cancellation tries again when the booking changed between its read and its write. */
const CANCEL_ATTEMPTS = 5;

/**
 * One statement a try, no explicit transaction (cancelBookingRow): the read, and the update with its
 * booking.cancelled event applied only to the version read, when the token and the cut-off allow it.
 * The read is then judged here as before (unknown or wrong token, not active, too late); a booking
 * that passes and was not cancelled changed in between (rescheduled, moved by the planner) and is
 * tried again.
 */
export async function cancelBooking(
  db: Db,
  input: { id: string; token?: string; isStaff: boolean; now: Date },
): Promise<BookingView> {
  const changeableFrom = input.isStaff
    ? null
    : new Date(input.now.getTime() + CUSTOMER_CHANGE_CUTOFF_HOURS * 3_600_000);
  for (let attempt = 1; ; attempt++) {
    const outcome = await cancelBookingRow(db, {
      id: input.id,
      tokenHash: input.token ? sha256Hex(input.token) : null,
      isStaff: input.isStaff,
      now: input.now,
      changeableFrom,
    });
    const current = mayManage(outcome.before, input.token, input.isStaff);
    if (outcome.cancelled) {
      wakeWorkersSoon();
      const row: VisitRow = {
        ...current,
        status: 'cancelled',
        cancelled_at: input.now,
        version: current.version + 1,
        updated_at: input.now,
      };
      return bookingView(row, current.service_name, current.timezone, input);
    }
    // Cancelling twice is not an error: the customer sees the booking cancelled either way.
    if (current.status === 'cancelled')
      return bookingView(current, current.service_name, current.timezone, input);
    assertChangeable(current, input.now, input.isStaff);
    if (attempt >= CANCEL_ATTEMPTS)
      throw new DomainError('conflict', 'booking-busy', {
        fr: 'Cette réservation est en cours de modification ; réessayez dans un instant.',
        en: 'This booking is being changed; please retry in a moment.',
      });
  }
}
