/**
 * Calendar feeds behind capability URLs: who may read which feed, and the admin's rotate/revoke.
 * Any unknown, revoked or wrong token reads as "no such feed", whichever it was.
 */
import type { Db } from '../db/database.js';
import {
  findCalendarVisit,
  findTechnicianByFeedTokenHash,
  getFeedFreshness,
  getFeedWatermarks,
  listFeedVisits,
  setTechnicianFeedToken,
  type FeedWatermarkRecord,
} from '../db/calendar.js';
import { findCompanySettings, setTeamFeedToken, type CompanySettings } from '../db/company-settings.js';
import {
  buildBookingCalendar,
  buildTeamFeed,
  buildTechnicianFeed,
  feedLastModified,
  feedRange,
  feedShownUntil,
  isShownInFeed,
  type BuiltCalendar,
  type CalendarCompany,
  type FeedInput,
  type FeedRange,
} from './calendar.js';
import { KeptFeeds, TEAM_FEED_KEY, technicianFeedKey } from './kept-feeds.js';
import { newSecret, secretsEqual, sha256Hex } from './secrets.js';

/**
 * Phones poll feeds all day and most polls find nothing new; generating a feed is the costly part
 * (ical-generator measures every character while folding). Documents are deterministic, so one
 * built from the same shown rows, names and Last-Modified is reused. Keyed by a hash of exactly
 * those inputs; small, and per process (every instance builds the same bytes, hence the same ETag).
 */
const BUILT_FEEDS_KEPT = 64;
const builtFeeds = new Map<string, BuiltCalendar>();

function cachedFeed(
  kind: string,
  input: FeedInput & { technicianName?: string },
  build: () => BuiltCalendar,
): BuiltCalendar {
  const shown = input.visitsInRange.filter((v) => isShownInFeed(v, input.range));
  const lastModified = feedLastModified(input.visitsInRange, input.range, input.watermarks, input.company);
  const key = sha256Hex(
    JSON.stringify([kind, input.company, input.technicianName ?? null, input.publicUrl, lastModified, shown]),
  );
  const hit = builtFeeds.get(key);
  if (hit) {
    // Refresh its place: the map's insertion order is the eviction order.
    builtFeeds.delete(key);
    builtFeeds.set(key, hit);
    return hit;
  }
  const built = build();
  builtFeeds.set(key, built);
  if (builtFeeds.size > BUILT_FEEDS_KEPT) builtFeeds.delete(builtFeeds.keys().next().value!);
  return built;
}

/**
 * Most polls find nothing new, and reading and hashing every row only to answer 304 cost as much
 * as the 200. So a poll first asks the database for a freshness probe (watermarks, count and a
 * fingerprint of the range's rows, expired cancellations: getFeedFreshness) and reuses the
 * document built for the same probe, range and names without reading any row.
 *
 * The probe key must change whenever the document would: rows (fingerprint), their number,
 * names joined in, watermarks (Last-Modified), the range (it slides at local midnight) and the
 * set of cancellations that expired with time alone (counted against range.cancelledDropBefore,
 * itself never part of the key since it moves every millisecond).
 * On a miss the rows are read after the probe, not in its snapshot: a change in between leaves a
 * newer document under the older key, which later polls no longer produce (versions only grow).
 */
const PROBED_FEEDS_KEPT = 64;
const probedFeeds = new Map<string, BuiltCalendar>();

