/**
 * shiftsFor against an independent oracle. Every boundary in these cases
 * (rule times, exceptions, window ends, clock changes) lies on a 5-minute
 * grid, so checking membership at each grid point decides the whole set:
 * an interval invented or lost anywhere would be caught.
 *
 * The oracle shares no code with the implementation (no rrule, luxon,
 * Intl or date-holidays): the EU summer-time rule, UTC date arithmetic and
 * holidays written out by hand. An instant is worked when its
 * local date is a rule day within validity, its local wall-clock time lies
 * in [start, end), the day is not a public holiday, and no closure or
 * absence covers it — or when an extra shift covers it.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  shiftsFor,
  type CompanyCalendar,
  type TechnicianAvailability,
  type WorkingHoursRule,
} from '../../src/domain/availability.js';

const ZONE = 'Europe/Paris';
const GRID_MS = 5 * 60_000;
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** Public holidays 2025–2026 written out by hand (Easter 2025-04-20, 2026-04-05). */
const NATIONAL = new Set([
  '2025-01-01',
  '2025-04-21',
  '2025-05-01',
  '2025-05-08',
  '2025-05-29',
  '2025-07-14',
  '2025-08-15',
  '2025-11-01',
  '2025-11-11',
  '2025-12-25',
  '2026-01-01',
  '2026-04-06',
  '2026-05-01',
  '2026-05-08',
  '2026-05-14',
  '2026-07-14',
  '2026-08-15',
  '2026-11-01',
  '2026-11-11',
  '2026-12-25',
  '2027-01-01',
]);
const WHIT_MONDAY = new Set(['2025-06-09', '2026-05-25']);
const ALSACE_MOSELLE = new Set(['2025-04-18', '2025-12-26', '2026-04-03', '2026-12-26']);

function oracleHoliday(date: string, calendar: CompanyCalendar): boolean {
  if (NATIONAL.has(date)) return true;
  if (WHIT_MONDAY.has(date)) return !calendar.whitMondayWorked;
  return calendar.holidayRegion !== null && ALSACE_MOSELLE.has(date);
}

interface RuleSpec {
  freq: 'WEEKLY' | 'DAILY';
  interval: number;
  byDay: (typeof DAYS)[number][] | null;
  startMinute: number;
  lengthMinutes: number;
  validFrom: string;
  validDays: number | null;
}

