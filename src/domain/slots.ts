import type { Interval, SlotRequest } from '../../solver/problem.js';
import { offerSlots } from '../../solver/slots.js';
import { greatCircleMetres } from '../../solver/travel.js';
import type { Executor } from '../db/database.js';
import type { ServiceWithSkills } from '../db/catalogue.js';
import type { CompanySettings } from '../db/company-settings.js';
import { candidateWindows, groupByDay, type DayOfWindows } from './arrival-windows.js';
import { markChangeCutoff } from './customer-rules.js';
import { buildBookingProblem, type HoldView } from './booking-problem.js';
import type { ResolvedAddress } from './eligibility.js';
import { addDays, localDateOf } from './local-time.js';
import { windowsMakingRoom, withRoomWindows } from './room/index.js';
import { freshReads, type SlotReads } from './slot-reads.js';
import { DomainError } from './errors.js';
import { slotAnswers } from '../observability/metrics.js';
import {
  serviceNotOfferedHere,
  whyNoWindow,
  zoneNotServed,
  type SlotReason,
  type SlotSearch,
} from './slot-reasons.js';

/**
 * The longest range one slots request may cover, unless the service's horizon is longer: a customer may
 * always ask for everything up to the horizon at once (42 days for most services), never a year.
 */
export const MAX_SLOT_RANGE_DAYS = 31;
export const DEFAULT_SLOT_RANGE_DAYS = 14;

export interface AddressInput {
  postcode: string;
  lat?: number;
  lon?: number;
  city?: string;
}

export interface SlotQuery {
  serviceId: string;
  address: AddressInput;
  /** Local dates, inclusive. */
  from?: string;
  to?: string;
  /** No `to`: up to the last bookable day (the service's horizon) instead of two weeks. */
  toHorizon?: boolean;
  now: Date;
  /** Desk agents may book inside the minimum notice. */
  ignoreNotice?: boolean;
  /** Live holds to count (public requests; a client's own holds excepted); absent for the desk. */
  holds?: HoldView;
  /** false: only windows that need no move (the make-room search is skipped). Default true. */
  makeRoom?: boolean;
}

export interface SlotAnswer {
  service: ServiceWithSkills;
  address: ResolvedAddress;
  timezone: string;
  from: string;
  to: string;
  days: DayOfWindows[];
  /** Why there is nothing to offer, when there is nothing (see slot-reasons.ts). */
  reason?: SlotReason;
}

export async function requireActiveService(
  reads: SlotReads,
  serviceId: string,
  field: string,
): Promise<ServiceWithSkills> {
  const service = await reads.service(serviceId);
  if (!service || !service.active) {
    throw new DomainError(
      'unprocessable',
      'unknown-service',
      {
        fr: 'Cette prestation n’existe pas ou n’est plus proposée.',
        en: 'This service does not exist or is no longer offered.',
      },
      field,
    );
  }
  return service;
}

/** How far from its postal code's centroid a caller's point may lie (a rural code spans a few km). */
export const MAX_KM_FROM_POSTCODE = 10;

export async function requireServedAddress(
  reads: SlotReads,
  address: AddressInput,
  field: string,
): Promise<ResolvedAddress> {
  const resolved = await reads.resolve(address);
  if (!resolved) {
    throw new DomainError(
      'unprocessable',
      'postcode-not-served',
      {
        fr: `Nous n’intervenons pas dans le ${address.postcode}.`,
        en: `We do not serve ${address.postcode}.`,
      },
      field,
    );
  }
  await requirePointInPostcode(reads, address, field);
  return resolved;
}

/** The caller's point, when given, must lie in or near its postal code: a client cannot place a visit elsewhere. */
export async function requirePointInPostcode(
  reads: SlotReads,
  address: AddressInput,
  field: string,
): Promise<void> {
  if (address.lat !== undefined && address.lon !== undefined) {
    const area = await reads.resolve({ postcode: address.postcode, city: address.city });
    const km = area
      ? greatCircleMetres(
          { key: 0, lat: area.lat, lon: area.lon },
          { key: 1, lat: address.lat, lon: address.lon },
        ) / 1000
      : 0;
    if (km > MAX_KM_FROM_POSTCODE) {
      throw new DomainError(
        'invalid',
        'coordinates-outside-postcode',
        {
          fr: `Ce point est à ${Math.round(km)} km du ${address.postcode} : vérifiez l’adresse.`,
          en: `This point is ${Math.round(km)} km from ${address.postcode}: check the address.`,
        },
        field.replace(/postcode$/, 'lat'),
      );
    }
  }
}

export function windowRulesFor(settings: CompanySettings, service: ServiceWithSkills) {
  return {
    timezone: settings.timezone,
    grid: settings.windowGrid,
    windowMinutes: service.windowMinutes,
    minNoticeMinutes: service.minNoticeMinutes,
    horizonDays: Math.min(service.maxHorizonDays, settings.bookingHorizonDays),
  };
}

/**
 * Checks and fills the date range of a query: defaults to two weeks from today (or, with
 * `toHorizon`, up to the horizon), at most MAX_SLOT_RANGE_DAYS or the horizon (today included),
 * whichever is longer.
 */
