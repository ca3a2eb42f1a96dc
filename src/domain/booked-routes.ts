import { HOLD_ROUTE_PREFIX } from '../db/holds.js';
import type { Executor } from '../db/database.js';
import { routeChangesSince, routesOf, type HoldRouteRow } from '../db/route-changes.js';
import type { RouteVisitRow } from '../db/visits.js';
import type { HoldView } from './booking-problem.js';
import { slotCache } from '../observability/metrics.js';

const DAY_S = 86_400;

/** One technician's booked visits and unreleased holds overlapping one UTC day. */
interface DayRoute {
  visits: RouteVisitRow[];
  holds: HoldRouteRow[];
}

/** A read of some technician-days under way; `stale` once a change to its key was seen after it began. */
interface Fill {
  done: Promise<Map<string, DayRoute>>;
  stale: boolean;
}

function utcDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** The UTC dates [from, to) touches, as `routes` reads them. */
function utcDays(from: Date, to: Date): string[] {
  const fromS = from.getTime() / 1000;
  const toS = to.getTime() / 1000;
  const days: string[] = [];
  for (let day = Math.floor(fromS / DAY_S) * DAY_S; day < toS; day += DAY_S) days.push(utcDate(day));
  return days;
}

/**
 * The technician-days ("technicianId UTC-date", as route_day_changes names them) that `routes` reads
 * for these technicians over [from, to): what an answer built from that read depends on.
 */
export function routeDayKeys(technicianIds: readonly string[], from: Date, to: Date): string[] {
  const days = utcDays(from, to);
  const keys: string[] = [];
  for (const technicianId of technicianIds) for (const day of days) keys.push(`${technicianId} ${day}`);
  return keys;
}

/**
 * Every technician-day's booked route (visits and holds), kept in memory for
 * slot queries, so that a slot request reads the database only when
 * something it needs has changed.
 *
 * Freshness: `upToDate()` asks the database which technician-days changed
 * since the previous question (one small query, shared by the requests that
 * arrive while it runs) and forgets them; a request that awaits it sees
 * every booking, hold, cancellation or move committed before the request
 * arrived, on any instance, through any code path (database triggers mark
 * the days). So no instance offers a window filled before the request came
 * in; a booking still re-reads everything under its locks, which is what
 * makes a double booking impossible rather than unlikely.
 */
export class BookedRouteCache {
  private readonly entries = new Map<string, DayRoute>();
  private readonly fills = new Map<string, Fill>();
  private snapshot: string | null = null;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /**
   * Moves when everything is forgotten at once (a reference change, a TRUNCATE, the cache full): an
   * answer computed from routes may be kept while it has not moved. Single technician-days changing
   * are told to `onRoutesChanged` listeners instead.
   */
  private epochValue = 0;
  /** The kept days that hold holds (few: a hold lives minutes), and what was last found in them. */
  private readonly heldDays = new Set<DayRoute>();
  private heldDaysChanged = true;
  private firstExpiry = { atOrAfter: 0, expiry: Infinity };
  /** Bookings and cancellations this instance answered (noteLocalWrite), counted. */
  private localWrites = 0;
  /** When the question whose answer `snapshot` is was asked (performance.now()), and the local writes then. */
  private snapshotAsked = { at: Number.NEGATIVE_INFINITY, localWrites: -1 };
  private readonly referenceListeners: (() => void)[] = [];
  private readonly routeListeners: ((keys: readonly string[]) => void)[] = [];

  constructor(
    private readonly db: Executor,
    private readonly maxEntries = 200_000,
  ) {}

  get epoch(): number {
    return this.epochValue;
  }

  /**
   * The snapshot of the last question answered (pg_snapshot text; null before the first): every
   * change visible in it is in what `routes` answers from now on (kept days, and reads under way,
   * overtaken ones dropped), so a change that `routes` may not show is one invisible in it. A
   * booking placed on `routes` hands it to book_visit, which refuses to write on a technician-day
   * changed outside it.
   */
  get seenSnapshot(): string | null {
    return this.snapshot;
  }

  /**
   * A booking or cancellation this instance made (or tried: counted whatever the outcome) — a change
   * the last answer may not show, so `answeredWithin` is false until a question asked after it is answered.
   */
  noteLocalWrite(): void {
    this.localWrites++;
  }

