import ical, {
  type ICalCalendar,
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import { DateTime } from 'luxon';
import { eventUid } from '../calendar.js';
import type { VisitEventData } from '../outbox/visit-events.js';
import type { Locale } from './wording.js';
import { windowInWords } from './wording.js';

export interface InvitationInput {
  visit: VisitEventData;
  method: 'REQUEST' | 'CANCEL';
  company: { name: string; phone: string; timezone: string };
  organizerEmail: string;
  publicUrl: string;
  manageUrl?: string;
  locale: Locale;
  now: Date;
}

/** UTF-8 length of one character (a code point, or a lone surrogate, which UTF-8 writes as U+FFFD). */
function octets(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
}

/**
 * RFC 5545 §3.1 line folding at 75 octets, byte for byte as ical-generator 10's foldLines does it
 * (test/messages/invitation.test.ts holds them equal), without its TextEncoder made for every
 * character: that was half the cost of an invitation (bench:outbox profile). ical-generator 11
 * fixed it but needs Node 22.
 */
export function foldLines(text: string): string {
  return text
    .split('\r\n')
    .map((line) => {
      let folded = '';
      let length = 0;
      let from = 0;
      for (let i = 0; i < line.length; i++) {
        const at = i;
        const code = line.charCodeAt(i);
        let size: number;
        if (code >= 0xd800 && code <= 0xdbff && i + 1 < line.length) {
          // ical-generator takes the next unit with a high surrogate, whatever it is.
          const next = line.charCodeAt(++i);
          size = next >= 0xdc00 && next <= 0xdfff ? 4 : 3 + octets(next);
        } else {
          size = octets(code);
        }
        length += size;
        if (length > 74) {
          folded += line.slice(from, at) + '\r\n ';
          from = at;
          length = size;
        }
      }
      return folded + line.slice(from);
    })
    .join('\r\n');
}

/**
 * The visit as an iTIP calendar object (RFC 5546), with ical-generator: the reference that
 * buildInvitation below writes the text of for the customer's mail client: METHOD:REQUEST
 * with an ORGANIZER (the company) and an ATTENDEE (the customer), the same UID as the booking's
 * .ics and SEQUENCE from the visit's version, so a change or a METHOD:CANCEL updates the event the
 * client already has instead of adding a second one. A VALARM rings at 18:00 the evening before.
 */
export function invitationCalendar(input: InvitationInput): ICalCalendar {
  const { visit, company, locale } = input;
  const cancel = input.method === 'CANCEL';
  const start = DateTime.fromISO(visit.window.start, { zone: company.timezone });
  const end = DateTime.fromISO(visit.window.end, { zone: company.timezone });
  const calendar = ical({
    prodId: { company: 'Tournee', product: 'Messages', language: locale === 'fr' ? 'FR' : 'EN' },
    method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const words = windowInWords(visit.window, locale, company.timezone);
  const description =
    locale === 'fr'
      ? [
          cancel ? 'Ce rendez-vous est annulé.' : `Le technicien arrivera ${words}.`,
          `Prestation : ${visit.service.name}`,
          `Référence : ${visit.reference}`,
          ...(input.manageUrl && !cancel ? [`Modifier ou annuler : ${input.manageUrl}`] : []),
          'Répondre à cette invitation depuis votre agenda ne modifie pas le rendez-vous.',
          ...(company.phone ? [`${company.name} : ${company.phone}`] : []),
        ]
      : [
          cancel ? 'This appointment is cancelled.' : `The technician will arrive ${words}.`,
          `Service: ${visit.service.name}`,
          `Reference: ${visit.reference}`,
          ...(input.manageUrl && !cancel ? [`Change or cancel: ${input.manageUrl}`] : []),
          'Answering this invitation from your calendar does not change the appointment.',
          ...(company.phone ? [`${company.name}: ${company.phone}`] : []),
        ];
  const event = calendar.createEvent({
    id: eventUid(visit.id, input.publicUrl),
    // The version counts every change (reschedule, cancel), so each later mail carries a higher SEQUENCE.
    sequence: Math.max(0, visit.version - 1),
    stamp: DateTime.fromJSDate(input.now, { zone: 'utc' }),
    start: start.toUTC(),
    end: end.toUTC(),
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    summary: `${cancel ? (locale === 'fr' ? 'Annulé — ' : 'Cancelled — ') : ''}${company.name} — ${visit.service.name}`,
    location: `${visit.address.line}, ${visit.address.postcode} ${visit.address.city}`,
    description: description.join('\n'),
    ...(input.manageUrl && !cancel ? { url: input.manageUrl } : {}),
    organizer: { name: company.name, email: input.organizerEmail },
  });
  if (visit.customer.email) {
    event.createAttendee({
      email: visit.customer.email,
      name: visit.customer.name,
      role: ICalAttendeeRole.REQ,
      status: cancel ? ICalAttendeeStatus.DECLINED : ICalAttendeeStatus.ACCEPTED,
      rsvp: false,
    });
  }
  if (!cancel) {
    const evening = start.minus({ days: 1 }).set({ hour: 18, minute: 0, second: 0, millisecond: 0 });
    event.createAlarm({
      type: ICalAlarmType.display,
      trigger: evening.toJSDate(),
      description: locale === 'fr' ? `Demain : ${words}` : `Tomorrow: ${words}`,
    });
  }
  return calendar;
}

/** RFC 5545 TEXT escaping, as ical-generator's escape(value, false). */
function text(value: string): string {
  return value.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/(?:\r\n|\r|\n)/g, '\\n');
}

/** A quoted parameter value (CN="…"), as ical-generator's escape(value, true). */
function quoted(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/(?:\r\n|\r|\n)/g, '\\n');
}

const two = (n: number) => String(n).padStart(2, '0');

/** A UTC DATE-TIME (whole seconds), as ical-generator writes a zoneless calendar's times. */
function utcStamp(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}T${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
}

/** The evening alarm: 18:00 in the company's zone the day before the window opens. */
const evenings = new Map<string, number>();
function eveningBefore(startIso: string, zone: string): number {
  const key = `${zone}|${startIso}`;
  let at = evenings.get(key);
  if (at === undefined) {
    if (evenings.size >= 5_000) evenings.clear();
    at = DateTime.fromISO(startIso, { zone })
      .minus({ days: 1 })
      .set({ hour: 18, minute: 0, second: 0, millisecond: 0 })
      .toMillis();
    evenings.set(key, at);
  }
  return at;
}

/**
 * The invitation's text: exactly what invitationCalendar(input).toString() writes (the test holds
 * them equal for any names, addresses and links), written directly. Building ical-generator's
 * objects took half a millisecond of each confirmation's composing (bench:outbox-drain profile).
 */
export function buildInvitation(input: InvitationInput): string {
  const { visit, company, locale } = input;
  const cancel = input.method === 'CANCEL';
  const fr = locale === 'fr';
  const words = windowInWords(visit.window, locale, company.timezone);
  const description = (
    fr
      ? [
          cancel ? 'Ce rendez-vous est annulé.' : `Le technicien arrivera ${words}.`,
          `Prestation : ${visit.service.name}`,
          `Référence : ${visit.reference}`,
          ...(input.manageUrl && !cancel ? [`Modifier ou annuler : ${input.manageUrl}`] : []),
          'Répondre à cette invitation depuis votre agenda ne modifie pas le rendez-vous.',
          ...(company.phone ? [`${company.name} : ${company.phone}`] : []),
        ]
      : [
          cancel ? 'This appointment is cancelled.' : `The technician will arrive ${words}.`,
          `Service: ${visit.service.name}`,
          `Reference: ${visit.reference}`,
          ...(input.manageUrl && !cancel ? [`Change or cancel: ${input.manageUrl}`] : []),
          'Answering this invitation from your calendar does not change the appointment.',
          ...(company.phone ? [`${company.name}: ${company.phone}`] : []),
        ]
  ).join('\n');
  const summary = `${cancel ? (fr ? 'Annulé — ' : 'Cancelled — ') : ''}${company.name} — ${visit.service.name}`;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:-//Tournee//Messages//${fr ? 'FR' : 'EN'}`,
    `METHOD:${input.method}`,
    'BEGIN:VEVENT',
    `UID:${eventUid(visit.id, input.publicUrl)}`,
    `SEQUENCE:${Math.max(0, visit.version - 1)}`,
    `DTSTAMP:${utcStamp(input.now.getTime())}`,
    `DTSTART:${utcStamp(Date.parse(visit.window.start))}`,
    `DTEND:${utcStamp(Date.parse(visit.window.end))}`,
    `SUMMARY:${text(summary)}`,
    `LOCATION:${text(`${visit.address.line}, ${visit.address.postcode} ${visit.address.city}`)}`,
    `DESCRIPTION:${text(description)}`,
    `ORGANIZER;CN="${quoted(company.name)}":mailto:${text(input.organizerEmail)}`,
  ];
  if (visit.customer.email) {
    lines.push(
      `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=${cancel ? 'DECLINED' : 'ACCEPTED'};RSVP=FALSE${visit.customer.name ? `;CN="${quoted(visit.customer.name)}"` : ''}:MAILTO:${text(visit.customer.email)}`,
    );
  }
  if (!cancel) {
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `TRIGGER;VALUE=DATE-TIME:${utcStamp(eveningBefore(visit.window.start, company.timezone))}`,
      `DESCRIPTION:${text(fr ? `Demain : ${words}` : `Tomorrow: ${words}`)}`,
      'END:VALARM',
    );
    if (input.manageUrl) lines.push(`URL;VALUE=URI:${text(input.manageUrl)}`);
  }
  lines.push(`STATUS:${cancel ? 'CANCELLED' : 'CONFIRMED'}`, 'END:VEVENT', 'END:VCALENDAR');
  return foldLines(lines.join('\r\n'));
}
