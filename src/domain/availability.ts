/**
 * Availability: technicians' working hours as local wall-clock rules, turned
 * into absolute intervals, and grouped into solver shifts.
 *
 * Semantics of one rule on one local day D (documented because the clock
 * changes make it subtle): the rule covers exactly the instants t whose local
 * date is D and whose local wall-clock time lies in [startTime, endTime).
 * Consequences:
 * - 08:00 stays 08:00 local across the March and October changes.
 * - In the skipped hour (29 Mar 2026, 02:00–03:00 does not exist in Paris), a
 *   rule 02:00–03:30 yields 03:00–03:30 local (01:00Z–01:30Z): the non-existent
 *   wall-clock times are simply not worked, nothing is invented; a rule lying
 *   wholly in the gap yields nothing that day.
 * - In the repeated hour (25 Oct 2026, 02:00–03:00 happens twice), a rule
 *   02:00–03:30 starts at the first 02:00 (00:00Z) and ends at 03:30 CET
 *   (02:30Z): both passes through the repeated hour are worked, nothing lost.
 *   A rule ending inside the repeated hour (01:00–02:30) gives two pieces,
 *   23:00Z–00:30Z and 01:00Z–01:30Z: between them the clock reads 02:30–03:00.
 */
import Holidays from 'date-holidays';
import { IANAZone } from 'luxon';
import rrule from 'rrule';
import type { Break, Shift } from '../../solver/problem.js';
import { addDays, localDateOf } from './local-time.js';
import { shiftKey } from './shift-key.js';
import type { CompanyCalendar, TechnicianAvailability, WorkingHoursRule } from '../db/availability.js';

// The shapes are the queries' (src/db imports nothing from src/domain); the rules here read them.
export type { CompanyCalendar, TechnicianAvailability, WorkingHoursRule };

// rrule's named ESM exports crash under plain Node/tsx (notes/stack-node20.md).
const { RRule, datetime } = rrule;

export interface TimeInterval {
  start: Date;
  end: Date;
}

export const HOLIDAY_REGIONS = ['57', '67', '68'] as const;

// ---------------------------------------------------------------------------
// Working-hours rules: a deliberately small RRULE subset.

const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];

export interface ParsedRecurrence {
  freq: 'WEEKLY' | 'DAILY';
  interval: number;
  /** Weekdays the rule may fall on (all seven when BYDAY is absent). */
  byDay: WeekdayCode[];
  wkst: WeekdayCode | undefined;
}

/**
 * Parses a working-hours RRULE. Only FREQ=WEEKLY|DAILY with INTERVAL, BYDAY
 * and WKST are accepted: days come from the rule, hours from startTime/endTime
 * and the period from validFrom/validUntil, so BYHOUR, COUNT, UNTIL, DTSTART
 * and the like would only be a second, conflicting source of truth.
 * Throws an Error whose message says what is wrong.
 */
export function parseWorkingRule(text: string): ParsedRecurrence {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (!body) throw new Error('is empty');
  const seen = new Map<string, string>();
  for (const part of body.split(';')) {
    const match = /^([A-Z]+)=([A-Z0-9,+-]+)$/i.exec(part.trim());
    if (!match) throw new Error(`"${part}" is not KEY=VALUE`);
    const key = match[1]!.toUpperCase();
    if (seen.has(key)) throw new Error(`${key} is given twice`);
    seen.set(key, match[2]!.toUpperCase());
  }
  for (const key of seen.keys()) {
    if (!['FREQ', 'INTERVAL', 'BYDAY', 'WKST'].includes(key)) {
      throw new Error(
        `${key} is not supported (only FREQ, INTERVAL, BYDAY, WKST; hours and dates have their own fields)`,
      );
    }
  }
  const freq = seen.get('FREQ');
  if (freq !== 'WEEKLY' && freq !== 'DAILY') throw new Error('FREQ must be WEEKLY or DAILY');
  const intervalText = seen.get('INTERVAL') ?? '1';
  if (!/^[0-9]{1,2}$/.test(intervalText) || Number(intervalText) < 1 || Number(intervalText) > 52) {
    throw new Error('INTERVAL must be an integer from 1 to 52');
  }
  const isWeekday = (d: string): d is WeekdayCode => (WEEKDAY_CODES as readonly string[]).includes(d);
  let byDay: WeekdayCode[] = [...WEEKDAY_CODES];
  const byDayText = seen.get('BYDAY');
  // RFC 5545 reads a bare weekly rule as "the weekday of DTSTART": make the days explicit instead.
  if (freq === 'WEEKLY' && byDayText === undefined)
    throw new Error('FREQ=WEEKLY needs BYDAY (e.g. BYDAY=MO,TU,WE,TH,FR)');
  if (byDayText !== undefined) {
    const days = byDayText.split(',');
    for (const d of days)
      if (!isWeekday(d)) throw new Error(`BYDAY value "${d}" is not one of MO,TU,WE,TH,FR,SA,SU`);
    byDay = WEEKDAY_CODES.filter((d) => days.includes(d));
    if (byDay.length !== days.length) throw new Error('BYDAY lists a day twice');
  }
  const wkstText = seen.get('WKST');
  if (wkstText !== undefined && !isWeekday(wkstText)) throw new Error('WKST must be one of MO..SU');
  return { freq, interval: Number(intervalText), byDay, wkst: wkstText as WeekdayCode | undefined };
}

