import fc from 'fast-check';
import { foldLines as libraryFold } from 'ical-generator';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { buildInvitation, foldLines, invitationCalendar } from '../../src/domain/messages/invitation.js';
import { visitEvent } from '../helpers/visit-event.js';

const visit = visitEvent;

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

  it('rings at 18:00 local the evening before, as luxon reckons it, across clock changes and zones', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        // Any quarter hour of 2026–2027, clock-change nights included.
        fc.integer({ min: 0, max: 2 * 365 * 96 }),
        (zone, quarter) => {
          const seconds = Date.UTC(2026, 0, 1) / 1000 + quarter * 900;
          const start = DateTime.fromSeconds(seconds, { zone });
          const window = { start: start.toISO()!, end: start.plus({ hours: 2 }).toISO()! };
          const text = buildInvitation({
            visit: visit({ window }),
            method: 'REQUEST',
            company: { name: 'Duret', phone: '', timezone: zone },
            organizerEmail: 'noreply@rdv.example.org',
            publicUrl: 'https://rdv.example.org',
            locale: 'fr',
            now: new Date('2025-12-01T10:00:00Z'),
          });
          const evening = start.minus({ days: 1 }).set({ hour: 18, minute: 0, second: 0, millisecond: 0 });
          expect(text).toContain(
            `TRIGGER;VALUE=DATE-TIME:${evening.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'")}`,
          );
          expect(text).toContain(`DTSTART:${start.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'")}`);
        },
      ),
      { numRuns: 400 },
    );
  });
});
