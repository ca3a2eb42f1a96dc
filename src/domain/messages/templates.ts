import type { VisitEventData } from '../outbox/visit-events.js';
import { dayInWords, windowInWords, type Locale } from './wording.js';

export type EmailKind =
  'confirmation' | 'change' | 'cancellation' | 'reminder' | 'survey' | 'survey_followup';

export interface EmailContext {
  kind: EmailKind;
  locale: Locale;
  visit: VisitEventData;
  company: { name: string; phone: string; timezone: string };
  manageUrl?: string;
  /** The visit starts within the customers' change cut-off: no online change any more, the phone instead. */
  changeClosed?: boolean;
  /** Survey mails: the five one-click rating links, 1 to 5. */
  ratingUrls?: string[];
  unsubscribeUrl?: string;
}

export interface EmailContent {
  subject: string;
  /** Paragraphs; the text and HTML bodies are both made from them. */
  text: string;
  html: string;
}

type Block =
  | { p: string }
  | { link: { label: string; url: string } }
  | { facts: [string, string][] }
  | { ratings: string[] };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(subject: string, blocks: Block[], footer: string): EmailContent {
  const text: string[] = [];
  const html: string[] = [];
  for (const block of blocks) {
    if ('p' in block) {
      text.push(block.p);
      html.push(`<p>${escapeHtml(block.p)}</p>`);
    } else if ('link' in block) {
      text.push(`${block.link.label}\n${block.link.url}`);
      html.push(
        `<p><a href="${escapeHtml(block.link.url)}" style="display:inline-block;padding:10px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px">${escapeHtml(block.link.label)}</a></p>`,
      );
    } else if ('facts' in block) {
      text.push(block.facts.map(([k, v]) => `${k} : ${v}`).join('\n'));
      html.push(
        `<table style="border-collapse:collapse">${block.facts
          .map(
            ([k, v]) =>
              `<tr><th style="text-align:left;padding:4px 12px 4px 0;color:#555;font-weight:normal">${escapeHtml(k)}</th><td style="padding:4px 0"><strong>${escapeHtml(v)}</strong></td></tr>`,
          )
          .join('')}</table>`,
      );
    } else {
      text.push(block.ratings.map((url, i) => `${i + 1}/5 : ${url}`).join('\n'));
      html.push(
        `<p>${block.ratings
          .map(
            (url, i) =>
              `<a href="${escapeHtml(url)}" style="display:inline-block;width:40px;padding:10px 0;margin-right:6px;text-align:center;border:1px solid #0b5cad;border-radius:6px;color:#0b5cad;text-decoration:none;font-size:18px">${i + 1}</a>`,
          )
          .join('')}</p>`,
      );
    }
  }
  text.push('--', footer);
  const body = html.join('\n');
  return {
    subject,
    text: text.join('\n\n') + '\n',
    html: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:16px">${body}<hr style="border:none;border-top:1px solid #ddd;margin-top:24px"><p style="color:#666;font-size:13px">${escapeHtml(footer)}</p></body></html>`,
  };
}

/** What differs between the languages: every sentence, nothing of the layout. */
interface Wording {
  hello(name: string): string;
  facts: { service: string; arrival: string; address: string; price: string; reference: string };
  manageLink: string;
  manageWithoutLink: string;
  changeClosed(phone: string): string;
  calendarNote: string;
  calendarNoteClosed: string;
  confirmation: { subject(when: string, reference: string): string; body(company: string): string };
  change: {
    subject(when: string, reference: string): string;
    body(when: string): string;
    replaces(previous: string): string;
  };
  cancellation: {
    subject(reference: string): string;
    body(when: string): string;
    bookAgain(phone: string): string;
  };
  reminder: { subject(hours: string): string; body(day: string): string };
  survey: {
    subject(reference: string): string;
    followUpSubject(reference: string): string;
    body(day: string, service: string): string;
    unsubscribe(url: string): string;
  };
}

