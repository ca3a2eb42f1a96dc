/**
 * iCalendar documents for technicians' phones, the team calendar and customers. Pure: visit
 * records in, bytes + validators out; no database, no clock of its own.
 *
 * What each document shows (feed contents end up stored on Google/Apple/Microsoft servers):
 * - technician feed: what the technician needs to do the job — service and town, street address
 *   with GEO, customer name and phone, promised window and planned time, reference. Never the
 *   customer's e-mail nor the free-text notes (door codes do not belong on a third-party server).
 * - team feed: technician, service and town, postcode, window and planned time, reference. No
 *   customer name, phone, street address or GEO: the planner has the back office for those.
 * - per-booking file: the customer's own promise — arrival window, service, their address,
 *   reference and company phone. No technician, no planned time, no internal ids beyond the UID.
 */
import { createHash } from 'node:crypto';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, {
  ICalCalendarMethod,
  ICalEventClass,
  ICalEventStatus,
  type ICalCalendar,
  type ICalEventData,
} from 'ical-generator';
import { DateTime } from 'luxon';
import type { CalendarVisitRecord } from '../db/calendar.js';
import { FORBIDDEN_IN_LINE_RUNS } from './text-rules.js';

export type CalendarVisit = CalendarVisitRecord;

/** How far back a feed reaches, in calendar days of the company's zone. */
export const FEED_PAST_DAYS = 28;
/** A cancelled visit stays in feeds, marked cancelled, this long after the cancellation. */
export const CANCELLED_KEPT_DAYS = 7;
/** As a fixed span (7 × 24 h), so it never depends on a zone's clock changes, nor the process's. */
const CANCELLED_KEPT_MS = CANCELLED_KEPT_DAYS * 86_400_000;
/** Refresh hint for subscribed clients (those that honour it). */
export const FEED_REFRESH_SECONDS = 3600;

export interface CalendarCompany {
  name: string;
  phone: string;
  timezone: string;
  bookingHorizonDays: number;
}

/** Rows from outside the range that still move the feed's Last-Modified. */
export interface FeedWatermarks {
  metadataChangedAt: Date | null;
  departedAt: Date | null;
  lastPlannedStartBefore: Date | null;
}

export interface BuiltCalendar {
  body: string;
  /** Strong validator over the exact bytes, quoted. */
  etag: string;
  lastModified: Date;
}

export interface FeedRange {
  /** Visits planned to start in [from, to) are in the feed. */
  from: Date;
  to: Date;
  /** Cancelled visits cancelled at or before this instant have dropped out. */
  cancelledDropBefore: Date;
}

/** From local midnight FEED_PAST_DAYS ago to the end of the last bookable day. */
export function feedRange(
  now: Date,
  company: Pick<CalendarCompany, 'timezone' | 'bookingHorizonDays'>,
): FeedRange {
  const today = DateTime.fromJSDate(now, { zone: company.timezone }).startOf('day');
  return {
    from: today.minus({ days: FEED_PAST_DAYS }).toJSDate(),
    to: today.plus({ days: company.bookingHorizonDays + 1 }).toJSDate(),
    cancelledDropBefore: new Date(now.getTime() - CANCELLED_KEPT_MS),
  };
}

function cancelledAt(visit: CalendarVisit): Date {
  return visit.cancelledAt ?? visit.updatedAt;
}

/** Whether a visit of the range is shown: cancelled ones only for CANCELLED_KEPT_DAYS. */
export function isShownInFeed(visit: CalendarVisit, range: FeedRange): boolean {
  return visit.status !== 'cancelled' || cancelledAt(visit) > range.cancelledDropBefore;
}

/**
 * Until when (ms since 1970) the visits shown stay the same with time alone, the rows unchanged: the
 * first shown cancellation drops out CANCELLED_KEPT_DAYS after it; Infinity when none is shown.
 */
export function feedShownUntil(visitsInRange: readonly CalendarVisit[], range: FeedRange): number {
  let until = Infinity;
  for (const visit of visitsInRange)
    if (visit.status === 'cancelled' && isShownInFeed(visit, range))
      until = Math.min(until, cancelledAt(visit).getTime() + CANCELLED_KEPT_MS);
  return until;
}

const maxDate = (dates: (Date | null | undefined)[]): Date | null => {
  let best: Date | null = null;
  for (const d of dates) if (d && (!best || d > best)) best = d;
  return best;
};

