import type { Interval, SlotRequest } from '../../solver/problem.js';
import { offerSlots } from '../../solver/slots.js';
import type { Executor, ServiceWithSkills } from '../db/bookings.js';
import type { CompanySettingsRow } from '../db/schema.js';
import { candidateWindows, groupByDay, type DayOfWindows } from './arrival-windows.js';
import { buildBookingProblem } from './booking-problem.js';
import type { ResolvedAddress } from './eligibility.js';
import { addDays, localDateOf } from './local-time.js';
import { freshReads, type SlotReads } from './slot-reads.js';
import { DomainError } from './errors.js';

/** The longest range one slots request may cover: a customer looks a few weeks ahead, not a year. */
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
  now: Date;
  /** Desk agents may book inside the minimum notice. */
  ignoreNotice?: boolean;
}

export interface SlotAnswer {
  service: ServiceWithSkills;
  address: ResolvedAddress;
  timezone: string;
  from: string;
  to: string;
  days: DayOfWindows[];
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
  return resolved;
}

export function windowRulesFor(settings: CompanySettingsRow, service: ServiceWithSkills) {
  return {
    timezone: settings.timezone,
    grid: settings.window_grid,
    windowMinutes: service.windowMinutes,
    minNoticeMinutes: service.minNoticeMinutes,
    horizonDays: Math.min(service.maxHorizonDays, settings.booking_horizon_days),
  };
}

/** Checks and fills the date range of a query: defaults to two weeks from today, at most MAX_SLOT_RANGE_DAYS. */
export function slotRange(
  timezone: string,
  now: Date,
  from?: string,
  to?: string,
): { from: string; to: string } {
  const first = from ?? localDateOf(now.getTime() / 1000, timezone);
  const last = to ?? addDays(first, DEFAULT_SLOT_RANGE_DAYS - 1);
  if (last < first) {
    throw new DomainError(
      'invalid',
      'range-reversed',
      { fr: 'La date de fin précède la date de début.', en: 'The end date is before the start date.' },
      'query.to',
    );
  }
  if (last >= addDays(first, MAX_SLOT_RANGE_DAYS)) {
    throw new DomainError(
      'invalid',
      'range-too-long',
      {
        fr: `Demandez au plus ${MAX_SLOT_RANGE_DAYS} jours à la fois.`,
        en: `Ask for at most ${MAX_SLOT_RANGE_DAYS} days at a time.`,
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
 */
export async function findSlots(
  db: Executor,
  query: SlotQuery,
  reads: SlotReads = freshReads(db),
): Promise<SlotAnswer> {
  const [service, settings] = await Promise.all([
    requireActiveService(reads, query.serviceId, 'query.serviceId'),
    reads.settings(),
  ]);
  const address = await requireServedAddress(reads, query.address, 'query.postcode');
  const range = slotRange(settings.timezone, query.now, query.from, query.to);
  const windows = candidateWindows(
    windowRulesFor(settings, service),
    range.from,
    range.to,
    query.now,
    query.ignoreNotice,
  );
  const days = await bookableWindows(db, service, address, windows, reads);
  return {
    service,
    address,
    timezone: settings.timezone,
    ...range,
    days: groupByDay(days, settings.timezone),
  };
}

/** The subset of `windows` some eligible technician can take. */
export async function bookableWindows(
  db: Executor,
  service: ServiceWithSkills,
  address: ResolvedAddress,
  windows: Interval[],
  reads: SlotReads = freshReads(db),
): Promise<Interval[]> {
  if (windows.length === 0) return [];
  const technicians = await reads.eligible(service.id, address);
  if (technicians.length === 0) return [];
  const from = new Date((Math.min(...windows.map((w) => w.start)) - 86_400) * 1000);
  const to = new Date((Math.max(...windows.map((w) => w.end)) + 86_400) * 1000);
  const built = await buildBookingProblem(db, technicians, from, to, { reads, withRows: false });
  const request: SlotRequest = {
    place: built.placeFor(address.lat, address.lon, address.postcode),
    duration: service.durationMinutes * 60,
    skills: service.skills,
    windows,
  };
  return offerSlots(built.problem, request).map((offer) => offer.window);
}
