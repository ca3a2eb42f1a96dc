import type { Interval, Shift } from '../../solver/problem.js';
import { loadCompanyCalendar, loadTechnicianAvailability } from '../db/availability.js';
import { findService, postcodeZoneKinds, type ServiceWithSkills } from '../db/catalogue.js';
import { getCompanySettings } from '../db/company-settings.js';
import { type Executor } from '../db/database.js';
import { servedAreaNames } from '../db/eligibility.js';
import {
  planningTechnicians,
  servedPostcodes,
  serviceRequirements,
  type PlanningTechnicianRow,
} from '../db/plans.js';
import type { CompanySettings } from '../db/company-settings.js';
import type { ZoneKind } from '../db/schema.js';
import { liveHoldRoutesOf } from '../db/holds.js';
import { bookedVisitTimesOf, type RouteVisitRow } from '../db/visits.js';
import { BookedRouteCache, routeDayKeys } from './booked-routes.js';
import type { HoldView } from './booking-problem.js';
import { RouteDependentCache, SlotAnswerCache, type RouteDependencies } from './slot-answers.js';
import type { SlotQuery } from './slots.js';
import { slotCache } from '../observability/metrics.js';
import {
  shiftsFor,
  toSolverShifts,
  type CompanyCalendar,
  type TechnicianAvailability,
} from './availability.js';
import {
  eligibleTechnicians,
  resolveAddress,
  type EligibleTechnician,
  type ResolvedAddress,
} from './eligibility.js';

/**
 * What a slot or booking decision reads: the catalogue, the company
 * settings, zones, technicians and their working hours (slowly changing),
 * and the booked routes (visits and holds).
 *
 * Two implementations: `freshReads` asks the database every time (booking
 * transactions, so the re-check sees exactly what is committed), and
 * `CachedReads` for slot queries, which is what lets one instance answer
 * thousands of slot requests a second. It keeps the slowly-changing reads
 * until a change to any of them is committed (re-read in the background as
 * well, every TOURNEE_READ_CACHE_MS, as a safety net), booked routes until a
 * change to them is committed, and whole answers and make-room results until
 * a technician-day they read changes (slot-answers.ts); the next request sees
 * every change committed before it (booked-routes.ts). A booking re-checks
 * everything fresh, so a stale offer can at worst be refused.
 */
export interface SlotReads {
  /** These reads, seeing every booked-route change committed before the call (the start of a request). */
  upToDate(): Promise<SlotReads>;
  service(id: string): Promise<ServiceWithSkills | undefined>;
  settings(): Promise<CompanySettings>;
  resolve(address: {
    postcode: string;
    lat?: number;
    lon?: number;
    city?: string;
  }): Promise<ResolvedAddress | null>;
  eligible(serviceId: string, address: ResolvedAddress): Promise<EligibleTechnician[]>;
  zoneKinds(): Promise<Map<string, ZoneKind>>;
  /** Names of the areas served; with a service, where it is offered. */
  servedAreas(serviceId?: string): Promise<string[]>;
  calendar(from: Date, to: Date): Promise<CompanyCalendar>;
  /** The solver shifts of each technician over [from, to). */
  shifts(technicianIds: string[], from: Date, to: Date): Promise<Map<string, Shift[]>>;
  /** Booked visits, and with `holds` the live holds that count, of these technicians overlapping [from, to). */
  routes(technicianIds: string[], from: Date, to: Date, holds?: HoldView): Promise<RouteVisitRow[]>;
  /** The slowly-changing data make-room reads: technicians with their postal codes, services' skills, served codes. */
  roomCatalogue(): Promise<RoomCatalogue>;
  /**
   * The answer to `query`: computed (from the reads `compute` is given, which note the technician-days
   * it reads), or the same object again while nothing it was built from changed.
   */
  answer<T>(query: SlotQuery, compute: (reads: SlotReads) => Promise<T>): Promise<T>;
  /**
   * Make-room's windows for one search, `key` naming all it depends on besides the data read (service,
   * address, days and their windows): computed, or the same again while nothing it read changed.
   */
  roomWindows(
    key: string,
    holds: HoldView | undefined,
    compute: (reads: SlotReads) => Promise<Interval[]>,
  ): Promise<Interval[]>;
}

export interface RoomCatalogue {
  technicians: PlanningTechnicianRow[];
  services: Map<string, { name: string; skills: string[] }>;
  served: Set<string>;
}

async function loadRoomCatalogue(db: Executor): Promise<RoomCatalogue> {
  const [technicians, services, served] = await Promise.all([
    planningTechnicians(db),
    serviceRequirements(db),
    servedPostcodes(db),
  ]);
  return { technicians, services, served };
}

async function computeShifts(
  db: Executor,
  calendar: CompanyCalendar,
  technicianIds: string[],
  from: Date,
  to: Date,
): Promise<Map<string, Shift[]>> {
  const availability = await loadTechnicianAvailability(db, technicianIds, from, to);
  const result = new Map<string, Shift[]>();
  for (const id of technicianIds) {
    const rules: TechnicianAvailability = availability.get(id) ?? {
      technicianId: id,
      workingHours: [],
      absences: [],
      extraShifts: [],
    };
    result.set(id, toSolverShifts(id, shiftsFor(rules, from, to, calendar), calendar.timezone));
  }
  return result;
}