/**
 * Last-Modified of a feed: the latest instant its contents could have changed. Besides the shown
 * visits' updates this counts the instants at which visits entered or left the feed without any
 * row changing (the range slides at local midnight, a cancellation expires), and departures and
 * metadata recorded elsewhere — so it never goes backwards, which Apple's If-Modified-Since needs.
 */
export function feedLastModified(
  visitsInRange: readonly CalendarVisit[],
  range: FeedRange,
  watermarks: FeedWatermarks,
  company: Pick<CalendarCompany, 'timezone' | 'bookingHorizonDays'>,
): Date {
  const candidates: (Date | null)[] = [watermarks.metadataChangedAt, watermarks.departedAt];
  let latestShownStart: Date | null = null;
  for (const visit of visitsInRange) {
    if (isShownInFeed(visit, range)) {
      candidates.push(visit.updatedAt);
      if (!latestShownStart || visit.plannedStart > latestShownStart) latestShownStart = visit.plannedStart;
    } else {
      // It dropped out when its cancellation expired; never earlier than its last update, which
      // counted while it was shown.
      candidates.push(new Date(cancelledAt(visit).getTime() + CANCELLED_KEPT_MS), visit.updatedAt);
    }
  }
  if (latestShownStart) {
    // A visit is shown from local midnight of (its day − horizon), when the range reached it; the
    // latest planned one entered last.
    const day = DateTime.fromJSDate(latestShownStart, { zone: company.timezone }).startOf('day');
    candidates.push(day.minus({ days: company.bookingHorizonDays }).toJSDate());
  }
  if (watermarks.lastPlannedStartBefore) {
    // It slid out at the local midnight after its day + FEED_PAST_DAYS.
    const day = DateTime.fromJSDate(watermarks.lastPlannedStartBefore, { zone: company.timezone }).startOf(
      'day',
    );
    candidates.push(day.plus({ days: FEED_PAST_DAYS + 1 }).toJSDate());
  }
  // An empty feed of an empty company still reports its settings' change (metadataChangedAt).
  return maxDate(candidates) ?? new Date(0);
}

/**
 * Calendar-level NAME / X-WR-CALNAME / X-WR-CALDESC are written unescaped by ical-generator:
 * drop control characters (a newline would inject properties; the class the edge refuses, see text-rules)
 * and escape TEXT specials.
 */
export function calendarText(value: string, maxLength = 120): string {
  return value
    .replace(FORBIDDEN_IN_LINE_RUNS, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxLength)
    .replace(/[\\;,]/g, (c) => `\\${c}`);
}

/** Parameter values (CN=...) cannot hold quotes or control characters at all. */
function parameterText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f"]+/g, ' ').trim();
}

/** "Karim Haddad" → "Karim H.": enough for the team to tell who goes where. */
export function shortName(fullName: string): string {
  const words = fullName.trim().split(/\s+/);
  const first = words[0] ?? '';
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  return last ? `${first} ${last.charAt(0).toLocaleUpperCase('fr-FR')}.` : first;
}

export function eventUid(visitId: string, publicUrl: string): string {
  return `visit-${visitId}@${new URL(publicUrl).hostname}`;
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body, 'utf8').digest('base64url')}"`;
}

function newCalendar(options: {
  name?: string;
  description?: string;
  method?: ICalCalendarMethod;
  ttl?: number;
}): ICalCalendar {
  const calendar = ical({
    prodId: { company: 'Tournee', product: 'Calendar', language: 'FR' },
    ...(options.name ? { name: calendarText(options.name) } : {}),
    ...(options.description ? { description: calendarText(options.description, 300) } : {}),
    ...(options.method ? { method: options.method } : {}),
    ...(options.ttl ? { ttl: options.ttl } : {}),
  });
  // No calendar-level zone name (it would make DTSTAMP local and floating events ambiguous):
  // each event names Europe/Paris and the generator writes the matching VTIMEZONE once.
  calendar.timezone({ name: null, generator: getVtimezoneComponent });
  return calendar;
}

// Intl formatters are costly to create and cheap to use: one per zone, kept.
const formatters = new Map<string, { time: Intl.DateTimeFormat; day: Intl.DateTimeFormat }>();