export function slotRange(
  timezone: string,
  now: Date,
  from?: string,
  to?: string,
  horizonDays = 0,
  toHorizon = false,
): { from: string; to: string } {
  const maxDays = Math.max(MAX_SLOT_RANGE_DAYS, horizonDays + 1);
  const today = localDateOf(now.getTime() / 1000, timezone);
  const first = from ?? today;
  const last = to ?? (toHorizon ? addDays(today, horizonDays) : addDays(first, DEFAULT_SLOT_RANGE_DAYS - 1));
  if (last < first) {
    throw new DomainError(
      'invalid',
      'range-reversed',
      { fr: 'La date de fin précède la date de début.', en: 'The end date is before the start date.' },
      'query.to',
    );
  }
  if (last >= addDays(first, maxDays)) {
    throw new DomainError(
      'invalid',
      'range-too-long',
      {
        fr: `Demandez au plus ${maxDays} jours à la fois.`,
        en: `Ask for at most ${maxDays} days at a time.`,
      },
      'query.to',
    );
  }
  return { from: first, to: last };
}

/**
 * Every bookable arrival window for a service at an address: the company's
 * window grid over the range, kept where an eligible technician can take it
 * without breaking any promise already made (travel-aware, from the solver).
 * When there is none, the answer says why (a reason, never a dead end): an
 * unserved postcode is an answer with no days, not an error.
 */
export async function findSlots(
  db: Executor,
  query: SlotQuery,
  reads: SlotReads = freshReads(db),
): Promise<SlotAnswer> {
  const current = await reads.upToDate();
  const answer = await current.answer(query, (reads) => answerSlots(db, query, reads));
  slotAnswers.inc({ outcome: answer.reason?.code ?? (answer.days.length > 0 ? 'offered' : 'none') });
  return answer;
}

async function answerSlots(db: Executor, query: SlotQuery, reads: SlotReads): Promise<SlotAnswer> {
  const [service, settings] = await Promise.all([
    requireActiveService(reads, query.serviceId, 'query.serviceId'),
    reads.settings(),
  ]);
  const rules = windowRulesFor(settings, service);
  const range = slotRange(
    settings.timezone,
    query.now,
    query.from,
    query.to,
    rules.horizonDays,
    query.toHorizon,
  );
  const base = { service, timezone: settings.timezone, ...range };
  await requirePointInPostcode(reads, query.address, 'query.postcode');
  const address = await reads.resolve(query.address);
  if (!address) {
    const unresolved: ResolvedAddress = {
      postcode: query.address.postcode,
      city: '',
      lat: 0,
      lon: 0,
      zoneIds: [],
      zoneKind: 'periurban',
      precise: false,
    };
    return { ...base, address: unresolved, days: [], reason: await zoneNotServed(reads) };
  }
  if ((await reads.eligible(service.id, address)).length === 0) {
    return { ...base, address, days: [], reason: await serviceNotOfferedHere(reads, service.id) };
  }
  const search: SlotSearch = {
    rules,
    now: query.now,
    ignoreNotice: query.ignoreNotice,
    bookable: (windows) => bookableWindows(db, service, address, windows, reads, query.holds),
  };
  const windows = candidateWindows(rules, range.from, range.to, query.now, query.ignoreNotice);
  const offered = await search.bookable(windows);
  // Days with no window as they stand may open one by moving a few visits (make-room, bounded).
  const room =
    query.makeRoom === false
      ? []
      : await windowsMakingRoom(db, {
          service,
          address,
          timezone: settings.timezone,
          candidates: windows,
          offered,
          reads,
          holds: query.holds,
        });
  const days = markChangeCutoff(
    withRoomWindows(groupByDay(offered, settings.timezone), room, settings.timezone),
    query.now,
  );
  const reason = days.length > 0 ? undefined : await whyNoWindow(search, range, windows.length);
  return { ...base, address, days, ...(reason ? { reason } : {}) };
}

/** The subset of `windows` some eligible technician can take. */
export async function bookableWindows(
  db: Executor,
  service: ServiceWithSkills,
  address: ResolvedAddress,
  windows: Interval[],
  reads: SlotReads = freshReads(db),
  holds?: HoldView,
): Promise<Interval[]> {
  if (windows.length === 0) return [];
  const technicians = await reads.eligible(service.id, address);
  if (technicians.length === 0) return [];
  let first = Infinity;
  let last = -Infinity;
  for (const w of windows) {
    if (w.start < first) first = w.start;
    if (w.end > last) last = w.end;
  }
  const from = new Date((first - 86_400) * 1000);
  const to = new Date((last + 86_400) * 1000);
  const built = await buildBookingProblem(db, technicians, from, to, { reads, withRows: false, holds });
  const request: SlotRequest = {
    place: built.placeFor(address.lat, address.lon, address.postcode),
    duration: service.durationMinutes * 60,
    skills: service.skills,
    windows,
  };
  return offerSlots(built.problem, request).map((offer) => offer.window);
}
