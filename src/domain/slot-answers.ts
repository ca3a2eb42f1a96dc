import type { BookedRouteCache } from './booked-routes.js';
import type { SlotQuery } from './slots.js';
import { slotCache } from '../observability/metrics.js';

interface Remembered {
  answer: unknown;
  /** The booked-route cache's epoch the answer was computed at: any route change since voids it. */
  epoch: number;
  /** The minute it was computed in (see minuteOf). */
  minute: number;
  /** Ms since 1970: a minute at most, or when the first counted hold expires. */
  validUntil: number;
}

/**
 * Whole slot answers, for the requests that ask the same thing again: the
 * same service, address, range and kind of asker, while nothing it was built
 * from has changed — no booked route, no setting, service, zone, technician,
 * working hour or absence (the route cache's epoch moves on any of them) —
 * and within one minute.
 *
 * Why a minute: the windows a query may be offered depend on the clock only
 * through "now + minimum notice" passing a window's start and "today"
 * changing; windows start on whole minutes, so within one minute, in the
 * sense of minuteOf, the candidate windows are the same.
 *
 * Holds: an answer counts other clients' live holds. While none is live
 * (the common case) the answer is the same for every client; otherwise it is
 * kept per client, until the first of those holds expires.
 */
export class SlotAnswerCache {
  private readonly entries = new Map<string, Remembered>();

  constructor(
    private readonly routes: BookedRouteCache,
    private readonly maxEntries = 20_000,
    /** A safety net only: every input an answer is built from is watched (the route cache's epoch). */
    private readonly maxAgeMs = 60_000,
  ) {}

  async remember<T>(query: SlotQuery, compute: () => Promise<T>): Promise<T> {
    const nowMs = query.now.getTime();
    const minute = minuteOf(nowMs);
    const epoch = this.routes.epoch;
    const key = this.keyOf(query, nowMs);
    const hit = this.entries.get(key);
    if (hit && hit.epoch === epoch && hit.minute === minute && nowMs < hit.validUntil) {
      slotCache.inc({ event: 'answer_hit' });
      return hit.answer as T;
    }
    slotCache.inc({ event: 'answer_miss' });

    const answer = await compute();
    // Computing may have read technician-days holding live holds: the key says then whom it is for.
    if (this.routes.epoch === epoch) {
      const firstExpiry = this.routes.firstLiveHoldExpiry(nowMs / 1000);
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(this.keyOf(query, nowMs), {
        answer,
        epoch,
        minute,
        validUntil: Math.min(nowMs + this.maxAgeMs, firstExpiry * 1000),
      });
    }
    return answer;
  }

  private keyOf(query: SlotQuery, nowMs: number): string {
    const { address, holds } = query;
    const asker = !holds
      ? 'staff'
      : this.routes.firstLiveHoldExpiry(nowMs / 1000) === Infinity
        ? 'public'
        : `public ${holds.exceptClient ?? ''} ${holds.exceptHold ?? ''}`;
    return [
      query.serviceId,
      address.postcode,
      address.lat ?? '',
      address.lon ?? '',
      address.city ?? '',
      query.from ?? '',
      query.to ?? '',
      query.toHorizon ? 'horizon' : '',
      query.ignoreNotice ? 'any-notice' : '',
      query.makeRoom === false ? 'no-room' : '',
      asker,
    ].join('|');
  }
}

/**
 * A window of start s is a candidate while now ≤ s − notice, both whole minutes: constant for now in
 * (m − 60 s, m], so minutes are counted up.
 */
function minuteOf(nowMs: number): number {
  return Math.ceil(nowMs / 60_000);
}