function formattersFor(zone: string) {
  let found = formatters.get(zone);
  if (!found) {
    found = {
      time: new Intl.DateTimeFormat('fr-FR', {
        timeZone: zone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
      day: new Intl.DateTimeFormat('fr-FR', {
        timeZone: zone,
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        year: 'numeric',
      }),
    };
    formatters.set(zone, found);
  }
  return found;
}

/** "08:00" in the company's zone. */
function hhmm(date: Date, zone: string): string {
  return formattersFor(zone).time.format(date);
}

/** "lundi 30 mars 2026" in the company's zone. */
function longDay(date: Date, zone: string): string {
  return formattersFor(zone).day.format(date);
}

function statusOf(visit: CalendarVisit): ICalEventStatus {
  return visit.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED;
}

const CANCELLED_PREFIX = 'Annulé — ';

/**
 * A local wall-clock time names one instant except in the repeated hour of the autumn change.
 * RFC 5545 says readers take the first occurrence, but ical.js and node-ical take the second:
 * any instant of that hour is ambiguous in practice, so such events (a night call-out) are
 * written in UTC instead.
 */
function writableInZone(instant: Date, zone: string): boolean {
  const at = instant.getTime();
  // Fast path: no offset change within two hours either side, so no repeated hour here.
  if (
    DateTime.fromMillis(at - 7_200_000, { zone }).offset ===
    DateTime.fromMillis(at + 7_200_000, { zone }).offset
  )
    return true;
  const wallClock = at + DateTime.fromMillis(at, { zone }).offset * 60_000;
  // Every instant showing the same wall clock under an offset in force around it (changes are ≤ 1 h).
  const offsets = new Set(
    [-2, -1, 0, 1, 2].map((h) => DateTime.fromMillis(at + h * 3_600_000, { zone }).offset),
  );
  const sameWallClock = [...offsets]
    .map((offset) => wallClock - offset * 60_000)
    .filter(
      (candidate) => DateTime.fromMillis(candidate, { zone }).offset * 60_000 === wallClock - candidate,
    );
  return sameWallClock.length === 1;
}

/** Start and end in the company's zone, or both in UTC when the zone cannot name them. */
function eventTimes(start: Date, end: Date, zone: string): Pick<ICalEventData, 'start' | 'end' | 'timezone'> {
  if (writableInZone(start, zone) && writableInZone(end, zone)) {
    // Luxon values, not Dates: a Date with a zone is written in the server's clock.
    return {
      start: DateTime.fromJSDate(start, { zone }),
      end: DateTime.fromJSDate(end, { zone }),
      timezone: zone,
    };
  }
  return {
    start: DateTime.fromJSDate(start, { zone: 'utc' }),
    end: DateTime.fromJSDate(end, { zone: 'utc' }),
    timezone: null,
  };
}

/** Fields every event of a feed shares; ids and stamps from the row so the bytes only change when it does. */
function feedEventBase(visit: CalendarVisit, company: CalendarCompany, publicUrl: string): ICalEventData {
  const zone = company.timezone;
  return {
    id: eventUid(visit.id, publicUrl),
    sequence: Math.max(0, visit.version - 1),
    stamp: DateTime.fromJSDate(visit.updatedAt, { zone: 'utc' }),
    created: DateTime.fromJSDate(visit.createdAt, { zone: 'utc' }),
    lastModified: DateTime.fromJSDate(visit.updatedAt, { zone: 'utc' }),
    ...eventTimes(visit.plannedStart, visit.plannedEnd, zone),
    status: statusOf(visit),
  };
}

function scheduleLines(visit: CalendarVisit, zone: string): string[] {
  return [
    `${longDay(visit.windowStart, zone)}`,
    `Créneau promis au client : ${hhmm(visit.windowStart, zone)}–${hhmm(visit.windowEnd, zone)}`,
    `Arrivée prévue : ${hhmm(visit.plannedStart, zone)} (fin estimée ${hhmm(visit.plannedEnd, zone)})`,
  ];
}

function technicianEvent(visit: CalendarVisit, company: CalendarCompany, publicUrl: string): ICalEventData {
  const cancelled = visit.status === 'cancelled' ? CANCELLED_PREFIX : '';
  return {
    ...feedEventBase(visit, company, publicUrl),
    summary: `${cancelled}${visit.serviceName} — ${visit.city}`,
    location: {
      title: `${visit.addressLine}, ${visit.postcode} ${visit.city}`,
      geo: { lat: visit.lat, lon: visit.lon },
    },
    description: [
      `Réf. ${visit.reference}`,
      `Client : ${visit.customerName}`,
      `Tél. : ${visit.customerPhone}`,
      ...scheduleLines(visit, company.timezone),
    ].join('\n'),
    class: ICalEventClass.PRIVATE,
  };
}

function teamEvent(visit: CalendarVisit, company: CalendarCompany, publicUrl: string): ICalEventData {
  const cancelled = visit.status === 'cancelled' ? CANCELLED_PREFIX : '';
  // A visit in the planner's unassigned lane is nobody's yet: not shown under the absent technician.
  const who = visit.unassignedReason ? 'À placer' : shortName(visit.technicianName);
  return {
    ...feedEventBase(visit, company, publicUrl),
    summary: `${cancelled}[${who}] ${visit.serviceName} — ${visit.city}`,
    location: `${visit.postcode} ${visit.city}`,
    description: [
      `Réf. ${visit.reference}`,
      visit.unassignedReason
        ? `Technicien : à placer (était prévue avec ${visit.technicianName})`
        : `Technicien : ${visit.technicianName}`,
      ...scheduleLines(visit, company.timezone),
    ].join('\n'),
  };
}

function finish(calendar: ICalCalendar, lastModified: Date): BuiltCalendar {
  const body = calendar.toString();
  return { body, etag: etagOf(body), lastModified };
}

export interface FeedInput {
  company: CalendarCompany;
  /** Every visit of the scope planned in the range, cancelled ones included. */
  visitsInRange: readonly CalendarVisit[];
  range: FeedRange;
  watermarks: FeedWatermarks;
  publicUrl: string;
}

function feedEvents(input: FeedInput): CalendarVisit[] {
  return input.visitsInRange
    .filter((v) => isShownInFeed(v, input.range))
    .sort(
      (a, b) =>
        a.plannedStart.getTime() - b.plannedStart.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

export function buildTechnicianFeed(input: FeedInput & { technicianName: string }): BuiltCalendar {
  const calendar = newCalendar({
    name: `${input.company.name} — ${input.technicianName}`,
    description: `Visites de ${input.technicianName}`,
    ttl: FEED_REFRESH_SECONDS,
  });
  for (const visit of feedEvents(input))
    calendar.createEvent(technicianEvent(visit, input.company, input.publicUrl));
  return finish(
    calendar,
    feedLastModified(input.visitsInRange, input.range, input.watermarks, input.company),
  );
}

export function buildTeamFeed(input: FeedInput): BuiltCalendar {
  const calendar = newCalendar({
    name: `${input.company.name} — équipe`,
    description: `Visites de toute l'équipe`,
    ttl: FEED_REFRESH_SECONDS,
  });
  for (const visit of feedEvents(input))
    calendar.createEvent(teamEvent(visit, input.company, input.publicUrl));
  return finish(
    calendar,
    feedLastModified(input.visitsInRange, input.range, input.watermarks, input.company),
  );
}

/**
 * The customer's .ics: one event over the promised arrival window (the promise, not the
 * planned time, which the planner may still move inside it), published by the company.
 */
export function buildBookingCalendar(input: {
  company: CalendarCompany;
  visit: CalendarVisit;
  publicUrl: string;
  companyChangedAt: Date;
}): BuiltCalendar {
  const { company, visit } = input;
  const zone = company.timezone;
  const calendar = newCalendar({ method: ICalCalendarMethod.PUBLISH });
  const cancelled = visit.status === 'cancelled';
  const description = [
    cancelled
      ? 'Ce rendez-vous est annulé.'
      : `Le technicien arrivera entre ${hhmm(visit.windowStart, zone)} et ${hhmm(visit.windowEnd, zone)}, le ${longDay(visit.windowStart, zone)}.`,
    `Prestation : ${visit.serviceName}`,
    `Référence : ${visit.reference}`,
    ...(company.phone ? [`Une question ? ${company.name} : ${company.phone}`] : []),
  ];
  calendar.createEvent({
    id: eventUid(visit.id, input.publicUrl),
    sequence: Math.max(0, visit.version - 1),
    stamp: DateTime.fromJSDate(visit.updatedAt, { zone: 'utc' }),
    lastModified: DateTime.fromJSDate(visit.updatedAt, { zone: 'utc' }),
    ...eventTimes(visit.windowStart, visit.windowEnd, zone),
    status: statusOf(visit),
    summary: `${cancelled ? CANCELLED_PREFIX : ''}Visite ${company.name} — ${visit.serviceName}`,
    location: `${visit.addressLine}, ${visit.postcode} ${visit.city}`,
    description: description.join('\n'),
    // PUBLISH requires an ORGANIZER; the company has no e-mail setting, so a no-reply address on
    // the service's own host names it without inviting replies to a person.
    organizer: { name: parameterText(company.name), email: `noreply@${new URL(input.publicUrl).hostname}` },
  });
  return finish(calendar, maxDate([visit.updatedAt, input.companyChangedAt])!);
}
