import ical, {
  type ICalCalendar,
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import { eventUid } from '../calendar.js';
import { addDays, instantAt, localDateOf } from '../local-time.js';
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
 * The visit as an iTIP calendar object (RFC 5546) for the customer's mail client: METHOD:REQUEST
 * with an ORGANIZER (the company) and an ATTENDEE (the customer), the same UID as the booking's
 * .ics and SEQUENCE from the visit's version, so a change or a METHOD:CANCEL updates the event the
 * client already has instead of adding a second one. A VALARM rings at 18:00 the evening before.
 */
export function invitationCalendar(input: InvitationInput): ICalCalendar {
  const { visit, company, locale } = input;
  const cancel = input.method === 'CANCEL';
  // Instants as plain Dates (ical-generator writes them in UTC, as it did luxon's): luxon's parsing
  // in a zone was two thirds of an invitation's cost (bench:outbox-drain profile).
  const start = new Date(visit.window.start);
  const end = new Date(visit.window.end);
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
    stamp: input.now,
    start,
    end,
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
    const day = localDateOf(start.getTime() / 1000, company.timezone);
    const evening = instantAt(addDays(day, -1), '18:00', company.timezone);
    event.createAlarm({
      type: ICalAlarmType.display,
      trigger: new Date(evening * 1000),
      description: locale === 'fr' ? `Demain : ${words}` : `Tomorrow: ${words}`,
    });
  }
  return calendar;
}

/** The invitation's text: ical-generator's calendar.toString(), with the folding above. */
export function buildInvitation(input: InvitationInput): string {
  const calendar = invitationCalendar(input);
  // The same head ical-generator writes for a calendar with a product id and a method, and nothing else.
  const head = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:-//Tournee//Messages//${input.locale === 'fr' ? 'FR' : 'EN'}`,
    `METHOD:${input.method}`,
  ].join('\r\n');
  const events = calendar
    .events()
    .map((event) => event.toString())
    .join('');
  return foldLines(`${head}\r\n${events}END:VCALENDAR`);
}