  /**
   * Whether the last answer's question was asked less than `maxAgeMs` ago and after every write this
   * instance noted: a booking may then be placed on what `routes` answers and hand `seenSnapshot` to
   * book_visit without asking again (book_visit refuses, under the locks, a technician-day changed
   * outside that snapshot — by another instance, the desk, the planner — so this only saves the
   * question). Slot answers always ask: they must show every change committed before the request.
   */
  answeredWithin(maxAgeMs: number): boolean {
    return (
      this.snapshot !== null &&
      this.snapshotAsked.localWrites === this.localWrites &&
      performance.now() - this.snapshotAsked.at < maxAgeMs
    );
  }

  /** Called when a probe finds that settings, services, zones, technicians, hours or absences changed. */
  onReferenceChange(listener: () => void): void {
    this.referenceListeners.push(listener);
  }

  /**
   * Called, synchronously as the probe's answer is taken in (before any request waiting on it goes
   * on), with the technician-days ("technicianId UTC-date") changed since the previous probe.
   */
  onRoutesChanged(listener: (keys: readonly string[]) => void): void {
    this.routeListeners.push(listener);
  }

  /**
   * When the first hold still live at `nowS` among the kept days expires (Unix seconds), Infinity when
   * none is. Expired holds are dropped from the kept days as they are met: expiry never moves back
   * without a write (a renewal), and a write makes the day read again.
   */
  firstLiveHoldExpiry(nowS: number): number {
    const memo = this.firstExpiry;
    if (!this.heldDaysChanged && nowS >= memo.atOrAfter && nowS < memo.expiry) return memo.expiry;
    let first = Infinity;
    for (const day of this.heldDays) {
      const live = day.holds.filter((h) => h.expires_at_s > nowS);
      if (live.length !== day.holds.length) day.holds = live;
      if (live.length === 0) this.heldDays.delete(day);
      for (const hold of live) if (hold.expires_at_s < first) first = hold.expires_at_s;
    }
    this.heldDaysChanged = false;
    this.firstExpiry = { atOrAfter: nowS, expiry: first };
    return first;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (this.heldDays.delete(entry)) this.heldDaysChanged = true;
  }

  private forgetAll(): void {
    this.entries.clear();
    this.heldDays.clear();
    this.heldDaysChanged = true;
    this.epochValue++;
  }

