/**
 * Reads an iCalendar document the way strict clients do, with two independent parsers, and fails
 * on anything a calendar app could choke on. ical.js's own "strict" mode decodes lazily and checks
 * nothing required, so every property is decoded by hand here.
 */
import ICAL from 'ical.js';
import nodeIcal from 'node-ical';
import { expect } from 'vitest';

export interface ParsedEvent {
  uid: string;
  start: Date;
  end: Date;
  /** TZID the start was written with, or 'UTC'. */
  startZone: string;
  sequence: number;
  status: string | null;
  summary: string;
  description: string;
  location: string;
  geo: [number, number] | null;
  organizer: string | null;
  stamp: Date;
}

export interface ParsedCalendar {
  calendar: ICAL.Component;
  events: Map<string, ParsedEvent>;
  /** Calendar-level properties by name (first value each). */
  props: Map<string, string>;
}

function walk(
  component: ICAL.Component,
  visit: (property: ICAL.Property, owner: ICAL.Component) => void,
): void {
  for (const property of component.getAllProperties()) visit(property, component);
  for (const child of component.getAllSubcomponents()) walk(child, visit);
}

/** Wire-level rules: CRLF only, lines folded at 75 octets, no bare control characters. */
export function checkWireFormat(body: string): void {
  expect(body.endsWith('\r\n') || body.endsWith('END:VCALENDAR')).toBe(true);
  expect(body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of body.split('\r\n')) {
    expect(Buffer.byteLength(line, 'utf8'), `line longer than 75 octets: ${line}`).toBeLessThanOrEqual(75);

    expect(line).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f]/);
  }
}

/** Parses with ical.js, decodes every value, resolves zones from the document's own VTIMEZONEs. */
export function parseWithIcalJs(body: string): ParsedCalendar {
  checkWireFormat(body);
  const calendar = new ICAL.Component(ICAL.parse(body));
  expect(calendar.name).toBe('vcalendar');
  expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
  expect(calendar.getFirstPropertyValue('prodid')).toBeTruthy();

  // Throws on any malformed DATE-TIME, DURATION, GEO, ...
  walk(calendar, (property) => {
    const values = property.getValues();
    expect(values.length, `empty ${property.name}`).toBeGreaterThan(0);
  });

  ICAL.TimezoneService.reset();
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(vtimezone);
  }

  const props = new Map<string, string>();
  for (const property of calendar.getAllProperties()) {
    if (!props.has(property.name)) props.set(property.name, String(property.getFirstValue()));
  }

  const events = new Map<string, ParsedEvent>();
  for (const vevent of calendar.getAllSubcomponents('vevent')) {
    const event = new ICAL.Event(vevent);
    expect(event.uid, 'UID').toBeTruthy();
    expect(events.has(event.uid), `duplicate UID ${event.uid}`).toBe(false);
    const stamp = vevent.getFirstPropertyValue('dtstamp') as ICAL.Time;
    expect(stamp, 'DTSTAMP').toBeTruthy();
    expect(stamp.zone?.tzid, 'DTSTAMP in UTC').toBe('UTC');
    for (const name of ['dtstart', 'dtend']) {
      const property = vevent.getFirstProperty(name);
      expect(property, name).toBeTruthy();
      const tzid = property!.getParameter('tzid');
      const value = property!.getFirstValue() as ICAL.Time;
      // Never floating: either UTC or a zone the document defines.
      if (tzid) {
        expect(
          calendar.getAllSubcomponents('vtimezone').some((tz) => tz.getFirstPropertyValue('tzid') === tzid),
          `VTIMEZONE ${String(tzid)}`,
        ).toBe(true);
        expect(value.zone?.tzid).toBe(tzid);
      } else {
        expect(value.zone?.tzid).toBe('UTC');
      }
    }
    const geo = vevent.getFirstPropertyValue('geo') as unknown;
    events.set(event.uid, {
      uid: event.uid,
      start: event.startDate.toJSDate(),
      end: event.endDate.toJSDate(),
      startZone: String(vevent.getFirstProperty('dtstart')!.getParameter('tzid') ?? 'UTC'),
      sequence: event.sequence,
      status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
      summary: event.summary ?? '',
      description: event.description ?? '',
      location: event.location ?? '',
      geo: Array.isArray(geo) ? [Number(geo[0]), Number(geo[1])] : null,
      organizer: (vevent.getFirstPropertyValue('organizer') as string | null) ?? null,
      stamp: stamp.toJSDate(),
    });
  }
  return { calendar, events, props };
}

/** A second, independent reading: node-ical's start/end instants by UID. */
export function parseWithNodeIcal(
  body: string,
): Map<string, { start: Date; end: Date; status?: string; sequence?: number; summary: string }> {
  const parsed = nodeIcal.sync.parseICS(body);
  const out = new Map<
    string,
    { start: Date; end: Date; status?: string; sequence?: number; summary: string }
  >();
  for (const component of Object.values(parsed)) {
    if (!component || component.type !== 'VEVENT') continue;
    const summary =
      typeof component.summary === 'string'
        ? component.summary
        : ((component.summary as { val: string } | undefined)?.val ?? '');
    out.set(component.uid, {
      start: new Date(component.start),
      end: new Date(component.end!),
      status: component.status,
      sequence: component.sequence === undefined ? undefined : Number(component.sequence),
      summary,
    });
  }
  return out;
}

/** Both parsers agree on every event's instants, and on the set of events. */
export function parseBoth(body: string): ParsedCalendar {
  const parsed = parseWithIcalJs(body);
  const second = parseWithNodeIcal(body);
  expect([...second.keys()].sort()).toEqual([...parsed.events.keys()].sort());
  for (const [uid, event] of parsed.events) {
    const other = second.get(uid)!;
    expect(other.start.toISOString(), `node-ical start of ${uid}`).toBe(event.start.toISOString());
    expect(other.end.toISOString(), `node-ical end of ${uid}`).toBe(event.end.toISOString());
  }
  return parsed;
}
