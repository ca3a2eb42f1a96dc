/**
 * Why a slot search has nothing to offer, in machine-readable form, so the
 * widget can word it and offer a next step instead of a dead end.
 */
import type { Interval } from '../../solver/problem.js';
import { candidateWindows, type WindowRules } from './arrival-windows.js';
import { addDays, localDateOf } from './local-time.js';
import type { SlotReads } from './slot-reads.js';

export type SlotReasonCode =
  'zone-not-served' | 'service-not-offered-here' | 'fully-booked' | 'beyond-horizon' | 'too-soon';

export interface SlotReason {
  code: SlotReasonCode;
  /** The first local date with a bookable window up to the service's horizon, when there is one. */
  nextAvailable?: string;
  /** Names of the areas served (all of them, or those where the service is offered). */
  servedAreas?: string[];
}

/** What a search for windows needs, beyond the range: the service's rules and a way to ask the engine. */
export interface SlotSearch {
  rules: WindowRules;
  now: Date;
  ignoreNotice?: boolean;
  /** The subset of `windows` the engine can offer (one solver pass over them all). */
  bookable(windows: Interval[]): Promise<Interval[]>;
}

export async function zoneNotServed(reads: SlotReads): Promise<SlotReason> {
  return { code: 'zone-not-served', servedAreas: await reads.servedAreas() };
}

export async function serviceNotOfferedHere(reads: SlotReads, serviceId: string): Promise<SlotReason> {
  return { code: 'service-not-offered-here', servedAreas: await reads.servedAreas(serviceId) };
}

/**
 * The first date in [from, to] with a bookable window. Two solver passes at
 * most: the next week (the usual answer), then the rest of the horizon at
 * once, never day by day.
 */
export async function firstBookableDate(
  search: SlotSearch,
  from: string,
  to: string,
): Promise<string | undefined> {
  const { rules, now } = search;
  const chunks: [string, string][] = [];
  const weekEnd = addDays(from, 6);
  if (weekEnd >= to) chunks.push([from, to]);
  else chunks.push([from, weekEnd], [addDays(weekEnd, 1), to]);
  for (const [first, last] of chunks) {
    if (last < first) continue;
    const windows = candidateWindows(rules, first, last, now, search.ignoreNotice);
    const offered = await search.bookable(windows);
    if (offered.length > 0) {
      let earliest = Infinity;
      for (const w of offered) if (w.start < earliest) earliest = w.start;
      return localDateOf(earliest, rules.timezone);
    }
  }
  return undefined;
}

/**
 * The reason a range with an eligible technician shows no window: asked past
 * the horizon, only inside the minimum notice, or everything taken; each
 * with the first date that does have a window, when one exists.
 */
export async function whyNoWindow(
  search: SlotSearch,
  range: { from: string; to: string },
  candidateCount: number,
): Promise<SlotReason> {
  const today = localDateOf(search.now.getTime() / 1000, search.rules.timezone);
  const lastDay = addDays(today, search.rules.horizonDays);
  const after = range.to >= today ? addDays(range.to, 1) : today;
  let code: SlotReasonCode;
  let from: string;
  if (range.from > lastDay) {
    code = 'beyond-horizon';
    from = today;
  } else if (candidateCount === 0) {
    code = 'too-soon';
    from = after;
  } else {
    code = 'fully-booked';
    from = after;
  }
  const nextAvailable = from <= lastDay ? await firstBookableDate(search, from, lastDay) : undefined;
  return { code, ...(nextAvailable ? { nextAvailable } : {}) };
}

export interface Bookability {
  bookableHere: boolean;
  reason?: 'zone-not-served' | 'service-not-offered-here';
}

/**
 * Which services can be booked at a postal code at all (someone serves the
 * zone with the skills), by service id. Availability is not judged here: a
 * fully booked service is still bookable, later.
 */
export async function bookabilityAt(
  reads: SlotReads,
  serviceIds: string[],
  postcode: string,
): Promise<Map<string, Bookability>> {
  const address = await reads.resolve({ postcode });
  const result = new Map<string, Bookability>();
  if (!address) {
    for (const id of serviceIds) result.set(id, { bookableHere: false, reason: 'zone-not-served' });
    return result;
  }
  const eligible = await Promise.all(serviceIds.map((id) => reads.eligible(id, address)));
  serviceIds.forEach((id, i) =>
    result.set(
      id,
      eligible[i]!.length > 0
        ? { bookableHere: true }
        : { bookableHere: false, reason: 'service-not-offered-here' },
    ),
  );
  return result;
}