async function probedFeed(
  db: Db,
  probe: {
    kind: string;
    company: CalendarCompany;
    technician?: { id: string; name: string };
    range: FeedRange;
    publicUrl: string;
  },
  build: (watermarks: FeedWatermarkRecord) => Promise<BuiltCalendar>,
): Promise<BuiltCalendar> {
  const { range } = probe;
  const freshness = await getFeedFreshness(db, { technicianId: probe.technician?.id, ...range });
  const key = sha256Hex(
    JSON.stringify([
      probe.kind,
      probe.company,
      probe.technician ?? null,
      probe.publicUrl,
      range.from,
      range.to,
      freshness.visitsInRange,
      freshness.visitsFingerprint,
      freshness.cancellationsExpired,
      freshness.namesFingerprint,
      freshness.watermarks,
    ]),
  );
  const hit = probedFeeds.get(key);
  if (hit) {
    probedFeeds.delete(key);
    probedFeeds.set(key, hit);
    return hit;
  }
  const built = await build(freshness.watermarks);
  probedFeeds.set(key, built);
  if (probedFeeds.size > PROBED_FEEDS_KEPT) probedFeeds.delete(probedFeeds.keys().next().value!);
  return built;
}

/** Bounds of what a presented token may look like before anything is looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,200}$/;

export interface FeedUrls {
  /** What Google Calendar wants ("From URL" accepts https only). */
  https: string;
  /** What phones open directly to subscribe (Apple Calendar, Outlook). */
  webcal: string;
}

export function feedUrls(publicUrl: string, path: string): FeedUrls {
  const https = `${publicUrl.replace(/\/$/, '')}${path}`;
  return { https, webcal: https.replace(/^https?:\/\//, 'webcal://') };
}

export function technicianFeedUrls(publicUrl: string, feedToken: string): FeedUrls {
  return feedUrls(publicUrl, `/v1/feeds/technicians/${feedToken}.ics`);
}

export function teamFeedUrls(publicUrl: string, teamFeedToken: string): FeedUrls {
  return feedUrls(publicUrl, `/v1/feeds/team/${teamFeedToken}.ics`);
}

function calendarCompany(record: CompanySettings) {
  return {
    name: record.name,
    phone: record.phone,
    timezone: record.timezone,
    bookingHorizonDays: record.bookingHorizonDays,
  };
}

/**
 * A technician's feed. With `kept` (an instance that watches changes, see kept-feeds.ts) a poll that
 * finds nothing new reads nothing but the shared freshness question; without it, every poll asks the
 * freshness probe and reuses a document built for the same probe (probedFeed).
 */
export async function technicianFeed(
  db: Db,
  token: string,
  now: Date,
  publicUrl: string,
  kept?: KeptFeeds,
): Promise<BuiltCalendar | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const tokenHash = sha256Hex(token);
  if (kept) await kept.upToDate();
  // Independent lookups, side by side: most polls need only these and the freshness probe.
  const [technician, companyRecord] = await Promise.all([
    kept
      ? kept.technician(tokenHash, () => findTechnicianByFeedTokenHash(db, tokenHash))
      : findTechnicianByFeedTokenHash(db, tokenHash),
    kept ? kept.settings(() => findCompanySettings(db)) : findCompanySettings(db),
  ]);
  // A technician who left (inactive) keeps no customer data flowing to a phone.
  if (!technician || !technician.active) return undefined;
  if (!companyRecord) return undefined;
  const company = calendarCompany(companyRecord);
  const range = feedRange(now, company);
  if (kept)
    return kept.feed(technicianFeedKey(technician.id), range, now, async () => {
      const [visitsInRange, watermarks] = await Promise.all([
        listFeedVisits(db, { technicianId: technician.id, from: range.from, to: range.to }),
        getFeedWatermarks(db, { technicianId: technician.id, from: range.from }),
      ]);
      const input = { company, visitsInRange, range, watermarks, publicUrl, technicianName: technician.name };
      return { calendar: buildTechnicianFeed(input), validUntil: feedShownUntil(visitsInRange, range) };
    });
  const named = { id: technician.id, name: technician.name };
  return probedFeed(
    db,
    { kind: 'technician', company, technician: named, range, publicUrl },
    async (watermarks) => {
      const visitsInRange = await listFeedVisits(db, {
        technicianId: technician.id,
        from: range.from,
        to: range.to,
      });
      const input = { company, visitsInRange, range, watermarks, publicUrl, technicianName: technician.name };
      return cachedFeed('technician', input, () => buildTechnicianFeed(input));
    },
  );
}

/** The whole team's feed; kept or probed as technicianFeed says. */
export async function teamFeed(
  db: Db,
  token: string,
  now: Date,
  publicUrl: string,
  kept?: KeptFeeds,
): Promise<BuiltCalendar | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  if (kept) await kept.upToDate();
  const companyRecord = await (kept ? kept.settings(() => findCompanySettings(db)) : findCompanySettings(db));
  if (!companyRecord || !secretsEqual(companyRecord.teamFeedTokenHash, sha256Hex(token))) return undefined;
  const company = calendarCompany(companyRecord);
  const range = feedRange(now, company);
  if (kept)
    return kept.feed(TEAM_FEED_KEY, range, now, async () => {
      const [visitsInRange, watermarks] = await Promise.all([
        listFeedVisits(db, { from: range.from, to: range.to }),
        getFeedWatermarks(db, { from: range.from }),
      ]);
      const input = { company, visitsInRange, range, watermarks, publicUrl };
      return { calendar: buildTeamFeed(input), validUntil: feedShownUntil(visitsInRange, range) };
    });
  return probedFeed(db, { kind: 'team', company, range, publicUrl }, async (watermarks) => {
    const visitsInRange = await listFeedVisits(db, { from: range.from, to: range.to });
    const input = { company, visitsInRange, range, watermarks, publicUrl };
    return cachedFeed('team', input, () => buildTeamFeed(input));
  });
}

