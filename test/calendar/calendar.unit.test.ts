import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  buildTechnicianFeed,
  calendarText,
  CANCELLED_KEPT_DAYS,
  FEED_PAST_DAYS,
  feedLastModified,
  feedRange,
  isShownInFeed,
  shortName,
  type CalendarVisit,
  type FeedWatermarks,
} from '../../src/domain/calendar.js';
import { parseBoth } from './ics-check.js';

const ZONE = 'Europe/Paris';
const COMPANY = {
  name: 'Duret Électricité',
  phone: '04 78 00 12 34',
  timezone: ZONE,
  bookingHorizonDays: 42,
};
const ORIGIN = DateTime.fromISO('2026-03-01T00:00', { zone: ZONE });
const PUBLIC_URL = 'https://tournee.example.fr';

function visit(n: number, plannedStart: Date, extra: Partial<CalendarVisit> = {}): CalendarVisit {
  return {
    id: `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`,
    reference: `T-${n}`,
    status: 'booked',
    serviceName: 'Dépannage électrique',
    technicianId: 'tech',
    technicianName: 'Karim Haddad',
    unassignedReason: null,
    windowStart: plannedStart,
    windowEnd: new Date(plannedStart.getTime() + 2 * 3_600_000),
    plannedStart,
    plannedEnd: new Date(plannedStart.getTime() + 3_600_000),
    customerName: 'Jeanne Client',
    customerPhone: '06 00 00 00 00',
    addressLine: '1 rue de la République',
    postcode: '69002',
    city: 'Lyon 2e',
    lat: 45.76,
    lon: 4.83,
    version: 1,
    createdAt: ORIGIN.minus({ days: 60 }).toJSDate(),
    updatedAt: ORIGIN.minus({ days: 60 }).toJSDate(),
    cancelledAt: null,
    ...extra,
  };
}

/** What a client sees of a feed: which visits, in which state. */
function contentKey(visits: CalendarVisit[], now: Date): string {
  const range = feedRange(now, COMPANY);
  return visits
    .filter((v) => v.plannedStart >= range.from && v.plannedStart < range.to && isShownInFeed(v, range))
    .map((v) => `${v.id}:${v.status}`)
    .sort()
    .join(',');
}

/** The domain's Last-Modified as the service computes it from what the database returns. */
function lastModifiedAt(visits: CalendarVisit[], now: Date): Date {
  const range = feedRange(now, COMPANY);
  const inRange = visits.filter((v) => v.plannedStart >= range.from && v.plannedStart < range.to);
  const before = visits.filter((v) => v.plannedStart < range.from).map((v) => v.plannedStart.getTime());
  const watermarks: FeedWatermarks = {
    metadataChangedAt: ORIGIN.minus({ days: 90 }).toJSDate(),
    departedAt: null,
    lastPlannedStartBefore: before.length ? new Date(Math.max(...before)) : null,
  };
  return feedLastModified(inRange, range, watermarks, COMPANY);
}

describe('feed range', () => {
  it('runs from local midnight four weeks back to the end of the last bookable day, across DST', () => {
    const range = feedRange(new Date('2026-03-30T10:00:00Z'), COMPANY);
    expect(range.from.toISOString()).toBe('2026-03-01T23:00:00.000Z'); // 2 March 00:00 CET
    expect(range.to.toISOString()).toBe('2026-05-11T22:00:00.000Z'); // 12 May 00:00 CEST
    expect(FEED_PAST_DAYS).toBe(28);
  });

  it('keeps a cancelled visit for seven days after the cancellation', () => {
    const now = new Date('2026-03-25T07:00:00Z');
    const range = feedRange(now, COMPANY);
    const at = (days: number) => DateTime.fromJSDate(now).minus({ days }).toJSDate();
    expect(
      isShownInFeed(
        visit(1, now, { status: 'cancelled', cancelledAt: at(CANCELLED_KEPT_DAYS - 0.01) }),
        range,
      ),
    ).toBe(true);
    expect(
      isShownInFeed(visit(1, now, { status: 'cancelled', cancelledAt: at(CANCELLED_KEPT_DAYS) }), range),
    ).toBe(false);
    expect(isShownInFeed(visit(1, now, { status: 'done' }), range)).toBe(true);
  });
});