const WORDING: Record<Locale, Wording> = {
  fr: {
    hello: (name) => `Bonjour ${name},`,
    facts: {
      service: 'Prestation',
      arrival: 'Arrivée du technicien',
      address: 'Adresse',
      price: 'Tarif',
      reference: 'Référence',
    },
    manageLink: 'Modifier ou annuler le rendez-vous',
    manageWithoutLink:
      'Pour modifier ou annuler, utilisez le lien de votre e-mail de confirmation ou appelez-nous.',
    changeClosed: (phone) =>
      `Le rendez-vous commence dans moins de 24 h : il ne peut plus être modifié ni annulé en ligne. Pour le changer, appelez-nous${phone ? ` au ${phone}` : ''}.`,
    calendarNote:
      'Le rendez-vous est joint pour votre agenda. Y répondre depuis l’agenda ne change rien : utilisez le lien ci-dessus.',
    calendarNoteClosed:
      'Le rendez-vous est joint pour votre agenda. Y répondre depuis l’agenda ne change rien.',
    confirmation: {
      subject: (when, reference) => `Rendez-vous confirmé : ${when} (${reference})`,
      body: (company) => `Votre rendez-vous avec ${company} est confirmé.`,
    },
    change: {
      subject: (when, reference) => `Rendez-vous modifié : ${when} (${reference})`,
      body: (when) => `Votre rendez-vous a été déplacé. Nouveau créneau : ${when}.`,
      replaces: (previous) => `Il remplace le créneau du ${previous}.`,
    },
    cancellation: {
      subject: (reference) => `Rendez-vous annulé (${reference})`,
      body: (when) => `Votre rendez-vous du ${when} est annulé.`,
      bookAgain: (phone) =>
        `Pour reprendre rendez-vous, réservez en ligne ou appelez-nous${phone ? ` au ${phone}` : ''}.`,
    },
    reminder: {
      subject: (hours) => `Rappel : votre rendez-vous demain, ${hours}`,
      body: (day) => `Nous vous rappelons votre rendez-vous de demain, ${day}.`,
    },
    survey: {
      subject: (reference) => `Votre avis sur notre intervention (${reference})`,
      followUpSubject: (reference) => `Rappel : votre avis nous aide (${reference})`,
      body: (day, service) =>
        `Notre technicien est intervenu le ${day} (${service}). Comment l’avez-vous trouvé ? Un clic suffit, de 1 (pas satisfait) à 5 (très satisfait).`,
      unsubscribe: (url) => `Ne plus recevoir ces questionnaires : ${url}`,
    },
  },
  en: {
    hello: (name) => `Hello ${name},`,
    facts: {
      service: 'Service',
      arrival: 'Technician arrives',
      address: 'Address',
      price: 'Price',
      reference: 'Reference',
    },
    manageLink: 'Change or cancel the appointment',
    manageWithoutLink: 'To change or cancel, use the link in your confirmation e-mail or call us.',
    changeClosed: (phone) =>
      `The appointment starts in less than 24 hours: it can no longer be changed or cancelled online. To change it, call us${phone ? ` on ${phone}` : ''}.`,
    calendarNote:
      'The appointment is attached for your calendar. Answering it from the calendar changes nothing: use the link above.',
    calendarNoteClosed:
      'The appointment is attached for your calendar. Answering it from the calendar changes nothing.',
    confirmation: {
      subject: (when, reference) => `Appointment confirmed: ${when} (${reference})`,
      body: (company) => `Your appointment with ${company} is confirmed.`,
    },
    change: {
      subject: (when, reference) => `Appointment changed: ${when} (${reference})`,
      body: (when) => `Your appointment was moved. New window: ${when}.`,
      replaces: (previous) => `It replaces ${previous}.`,
    },
    cancellation: {
      subject: (reference) => `Appointment cancelled (${reference})`,
      body: (when) => `Your appointment on ${when} is cancelled.`,
      bookAgain: (phone) => `To book again, book online or call us${phone ? ` on ${phone}` : ''}.`,
    },
    reminder: {
      subject: (hours) => `Reminder: your appointment tomorrow, ${hours}`,
      body: (day) => `A reminder of your appointment tomorrow, ${day}.`,
    },
    survey: {
      subject: (reference) => `How did our visit go? (${reference})`,
      followUpSubject: (reference) => `Reminder: your opinion helps us (${reference})`,
      body: (day, service) =>
        `Our technician came on ${day} (${service}). How was it? One click is enough, from 1 (not satisfied) to 5 (very satisfied).`,
      unsubscribe: (url) => `Stop receiving these surveys: ${url}`,
    },
  },
};

/** French first; English when the booking's locale is en: one layout, the sentences from WORDING. */
export function composeEmail(ctx: EmailContext): EmailContent {
  const { visit, company, locale } = ctx;
  const w = WORDING[locale];
  const when = windowInWords(visit.window, locale, company.timezone);
  const day = () => dayInWords(visit.window.start, locale, company.timezone);
  const address = `${visit.address.line}, ${visit.address.postcode} ${visit.address.city}`;
  const facts: [string, string][] = [
    [w.facts.service, visit.service.name],
    [w.facts.arrival, when],
    [w.facts.address, address],
    ...(visit.service.priceLabel ? ([[w.facts.price, visit.service.priceLabel]] as [string, string][]) : []),
    [w.facts.reference, visit.reference],
  ];
  const footer = `${company.name}${company.phone ? ` — ${company.phone}` : ''}`;
  const hello = { p: w.hello(visit.customer.name) };
  // Inside the cut-off the manage page refuses every change: the e-mail gives the phone, not a dead end.
  const manage: Block = ctx.changeClosed
    ? { p: w.changeClosed(company.phone) }
    : ctx.manageUrl
      ? { link: { label: w.manageLink, url: ctx.manageUrl } }
      : { p: w.manageWithoutLink };
  const calendarNote = { p: ctx.changeClosed ? w.calendarNoteClosed : w.calendarNote };
  switch (ctx.kind) {
    case 'confirmation':
      return render(
        w.confirmation.subject(when, visit.reference),
        [hello, { p: w.confirmation.body(company.name) }, { facts }, manage, calendarNote],
        footer,
      );
    case 'change':
      return render(
        w.change.subject(when, visit.reference),
        [
          hello,
          { p: w.change.body(when) },
          ...(visit.previousWindow
            ? [{ p: w.change.replaces(windowInWords(visit.previousWindow, locale, company.timezone)) }]
            : []),
          { facts },
          manage,
          calendarNote,
        ],
        footer,
      );
    case 'cancellation':
      return render(
        w.cancellation.subject(visit.reference),
        [
          hello,
          { p: w.cancellation.body(when) },
          {
            facts: [
              [w.facts.service, visit.service.name],
              [w.facts.reference, visit.reference],
            ],
          },
          { p: w.cancellation.bookAgain(company.phone) },
        ],
        footer,
      );
    case 'reminder':
      return render(
        w.reminder.subject(when.replace(/^[^,]*, /, '')),
        [hello, { p: w.reminder.body(day()) }, { facts }, manage],
        footer,
      );
    case 'survey':
    case 'survey_followup':
      return render(
        ctx.kind === 'survey' ? w.survey.subject(visit.reference) : w.survey.followUpSubject(visit.reference),
        [
          hello,
          { p: w.survey.body(day(), visit.service.name) },
          { ratings: ctx.ratingUrls ?? [] },
          ...(ctx.unsubscribeUrl ? [{ p: w.survey.unsubscribe(ctx.unsubscribeUrl) }] : []),
        ],
        footer,
      );
  }
}