export function freshReads(db: Executor): SlotReads {
  const reads: SlotReads = {
    upToDate: () => Promise.resolve(reads),
    service: (id) => findService(db, id),
    settings: () => getCompanySettings(db),
    resolve: (address) => resolveAddress(db, address),
    eligible: (serviceId, address) => eligibleTechnicians(db, serviceId, address),
    zoneKinds: () => postcodeZoneKinds(db),
    servedAreas: (serviceId) => servedAreaNames(db, serviceId),
    calendar: (from, to) => loadCompanyCalendar(db, from, to),
    shifts: async (ids, from, to) =>
      computeShifts(db, await loadCompanyCalendar(db, from, to), ids, from, to),
    routes: async (ids, from, to, holds) => {
      const [booked, held] = await Promise.all([
        bookedVisitTimesOf(db, ids, from, to),
        holds ? liveHoldRoutesOf(db, ids, from, to, holds) : [],
      ]);
      return held.length > 0 ? [...booked, ...held] : booked;
    },
    roomCatalogue: () => loadRoomCatalogue(db),
    answer: (_query, compute) => compute(reads),
    roomWindows: (_key, _holds, compute) => compute(reads),
  };
  return reads;
}

interface CacheEntry {
  expires: number;
  value: Promise<unknown>;
  /** The read behind `value` has succeeded: it may be served stale during a refresh. */
  settled: boolean;
  refreshing: boolean;
}

/** Answers kept `ttlMs`; concurrent misses for one key share one database read. */
export class CachedReads implements SlotReads {
  private readonly entries = new Map<string, CacheEntry>();
  /** Moves when the slowly-changing data changed: a read begun before must not be kept. */
  private generation = 0;
  private readonly fresh: SlotReads;
  readonly bookedRoutes: BookedRouteCache;
  private readonly answers: SlotAnswerCache;
  private readonly room: RouteDependentCache<Interval[]>;

  constructor(
    private readonly db: Executor,
    private readonly ttlMs: number,
    private readonly maxEntries = 5000,
  ) {
    this.fresh = freshReads(db);
    this.bookedRoutes = new BookedRouteCache(db);
    this.answers = new SlotAnswerCache(this.bookedRoutes);
    this.room = new RouteDependentCache(this.bookedRoutes, 20_000);
    this.bookedRoutes.onReferenceChange(() => {
      this.entries.clear();
      this.generation++;
    });
  }

  answer<T>(query: SlotQuery, compute: (reads: SlotReads) => Promise<T>): Promise<T> {
    return this.answers.remember(query, (dependencies) => compute(new TrackedReads(this, [dependencies])));
  }

  roomWindows(
    key: string,
    holds: HoldView | undefined,
    compute: (reads: SlotReads) => Promise<Interval[]>,
  ): Promise<Interval[]> {
    return this.roomWindowsFor([], key, holds, compute);
  }

  /**
   * Make-room's windows, kept per search while none of the technician-days it read changes. The
   * answers being computed around it (`within`) depend on those days too, kept or computed. Not kept
   * for a public asker while some hold is live: which holds count depends on who asks, and when.
   */
  roomWindowsFor(
    within: readonly RouteDependencies[],
    key: string,
    holds: HoldView | undefined,
    compute: (reads: SlotReads) => Promise<Interval[]>,
  ): Promise<Interval[]> {
    const noLiveHold = () =>
      !holds || this.bookedRoutes.firstLiveHoldExpiry(holds.now.getTime() / 1000) === Infinity;
    const fullKey = `${holds ? 'public' : 'staff'}|${key}`;
    const hit = noLiveHold() ? this.room.entry(fullKey) : undefined;
    if (hit) {
      slotCache.inc({ event: 'room_hit' });
      for (const dependencies of within) for (const day of hit.days) dependencies.days.add(day);
      return Promise.resolve(hit.value);
    }
    slotCache.inc({ event: 'room_miss' });
    return this.room.compute(
      (dependencies) => compute(new TrackedReads(this, [...within, dependencies])),
      () => (noLiveHold() ? fullKey : undefined),
    );
  }

  /** Make-room's catalogue: slowly-changing, kept and forgotten like the other such reads. */
  roomCatalogue(): Promise<RoomCatalogue> {
    return this.remember('room-catalogue', () => loadRoomCatalogue(this.db));
  }

  async upToDate(): Promise<SlotReads> {
    await this.bookedRoutes.upToDate();
    return this;
  }

  routes(technicianIds: string[], from: Date, to: Date, holds?: HoldView): Promise<RouteVisitRow[]> {
    return this.bookedRoutes.routes(technicianIds, from, to, holds);
  }