describe('Last-Modified', () => {
  it('never goes backwards and moves forward whenever the feed contents change with time alone', () => {
    const visitArb = fc.record({
      startHours: fc.integer({ min: -24 * 60, max: 24 * 120 }),
      // Rows are all written before the first observation: the property is about time alone.
      cancelledHours: fc.option(fc.integer({ min: -24 * 20, max: 0 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(visitArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 36 }), { minLength: 5, maxLength: 40 }),
        (specs, steps) => {
          const visits = specs.map((spec, i) => {
            const start = ORIGIN.plus({ hours: spec.startHours }).toJSDate();
            if (spec.cancelledHours === undefined) return visit(i, start);
            const cancelledAt = ORIGIN.plus({ hours: spec.cancelledHours }).toJSDate();
            return visit(i, start, { status: 'cancelled', cancelledAt, updatedAt: cancelledAt });
          });
          let now = ORIGIN;
          let previous = {
            key: contentKey(visits, now.toJSDate()),
            lastModified: lastModifiedAt(visits, now.toJSDate()),
          };
          expect(previous.lastModified.getTime()).toBeLessThanOrEqual(now.toMillis());
          for (const hours of steps) {
            now = now.plus({ hours });
            const current = {
              key: contentKey(visits, now.toJSDate()),
              lastModified: lastModifiedAt(visits, now.toJSDate()),
            };
            expect(current.lastModified.getTime()).toBeGreaterThanOrEqual(previous.lastModified.getTime());
            expect(current.lastModified.getTime()).toBeLessThanOrEqual(now.toMillis());
            if (current.key !== previous.key)
              expect(current.lastModified.getTime()).toBeGreaterThan(previous.lastModified.getTime());
            previous = current;
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('moves forward when a cancellation expires out of the feed', () => {
    const start = ORIGIN.plus({ days: 20 }).toJSDate();
    const visits = [
      visit(1, start, { status: 'cancelled', cancelledAt: ORIGIN.toJSDate(), updatedAt: ORIGIN.toJSDate() }),
    ];
    const before = lastModifiedAt(visits, ORIGIN.plus({ days: 6 }).toJSDate());
    const after = lastModifiedAt(visits, ORIGIN.plus({ days: 8 }).toJSDate());
    expect(before.toISOString()).toBe(ORIGIN.toJSDate().toISOString());
    expect(after.toISOString()).toBe(ORIGIN.plus({ days: 7 }).toJSDate().toISOString());
  });
});

describe('document', () => {
  const now = new Date('2026-03-25T07:00:00Z');
  const range = feedRange(now, COMPANY);
  const watermarks: FeedWatermarks = {
    metadataChangedAt: null,
    departedAt: null,
    lastPlannedStartBefore: null,
  };
  const visits = [
    visit(2, new Date('2026-03-29T06:00:00Z')),
    visit(1, new Date('2026-03-26T07:00:00Z')),
    visit(3, new Date('2026-03-29T00:30:00Z')),
  ];

  it('is byte-for-byte the same for the same rows, in any order', () => {
    const a = buildTechnicianFeed({
      company: COMPANY,
      visitsInRange: visits,
      range,
      watermarks,
      publicUrl: PUBLIC_URL,
      technicianName: 'Karim Haddad',
    });
    const b = buildTechnicianFeed({
      company: COMPANY,
      visitsInRange: [...visits].reverse(),
      range,
      watermarks,
      publicUrl: PUBLIC_URL,
      technicianName: 'Karim Haddad',
    });
    expect(b.body).toBe(a.body);
    expect(b.etag).toBe(a.etag);
    expect(a.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const parsed = parseBoth(a.body);
    expect(parsed.events.size).toBe(3);
    for (const v of visits) {
      const event = parsed.events.get(`visit-${v.id}@tournee.example.fr`)!;
      expect(event.start.toISOString()).toBe(v.plannedStart.toISOString());
      expect(event.end.toISOString()).toBe(v.plannedEnd.toISOString());
    }
  });

  it('sanitises calendar-level text', () => {
    expect(calendarText('Duret\r\nX-INJECTED:1')).toBe('Duret X-INJECTED:1');
    expect(calendarText('a;b,c\\d')).toBe('a\\;b\\,c\\\\d');
    expect(calendarText('x\u2028y\u0000z')).toBe('x y z');
  });

  it('names technicians briefly in the team feed', () => {
    expect(shortName('Karim Haddad')).toBe('Karim H.');
    expect(shortName('Élodie Roux')).toBe('Élodie R.');
    expect(shortName('Marie-Claire de la Tour')).toBe('Marie-Claire T.');
    expect(shortName('Madonna')).toBe('Madonna');
  });
});