/** 'HH:MM' or 'HH:MM:SS' → seconds after local midnight; throws on anything else. */
export function parseWallClock(text: string): number {
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a time HH:MM`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3] ?? 0);
}

const RRULE_WEEKDAYS = [RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR, RRule.SA, RRule.SU];

/** A local calendar day. */
interface LocalDay {
  year: number;
  month: number;
  day: number;
}

const ruleCache = new Map<string, InstanceType<typeof RRule>>();

/**
 * The rule as a floating rrule anchored on validFrom: its occurrences' UTC
 * fields are read as local calendar days, so the expansion never depends on
 * the process time zone nor drifts across clock changes.
 */
function floatingRule(rule: WorkingHoursRule): InstanceType<typeof RRule> {
  const key = `${rule.rrule}|${rule.validFrom}|${rule.validUntil ?? ''}`;
  let cached = ruleCache.get(key);
  if (!cached) {
    const parsed = parseWorkingRule(rule.rrule);
    const from = parseIsoDate(rule.validFrom);
    const until = rule.validUntil ? parseIsoDate(rule.validUntil) : undefined;
    cached = new RRule({
      freq: parsed.freq === 'WEEKLY' ? RRule.WEEKLY : RRule.DAILY,
      interval: parsed.interval,
      byweekday: parsed.byDay.map((d) => RRULE_WEEKDAYS[WEEKDAY_CODES.indexOf(d)]!),
      ...(parsed.wkst ? { wkst: RRULE_WEEKDAYS[WEEKDAY_CODES.indexOf(parsed.wkst)]! } : {}),
      dtstart: datetime(from.year, from.month, from.day),
      ...(until ? { until: datetime(until.year, until.month, until.day) } : {}),
    });
    if (ruleCache.size > 5000) ruleCache.clear();
    ruleCache.set(key, cached);
  }
  return cached;
}

function parseIsoDate(text: string): LocalDay {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a date YYYY-MM-DD`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

function isoDate(day: LocalDay): string {
  return `${String(day.year).padStart(4, '0')}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------
// Local wall-clock → instants, exact around clock changes.

/** A stretch of time during which the zone's UTC offset is constant: [start, end) epoch ms. */
interface OffsetSegment {
  start: number;
  end: number;
  offsetMs: number;
}

const HOUR = 3_600_000;
const segmentCache = new Map<string, OffsetSegment[]>();

function offsetMs(zone: IANAZone, ms: number): number {
  return zone.offset(ms) * 60_000;
}

/**
 * The offset segments covering every instant whose local date is `day`
 * (offsets lie within ±14 h, so [midnight−15 h, midnight+39 h) in UTC wall terms).
 * Zones change offset at most once in such a span, so the two ends decide
 * whether to look for a change at all; the change is then found by bisection.
 */
function daySegments(zone: IANAZone, day: LocalDay): OffsetSegment[] {
  const key = `${zone.name}|${isoDate(day)}`;
  const cached = segmentCache.get(key);
  if (cached) return cached;
  const midnight = Date.UTC(day.year, day.month - 1, day.day);
  const lo = midnight - 15 * HOUR;
  const hi = midnight + 39 * HOUR;
  const segments: OffsetSegment[] = [];
  let cursor = lo;
  let current = offsetMs(zone, lo);
  // Hourly probes find each change (none in a real zone comes less than an hour after another).
  for (let probe = lo + HOUR; probe <= hi; probe += HOUR) {
    const next = offsetMs(zone, probe);
    if (next === current) continue;
    let before = probe - HOUR;
    let after = probe;
    while (after - before > 1) {
      const mid = Math.floor((before + after) / 2);
      if (offsetMs(zone, mid) === current) before = mid;
      else after = mid;
    }
    segments.push({ start: cursor, end: after, offsetMs: current });
    cursor = after;
    current = next;
  }
  segments.push({ start: cursor, end: hi, offsetMs: current });
  if (segmentCache.size > 20_000) segmentCache.clear();
  segmentCache.set(key, segments);
  return segments;
}

/**
 * Exactly the instants whose local date is `day` and whose wall clock lies in
 * [startSeconds, endSeconds): usually one interval, none when the range lies in
 * a skipped hour, two when it ends inside a repeated hour (the clock reads those
 * times twice, with a stretch outside the range between).
 */
export function localRangeToIntervals(
  timezone: string,
  day: string,
  startSeconds: number,
  endSeconds: number,
): TimeInterval[] {
  return localRanges(zoneOf(timezone), parseIsoDate(day), startSeconds, endSeconds).map(([s, e]) => ({
    start: new Date(s),
    end: new Date(e),
  }));
}

function localRanges(zone: IANAZone, day: LocalDay, startSeconds: number, endSeconds: number): Range[] {
  const midnight = Date.UTC(day.year, day.month - 1, day.day);
  const ranges: Range[] = [];
  for (const segment of daySegments(zone, day)) {
    // Within a segment, wall clock = instant + offset: a straight line, so the range maps to one interval.
    const s = Math.max(segment.start, midnight + startSeconds * 1000 - segment.offsetMs);
    const e = Math.min(segment.end, midnight + endSeconds * 1000 - segment.offsetMs);
    if (e > s) ranges.push([s, e]);
  }
  return mergeRanges(ranges);
}

function zoneOf(timezone: string): IANAZone {
  const zone = IANAZone.create(timezone);
  if (!zone.isValid) throw new Error(`unknown time zone ${timezone}`);
  return zone;
}

// ---------------------------------------------------------------------------
// Public holidays.

const holidayCache = new Map<string, Map<string, string>>();

/** date → rule of the public holidays of `year` (date-holidays 'FR', state for Alsace-Moselle). */
function publicHolidays(year: number, region: CompanyCalendar['holidayRegion']): Map<string, string> {
  const key = `${region ?? 'FR'}|${year}`;
  let days = holidayCache.get(key);
  if (!days) {
    // date-holidays silently ignores an unknown state; only the three departments are allowed.
    if (region !== null && !HOLIDAY_REGIONS.includes(region))
      throw new Error(`unknown holiday region ${String(region)}`);
    const calendar = region ? new Holidays('FR', region) : new Holidays('FR');
    days = new Map();
    for (const h of calendar.getHolidays(year) || []) {
      if (h.type === 'public') days.set(h.date.slice(0, 10), h.rule);
    }
    holidayCache.set(key, days);
  }
  return days;
}

/** Is this local date a public holiday for the company (respecting holidayRegion and whitMondayWorked)? */
export function isPublicHoliday(date: string, calendar: CompanyCalendar): boolean {
  const { year } = parseIsoDate(date);
  const rule = publicHolidays(year, calendar.holidayRegion).get(date);
  if (rule === undefined) return false;
  // Whit Monday (Easter + 50) is the "journée de solidarité" many companies work.
  if (rule === 'easter 50' && calendar.whitMondayWorked) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Interval arithmetic on [start, end) ranges of epoch milliseconds.

type Range = [number, number];

function mergeRanges(ranges: Range[]): Range[] {
  const sorted = ranges.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Range[] = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

function subtractRanges(from: Range[], remove: Range[]): Range[] {
  const cuts = mergeRanges(remove);
  const out: Range[] = [];
  for (const [s0, e] of mergeRanges(from)) {
    let s = s0;
    for (const [cs, ce] of cuts) {
      if (ce <= s || cs >= e) continue;
      if (cs > s) out.push([s, cs]);
      s = Math.max(s, ce);
      if (s >= e) break;
    }
    if (s < e) out.push([s, e]);
  }
  return out;
}

const toRange = (i: TimeInterval): Range => [i.start.getTime(), i.end.getTime()];

// ---------------------------------------------------------------------------

/** Local days (in `zone`) touched by [from, to). */
function localDaysBetween(timezone: string, from: Date, to: Date): LocalDay[] {
  const days: LocalDay[] = [];
  const last = localDateOf((to.getTime() - 1) / 1000, timezone);
  for (let d = localDateOf(from.getTime() / 1000, timezone); d <= last; d = addDays(d, 1))
    days.push(parseIsoDate(d));
  return days;
}

/** The local days in [first, last] on which the rule falls, within its validity. */
function ruleDays(rule: WorkingHoursRule, first: LocalDay, last: LocalDay): LocalDay[] {
  const occurrences = floatingRule(rule).between(
    datetime(first.year, first.month, first.day),
    datetime(last.year, last.month, last.day),
    true,
  );
  return occurrences.map((o) => ({
    year: o.getUTCFullYear(),
    month: o.getUTCMonth() + 1,
    day: o.getUTCDate(),
  }));
}

/** Working intervals of one technician in [from, to): rules expanded per local day, minus holidays, closures and absences, plus extra shifts; merged, sorted. */
export function shiftsFor(
  technician: TechnicianAvailability,
  from: Date,
  to: Date,
  calendar: CompanyCalendar,
): { start: Date; end: Date }[] {
  if (!(to > from)) return [];
  const zone = zoneOf(calendar.timezone);
  const days = localDaysBetween(calendar.timezone, from, to);
  const first = days[0];
  const last = days[days.length - 1];
  const worked: Range[] = [];
  if (first && last) {
    for (const rule of technician.workingHours) {
      const startSeconds = parseWallClock(rule.startTime);
      const endSeconds = parseWallClock(rule.endTime);
      for (const day of ruleDays(rule, first, last)) {
        if (isPublicHoliday(isoDate(day), calendar)) continue;
        worked.push(...localRanges(zone, day, startSeconds, endSeconds));
      }
    }
  }
  // Extra shifts are explicit decisions for a given time: they stand even on a holiday or a closure.
  const available = mergeRanges([
    ...subtractRanges(worked, [...calendar.closures.map(toRange), ...technician.absences.map(toRange)]),
    ...technician.extraShifts.map(toRange),
  ]);
  const window: Range = [from.getTime(), to.getTime()];
  return available
    .map(([s, e]): Range => [Math.max(s, window[0]), Math.min(e, window[1])])
    .filter(([s, e]) => e > s)
    .map(([s, e]) => ({ start: new Date(s), end: new Date(e) }));
}

/** Groups working intervals by local calendar day into solver shifts: one Shift per day from the first start to the last end, with each gap between intervals as a fixed Break (earliestStart = latestStart = gap start, duration = gap length). Instants in Unix seconds. Shift.id = shiftKey(technicianId, YYYY-MM-DD). */
export function toSolverShifts(
  technicianId: string,
  intervals: { start: Date; end: Date }[],
  timezone: string,
): Shift[] {
  const byDay = new Map<string, Range[]>();
  for (const range of mergeRanges(intervals.map(toRange))) {
    const day = localDateOf(range[0] / 1000, timezone);
    const list = byDay.get(day) ?? [];
    list.push(range);
    byDay.set(day, list);
  }
  const shifts: Shift[] = [];
  for (const [day, ranges] of [...byDay.entries()].sort((a, b) => a[1][0]![0] - b[1][0]![0])) {
    const breaks: Break[] = [];
    for (let i = 1; i < ranges.length; i++) {
      const gapStart = ranges[i - 1]![1] / 1000;
      breaks.push({
        earliestStart: gapStart,
        latestStart: gapStart,
        duration: ranges[i]![0] / 1000 - gapStart,
      });
    }
    shifts.push({
      id: shiftKey(technicianId, day),
      interval: { start: ranges[0]![0] / 1000, end: ranges[ranges.length - 1]![1] / 1000 },
      ...(breaks.length > 0 ? { breaks } : {}),
    });
  }
  return shifts;
}

/** A short description of what happens on clock-change days, for API docs. */
export const DST_POLICY =
  'Working hours are local wall-clock times: a rule covers the instants whose local time lies in [start, end). Times skipped by the spring change are not worked; times repeated in autumn are worked both times.';
