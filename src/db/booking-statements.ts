/**
 * The three statements of a booking transaction (POST /v1/bookings), each doing in one round trip
 * what used to take several:
 *  1. open: claim the idempotency key, spend the proof-of-work challenge, read the eligible
 *     technicians and take every advisory lock (the booker's caps, then each technician-day);
 *  2. read the technician-day as it is now — settings, calendar, working hours, absences, booked
 *     visits, live holds, zone kinds, the client's recent bookings — in a statement that starts after
 *     the locks are held, so its snapshot sees every booking committed before them;
 *  3. record: find-or-create the customer, re-time the stops the insertion moved, release holds,
 *     insert the visit, remember the online booking and count the customer's, store the outcome,
 *     write the outbox event.
 * Under READ COMMITTED a statement sees the rows committed when it started: a lock and the read it
 * protects must therefore be separate statements, which is why there are three and not one.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { ServiceWithSkills } from './catalogue.js';
import { settingsOf, settingsQuery, type CompanySettings, type SettingsRow } from './company-settings.js';
import { CONTACT_LOCK } from './customers.js';
import { PREPARED, type Executor } from './database.js';
import type { PostcodeZoneRow } from './eligibility.js';
import type { StoredIdempotentResponse } from './idempotency.js';
import { eligibleTechniciansQuery, eligibleTechnicianOf, type EligibleTechnicianRow } from './eligibility.js';
import { HOLD_ROUTE_PREFIX } from './holds.js';
import { ROUTE_VISIT_JSON } from './route-changes.js';
import type { Database, NewVisit, VisitRow, ZoneKind } from './schema.js';
import type { RouteVisitRow } from './visits.js';

type Tx = Transaction<Database>;

/** Each statement below runs as a prepared statement: planned once per connection (see PREPARED). */
const prepared = sql.raw(PREPARED);

export interface BookingContext {
  /** The key's live record, if any. */
  stored: StoredIdempotentResponse | undefined;
  service: ServiceWithSkills | undefined;
  settings: CompanySettings;
  /** Every zone entry of the requested postal code (as findPostcodeZones). */
  postcodeZones: PostcodeZoneRow[];
  /** The client's live hold on this very window and service (as holdForBooking without a holdId). */
  clientHoldId: string | null;
  /** The client's online bookings since `recentOf.since` (the proof of work grows with them); 0 when not asked. */
  clientRecent: number;
}

/** What readBookingContext asks: the request's key, service, postal code, hold and client. */
export interface BookingContextQuery {
  scope: string;
  key: string;
  now: Date;
  serviceId: string;
  postcode: string;
  /** The client's hold on this window (its hash); absent or an unreadable window: none looked for. */
  hold?: { clientHash: string; windowStart: Date; windowEnd: Date };
  /** Count this client's online bookings since `since`. */
  recentOf?: { clientKey: string; since: Date };
}

/** The context's columns as readBookingContext and readBookingSnapshot select them. */
interface ContextRow {
  stored: { request_hash: string; status_code: number; resource_id: string | null } | null;
  service: {
    id: string;
    slug: string;
    name: string;
    description: string;
    duration_minutes: number;
    window_minutes: number;
    min_notice_minutes: number;
    max_horizon_days: number;
    price_label: string | null;
    active: boolean;
    skills: string[];
  } | null;
  settings: (Omit<SettingsRow, 'updated_at'> & { updated_at: string }) | null;
  zones: {
    zone_id: string;
    kind: PostcodeZoneRow['zoneKind'];
    postcode: string;
    city: string;
    lat: number;
    lon: number;
  }[];
  client_hold: string | null;
  client_recent: number;
}

function contextColumns(db: Executor, q: BookingContextQuery) {
  return sql`
      (SELECT json_build_object('request_hash', request_hash, 'status_code', status_code, 'resource_id', resource_id)
         FROM idempotency_keys
        WHERE scope = ${q.scope} AND key = ${q.key} AND expires_at > ${q.now}) AS stored,
      (SELECT json_build_object(
                'id', s.id, 'slug', s.slug, 'name', s.name, 'description', s.description,
                'duration_minutes', s.duration_minutes, 'window_minutes', s.window_minutes,
                'min_notice_minutes', s.min_notice_minutes, 'max_horizon_days', s.max_horizon_days,
                'price_label', s.price_label, 'active', s.active,
                'skills', (SELECT coalesce(json_agg(ss.skill_code ORDER BY ss.skill_code), '[]'::json)
                             FROM service_skills AS ss WHERE ss.service_id = s.id))
         FROM services AS s
        WHERE s.id::text = ${q.serviceId}) AS service,
      (SELECT row_to_json(cs) FROM (${settingsQuery(db)}) AS cs LIMIT 1) AS settings,
      (SELECT coalesce(json_agg(json_build_object('zone_id', zp.zone_id, 'kind', z.kind, 'postcode', zp.postcode,
                                                  'city', zp.city, 'lat', zp.lat, 'lon', zp.lon) ORDER BY z.name), '[]'::json)
         FROM zone_postcodes AS zp JOIN zones AS z ON z.id = zp.zone_id
        WHERE zp.postcode = ${q.postcode}) AS zones,
      (SELECT h.id FROM holds AS h
        WHERE h.client_hash = ${q.hold?.clientHash ?? null}::text AND h.released_at IS NULL
          AND h.expires_at > ${q.now} AND h.service_id::text = ${q.serviceId}
          AND h.window_start = ${q.hold?.windowStart ?? null}::timestamptz
          AND h.window_end = ${q.hold?.windowEnd ?? null}::timestamptz
        ORDER BY h.created_at LIMIT 1) AS client_hold,
      (SELECT count(*) FROM web_bookings AS wb
        WHERE wb.client_key = ${q.recentOf?.clientKey ?? null}::text
          AND wb.created_at >= ${q.recentOf?.since ?? null}::timestamptz)::int AS client_recent`;
}