function toRule(spec: RuleSpec): WorkingHoursRule {
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const parts = [`FREQ=${spec.freq}`];
  if (spec.interval > 1) parts.push(`INTERVAL=${spec.interval}`);
  // a weekly rule must list its days; null means every day
  if (spec.byDay || spec.freq === 'WEEKLY') parts.push(`BYDAY=${(spec.byDay ?? DAYS).join(',')}`);
  return {
    rrule: parts.join(';'),
    startTime: hhmm(spec.startMinute),
    endTime: hhmm(Math.min(spec.startMinute + spec.lengthMinutes, 23 * 60 + 55)),
    validFrom: spec.validFrom,
    validUntil:
      spec.validDays === null
        ? null
        : DateTime.fromISO(spec.validFrom).plus({ days: spec.validDays }).toISODate(),
  };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Midnight UTC of the last Sunday of a month. */
function lastSundayUtc(year: number, monthIndex: number): number {
  const last = new Date(Date.UTC(year, monthIndex + 1, 0));
  return Date.UTC(year, monthIndex, last.getUTCDate() - last.getUTCDay());
}

/** Paris offset by the EU rule itself: summer time from 01:00Z on the last Sunday of March to 01:00Z on the last Sunday of October. */
function parisOffsetMs(t: number): number {
  const year = new Date(t).getUTCFullYear();
  const summer = t >= lastSundayUtc(year, 2) + HOUR_MS && t < lastSundayUtc(year, 9) + HOUR_MS;
  return summer ? 2 * HOUR_MS : HOUR_MS;
}

/** Local calendar day of an instant: ISO date, day number since the epoch, weekday index (MO = 0). */
function localDay(t: number): { iso: string; dayNumber: number; weekday: number; wallMinutes: number } {
  const local = new Date(t + parisOffsetMs(t));
  const dayNumber = Math.floor(local.getTime() / DAY_MS);
  return {
    iso: local.toISOString().slice(0, 10),
    dayNumber,
    weekday: (local.getUTCDay() + 6) % 7,
    wallMinutes: local.getUTCHours() * 60 + local.getUTCMinutes(),
  };
}

/** Does the rule fall on this local day? Weeks start on Monday (RRULE default WKST). */
function oracleRuleDay(spec: RuleSpec, rule: WorkingHoursRule, day: ReturnType<typeof localDay>): boolean {
  if (day.iso < rule.validFrom || (rule.validUntil !== null && day.iso > rule.validUntil)) return false;
  if (spec.byDay && !spec.byDay.includes(DAYS[day.weekday]!)) return false;
  const anchor = Math.floor(Date.parse(`${rule.validFrom}T00:00:00Z`) / DAY_MS);
  if (spec.freq === 'DAILY') return (day.dayNumber - anchor) % spec.interval === 0;
  const anchorWeekday = (new Date(anchor * DAY_MS).getUTCDay() + 6) % 7;
  const weeks = (day.dayNumber - day.weekday - (anchor - anchorWeekday)) / 7;
  return weeks % spec.interval === 0;
}

const within = (t: number, list: { start: Date; end: Date }[]) =>
  list.some((i) => t >= i.start.getTime() && t < i.end.getTime());

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function oracleWorked(
  t: number,
  specs: RuleSpec[],
  tech: TechnicianAvailability,
  calendar: CompanyCalendar,
): boolean {
  if (within(t, tech.extraShifts)) return true;
  const day = localDay(t);
  if (oracleHoliday(day.iso, calendar)) return false;
  if (within(t, calendar.closures) || within(t, tech.absences)) return false;
  return specs.some((spec, i) => {
    const rule = tech.workingHours[i]!;
    return (
      oracleRuleDay(spec, rule, day) &&
      day.wallMinutes >= minutesOf(rule.startTime) &&
      day.wallMinutes < minutesOf(rule.endTime)
    );
  });
}

/** Days the tests centre on: all four clock changes of 2025–2026, and holidays. */
const FOCUS_DAYS = [
  '2025-03-30',
  '2025-10-26',
  '2026-03-29',
  '2026-10-25',
  '2026-04-03',
  '2026-05-25',
  '2026-12-26',
  '2025-06-09',
  '2026-05-14',
  '2026-03-27',
];

const focusInstant = fc
  .tuple(fc.constantFrom(...FOCUS_DAYS), fc.integer({ min: -4 * 288, max: 3 * 288 }))
  .map(([day, steps]) => DateTime.fromISO(day, { zone: 'UTC' }).toMillis() + steps * GRID_MS);

const quarterHour = (min: number, max: number) =>
  fc.integer({ min: min / 15, max: max / 15 }).map((q) => q * 15);

// Start times cluster around the small hours sometimes, so the skipped / repeated hour is hit often.
const ruleSpec: fc.Arbitrary<RuleSpec> = fc.record({
  freq: fc.constantFrom('WEEKLY' as const, 'DAILY' as const),
  interval: fc.constantFrom(1, 1, 1, 2, 3),
  byDay: fc.option(fc.subarray([...DAYS], { minLength: 1 }), { nil: null }),
  startMinute: fc.oneof(quarterHour(0, 23 * 60 + 30), quarterHour(60, 180)),
  lengthMinutes: fc.oneof(quarterHour(15, 600), quarterHour(15, 120)),
  validFrom: fc
    .integer({ min: 0, max: 700 })
    .map((d) => DateTime.fromISO('2025-01-01').plus({ days: d }).toISODate()!),
  validDays: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
});

const span = fc
  .tuple(focusInstant, fc.integer({ min: 1, max: 4 * 288 }))
  .map(([start, length]) => ({ start: new Date(start), end: new Date(start + length * GRID_MS) }));

const exceptionsArb = fc.array(span, { maxLength: 2 });

describe('shiftsFor (property)', () => {
  it('covers exactly the instants the wall-clock definition says, across clock changes and holidays', () => {
    fc.assert(
      fc.property(
        fc.array(ruleSpec, { minLength: 1, maxLength: 3 }),
        span,
        exceptionsArb,
        exceptionsArb,
        exceptionsArb,
        fc.constantFrom(null, '57' as const, '67' as const, '68' as const),
        fc.boolean(),
        (specs, window, closures, absences, extraShifts, holidayRegion, whitMondayWorked) => {
          const calendar: CompanyCalendar = { timezone: ZONE, holidayRegion, whitMondayWorked, closures };
          const tech: TechnicianAvailability = {
            technicianId: 't',
            workingHours: specs.map(toRule),
            absences,
            extraShifts,
          };
          const result = shiftsFor(tech, window.start, window.end, calendar);

          // sorted, disjoint, merged (no two touching), inside the asked window
          for (let i = 0; i < result.length; i++) {
            const current = result[i]!;
            expect(current.end.getTime()).toBeGreaterThan(current.start.getTime());
            expect(current.start.getTime()).toBeGreaterThanOrEqual(window.start.getTime());
            expect(current.end.getTime()).toBeLessThanOrEqual(window.end.getTime());
            if (i > 0) expect(current.start.getTime()).toBeGreaterThan(result[i - 1]!.end.getTime());
          }
          for (let t = window.start.getTime(); t < window.end.getTime(); t += GRID_MS) {
            const expected = oracleWorked(t, specs, tech, calendar);
            if (within(t, result) !== expected) {
              throw new Error(
                `${new Date(t).toISOString()} (local ${localDay(t).iso} ${Math.floor(localDay(t).wallMinutes / 60)}:${localDay(t).wallMinutes % 60}): expected ${expected ? 'worked' : 'off'}`,
              );
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps 08:00–12:00 at 08:00–12:00 local on every weekday, whatever the offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 729 }),
        fc.integer({ min: 1, max: 21 }),
        (offsetDays, lengthDays) => {
          const from = DateTime.fromISO('2025-01-01', { zone: ZONE }).plus({ days: offsetDays });
          const to = from.plus({ days: lengthDays });
          const tech: TechnicianAvailability = {
            technicianId: 't',
            workingHours: [
              {
                rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
                startTime: '08:00',
                endTime: '12:00',
                validFrom: '2024-12-30',
                validUntil: null,
              },
            ],
            absences: [],
            extraShifts: [],
          };
          const calendar: CompanyCalendar = {
            timezone: ZONE,
            holidayRegion: null,
            whitMondayWorked: false,
            closures: [],
          };
          const result = shiftsFor(tech, from.toJSDate(), to.toJSDate(), calendar);
          let expectedDays = 0;
          for (let d = from; d < to; d = d.plus({ days: 1 }))
            if (d.weekday <= 5 && !oracleHoliday(d.toISODate()!, calendar)) expectedDays++;
          expect(result).toHaveLength(expectedDays);
          for (const interval of result) {
            const start = DateTime.fromJSDate(interval.start, { zone: ZONE });
            const end = DateTime.fromJSDate(interval.end, { zone: ZONE });
            expect([start.toFormat('HH:mm'), end.toFormat('HH:mm'), start.weekday <= 5]).toEqual([
              '08:00',
              '12:00',
              true,
            ]);
            expect(end.toMillis() - start.toMillis()).toBe(4 * 3_600_000);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
