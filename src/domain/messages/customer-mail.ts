import type Mail from 'nodemailer/lib/mailer';
import type { VisitEventData } from '../outbox/visit-events.js';
import { withinChangeCutoff } from '../customer-rules.js';
import { buildInvitation } from './invitation.js';
import { composeEmail, type EmailKind } from './templates.js';

/** What one customer e-mail is made of, once the deliverer has looked up the company and the links. */
export interface CustomerMailParts {
  kind: EmailKind;
  visit: VisitEventData;
  /** What the e-mail and its invitation say of the company. */
  company: { name: string; phone: string; timezone: string };
  /** "Name <address>" or a bare address; also the invitation's ORGANIZER. */
  from: string;
  recipient: string;
  /** The message's own id, so a re-delivery after a crash carries the same Message-ID. */
  messageId: string;
  publicUrl: string;
  manageUrl?: string;
  /** Surveys: the five one-click rating links. */
  ratingUrls?: string[];
  /** Non-transactional e-mails: the one-click opt-out link (List-Unsubscribe). */
  unsubscribeUrl?: string;
  now: Date;
}

function bareAddress(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}

/**
 * The e-mail as it leaves: French unless the booking's locale is en, text + HTML, with the calendar
 * invitation for confirmations, changes and cancellations. Pure, so the tests check the very message
 * the deliverer sends (test/messages/mime.test.ts compares its bytes with nodemailer's).
 */
export function customerMail(parts: CustomerMailParts): Mail.Options {
  const { kind, visit, company, from, now } = parts;
  const locale = visit.locale === 'en' ? 'en' : 'fr';
  const changeClosed = withinChangeCutoff(Date.parse(visit.window.start), now);
  const manageUrl = changeClosed ? undefined : parts.manageUrl;
  const content = composeEmail({
    kind,
    locale,
    visit,
    company,
    manageUrl,
    changeClosed,
    ratingUrls: parts.ratingUrls,
    unsubscribeUrl: parts.unsubscribeUrl,
  });
  const mail: Mail.Options = {
    from,
    to: { name: visit.customer.name, address: parts.recipient },
    subject: content.subject,
    text: content.text,
    html: content.html,
    date: now,
    messageId: parts.messageId,
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
  if (parts.unsubscribeUrl) {
    mail.list = { unsubscribe: { url: parts.unsubscribeUrl, comment: 'Unsubscribe' } };
    mail.headers = { ...(mail.headers as object), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  }
  if (kind === 'confirmation' || kind === 'change' || kind === 'cancellation') {
    const method = kind === 'cancellation' ? 'CANCEL' : 'REQUEST';
    const ics = buildInvitation({
      visit,
      method,
      company,
      organizerEmail: bareAddress(from),
      publicUrl: parts.publicUrl,
      manageUrl,
      locale,
      now,
    });
    // The text/calendar alternative makes Gmail and Outlook show an invitation; nodemailer also
    // attaches the icalEvent as a file (application/ics), which serves the others. Until
    // 2026-12-02 an attachment of ours came with it: every invitation went out with two files.
    mail.icalEvent = {
      method,
      content: ics,
      filename: locale === 'fr' ? 'rendez-vous.ics' : 'appointment.ics',
    };
  }
  return mail;
}