function contextOf(row: ContextRow): BookingContext {
  if (!row.settings) throw new Error('no company settings');
  const s = row.service;
  return {
    stored: row.stored
      ? {
          requestHash: row.stored.request_hash,
          statusCode: row.stored.status_code,
          resourceId: row.stored.resource_id,
        }
      : undefined,
    service: s
      ? {
          id: s.id,
          slug: s.slug,
          name: s.name,
          description: s.description,
          durationMinutes: s.duration_minutes,
          windowMinutes: s.window_minutes,
          minNoticeMinutes: s.min_notice_minutes,
          maxHorizonDays: s.max_horizon_days,
          priceLabel: s.price_label,
          active: s.active,
          skills: s.skills,
        }
      : undefined,
    settings: settingsOf({ ...row.settings, updated_at: new Date(row.settings.updated_at) }),
    postcodeZones: row.zones.map((z) => ({
      zoneId: z.zone_id,
      zoneKind: z.kind,
      postcode: z.postcode,
      city: z.city,
      lat: z.lat,
      lon: z.lon,
    })),
    clientHoldId: row.client_hold,
    clientRecent: row.client_recent,
  };
}

/**
 * Before the transaction, one statement for what the request's checks read: the key's record (a
 * replay answers before any check), the service and its skills, the settings, the postal code's
 * zones, the client's live hold on the window and their recent online bookings. Same filters and
 * orders as findIdempotentResponse, getService, getCompanySettings, findPostcodeZones,
 * liveHoldsOfClient and countWebBookings.
 */
export async function readBookingContext(db: Executor, q: BookingContextQuery): Promise<BookingContext> {
  const { rows } = await sql<ContextRow>`${prepared}
    SELECT ${contextColumns(db, q)}`.execute(db);
  return contextOf(rows[0]!);
}

export interface OpenBooking {
  claim: { scope: string; key: string; requestHash: string; now: Date; expiresAt: Date };
  /** A verified proof-of-work challenge to spend (a challenge buys one booking). */
  challenge?: { challenge: string; expiresAt: Date };
  /** Booker keys (client, phone, e-mail) serialising one client's and one contact's online bookings. */
  bookerKeys: string[];
  serviceId: string;
  zoneIds: string[];
  /** Local date of the window: the technician-day whose lock is taken (shift-key form `<id>:<date>`);
   * null when the caller locks technician-days itself. */
  day: string | null;
}

export interface OpenedBooking {
  /** false: a live record of this key exists (another request with it committed or is running). */
  claimed: boolean;
  /** false: the challenge was already spent (a replay). true when there was none to spend. */
  challengeSpent: boolean;
  technicians: EligibleTechnicianRow[];
}

/**
 * Statement 1. The claim runs first (the locks' input depends on it), so a retry of the same key
 * waits on the key's row before it takes any lock, as it did when the claim was its own statement.
 * Locks are taken in one sorted order (byte order: booker caps before technician-days, the same
 * order as JavaScript's sort in lockTechnicianDays), so no two transactions can wait on each other.
 * An expired record of the key is overwritten: after its expiry a key means a new request.
 *
 * For the rest of an ordinary booking's transaction (not make-room's, whose reads are ordinary
 * queries), prepared statements run on their generic plan (SET LOCAL plan_cache_mode, in this same
 * round trip). Left to choose, PostgreSQL kept re-planning the fresh read and the record with
 * re-timed stops at every execution — their generic plans are estimated dearer than the custom
 * ones, whose parameters fold branches away — which cost more than either plan runs: the fresh
 * read 1.3–1.6 ms of backend CPU against 0.45 ms on its generic plan.
 */
export async function openBooking(tx: Tx, input: OpenBooking): Promise<OpenedBooking> {
  const { claim, challenge } = input;
  if (input.zoneIds.length === 0) throw new Error('openBooking: an address in no zone cannot be booked');
  const technicians = eligibleTechniciansQuery(input.serviceId, input.zoneIds);
  const { rows } = await sql<{
    claimed: number;
    spent: number;
    technicians: Record<string, unknown>[];
  }>`${prepared}
    WITH claim AS (
      INSERT INTO idempotency_keys AS ik (scope, key, request_hash, status_code, response, expires_at)
      VALUES (${claim.scope}, ${claim.key}, ${claim.requestHash}, 0, 'null', ${claim.expiresAt})
      ON CONFLICT (scope, key) DO UPDATE
        SET request_hash = excluded.request_hash, status_code = 0, response = excluded.response,
            resource_id = NULL, expires_at = excluded.expires_at, created_at = now()
        WHERE ik.expires_at <= ${claim.now}
      RETURNING 1
    ),
    spent AS (
      INSERT INTO spent_challenges (challenge, expires_at)
      SELECT c, e FROM (VALUES (${challenge?.challenge ?? null}::text, ${challenge?.expiresAt ?? null}::timestamptz)) AS s(c, e)
       WHERE c IS NOT NULL
      ON CONFLICT (challenge) DO NOTHING
      RETURNING 1
    ),
    techs AS (${technicians}),
    keys AS (
      SELECT 'booking-cap:' || k AS key FROM unnest(${input.bookerKeys}::text[]) AS k
      UNION
      SELECT 'tech-day:' || techs.id || ':' || ${input.day}::text FROM techs WHERE ${input.day}::text IS NOT NULL
    ),
    locked AS (
      SELECT count(pg_advisory_xact_lock(hashtextextended(o.key, 0))) AS n
        FROM (SELECT keys.key FROM keys, (SELECT count(*) FROM claim) AS c ORDER BY keys.key COLLATE "C") AS o
    )
    SELECT (SELECT count(*) FROM claim)::int AS claimed,
           (SELECT count(*) FROM spent)::int AS spent,
           (SELECT n FROM locked)::int AS locked,
           (SELECT set_config('plan_cache_mode', 'force_generic_plan', true)
             WHERE ${input.day}::text IS NOT NULL) AS plans,
           (SELECT coalesce(json_agg(techs ORDER BY techs.name, techs.id), '[]'::json) FROM techs) AS technicians`.execute(
    tx,
  );
  const row = rows[0]!;
  return {
    claimed: row.claimed > 0,
    challengeSpent: challenge === undefined || row.spent > 0,
    technicians: row.technicians.map((r) =>
      eligibleTechnicianOf(r as Parameters<typeof eligibleTechnicianOf>[0]),
    ),
  };
}