  /**
   * Stale-while-revalidate: an expired answer is still served while one
   * refresh runs in the background, so entries that expire together never
   * stall a burst of requests behind the same reads.
   */
  private remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && (hit.expires > now || hit.refreshing)) return hit.value as Promise<T>;
    const generation = this.generation;
    if (hit && hit.settled) {
      hit.refreshing = true;
      load().then(
        (value) => {
          if (this.generation !== generation) return;
          this.entries.set(key, {
            expires: Date.now() + this.ttlMs,
            value: Promise.resolve(value),
            settled: true,
            refreshing: false,
          });
        },
        () => this.entries.delete(key),
      );
      return hit.value as Promise<T>;
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const entry: CacheEntry = { expires: now + this.ttlMs, value: load(), settled: false, refreshing: false };
    this.entries.set(key, entry);
    entry.value.then(
      () => (entry.settled = true),
      // A failed read (database down) must not be remembered.
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value as Promise<T>;
  }

  service(id: string) {
    return this.remember(`service:${id}`, () => this.fresh.service(id));
  }
  settings() {
    return this.remember('settings', () => this.fresh.settings());
  }
  resolve(address: { postcode: string; lat?: number; lon?: number; city?: string }) {
    return this.remember(
      `resolve:${address.postcode}:${address.lat}:${address.lon}:${address.city ?? ''}`,
      () => this.fresh.resolve(address),
    );
  }
  eligible(serviceId: string, address: ResolvedAddress) {
    return this.remember(`eligible:${serviceId}:${[...address.zoneIds].sort().join(',')}`, () =>
      this.fresh.eligible(serviceId, address),
    );
  }
  zoneKinds() {
    return this.remember('zone-kinds', () => this.fresh.zoneKinds());
  }
  servedAreas(serviceId?: string) {
    return this.remember(`served-areas:${serviceId ?? ''}`, () => this.fresh.servedAreas(serviceId));
  }
  calendar(from: Date, to: Date) {
    return this.remember(`calendar:${from.getTime()}:${to.getTime()}`, () => this.fresh.calendar(from, to));
  }
  async shifts(technicianIds: string[], from: Date, to: Date): Promise<Map<string, Shift[]>> {
    // Kept per technician, so overlapping requests (different services, same people) share the work;
    // read in one batch: every technician this request finds missing or due for its refresh is read
    // by one loadTechnicianAvailability (two statements), not two statements each. At the L company
    // a slot request's 25–35 technicians came due together every TOURNEE_READ_CACHE_MS.
    const calendar = await this.calendar(from, to);
    const due: string[] = [];
    let batch: Promise<Map<string, Shift[]>> | undefined;
    const perTechnician = technicianIds.map((id) =>
      this.remember(`shifts:${id}:${from.getTime()}:${to.getTime()}`, async () => {
        due.push(id);
        // remember() calls this synchronously for each due technician of the loop above; the batch
        // starts once the loop is over, with all of them.
        batch ??= Promise.resolve().then(() => computeShifts(this.db, calendar, due, from, to));
        return (await batch).get(id) ?? [];
      }),
    );
    const shifts = await Promise.all(perTechnician);
    return new Map(technicianIds.map((id, i) => [id, shifts[i]!]));
  }
}

/**
 * The cached reads as one computation sees them: every booked-route read notes its technician-days
 * in the computations' dependencies (before it begins, so a change seen while it runs spoils them).
 */
class TrackedReads implements SlotReads {
  constructor(
    private readonly base: CachedReads,
    private readonly dependencies: readonly RouteDependencies[],
  ) {}

  upToDate(): Promise<SlotReads> {
    return Promise.resolve(this);
  }
  routes(technicianIds: string[], from: Date, to: Date, holds?: HoldView): Promise<RouteVisitRow[]> {
    const days = routeDayKeys(technicianIds, from, to);
    for (const dependencies of this.dependencies) for (const day of days) dependencies.days.add(day);
    return this.base.routes(technicianIds, from, to, holds);
  }
  answer<T>(_query: SlotQuery, compute: (reads: SlotReads) => Promise<T>): Promise<T> {
    return compute(this);
  }
  roomWindows(
    key: string,
    holds: HoldView | undefined,
    compute: (reads: SlotReads) => Promise<Interval[]>,
  ): Promise<Interval[]> {
    return this.base.roomWindowsFor(this.dependencies, key, holds, compute);
  }
  roomCatalogue() {
    return this.base.roomCatalogue();
  }
  service(id: string) {
    return this.base.service(id);
  }
  settings() {
    return this.base.settings();
  }
  resolve(address: { postcode: string; lat?: number; lon?: number; city?: string }) {
    return this.base.resolve(address);
  }
  eligible(serviceId: string, address: ResolvedAddress) {
    return this.base.eligible(serviceId, address);
  }
  zoneKinds() {
    return this.base.zoneKinds();
  }
  servedAreas(serviceId?: string) {
    return this.base.servedAreas(serviceId);
  }
  calendar(from: Date, to: Date) {
    return this.base.calendar(from, to);
  }
  shifts(technicianIds: string[], from: Date, to: Date) {
    return this.base.shifts(technicianIds, from, to);
  }
}