  /**
   * Resolves when every change committed before the call is forgotten. A
   * question already under way may have been asked before the caller's
   * commit: then the caller waits for the next one, which starts as soon as
   * it ends and serves everyone who arrived meanwhile.
   */
  upToDate(): Promise<void> {
    if (this.running === undefined) return this.ask();
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.ask();
      });
    return this.queued;
  }

  private ask(): Promise<void> {
    const since = this.snapshot;
    const asked = { at: performance.now(), localWrites: this.localWrites };
    slotCache.inc({ event: 'probe' });
    const run = routeChangesSince(this.db, since).then((answer) => {
      if (answer.changed.length > 0) {
        slotCache.inc({ event: 'changed' }, answer.changed.length);
        for (const key of answer.changed) {
          this.forget(key);
          const fill = this.fills.get(key);
          if (fill) {
            fill.stale = true;
            this.fills.delete(key);
          }
        }
        for (const listener of this.routeListeners) listener(answer.changed);
      }
      if (answer.referenceChanged) {
        slotCache.inc({ event: 'reference_changed' });
        // Rare (an admin's edit, a TRUNCATE): every kept route goes too, and any read under way.
        this.forgetAll();
        for (const fill of this.fills.values()) fill.stale = true;
        this.fills.clear();
        for (const listener of this.referenceListeners) listener();
      }
      // Concurrent questions may land out of order: an older snapshot only makes the next answer longer.
      this.snapshot = answer.snapshot;
      this.snapshotAsked = asked;
    });
    const settled = run.finally(() => {
      if (this.running === settled) this.running = undefined;
    });
    this.running = settled;
    return settled;
  }

  /**
   * Booked visits and (with `holds`) the holds that count, of these
   * technicians overlapping [from, to), in route shape. Call after
   * `upToDate()` resolved for this request.
   */
  async routes(technicianIds: string[], from: Date, to: Date, holds?: HoldView): Promise<RouteVisitRow[]> {
    const fromS = from.getTime() / 1000;
    const toS = to.getTime() / 1000;
    const days = utcDays(from, to);

    const found = new Map<string, DayRoute>();
    const waiting: Promise<Map<string, DayRoute>>[] = [];
    const missing: string[] = [];
    const missingTechnicians = new Set<string>();
    let firstMissing = '';
    let lastMissing = '';
    for (const technicianId of technicianIds) {
      for (const day of days) {
        const key = `${technicianId} ${day}`;
        const entry = this.entries.get(key);
        if (entry) found.set(key, entry);
        else {
          const fill = this.fills.get(key);
          if (fill) waiting.push(fill.done);
          else {
            missing.push(key);
            missingTechnicians.add(technicianId);
            if (firstMissing === '' || day < firstMissing) firstMissing = day;
            if (day > lastMissing) lastMissing = day;
          }
        }
      }
    }
    if (missing.length > 0)
      waiting.push(this.fill(missing, [...missingTechnicians], firstMissing, lastMissing));
    for (const filled of await Promise.all(waiting)) for (const [key, route] of filled) found.set(key, route);

    const now = holds ? holds.now.getTime() / 1000 : 0;
    const exceptHold = holds?.exceptHold !== undefined ? HOLD_ROUTE_PREFIX + holds.exceptHold : undefined;
    const rows: RouteVisitRow[] = [];
    for (const technicianId of technicianIds) {
      for (let i = 0; i < days.length; i++) {
        const route = found.get(`${technicianId} ${days[i]}`);
        if (!route) continue;
        const dayStart = Date.parse(`${days[i]}T00:00:00Z`) / 1000;
        // A row that began on an earlier day of the range was taken there.
        for (const visit of route.visits) {
          if (i > 0 && visit.planned_start_s < dayStart) continue;
          if (visit.planned_start_s < toS && visit.planned_end_s > fromS) rows.push(visit);
        }
        if (!holds) continue;
        for (const hold of route.holds) {
          if (i > 0 && hold.planned_start_s < dayStart) continue;
          if (hold.expires_at_s <= now || hold.client_hash === holds.exceptClient || hold.id === exceptHold)
            continue;
          if (hold.planned_start_s < toS && hold.planned_end_s > fromS) rows.push(hold);
        }
      }
    }
    return rows;
  }

  /** Reads the missing technician-days in one go and keeps those no change has overtaken meanwhile. */
  private fill(
    keys: string[],
    technicianIds: string[],
    firstDay: string,
    lastDay: string,
  ): Promise<Map<string, DayRoute>> {
    const from = Date.parse(`${firstDay}T00:00:00Z`);
    const to = Date.parse(`${lastDay}T00:00:00Z`) + DAY_S * 1000;
    slotCache.inc({ event: 'read' }, keys.length);
    const fill: Fill = {
      stale: false,
      done: routesOf(this.db, technicianIds, new Date(from), new Date(to)).then(({ visits, holds }) => {
        const routes = new Map<string, DayRoute>(keys.map((key) => [key, { visits: [], holds: [] }]));
        const place = (row: RouteVisitRow, into: 'visits' | 'holds') => {
          const last = Math.min(row.planned_end_s, to / 1000);
          for (let day = Math.floor(row.planned_start_s / DAY_S) * DAY_S; day <= last; day += DAY_S) {
            const route = routes.get(`${row.technician_id} ${utcDate(day)}`);
            if (route) (route[into] as RouteVisitRow[]).push(row);
          }
        };
        for (const visit of visits) place(visit, 'visits');
        for (const hold of holds) place(hold, 'holds');
        if (!fill.stale) {
          if (this.entries.size + routes.size > this.maxEntries) this.forgetAll();
          for (const [key, route] of routes) {
            this.forget(key);
            this.entries.set(key, route);
            if (route.holds.length > 0) {
              this.heldDays.add(route);
              this.heldDaysChanged = true;
            }
          }
        }
        for (const key of keys) if (this.fills.get(key) === fill) this.fills.delete(key);
        return routes;
      }),
    };
    fill.done.catch(() => {
      for (const key of keys) if (this.fills.get(key) === fill) this.fills.delete(key);
    });
    for (const key of keys) this.fills.set(key, fill);
    return fill.done;
  }
}
