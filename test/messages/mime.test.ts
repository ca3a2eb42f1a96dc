import fc from 'fast-check';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { describe, expect, it } from 'vitest';
import { customerMail } from '../../src/domain/messages/customer-mail.js';
import { composeMail, isOurShape } from '../../src/domain/messages/mime.js';
import type { EmailKind } from '../../src/domain/messages/templates.js';
import type { VisitEventData } from '../../src/domain/outbox/visit-events.js';
import { visitEvent } from '../helpers/visit-event.js';

/** nodemailer's own composition, through its streams: what composeMail must equal byte for byte. */
const streamed = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

const visit = (overrides: Partial<VisitEventData> = {}): VisitEventData =>
  visitEvent({
    previousWindow: { start: '2026-12-01T14:00:00+01:00', end: '2026-12-01T16:00:00+01:00' },
    ...overrides,
  });

/** The e-mail the deliverer sends (customerMail), for any kind, with a fixed MIME boundary. */
function mailOf(kind: EmailKind, v: VisitEventData, companyName: string, manage: boolean): Mail.Options {
  const survey = kind === 'survey' || kind === 'survey_followup';
  return {
    ...customerMail({
      kind,
      visit: v,
      company: { name: companyName, phone: '04 72 00 00 00', timezone: 'Europe/Paris' },
      from: `${companyName} <noreply@rdv.example.fr>`,
      recipient: v.customer.email ?? 'x@example.org',
      messageId: `<${v.id}@rdv.example.fr>`,
      publicUrl: 'https://rdv.example.fr',
      manageUrl: manage ? `https://rdv.example.fr/manage#${v.id}.tok_EN-123` : undefined,
      ratingUrls: survey
        ? [1, 2, 3, 4, 5].map((n) => `https://rdv.example.fr/satisfaction?t=tok&note=${n}`)
        : undefined,
      unsubscribeUrl: survey ? 'https://rdv.example.fr/unsubscribe?t=abc.DEF-123_x' : undefined,
      now: new Date('2026-12-01T17:03:04.005Z'),
    }),
    baseBoundary: 'fixed-for-the-test',
  };
}

async function bothWays(mail: Mail.Options) {
  const library = await streamed.sendMail({ ...mail });
  const ours = composeMail({ ...mail });
  return { library, ours };
}

const KINDS: EmailKind[] = [
  'confirmation',
  'change',
  'cancellation',
  'reminder',
  'survey',
  'survey_followup',
];

describe('composeMail', () => {
  it('writes every kind of our e-mails byte for byte as nodemailer does, in both languages', async () => {
    for (const kind of KINDS)
      for (const locale of ['fr', 'en'] as const)
        for (const manage of [true, false]) {
          const { library, ours } = await bothWays(
            mailOf(kind, visit({ locale }), 'Duret Électricité', manage),
          );
          expect(ours.message.toString('utf8')).toBe((library.message as Buffer).toString('utf8'));
          expect(ours.envelope).toEqual(library.envelope);
        }
  });

  it('stays equal for any names, addresses and services (non-ASCII, long, quotes, emoji)', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 90 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 200 }),
      fc.constantFrom('Zoë "Zaza" O’Brien', 'Société d’Électricité 😀 — Lyon', '=?utf-8?q?x?=', 'a\tb  c '),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...KINDS),
        fc.constantFrom('fr' as const, 'en' as const),
        text,
        text,
        text,
        text,
        async (kind, locale, name, service, line, company) => {
          const v = visit({
            locale,
            customer: { name, phone: '', email: 'client@example.org' },
            service: { id: 's', name: service, priceLabel: null },
            address: { line, postcode: '69003', city: 'Lyon' },
          });
          const { library, ours } = await bothWays(mailOf(kind, v, company, true));
          expect(ours.message.toString('utf8')).toBe((library.message as Buffer).toString('utf8'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays equal for any text, HTML and calendar contents (7bit, quoted-printable and base64 parts)', async () => {
    const content = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 300 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
      fc
        .array(fc.constantFrom('a', 'é', '日本', ' ', '\n', '\r\n', '=', '.', '\t', 'x'.repeat(80)), {
          minLength: 1,
          maxLength: 60,
        })
        .map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(content, content, fc.option(content, { nil: undefined }), async (text, html, ics) => {
        const mail = mailOf('confirmation', visit(), 'Duret', true);
        mail.text = text;
        mail.html = html;
        if (ics === undefined) delete mail.icalEvent;
        else mail.icalEvent = { method: 'REQUEST', content: ics, filename: 'rendez-vous.ics' };
        expect(isOurShape(mail)).toBe(true);
        const { library, ours } = await bothWays(mail);
        expect(ours.message.toString('utf8')).toBe((library.message as Buffer).toString('utf8'));
      }),
      { numRuns: 300 },
    );
  });

  it('encodes quoted-printable as nodemailer’s stream does near the end and across its 64 KB slices', async () => {
    const slice = 64 * 1024;
    const contents = [
      // Found by the property above: trailing tabs after a long line (wrap(encode(all)) breaks it elsewhere).
      `éa日本${'x'.repeat(80)}éé${'x'.repeat(80)}a\t\t`,
      `${'é'.repeat(30)}${' '.repeat(90)}`,
      // A space or tab ending a 64 KB slice, before a letter and before a line break.
      `${'a'.repeat(slice - 1)} b${'é'.repeat(10)}`,
      `${'ab é '.repeat(slice / 5)}\t\nfin é`,
      `${'é'.repeat(slice)}\t${'x'.repeat(100)}  `,
    ];
    for (const text of contents) {
      const mail = mailOf('reminder', visit(), 'Duret', true);
      mail.text = text;
      expect(isOurShape(mail)).toBe(true);
      const { library, ours } = await bothWays(mail);
      expect(ours.message.toString('utf8')).toBe((library.message as Buffer).toString('utf8'));
    }
  });

  it('composes any other e-mail through nodemailer’s tree, the same bytes', async () => {
    const mail = mailOf('confirmation', visit(), 'Duret Électricité', true);
    mail.cc = 'Zoé <zoe@example.org>';
    mail.attachments = [{ filename: 'devis.txt', content: 'Devis n° 12' }];
    expect(isOurShape(mail)).toBe(false);
    const { library, ours } = await bothWays(mail);
    expect(ours.message.toString('utf8')).toBe((library.message as Buffer).toString('utf8'));
    expect(ours.envelope).toEqual(library.envelope);
  });

  it('refuses a List-* header it would not write as nodemailer does', () => {
    const mail = mailOf('survey', visit(), 'Duret', true);
    mail.list = { unsubscribe: { url: 'https://x.example/u', comment: 'Se désabonner' } };
    expect(() => composeMail(mail)).toThrow(/List-\*/);
    mail.list = { unsubscribe: 'not a url' };
    expect(() => composeMail(mail)).toThrow(/List-\*/);
  });
});
