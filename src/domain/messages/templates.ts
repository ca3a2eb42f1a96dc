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

/** French first; English when the booking's locale is en. */
export function composeEmail(ctx: EmailContext): EmailContent {
  return ctx.locale === 'en' ? english(ctx) : french(ctx);
}

function french(ctx: EmailContext): EmailContent {
  const { visit, company } = ctx;
  const when = windowInWords(visit.window, 'fr', company.timezone);
  const address = `${visit.address.line}, ${visit.address.postcode} ${visit.address.city}`;
  const facts: [string, string][] = [
    ['Prestation', visit.service.name],
    ['Arrivée du technicien', when],
    ['Adresse', address],
    ...(visit.service.priceLabel ? ([['Tarif', visit.service.priceLabel]] as [string, string][]) : []),
    ['Référence', visit.reference],
  ];
  const footer = `${company.name}${company.phone ? ` — ${company.phone}` : ''}`;
  const hello = { p: `Bonjour ${visit.customer.name},` };
  const manage = ctx.manageUrl
    ? ({ link: { label: 'Modifier ou annuler le rendez-vous', url: ctx.manageUrl } } as Block)
    : { p: 'Pour modifier ou annuler, utilisez le lien de votre e-mail de confirmation ou appelez-nous.' };
  const calendarNote = {
    p: 'Le rendez-vous est joint pour votre agenda. Y répondre depuis l’agenda ne change rien : utilisez le lien ci-dessus.',
  };
  switch (ctx.kind) {
    case 'confirmation':
      return render(
        `Rendez-vous confirmé : ${when} (${visit.reference})`,
        [
          hello,
          { p: `Votre rendez-vous avec ${company.name} est confirmé.` },
          { facts },
          manage,
          calendarNote,
        ],
        footer,
      );
    case 'change':
      return render(
        `Rendez-vous modifié : ${when} (${visit.reference})`,
        [
          hello,
          { p: `Votre rendez-vous a été déplacé. Nouveau créneau : ${when}.` },
          ...(visit.previousWindow
            ? [
                {
                  p: `Il remplace le créneau du ${windowInWords(visit.previousWindow, 'fr', company.timezone)}.`,
                },
              ]
            : []),
          { facts },
          manage,
          calendarNote,
        ],
        footer,
      );
    case 'cancellation':
      return render(
        `Rendez-vous annulé (${visit.reference})`,
        [
          hello,
          { p: `Votre rendez-vous du ${when} est annulé.` },
          {
            facts: [
              ['Prestation', visit.service.name],
              ['Référence', visit.reference],
            ],
          },
          {
            p: `Pour reprendre rendez-vous, réservez en ligne ou appelez-nous${company.phone ? ` au ${company.phone}` : ''}.`,
          },
        ],
        footer,
      );
    case 'reminder':
      return render(
        `Rappel : votre rendez-vous demain, ${when.replace(/^[^,]*, /, '')}`,
        [
          hello,
          {
            p: `Nous vous rappelons votre rendez-vous de demain, ${dayInWords(visit.window.start, 'fr', company.timezone)}.`,
          },
          { facts },
          manage,
        ],
        footer,
      );
    case 'survey':
    case 'survey_followup':
      return render(
        ctx.kind === 'survey'
          ? `Votre avis sur notre intervention (${visit.reference})`
          : `Rappel : votre avis nous aide (${visit.reference})`,
        [
          hello,
          {
            p: `Notre technicien est intervenu le ${dayInWords(visit.window.start, 'fr', company.timezone)} (${visit.service.name}). Comment l’avez-vous trouvé ? Un clic suffit, de 1 (pas satisfait) à 5 (très satisfait).`,
          },
          { ratings: ctx.ratingUrls ?? [] },
          ...(ctx.unsubscribeUrl
            ? [{ p: `Ne plus recevoir ces questionnaires : ${ctx.unsubscribeUrl}` }]
            : []),
        ],
        footer,
      );
  }
}

function english(ctx: EmailContext): EmailContent {
  const { visit, company } = ctx;
  const when = windowInWords(visit.window, 'en', company.timezone);
  const address = `${visit.address.line}, ${visit.address.postcode} ${visit.address.city}`;
  const facts: [string, string][] = [
    ['Service', visit.service.name],
    ['Technician arrives', when],
    ['Address', address],
    ...(visit.service.priceLabel ? ([['Price', visit.service.priceLabel]] as [string, string][]) : []),
    ['Reference', visit.reference],
  ];
  const footer = `${company.name}${company.phone ? ` — ${company.phone}` : ''}`;
  const hello = { p: `Hello ${visit.customer.name},` };
  const manage = ctx.manageUrl
    ? ({ link: { label: 'Change or cancel the appointment', url: ctx.manageUrl } } as Block)
    : { p: 'To change or cancel, use the link in your confirmation e-mail or call us.' };
  const calendarNote = {
    p: 'The appointment is attached for your calendar. Answering it from the calendar changes nothing: use the link above.',
  };
  switch (ctx.kind) {
    case 'confirmation':
      return render(
        `Appointment confirmed: ${when} (${visit.reference})`,
        [
          hello,
          { p: `Your appointment with ${company.name} is confirmed.` },
          { facts },
          manage,
          calendarNote,
        ],
        footer,
      );
    case 'change':
      return render(
        `Appointment changed: ${when} (${visit.reference})`,
        [
          hello,
          { p: `Your appointment was moved. New window: ${when}.` },
          ...(visit.previousWindow
            ? [{ p: `It replaces ${windowInWords(visit.previousWindow, 'en', company.timezone)}.` }]
            : []),
          { facts },
          manage,
          calendarNote,
        ],
        footer,
      );
    case 'cancellation':
      return render(
        `Appointment cancelled (${visit.reference})`,
        [
          hello,
          { p: `Your appointment on ${when} is cancelled.` },
          {
            facts: [
              ['Service', visit.service.name],
              ['Reference', visit.reference],
            ],
          },
          { p: `To book again, book online or call us${company.phone ? ` on ${company.phone}` : ''}.` },
        ],
        footer,
      );
    case 'reminder':
      return render(
        `Reminder: your appointment tomorrow, ${when.replace(/^[^,]*, /, '')}`,
        [
          hello,
          {
            p: `A reminder of your appointment tomorrow, ${dayInWords(visit.window.start, 'en', company.timezone)}.`,
          },
          { facts },
          manage,
        ],
        footer,
      );
    case 'survey':
    case 'survey_followup':
      return render(
        ctx.kind === 'survey'
          ? `How did our visit go? (${visit.reference})`
          : `Reminder: your opinion helps us (${visit.reference})`,
        [
          hello,
          {
            p: `Our technician came on ${dayInWords(visit.window.start, 'en', company.timezone)} (${visit.service.name}). How was it? One click is enough, from 1 (not satisfied) to 5 (very satisfied).`,
          },
          { ratings: ctx.ratingUrls ?? [] },
          ...(ctx.unsubscribeUrl ? [{ p: `Stop receiving these surveys: ${ctx.unsubscribeUrl}` }] : []),
        ],
        footer,
      );
  }
}