export interface BookingDayQuery {
  technicianIds: string[];
  /** The local day's span [from, to). */
  from: Date;
  to: Date;
  /** Live holds counted as booked time (public bookings): all at `now` but the client's own and the consumed one. */
  holds?: { now: Date; exceptClient?: string; exceptHold?: string };
  /** Online bookings of this client since `since` (the per-client cap); absent when uncapped. */
  clientBookings?: { clientKey: string; since: Date };
  /** Contact lock keys (`phone:…`, `email:…`) in order: taken now, before the customer is found or made. */
  contactKeys: string[];
}

export interface BookingDay {
  calendar: {
    timezone: string;
    holidayRegion: '57' | '67' | '68' | null;
    whitMondayWorked: boolean;
    closures: { start: Date; end: Date }[];
  };
  workingHours: {
    technicianId: string;
    rrule: string;
    startTime: string;
    endTime: string;
    validFrom: string;
    validUntil: string | null;
  }[];
  exceptions: { technicianId: string; kind: 'absence' | 'extra_shift'; start: Date; end: Date }[];
  /** Full rows (the locked transaction's read) or route rows (readBookingSnapshot's). */
  visits: (VisitRow | RouteVisitRow)[];
  holdRoutes: RouteVisitRow[];
  zoneKinds: Map<string, ZoneKind>;
  clientBookings: number;
}

