import { describe, expect, it } from 'vitest';
import {
  isPublicHoliday,
  localRangeToIntervals,
  parseWorkingRule,
  shiftsFor,
  toSolverShifts,
  type CompanyCalendar,
  type TechnicianAvailability,
} from '../../src/domain/availability.js';

const paris: CompanyCalendar = {
  timezone: 'Europe/Paris',
  holidayRegion: null,
  whitMondayWorked: false,
  closures: [],
};
const weekdays = 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';
const iso = (list: { start: Date; end: Date }[]) =>
  list.map((i) => `${i.start.toISOString().slice(0, 16)}/${i.end.toISOString().slice(11, 16)}`);

function technician(
  rules: [string, string, string][],
  extra: Partial<TechnicianAvailability> = {},
): TechnicianAvailability {
  return {
    technicianId: 't1',
    workingHours: rules.map(([rrule, startTime, endTime]) => ({
      rrule,
      startTime,
      endTime,
      validFrom: '2025-01-01',
      validUntil: null,
    })),
    absences: [],
    extraShifts: [],
    ...extra,
  };
}

describe('shiftsFor across clock changes', () => {
  const t = technician([
    [weekdays, '08:00', '12:00'],
    [weekdays, '13:30:00', '17:30:00'],
  ]);

  it('keeps 08:00 local on both sides of the March change (07:00Z on Fri 27, 06:00Z on Mon 30)', () => {
    expect(
      iso(shiftsFor(t, new Date('2026-03-27T00:00:00Z'), new Date('2026-03-31T00:00:00Z'), paris)),
    ).toEqual([
      '2026-03-27T07:00/11:00',
      '2026-03-27T12:30/16:30',
      '2026-03-30T06:00/10:00',
      '2026-03-30T11:30/15:30',
    ]);
  });

  it('keeps 08:00 local on both sides of the October change', () => {
    expect(
      iso(shiftsFor(t, new Date('2026-10-23T00:00:00Z'), new Date('2026-10-27T00:00:00Z'), paris)),
    ).toEqual([
      '2026-10-23T06:00/10:00',
      '2026-10-23T11:30/15:30',
      '2026-10-26T07:00/11:00',
      '2026-10-26T12:30/16:30',
    ]);
  });

  it('does not work the skipped hour: 02:00–03:30 on 29 Mar 2026 is 03:00–03:30 local', () => {
    const night = technician([['FREQ=DAILY', '02:00', '03:30']]);
    expect(
      iso(shiftsFor(night, new Date('2026-03-28T12:00:00Z'), new Date('2026-03-29T12:00:00Z'), paris)),
    ).toEqual(['2026-03-29T01:00/01:30']);
    const inGap = technician([['FREQ=DAILY', '02:00', '02:45']]);
    expect(
      shiftsFor(inGap, new Date('2026-03-28T12:00:00Z'), new Date('2026-03-29T12:00:00Z'), paris),
    ).toEqual([]);
  });

  it('works the repeated hour twice: 02:00–03:30 on 25 Oct 2026 lasts 2 h 30', () => {
    const night = technician([['FREQ=DAILY', '02:00', '03:30']]);
    expect(
      iso(shiftsFor(night, new Date('2026-10-24T12:00:00Z'), new Date('2026-10-25T12:00:00Z'), paris)),
    ).toEqual(['2026-10-25T00:00/02:30']);
    // ending inside the repeated hour: the clock shows 02:30–03:00 CEST in between, outside the rule
    expect(iso(localRangeToIntervals('Europe/Paris', '2026-10-25', 3600, 9000))).toEqual([
      '2026-10-24T23:00/00:30',
      '2026-10-25T01:00/01:30',
    ]);
  });

  it('does not depend on the process time zone', () => {
    // the suite is also run under TZ=America/New_York; this pins a case where a naive Date would differ
    const out = shiftsFor(t, new Date('2025-03-28T00:00:00Z'), new Date('2025-04-01T00:00:00Z'), paris);
    expect(iso(out)[2]).toBe('2025-03-31T06:00/10:00');
  });
});

