import fc from 'fast-check';
import { foldLines as libraryFold } from 'ical-generator';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { buildInvitation, foldLines, invitationCalendar } from '../../src/domain/messages/invitation.js';
import type { VisitEventData } from '../../src/domain/outbox/visit-events.js';

const visit = (overrides: Partial<VisitEventData> = {}): VisitEventData => ({
  id: '0b6f5c3e-1234-4abc-8def-0123456789ab',
  reference: 'DE-ABC123',
  status: 'booked',
  version: 3,
  locale: 'fr',
  service: { id: 's', name: 'Dépannage électrique', priceLabel: '89 € TTC' },
  window: { start: '2026-12-02T10:00:00+01:00', end: '2026-12-02T12:00:00+01:00' },
  planned: { start: '2026-12-02T10:00:00+01:00', end: '2026-12-02T11:00:00+01:00', technicianId: 't' },
  address: { line: '12 rue de la République', postcode: '69003', city: 'Lyon' },
  customer: { name: 'Jeanne Martin', phone: '+33600000000', email: 'jeanne@example.org' },
  channel: 'web',
  ...overrides,
});

describe('invitation text', () => {
  it('folds at 75 octets exactly as ical-generator does, for any text', () => {
    const line = fc.array(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
      ),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(line, (lines) => {
        const text = lines.join('\r\n');
        expect(foldLines(text)).toBe(libraryFold(text));
      }),
      { numRuns: 500 },
    );
    // A lone high surrogate at the end, and one before an ordinary character.
    for (const text of [
      '\ud83d',
      `${'é'.repeat(40)}\ud83dx${'a'.repeat(80)}`,
      '\ud83d\ud83d\ude00'.repeat(30),
    ]) {
      expect(foldLines(text)).toBe(libraryFold(text));
    }
  });

  it('is the text ical-generator would write for the same calendar', () => {
    const long = 'Société Coopérative d’Électricité et de Dépannage 😀 du Grand Lyon, agence Part-Dieu';
    const visits = [
      visit(),
      visit({ locale: 'en', customer: { name: long, phone: '', email: 'x@example.org' } }),
      visit({
        service: { id: 's', name: long, priceLabel: null },
        customer: { name: 'A', phone: '', email: null },
      }),
    ];
    for (const v of visits)
      for (const method of ['REQUEST', 'CANCEL'] as const)
        for (const manageUrl of [undefined, `https://rdv.example.org/manage/${'x'.repeat(90)}`]) {
          const input = {
            visit: v,
            method,
            company: { name: long, phone: '04 78 00 00 00', timezone: 'Europe/Paris' },
            organizerEmail: 'noreply@rdv.example.org',
            publicUrl: 'https://rdv.example.org',
            manageUrl,
            locale: v.locale,
            now: new Date('2026-12-01T10:00:00Z'),
          };
          const text = buildInvitation(input);
          expect(text).toBe(invitationCalendar(input).toString());
          expect(text).toContain(`METHOD:${method}`);
        }
  });
  it('is the text ical-generator would write, for any names, addresses, links and times', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.stringMatching(/^[a-zé ;,"\\\r\n<>@:]{0,40}$/),
    );
    const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) });
    fc.assert(
      fc.property(
        fc.record({
          company: anyText.filter((n) => n.length > 0),
          phone: fc.constantFrom('', '04 78 00 00 00'),
          customer: anyText,
          email: fc.option(fc.emailAddress(), { nil: null }),
          service: anyText,
          line: anyText,
          city: anyText,
          reference: fc.stringMatching(/^D[EM]-[A-Z0-9]{6}$/),
          manageUrl: fc.option(
            anyText.map((t) => `https://rdv.example.org/manage#${t}`),
            { nil: undefined },
          ),
          start: instant,
          hours: fc.integer({ min: 1, max: 4 }),
          version: fc.integer({ min: 1, max: 9 }),
          locale: fc.constantFrom('fr' as const, 'en' as const),
          method: fc.constantFrom('REQUEST' as const, 'CANCEL' as const),
          zone: fc.constantFrom('Europe/Paris', 'America/Montreal', 'UTC'),
          now: instant,
        }),
        (r) => {
          const iso = (ms: number) => DateTime.fromMillis(ms, { zone: r.zone }).toISO()!;
          const input = {
            visit: visit({
              reference: r.reference,
              version: r.version,
              locale: r.locale,
              service: { id: 's', name: r.service, priceLabel: null },
              window: { start: iso(r.start), end: iso(r.start + r.hours * 3_600_000) },
              address: { line: r.line, postcode: '69003', city: r.city },
              customer: { name: r.customer, phone: '', email: r.email },
            }),
            method: r.method,
            company: { name: r.company, phone: r.phone, timezone: r.zone },
            organizerEmail: 'noreply@rdv.example.org',
            publicUrl: 'https://rdv.example.org',
            manageUrl: r.manageUrl,
            locale: r.locale,
            now: new Date(r.now),
          };
          expect(buildInvitation(input)).toBe(invitationCalendar(input).toString());
        },
      ),
      { numRuns: 300 },
    );
  });
});
