import type { BookedRouteCache } from './booked-routes.js';
import type { SlotQuery } from './slots.js';
import { slotCache } from '../observability/metrics.js';

/**
 * The technician-days ("technicianId UTC-date") a computation read routes of, recorded as it reads
 * them (before the read begins, so a change seen meanwhile is never missed); `stale` once a change
 * to one of them was seen while it ran.
 */
export interface RouteDependencies {
  readonly days: Set<string>;
  stale: boolean;
}

/** Something kept until one of the technician-days it was computed from changes. */
export interface Kept<V> {
  value: V;
  /** The booked-route cache's epoch it was computed at: everything forgotten at once since voids it. */
  epoch: number;
  days: readonly string[];
}

/**
 * Values computed from booked routes, each forgotten when a technician-day it read changes (and
 * only then, or when everything is forgotten at once: the route cache's epoch). `compute` gets the
 * dependencies to fill (through `TrackedReads` in slot-reads.ts); a value whose days changed while
 * it was computed is returned but not kept.
 */
export class RouteDependentCache<V> {
  private readonly entries = new Map<string, Kept<V>>();
  /** Technician-day → keys of the entries that read it. */
  private readonly readers = new Map<string, Set<string>>();
  /** Computations under way. */
  private readonly running = new Set<RouteDependencies>();

  constructor(
    private readonly routes: BookedRouteCache,
    private readonly maxEntries: number,
  ) {
    routes.onRoutesChanged((days) => this.changed(days));
  }

  get size(): number {
    return this.entries.size;
  }

  /** What is kept under `key`, while no day it read has changed, with those days. */
  entry(key: string): Kept<V> | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.epoch !== this.routes.epoch) {
      this.delete(key);
      return undefined;
    }
    return hit;
  }

  /**
   * Runs `compute` with fresh dependencies to fill. With `keyOf`, keeps what it returns under the key
   * that gives, unless one of the days it read changed meanwhile (or everything did).
   */
  async compute<R extends V>(
    compute: (dependencies: RouteDependencies) => Promise<R>,
    keyOf?: (value: R) => string | undefined,
  ): Promise<R> {
    const epoch = this.routes.epoch;
    const dependencies: RouteDependencies = { days: new Set(), stale: false };
    this.running.add(dependencies);
    let value: R;
    try {
      value = await compute(dependencies);
    } finally {
      this.running.delete(dependencies);
    }
    const key = keyOf?.(value);
    if (key !== undefined && !dependencies.stale && this.routes.epoch === epoch) {
      this.delete(key);
      if (this.entries.size >= this.maxEntries) this.clear();
      const days = [...dependencies.days];
      this.entries.set(key, { value, epoch, days });
      for (const day of days) {
        let keys = this.readers.get(day);
        if (!keys) this.readers.set(day, (keys = new Set()));
        keys.add(key);
      }
    }
    return value;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const day of entry.days) {
      const keys = this.readers.get(day);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.readers.delete(day);
    }
  }

  private clear(): void {
    this.entries.clear();
    this.readers.clear();
  }

  /** Technician-days changed: forget what read them, and spoil what is reading them now. */
  private changed(days: readonly string[]): void {
    for (const day of days) {
      const keys = this.readers.get(day);
      if (keys) for (const key of [...keys]) this.delete(key);
    }
    for (const running of this.running) {
      if (running.stale) continue;
      for (const day of days) {
        if (running.days.has(day)) {
          running.stale = true;
          break;
        }
      }
    }
  }
}

interface Remembered {
  answer: unknown;
  /** The minute it was computed in (see minuteOf). */
  minute: number;
  /** Ms since 1970: a minute at most, or when the first counted hold expires. */
  validUntil: number;
}

/**
 * Whole slot answers, for the requests that ask the same thing again: the
 * same service, address, range and kind of asker, while nothing it was built
 * from has changed — none of the technician-days whose routes it read, no
 * setting, service, zone, technician, working hour or absence (those move the
 * route cache's epoch) — and within one minute. A booking forgets the answers
 * that read its technician's day, not the others.
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
  private readonly kept: RouteDependentCache<Remembered>;

  constructor(
    private readonly routes: BookedRouteCache,
    maxEntries = 20_000,
    /** A safety net only: every input an answer is built from is watched. */
    private readonly maxAgeMs = 60_000,
  ) {
    this.kept = new RouteDependentCache(routes, maxEntries);
  }

  async remember<T>(query: SlotQuery, compute: (dependencies: RouteDependencies) => Promise<T>): Promise<T> {
    const nowMs = query.now.getTime();
    const minute = minuteOf(nowMs);
    const key = this.keyOf(query, nowMs);
    const hit = this.kept.entry(key)?.value;
    if (hit && hit.minute === minute && nowMs < hit.validUntil) {
      slotCache.inc({ event: 'answer_hit' });
      return hit.answer as T;
    }
    slotCache.inc({ event: 'answer_miss' });

    const remembered = await this.kept.compute(
      async (dependencies) => {
        const answer = await compute(dependencies);
        const firstExpiry = this.routes.firstLiveHoldExpiry(nowMs / 1000);
        return { answer, minute, validUntil: Math.min(nowMs + this.maxAgeMs, firstExpiry * 1000) };
      },
      // Computing may have read technician-days holding live holds: the key says then whom it is for.
      () => this.keyOf(query, nowMs),
    );
    return remembered.answer as T;
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
