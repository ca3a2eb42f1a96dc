import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  formatDay,
  formatInstant,
  formatTimes,
  formatWindow,
  messages,
  parseLang,
  typeset,
} from '../../src/widget/i18n.js';
import { judgePhone } from '../../src/domain/phone.js';
import { leadingZeroBits, solveChallenge } from '../../src/widget/pow.js';
import { isEmail, isFrenchPhone, isPostcode } from '../../src/widget/validate.js';

describe('widget dates', () => {
  it('formats windows in French in the company zone, whatever the zone of the reader', () => {
    expect(formatWindow('2026-03-31T08:00:00+02:00', '2026-03-31T10:00:00+02:00', 'fr', 'Europe/Paris')).toBe(
      'mardi 31 mars, 08:00–10:00',
    );
    expect(formatWindow('2026-03-03T08:00:00+01:00', '2026-03-03T10:00:00+01:00', 'fr', 'Europe/Paris')).toBe(
      'mardi 3 mars, 08:00–10:00',
    );
    // Across the March clock change the wall-clock window stays 08:00–10:00.
    expect(formatTimes('2026-03-27T07:00:00Z', '2026-03-27T09:00:00Z', 'fr', 'Europe/Paris')).toBe(
      '08:00–10:00',
    );
    expect(formatTimes('2026-03-30T06:00:00Z', '2026-03-30T08:00:00Z', 'fr', 'Europe/Paris')).toBe(
      '08:00–10:00',
    );
    expect(formatWindow('2026-03-31T13:30:00+02:00', '2026-03-31T15:30:00+02:00', 'en', 'Europe/Paris')).toBe(
      'Tuesday 31 March, 13:30–15:30',
    );
  });

  it('names calendar days without shifting them by a zone', () => {
    expect(formatDay('2026-03-29', 'fr')).toBe('dimanche 29 mars');
    expect(formatDay('2026-10-25', 'en')).toBe('Sunday 25 October');
  });

  it('writes the first of the month as French does: "1er décembre", not "1 décembre"', () => {
    expect(formatDay('2026-12-01', 'fr')).toBe('mardi 1er décembre');
    expect(formatDay('2026-12-11', 'fr')).toBe('vendredi 11 décembre');
    expect(formatDay('2026-12-21', 'fr')).toBe('lundi 21 décembre');
    expect(formatWindow('2026-12-01T08:00:00+01:00', '2026-12-01T10:00:00+01:00', 'fr', 'Europe/Paris')).toBe(
      'mardi 1er décembre, 08:00–10:00',
    );
    expect(formatInstant('2026-12-01T07:00:00Z', 'fr', 'Europe/Paris')).toBe('mardi 1er décembre à 08:00');
    expect(formatDay('2026-12-01', 'en')).toBe('Tuesday 1 December');
  });

  it('puts a no-break space before : and a narrow one before ? ! ; in every French sentence', () => {
    const fr = messages('fr') as unknown as Record<string, unknown>;
    const texts = Object.values(fr).flatMap((v) =>
      typeof v === 'string' ? [v] : typeof v === 'function' ? [String(v('X', 2))] : [],
    );
    expect(texts.length).toBeGreaterThan(60);
    for (const text of texts) expect(text, text).not.toMatch(/ [?!;:]/);
    expect(texts.filter((x) => /\u00a0:|\u202f[?;]/.test(x)).length).toBeGreaterThan(8);
    expect(typeset('Disponible ? Oui : non ; voilà !', 'fr')).toBe(
      'Disponible\u202f? Oui\u00a0: non\u202f; voilà\u202f!',
    );
    expect(typeset('Free? Yes: no', 'en')).toBe('Free? Yes: no');
  });

  it('is French unless told English', () => {
    expect(parseLang(null)).toBe('fr');
    expect(parseLang('EN-gb')).toBe('en');
    expect(parseLang('de')).toBe('fr');
    expect(messages('fr').noWindow('mardi 1er décembre')).toBe(
      'Aucun créneau disponible d’ici au mardi 1er décembre.',
    );
    expect(Object.keys(messages('en')).sort()).toEqual(Object.keys(messages('fr')).sort());
  });
});

describe('widget input checks', () => {
  it('accepts French phone numbers leniently', () => {
    for (const ok of [
      '06 12 34 56 78',
      '0612345678',
      '+33 6 12 34 56 78',
      '+33612345678',
      '0033 4 78 00 12 34',
      '04.78.00.12.34',
      '04-78-00-12-34',
    ])
      expect(isFrenchPhone(ok), ok).toBe(true);
    for (const bad of ['12 34', '06 12 34 56', '00 12 34 56 78', '+44 20 7946 0958', 'zéro six'])
      expect(isFrenchPhone(bad), bad).toBe(false);
  });

  it('checks postcodes and e-mail addresses', () => {
    expect(isPostcode('69003')).toBe(true);
    expect(isPostcode('6900')).toBe(false);
    expect(isPostcode('69OO3')).toBe(false);
    expect(isEmail('marie.dubois@example.fr')).toBe(true);
    expect(isEmail('marie@')).toBe(false);
    expect(isEmail('marie dubois@example.fr')).toBe(false);
  });
});

describe('widget proof of work', () => {
  it('counts leading zero bits', () => {
    expect(leadingZeroBits(new Uint8Array([0, 0, 0x80]))).toBe(16);
    expect(leadingZeroBits(new Uint8Array([0, 0x0f]))).toBe(12);
    expect(leadingZeroBits(new Uint8Array([0xff]))).toBe(0);
    expect(leadingZeroBits(new Uint8Array([0, 0]))).toBe(16);
  });

  it('finds a nonce the server accepts: SHA-256(challenge ":" nonce) with enough zero bits', async () => {
    const challenge = 'v1.12.1774422600000.abc.def';
    const nonce = await solveChallenge(challenge, 12);
    expect(nonce).toMatch(/^\d+$/);
    const digest = createHash('sha256').update(`${challenge}:${nonce}`).digest();
    expect(leadingZeroBits(digest)).toBeGreaterThanOrEqual(12);
  });
});

describe('customer phone numbers', () => {
  it('takes French numbers, and foreign ones only from the countries the company calls back', () => {
    const codes = ['33', '32', '41'];
    expect(judgePhone('06 12 34 56 78', codes)).toBe('french');
    expect(judgePhone('+33 6 12 34 56 78', [])).toBe('french');
    expect(judgePhone('+32 470 12 34 56', codes)).toBe('foreign');
    expect(judgePhone('0041 22 345 67 89', codes)).toBe('foreign');
    expect(judgePhone('+32 470 12 34 56', ['33'])).toBe('country-refused');
    expect(judgePhone('+49 30 1234567', codes)).toBe('country-refused');
    // A +33 number of the wrong length is a wrong French number, not a foreign one.
    expect(judgePhone('+33 6 12 34', codes)).toBe('invalid');
    expect(judgePhone('+32 12', codes)).toBe('invalid');
    expect(judgePhone('12 34', codes)).toBe('invalid');
  });
});