const DAY_MS = 86_400_000;
/** ISO date a day either side of an instant, as loadTechnicianAvailability reads rules. */
function marginDate(instant: Date, days: number): string {
  return new Date(instant.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

interface DayData {
  settings: {
    timezone: string;
    holiday_region: '57' | '67' | '68' | null;
    whit_monday_worked: boolean;
  } | null;
  closures: { s: number; e: number }[];
  hours: {
    t: string;
    rrule: string;
    start: string;
    end: string;
    from: string;
    until: string | null;
  }[];
  exceptions: { t: string; kind: 'absence' | 'extra_shift'; s: number; e: number }[];
  holds: Omit<RouteVisitRow, 'pinned'>[];
  zones: { p: string; k: ZoneKind }[];
  client_bookings: number;
}

/**
 * Statement 2: everything the placement needs, read after the locks. The booked visits are the
 * rows; the rest rides as one JSON value on the first row (or on the only row when the day is empty).
 * The same filters as loadCompanyCalendar, loadTechnicianAvailability, bookedVisitsOf,
 * liveHoldRoutesOf and postcodeZoneKinds, in one round trip instead of seven.
 */
export async function readBookingDay(tx: Tx, q: BookingDayQuery): Promise<BookingDay> {
  const { rows } = await sql<
    VisitRow & { booking_day: DayData | null; booking_rn: number | null }
  >`${prepared}
    WITH locks AS (
      SELECT count(pg_advisory_xact_lock(${CONTACT_LOCK}, hashtext(o.k))) AS n
        FROM (SELECT k FROM unnest(${q.contactKeys}::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i) AS o
    ),
    day AS (
      SELECT json_build_object(
        'locks', (SELECT n FROM locks),
        ${dayFields(sql`${q.technicianIds}::uuid[]`, q)}
      ) AS data
    )
    SELECT CASE WHEN v.booking_rn IS NULL OR v.booking_rn = 1 THEN day.data END AS booking_day, v.*
      FROM day
      LEFT JOIN LATERAL (
        SELECT visits.*, row_number() OVER (ORDER BY planned_start) AS booking_rn
          FROM visits
         WHERE technician_id = ANY(${q.technicianIds}::uuid[]) AND status = 'booked' AND unassigned_reason IS NULL
           -- planned_start < to AND planned_end > from, as the exclusion constraint's GiST index reads it
           -- (a visit's range is never empty: planned_end > planned_start)
           AND tstzrange(planned_start, planned_end) && tstzrange(${q.from}::timestamptz, ${q.to}::timestamptz)
      ) AS v ON true
     ORDER BY v.booking_rn`.execute(tx);
  const visits: VisitRow[] = [];
  for (const row of rows) {
    if (row.booking_rn === null) continue;
    const { booking_day: _day, booking_rn: _rn, ...visit } = row;
    visits.push(visit as VisitRow);
  }
  return bookingDayOf(rows[0]!.booking_day!, visits);
}

/**
 * The day's data but its visits, as name/value pairs of a json_build_object: the technicians are
 * `ids` (an expression of type uuid[]). The same filters as loadCompanyCalendar,
 * loadTechnicianAvailability, liveHoldRoutesOf and postcodeZoneKinds; with `zonePostcodes` (a query
 * of one text column), the zone kinds of those postal codes only, not of every one served.
 */
function dayFields(
  ids: RawBuilder<unknown>,
  q: Omit<BookingDayQuery, 'technicianIds' | 'contactKeys'>,
  zonePostcodes?: RawBuilder<unknown>,
) {
  const holds = q.holds;
  return sql`
        'settings', (SELECT json_build_object('timezone', timezone, 'holiday_region', holiday_region,
                                              'whit_monday_worked', whit_monday_worked)
                       FROM company_settings LIMIT 1),
        'closures', (SELECT coalesce(json_agg(json_build_object(
                              's', extract(epoch from starts_at)::float8, 'e', extract(epoch from ends_at)::float8)
                            ORDER BY starts_at), '[]'::json)
                       FROM availability_exceptions
                      WHERE kind = 'closure' AND starts_at < ${q.to} AND ends_at > ${q.from}),
        'hours', (SELECT coalesce(json_agg(json_build_object(
                           't', technician_id, 'rrule', rrule, 'start', start_time, 'end', end_time,
                           'from', valid_from, 'until', valid_until)
                         ORDER BY technician_id, valid_from, start_time), '[]'::json)
                    FROM working_hours
                   WHERE technician_id = ANY(${ids})
                     AND valid_from <= ${marginDate(q.to, 1)}::date
                     AND (valid_until IS NULL OR valid_until >= ${marginDate(q.from, -1)}::date)),
        'exceptions', (SELECT coalesce(json_agg(json_build_object(
                                't', technician_id, 'kind', kind,
                                's', extract(epoch from starts_at)::float8, 'e', extract(epoch from ends_at)::float8)
                              ORDER BY starts_at), '[]'::json)
                         FROM availability_exceptions
                        WHERE technician_id = ANY(${ids}) AND kind IN ('absence', 'extra_shift')
                          AND starts_at < ${q.to} AND ends_at > ${q.from}),
        'holds', (SELECT coalesce(json_agg(json_build_object(
                           'id', id, 'technician_id', technician_id,
                           'planned_start_s', extract(epoch from planned_start)::float8,
                           'planned_end_s', extract(epoch from planned_end)::float8,
                           'window_start_s', extract(epoch from window_start)::float8,
                           'window_end_s', extract(epoch from window_end)::float8,
                           'lat', lat, 'lon', lon, 'postcode', postcode)), '[]'::json)
                    FROM holds
                   WHERE ${holds !== undefined} AND technician_id = ANY(${ids})
                     AND released_at IS NULL AND expires_at > ${holds?.now ?? null}::timestamptz
                     AND planned_start < ${q.to} AND planned_end > ${q.from}
                     AND (${holds?.exceptClient ?? null}::text IS NULL OR client_hash <> ${holds?.exceptClient ?? null}::text)
                     AND (${holds?.exceptHold ?? null}::uuid IS NULL OR id <> ${holds?.exceptHold ?? null}::uuid)),
        'zones', (SELECT coalesce(json_agg(json_build_object('p', zp.postcode, 'k', z.kind)), '[]'::json)
                    FROM zone_postcodes AS zp JOIN zones AS z ON z.id = zp.zone_id
                   ${zonePostcodes ? sql`WHERE zp.postcode IN (${zonePostcodes})` : sql``}),
        'client_bookings', (SELECT count(*) FROM web_bookings
                             WHERE client_key = ${q.clientBookings?.clientKey ?? null}::text
                               AND created_at >= ${q.clientBookings?.since ?? null}::timestamptz)`;
}

function bookingDayOf(data: DayData, visits: (VisitRow | RouteVisitRow)[]): BookingDay {
  const at = (s: number) => new Date(s * 1000);
  return {
    calendar: {
      timezone: data.settings?.timezone ?? 'Europe/Paris',
      holidayRegion: data.settings?.holiday_region ?? null,
      whitMondayWorked: data.settings?.whit_monday_worked ?? false,
      closures: data.closures.map((c) => ({ start: at(c.s), end: at(c.e) })),
    },
    workingHours: data.hours.map((h) => ({
      technicianId: h.t,
      rrule: h.rrule,
      startTime: h.start,
      endTime: h.end,
      validFrom: h.from,
      validUntil: h.until,
    })),
    exceptions: data.exceptions.map((e) => ({
      technicianId: e.t,
      kind: e.kind,
      start: at(e.s),
      end: at(e.e),
    })),
    visits,
    holdRoutes: data.holds.map((h) => ({ ...h, id: HOLD_ROUTE_PREFIX + h.id, pinned: false })),
    zoneKinds: new Map(data.zones.map((z) => [z.p, z.k])),
    clientBookings: Number(data.client_bookings),
  };
}

/** What readBookingSnapshot reads: the request's context, and the day of the technicians eligible there. */
export interface BookingSnapshotQuery extends BookingContextQuery {
  /** The address's zones, as the caller resolved them (checked against the context's zones it reads). */
  zoneIds: string[];
  day: Omit<BookingDayQuery, 'technicianIds' | 'contactKeys'>;
}

export interface BookingSnapshot {
  context: BookingContext;
  /** The snapshot everything was read in (pg_current_snapshot), for bookVisit's re-check. */
  snapshot: string;
  technicians: EligibleTechnicianRow[];
  /** The eligible technicians' day; the visits as route rows. */
  day: BookingDay;
}

/**
 * A public booking's one read, in autocommit, without locks: the context (as readBookingContext),
 * the technicians eligible for the service in `zoneIds` (as the open statement reads them), their
 * day (as readBookingDay, visits in the route shape) and the snapshot all of it was read in, which
 * bookVisit compares the day's change marks against once the locks are held.
 */
export async function readBookingSnapshot(db: Executor, q: BookingSnapshotQuery): Promise<BookingSnapshot> {
  // An array expression (ANY of a sub-select would compare with each of its rows).
  const ids = sql`ARRAY(SELECT techs.id FROM techs)`;
  // The zone kinds the placement looks up: its stops' postal codes and the request's (placeFor), a
  // few dozen rather than every postal code served (330 at the L company). Holds: every unreleased one
  // of these technicians on the span, a superset of those counted.
  const zonePostcodes = sql`
           SELECT dv.postcode FROM day_visits AS dv
           UNION SELECT h.postcode FROM holds AS h
                  WHERE h.technician_id = ANY(${ids}) AND h.released_at IS NULL
                    AND h.planned_start < ${q.day.to} AND h.planned_end > ${q.day.from}
           UNION SELECT ${q.postcode}::text`;
  const { rows } = await sql<
    ContextRow & {
      snapshot: string;
      technicians: Record<string, unknown>[];
      day: DayData & { visits: RouteVisitRow[] };
    }
  >`${prepared}
    WITH techs AS (${eligibleTechniciansQuery(q.serviceId, q.zoneIds)}),
    day_visits AS MATERIALIZED (
      SELECT v.id, v.technician_id, v.planned_start, v.planned_end, v.window_start, v.window_end,
             v.lat, v.lon, v.postcode, v.pinned
        FROM visits AS v
       WHERE v.technician_id = ANY(${ids}) AND v.status = 'booked' AND v.unassigned_reason IS NULL
         AND tstzrange(v.planned_start, v.planned_end)
             && tstzrange(${q.day.from}::timestamptz, ${q.day.to}::timestamptz)
    )
    SELECT ${contextColumns(db, q)},
      pg_current_snapshot()::text AS snapshot,
      (SELECT coalesce(json_agg(techs ORDER BY techs.name, techs.id), '[]'::json) FROM techs) AS technicians,
      json_build_object(
        ${dayFields(ids, q.day, zonePostcodes)},
        'visits', (SELECT coalesce(json_agg(${ROUTE_VISIT_JSON} ORDER BY v.planned_start), '[]'::json)
                     FROM day_visits AS v)
      ) AS day`.execute(db);
  const row = rows[0]!;
  return {
    context: contextOf(row),
    snapshot: row.snapshot,
    technicians: row.technicians.map((r) =>
      eligibleTechnicianOf(r as Parameters<typeof eligibleTechnicianOf>[0]),
    ),
    day: bookingDayOf(row.day, row.day.visits),
  };
}

/** Why bookVisit wrote nothing (migrations 0023 and 0027's codes). */
export type BookVisitRefusal =
  'stale' | 'key-in-use' | 'challenge-spent' | 'client-cap' | 'customer-cap' | 'pow-too-weak';

const BOOK_VISIT_REFUSALS: Record<string, BookVisitRefusal> = {
  TB001: 'stale',
  TB002: 'key-in-use',
  TB003: 'challenge-spent',
  TB004: 'client-cap',
  TB005: 'customer-cap',
  TB006: 'pow-too-weak',
};

/** The refusal behind a bookVisit error, or undefined for any other error. */
export function bookVisitRefusal(error: unknown): BookVisitRefusal | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? BOOK_VISIT_REFUSALS[code] : undefined;
}

export interface BookVisit {
  /** readBookingSnapshot's snapshot, and the technician-day the visit was placed on. */
  snapshot: string;
  /** The UTC dates the booked local day spans (route_day_changes' days). */
  routeDays: string[];
  claim: OpenBooking['claim'];
  challenge?: OpenBooking['challenge'];
  /** Advisory-lock keys, as the open statement forms them: `booking-cap:…` and `tech-day:…`. */
  lockKeys: string[];
  contactKeys: string[];
  /** The per-client cap (0: none): the client's online bookings since `since`. */
  clientCap: { clientKey: string | null; cap: number; since: Date };
  /** The per-customer cap (0: none): the customer's online bookings since `since`, this one excluded. */
  customerCap: { cap: number; since: Date };
  /**
   * The growing proof of work, counted under the client's lock (migration 0027): the challenge's
   * verified difficulty must reach min(max, base + step × the client's online bookings since `since`).
   * Absent: not counted there (the caller checked it).
   */
  pow?: { difficulty: number; base: number; step: number; max: number; since: Date };
  record: RecordBooking & { event: NonNullable<RecordBooking['event']> };
}

/**
 * Statement 2 of a public booking, in autocommit: book_visit (migrations 0023, 0026, 0027) claims the
 * key, spends the challenge, takes the locks, counts the client's bookings (the proof of work they
 * owed, the daily cap), checks under the locks that nothing the read did not see has changed
 * the technician's day or the slowly-changing data since, and writes as recordBooking does. Any
 * refusal raises in the database, so nothing is kept: see bookVisitRefusal.
 */
export async function bookVisit(
  db: Executor,
  input: BookVisit,
): Promise<{ customerId: string; updatedAt: Date }> {
  const { record, claim } = input;
  const v = record.visit;
  const c = record.customer;
  const column = <K extends keyof RetimedStop>(stops: RetimedStop[], key: K) => stops.map((s) => s[key]);
  const { rows } = await sql<{ customer_id: string; updated_at: Date }>`${prepared}
    SELECT customer_id, updated_at FROM book_visit(
      p_snapshot => ${input.snapshot}::text,
      p_technician => ${v.technician_id}::uuid,
      p_route_days => ${input.routeDays}::date[],
      p_scope => ${claim.scope}::text,
      p_key => ${claim.key}::text,
      p_request_hash => ${claim.requestHash}::text,
      p_now => ${record.now}::timestamptz,
      p_key_expires => ${claim.expiresAt}::timestamptz,
      p_challenge => ${input.challenge?.challenge ?? null}::text,
      p_challenge_expires => ${input.challenge?.expiresAt ?? null}::timestamptz,
      p_lock_keys => ${input.lockKeys}::text[],
      p_contact_keys => ${input.contactKeys}::text[],
      p_client_key => ${input.clientCap.clientKey}::text,
      p_client_cap => ${input.clientCap.cap}::int,
      p_client_since => ${input.clientCap.since}::timestamptz,
      p_customer_cap => ${input.customerCap.cap}::int,
      p_customer_since => ${input.customerCap.since}::timestamptz,
      p_pow_difficulty => ${input.pow?.difficulty ?? null}::int,
      p_pow_base => ${input.pow?.base ?? 0}::int,
      p_pow_step => ${input.pow?.step ?? 0}::int,
      p_pow_max => ${input.pow?.max ?? 0}::int,
      p_pow_since => ${input.pow?.since ?? null}::timestamptz,
      p_customer_name => ${c.name}::text,
      p_customer_phone => ${c.phone}::text,
      p_customer_email => ${c.email}::text,
      p_customer_street => ${c.street}::text,
      p_customer_postcode => ${c.postcode}::text,
      p_customer_city => ${c.city}::text,
      p_moved_visits => ${column(record.retimed.visits, 'id')}::uuid[],
      p_moved_visit_starts => ${column(record.retimed.visits, 'start')}::timestamptz[],
      p_moved_visit_ends => ${column(record.retimed.visits, 'end')}::timestamptz[],
      p_moved_holds => ${column(record.retimed.holds, 'id')}::uuid[],
      p_moved_hold_starts => ${column(record.retimed.holds, 'start')}::timestamptz[],
      p_moved_hold_ends => ${column(record.retimed.holds, 'end')}::timestamptz[],
      p_release_hold => ${record.release.holdId}::uuid,
      p_release_client => ${record.release.clientHash}::text,
      p_id => ${v.id}::uuid,
      p_reference => ${v.reference}::text,
      p_service => ${v.service_id}::uuid,
      p_window_start => ${v.window_start}::timestamptz,
      p_window_end => ${v.window_end}::timestamptz,
      p_planned_start => ${v.planned_start}::timestamptz,
      p_planned_end => ${v.planned_end}::timestamptz,
      p_name => ${v.customer_name}::text,
      p_phone => ${v.customer_phone}::text,
      p_email => ${v.customer_email ?? null}::text,
      p_address_line => ${v.address_line}::text,
      p_postcode => ${v.postcode}::text,
      p_city => ${v.city}::text,
      p_lat => ${v.lat}::float8,
      p_lon => ${v.lon}::float8,
      p_notes => ${v.notes ?? ''}::text,
      p_channel => ${v.channel}::text,
      p_booked_by => ${v.booked_by}::text,
      p_manage_token_hash => ${v.manage_token_hash}::text,
      p_calendar_token_hash => ${v.calendar_token_hash ?? null}::text,
      p_locale => ${v.locale ?? 'fr'}::text,
      p_status_code => ${record.outcome.statusCode}::int,
      p_event_type => ${record.event.type}::text,
      p_event_payload => ${JSON.stringify(record.event.payload)}::jsonb,
      p_event_private => ${record.event.privatePayload ? JSON.stringify(record.event.privatePayload) : null}::jsonb)`.execute(
    db,
  );
  const row = rows[0]!;
  return { customerId: row.customer_id, updatedAt: row.updated_at };
}

export interface RetimedStop {
  id: string;
  start: Date;
  end: Date;
}

export interface RecordBooking {
  visit: Omit<NewVisit, 'customer_id'>;
  /** Who the customer is, by the rule of customer_link (migration 0011); the contact locks are held. */
  customer: {
    name: string;
    phone: string | null;
    email: string | null;
    street: string;
    postcode: string;
    city: string;
    at: Date;
  };
  /** Other stops the insertion re-timed: booked visits (version bumped for feeds and caches) and holds. */
  retimed: { visits: RetimedStop[]; holds: RetimedStop[] };
  /** Holds released by this booking: the one consumed, and every live hold of the booking client. */
  release: { holdId: string | null; clientHash: string | null; now: Date };
  /** An online booking is remembered for the caps; `countSince`: count the customer's before this one. */
  webBooking?: { clientKey: string; at: Date; countSince: Date | null };
  outcome: { scope: string; key: string; statusCode: number };
  /**
   * The outbox event of the booking, written by the same statement (as insertOutboxEvent writes it):
   * it exists exactly when the visit does. Its payload was made from the row as it will be stored
   * (the visit's id is chosen by the caller).
   */
  event?: {
    type: string;
    aggregate: 'visit';
    payload: Record<string, unknown>;
    privatePayload?: Record<string, unknown>;
  };
  now: Date;
}

/**
 * No re-timed stop: no UPDATE at all, since an UPDATE of no row still fires the tables' statement
 * triggers (route_day_changes, ~0.2 ms of backend CPU each). The statement then has a few texts,
 * each prepared once.
 */
const noWrite = sql`SELECT 1 WHERE false`;

/**
 * Statement 3: every write of the booking. Re-timed stops and the new visit are one statement, so
 * the exclusion constraint (deferrable, checked at the end of each statement) sees the route as a
 * whole, with no SET CONSTRAINTS round trip. `customerBookings` counts the customer's online
 * bookings before this one (the snapshot predates this statement's own insert).
 */
export async function recordBooking(
  tx: Tx,
  input: RecordBooking,
): Promise<{ row: VisitRow; customerId: string; customerBookings: number }> {
  const v = input.visit;
  const c = input.customer;
  const { retimed, release, webBooking, event } = input;
  const column = <K extends keyof RetimedStop>(stops: RetimedStop[], key: K) => stops.map((s) => s[key]);
  const { rows } = await sql<VisitRow & { customer_bookings: number }>`${prepared}
    WITH customer AS (
      SELECT customer_link(${c.name}, ${c.phone}, ${c.email}, ${c.street}, ${c.postcode}, ${c.city},
                           ${c.at}::timestamptz) AS id
    ),
    moved AS (${
      retimed.visits.length === 0
        ? noWrite
        : sql`
      UPDATE visits AS mv SET planned_start = m.s, planned_end = m.e, version = mv.version + 1, updated_at = ${input.now}
        FROM unnest(${column(retimed.visits, 'id')}::uuid[], ${column(retimed.visits, 'start')}::timestamptz[],
                     ${column(retimed.visits, 'end')}::timestamptz[]) AS m(id, s, e)
       WHERE mv.id = m.id
      RETURNING 1`
    }),
    moved_holds AS (${
      retimed.holds.length === 0
        ? noWrite
        : sql`
      UPDATE holds AS mh SET planned_start = m.s, planned_end = m.e
        FROM unnest(${column(retimed.holds, 'id')}::uuid[], ${column(retimed.holds, 'start')}::timestamptz[],
                     ${column(retimed.holds, 'end')}::timestamptz[]) AS m(id, s, e)
       WHERE mh.id = m.id
      RETURNING 1`
    }),
    released AS (${
      release.holdId === null && release.clientHash === null
        ? noWrite
        : sql`
      UPDATE holds SET released_at = ${release.now}
       WHERE released_at IS NULL
         AND (id = ${release.holdId}::uuid
              OR (client_hash = ${release.clientHash}::text AND expires_at > ${release.now}))
      RETURNING 1`
    }),
    visit AS (
      INSERT INTO visits (id, reference, service_id, technician_id, window_start, window_end, planned_start,
                          planned_end, customer_name, customer_phone, customer_email, address_line, postcode,
                          city, lat, lon, notes, channel, booked_by, manage_token_hash, calendar_token_hash,
                          cancelled_at, locale, created_at, customer_id)
      SELECT coalesce(${v.id ?? null}::uuid, gen_random_uuid()), ${v.reference}, ${v.service_id}::uuid, ${v.technician_id}::uuid, ${v.window_start}::timestamptz,
             ${v.window_end}::timestamptz, ${v.planned_start}::timestamptz, ${v.planned_end}::timestamptz,
             ${v.customer_name}, ${v.customer_phone}, ${v.customer_email ?? null}, ${v.address_line},
             ${v.postcode}, ${v.city}, ${v.lat}::float8, ${v.lon}::float8, ${v.notes ?? ''}, ${v.channel},
             ${v.booked_by}, ${v.manage_token_hash}, ${v.calendar_token_hash ?? null}, ${v.cancelled_at ?? null}::timestamptz,
             ${v.locale ?? 'fr'}, coalesce(${v.created_at ?? null}::timestamptz, now()), customer.id
        FROM customer
      RETURNING *
    ),
    made AS (
      SELECT count(*) AS n FROM web_bookings, customer
       WHERE ${webBooking?.countSince ?? null}::timestamptz IS NOT NULL
         AND web_bookings.customer_id = customer.id
         AND web_bookings.created_at >= ${webBooking?.countSince ?? null}::timestamptz
    ),
    remembered AS (
      INSERT INTO web_bookings (visit_id, client_key, customer_id, created_at)
      SELECT visit.id, ${webBooking?.clientKey ?? null}::text, visit.customer_id, ${webBooking?.at ?? null}::timestamptz
        FROM visit
       WHERE ${webBooking?.clientKey ?? null}::text IS NOT NULL
      RETURNING 1
    ),
    outcome AS (
      UPDATE idempotency_keys SET status_code = ${input.outcome.statusCode}, resource_id = visit.id
        FROM visit
       WHERE scope = ${input.outcome.scope} AND key = ${input.outcome.key}
      RETURNING 1
    ),
    event AS (
      INSERT INTO outbox (type, aggregate, aggregate_id, payload, private_payload)
      SELECT ${event?.type ?? null}::text, ${event?.aggregate ?? null}::text, visit.id,
             ${event ? JSON.stringify(event.payload) : null}::jsonb,
             ${event?.privatePayload ? JSON.stringify(event.privatePayload) : null}::jsonb
        FROM visit
       WHERE ${event?.type ?? null}::text IS NOT NULL
      RETURNING 1
    )
    SELECT visit.*, (SELECT n FROM made)::int AS customer_bookings,
           (SELECT count(*) FROM moved) + (SELECT count(*) FROM moved_holds) + (SELECT count(*) FROM released)
             + (SELECT count(*) FROM remembered) + (SELECT count(*) FROM outcome)
             + (SELECT count(*) FROM event) AS writes
      FROM visit`.execute(tx);
  const {
    customer_bookings,
    writes: _writes,
    ...row
  } = rows[0]! as VisitRow & {
    customer_bookings: number;
    writes: number;
  };
  return { row: row as VisitRow, customerId: row.customer_id!, customerBookings: customer_bookings };
}

/** A booking as its manager reads it: the visit, its service's name and price, the company's time zone. */
export type ManagedBookingRow = VisitRow & {
  service_name: string;
  service_slug: string;
  service_price_label: string | null;
  timezone: string;
};

/**
 * One statement for what managing a booking reads (as findVisitWithService and the company's time
 * zone from getCompanySettings); undefined for an unknown id.
 */
export async function readManagedBooking(db: Executor, id: string): Promise<ManagedBookingRow | undefined> {
  const { rows } = await sql<ManagedBookingRow & { timezone: string | null }>`${prepared}
    SELECT v.*, s.name AS service_name, s.slug AS service_slug, s.price_label AS service_price_label,
           (SELECT cs.timezone FROM company_settings AS cs LIMIT 1) AS timezone
      FROM visits AS v JOIN services AS s ON s.id = v.service_id
     WHERE v.id = ${id}::uuid`.execute(db);
  const row = rows[0];
  if (row && row.timezone === null) throw new Error('no company settings');
  return row as ManagedBookingRow | undefined;
}

/**
 * An instant as the company's local ISO 8601 with its offset (2026-03-30T08:00:00+02:00), in SQL: what
 * localIso (src/domain/local-time.ts) writes, so an event made in the database reads as one made in
 * the service (test/bookings/record-statement.test.ts compares them across clock changes).
 */
export function localIsoSql(instant: RawBuilder<unknown>, timezone: RawBuilder<unknown>): RawBuilder<string> {
  // To the nearest second, half up, as localIso rounds (planned times carry fractions of a second).
  const at = sql`date_trunc('second', ${instant} + interval '0.5 second')`;
  const local = sql`(${at} AT TIME ZONE ${timezone})`;
  const offset = sql`(${local} - (${at} AT TIME ZONE 'UTC'))`;
  return sql<string>`(to_char(${local}, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN ${offset} < interval '0' THEN '-' ELSE '+' END
    || to_char(greatest(${offset}, -${offset}), 'HH24:MI'))`;
}

/** What cancelBookingRow read, and whether its statement cancelled the booking. */
export interface CancelOutcome {
  /** The booking as it was before the statement (undefined: unknown id). */
  before: ManagedBookingRow | undefined;
  /** The statement cancelled it and wrote its booking.cancelled event. */
  cancelled: boolean;
}

/**
 * A cancellation in one statement, outside any explicit transaction: reads the booking (as
 * readManagedBooking) and, only if it is still that version, still booked, the reader may manage it
 * (staff, or the hash of the booking's own token) and online changes are still open for them
 * (`changeableFrom`: its window may not start before; null for staff), cancels it and writes its
 * booking.cancelled event, made from the cancelled row as visitEventData makes it
 * (src/domain/outbox/visit-events.ts). The caller judges `before` as it would a read (unknown,
 * wrong token, not active, too late); a booking that passes and was not cancelled changed between the
 * statement's read and its update (rescheduled, moved) and is tried again.
 */
export async function cancelBookingRow(
  db: Executor,
  input: {
    id: string;
    /** sha256 of the manage token sent (null: none sent); ignored for staff. */
    tokenHash: string | null;
    isStaff: boolean;
    now: Date;
    changeableFrom: Date | null;
  },
): Promise<CancelOutcome> {
  const iso = (column: string) => localIsoSql(sql.ref(`c.${column}`), sql.ref('cur.timezone'));
  const { rows } = await sql<ManagedBookingRow & { timezone: string | null; cancelled: boolean }>`${prepared}
    WITH cur AS (
      SELECT v.*, s.name AS service_name, s.slug AS service_slug, s.price_label AS service_price_label,
             (SELECT cs.timezone FROM company_settings AS cs LIMIT 1) AS timezone
        FROM visits AS v JOIN services AS s ON s.id = v.service_id
       WHERE v.id = ${input.id}::uuid
    ),
    cancelled AS (
      UPDATE visits AS v SET status = 'cancelled', cancelled_at = ${input.now}, version = v.version + 1,
                             updated_at = ${input.now}
        FROM cur
       WHERE v.id = cur.id AND v.version = cur.version AND v.status = 'booked' AND cur.timezone IS NOT NULL
         AND (${input.isStaff}::boolean OR v.manage_token_hash = ${input.tokenHash}::text)
         AND (${input.changeableFrom}::timestamptz IS NULL OR v.window_start >= ${input.changeableFrom}::timestamptz)
      RETURNING v.*
    ),
    event AS (
      INSERT INTO outbox (type, aggregate, aggregate_id, payload)
      SELECT 'booking.cancelled', 'visit', c.id, jsonb_build_object(
               'id', c.id, 'reference', c.reference, 'status', c.status, 'version', c.version,
               'locale', c.locale,
               'service', jsonb_build_object('id', c.service_id, 'name', cur.service_name,
                                             'priceLabel', cur.service_price_label),
               'window', jsonb_build_object('start', ${iso('window_start')}, 'end', ${iso('window_end')}),
               'planned', jsonb_build_object('start', ${iso('planned_start')}, 'end', ${iso('planned_end')},
                                             'technicianId', c.technician_id),
               'address', jsonb_build_object('line', c.address_line, 'postcode', c.postcode, 'city', c.city),
               'customer', jsonb_build_object('name', c.customer_name, 'phone', c.customer_phone,
                                              'email', c.customer_email),
               'channel', c.channel)
        FROM cancelled AS c CROSS JOIN cur
      RETURNING 1
    )
    SELECT cur.*, (SELECT count(*) FROM event) > 0 AS cancelled FROM cur`.execute(db);
  const row = rows[0];
  if (!row) return { before: undefined, cancelled: false };
  if (row.timezone === null) throw new Error('no company settings');
  const { cancelled, ...before } = row;
  return { before: before as ManagedBookingRow, cancelled };
}