describe('public holidays and exceptions', () => {
  const t = technician([[weekdays, '08:00', '12:00']]);
  const day = (d: string) => [new Date(`${d}T00:00:00Z`), new Date(`${d}T23:00:00Z`)] as const;

  it('closes on national holidays, and on Whit Monday unless worked', () => {
    expect(shiftsFor(t, ...day('2026-05-14'), paris)).toEqual([]); // Ascension
    expect(shiftsFor(t, ...day('2026-05-25'), paris)).toEqual([]);
    expect(iso(shiftsFor(t, ...day('2026-05-25'), { ...paris, whitMondayWorked: true }))).toEqual([
      '2026-05-25T06:00/10:00',
    ]);
  });

  it('adds Good Friday and 26 December in Alsace-Moselle', () => {
    expect(iso(shiftsFor(t, ...day('2026-04-03'), paris))).toEqual(['2026-04-03T06:00/10:00']);
    expect(shiftsFor(t, ...day('2026-04-03'), { ...paris, holidayRegion: '57' })).toEqual([]);
    expect(isPublicHoliday('2025-12-26', { ...paris, holidayRegion: '68' })).toBe(true);
    expect(isPublicHoliday('2025-12-26', paris)).toBe(false);
  });

  it('subtracts closures and absences, then adds extra shifts', () => {
    const withExceptions = technician([[weekdays, '08:00', '12:00']], {
      absences: [{ start: new Date('2026-03-26T08:00:00Z'), end: new Date('2026-03-26T09:00:00Z') }],
      extraShifts: [{ start: new Date('2026-03-28T08:00:00Z'), end: new Date('2026-03-28T11:00:00Z') }],
    });
    const calendar = {
      ...paris,
      closures: [{ start: new Date('2026-03-27T00:00:00Z'), end: new Date('2026-03-28T00:00:00Z') }],
    };
    expect(
      iso(
        shiftsFor(
          withExceptions,
          new Date('2026-03-26T00:00:00Z'),
          new Date('2026-03-29T00:00:00Z'),
          calendar,
        ),
      ),
    ).toEqual(['2026-03-26T07:00/08:00', '2026-03-26T09:00/11:00', '2026-03-28T08:00/11:00']);
  });

  it('honours validity dates and clips to the asked window', () => {
    const limited: TechnicianAvailability = {
      ...t,
      workingHours: [
        {
          rrule: weekdays,
          startTime: '08:00',
          endTime: '12:00',
          validFrom: '2026-03-24',
          validUntil: '2026-03-25',
        },
      ],
    };
    expect(
      iso(shiftsFor(limited, new Date('2026-03-23T00:00:00Z'), new Date('2026-03-25T09:00:00Z'), paris)),
    ).toEqual(['2026-03-24T07:00/11:00', '2026-03-25T07:00/09:00']);
  });
});

describe('toSolverShifts', () => {
  it('makes one shift per local day with the gaps as fixed breaks', () => {
    const intervals = [
      { start: new Date('2026-03-30T06:00:00Z'), end: new Date('2026-03-30T10:00:00Z') },
      { start: new Date('2026-03-30T11:30:00Z'), end: new Date('2026-03-30T15:30:00Z') },
      { start: new Date('2026-03-30T22:30:00Z'), end: new Date('2026-03-30T23:00:00Z') }, // 00:30 local on the 31st
    ];
    const s = (x: string) => Date.parse(x) / 1000;
    expect(toSolverShifts('t1', intervals, 'Europe/Paris')).toEqual([
      {
        id: 't1:2026-03-30',
        interval: { start: s('2026-03-30T06:00:00Z'), end: s('2026-03-30T15:30:00Z') },
        breaks: [
          {
            earliestStart: s('2026-03-30T10:00:00Z'),
            latestStart: s('2026-03-30T10:00:00Z'),
            duration: 5400,
          },
        ],
      },
      { id: 't1:2026-03-31', interval: { start: s('2026-03-30T22:30:00Z'), end: s('2026-03-30T23:00:00Z') } },
    ]);
  });
});

describe('parseWorkingRule', () => {
  it('accepts weekly and daily rules with BYDAY, INTERVAL, WKST', () => {
    expect(parseWorkingRule('FREQ=WEEKLY;BYDAY=FR,MO')).toEqual({
      freq: 'WEEKLY',
      interval: 1,
      byDay: ['MO', 'FR'],
      wkst: undefined,
    });
    expect(parseWorkingRule('RRULE:FREQ=DAILY;INTERVAL=2;WKST=SU').interval).toBe(2);
  });
  it.each([
    ['FREQ=MONTHLY;BYDAY=MO', /FREQ/],
    ['FREQ=WEEKLY;BYDAY=XX', /BYDAY/],
    ['FREQ=WEEKLY;BYDAY=1MO', /BYDAY/],
    ['FREQ=WEEKLY;BYHOUR=8', /BYHOUR is not supported/],
    ['FREQ=WEEKLY;UNTIL=20260101T000000Z', /UNTIL is not supported/],
    ['FREQ=WEEKLY;COUNT=3', /COUNT is not supported/],
    ['FREQ=WEEKLY;INTERVAL=0', /INTERVAL/],
    ['garbage', /KEY=VALUE/],
    ['', /empty/],
    ['FREQ=WEEKLY;FREQ=DAILY', /twice/],
    ['FREQ=WEEKLY', /needs BYDAY/],
  ])('rejects %s', (text, message) => {
    expect(() => parseWorkingRule(text)).toThrow(message);
  });
});
