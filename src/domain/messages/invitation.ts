import ical, {
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

/**
 * The visit as an iTIP calendar object (RFC 5546) for the customer's mail client: METHOD:REQUEST
 * with an ORGANIZER (the company) and an ATTENDEE (the customer), the same UID as the booking's
 * .ics and SEQUENCE from the visit's version, so a change or a METHOD:CANCEL updates the event the
 * client already has instead of adding a second one. A VALARM rings at 18:00 the evening before.
 */
export function buildInvitation(input: InvitationInput): string {
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
  return calendar.toString();
}