/** The customer's .ics, for the holder of the booking's calendar token (or its manage token). */
export async function bookingCalendar(
  db: Db,
  visitId: string,
  /** The read-only calendar token from the .ics link's URL, or the manage token from the manage page's header. */
  token: { calendar: string } | { manage: string },
  publicUrl: string,
): Promise<{ calendar: BuiltCalendar; reference: string } | undefined> {
  const visit = await findCalendarVisit(db, visitId);
  // Compare even when the visit is unknown, so timing does not tell an unknown id from a wrong token.
  // A URL carries only the calendar token (bookings made before it existed gave their .ics link the
  // manage token, which keeps working there); the manage token otherwise travels in a header only.
  const matches =
    'manage' in token
      ? secretsEqual(visit?.manageTokenHash ?? '', sha256Hex(token.manage))
      : secretsEqual(visit?.calendarTokenHash ?? visit?.manageTokenHash ?? '', sha256Hex(token.calendar));
  if (!visit || !matches) return undefined;
  const companyRecord = await findCompanySettings(db);
  if (!companyRecord) return undefined;
  const calendar = buildBookingCalendar({
    company: calendarCompany(companyRecord),
    visit,
    publicUrl,
    companyChangedAt: companyRecord.updatedAt,
  });
  return { calendar, reference: visit.reference };
}

/** A new 256-bit feed token for the technician; the old URL stops working at once. */
export async function rotateTechnicianFeedToken(
  db: Db,
  technicianId: string,
  publicUrl: string,
): Promise<FeedUrls | undefined> {
  const token = newSecret('feed');
  return (await setTechnicianFeedToken(db, technicianId, sha256Hex(token)))
    ? technicianFeedUrls(publicUrl, token)
    : undefined;
}

/** Revokes the technician's feed; false when there is no such technician. Revoking twice is fine. */
export async function revokeTechnicianFeedToken(db: Db, technicianId: string): Promise<boolean> {
  return setTechnicianFeedToken(db, technicianId, null);
}

export async function rotateTeamFeedToken(db: Db, publicUrl: string): Promise<FeedUrls | undefined> {
  const token = newSecret('feed');
  return (await setTeamFeedToken(db, sha256Hex(token))) ? teamFeedUrls(publicUrl, token) : undefined;
}
