import { DateTime } from 'luxon';

export type Locale = 'fr' | 'en';

function frenchHour(t: DateTime): string {
  return t.minute === 0 ? `${t.hour} h` : `${t.hour} h ${String(t.minute).padStart(2, '0')}`;
}

function englishHour(t: DateTime): string {
  return t.toFormat('HH:mm');
}

/**
 * Words already made for a window: the same few windows of the day come back in every booking's
 * mails (subject, facts, invitation, alarm), and luxon's zone and locale formatting is costly.
 */
const made = new Map<string, string>();
const MADE_AT_MOST = 5_000;

function remembered(key: string, make: () => string): string {
  let words = made.get(key);
  if (words === undefined) {
    if (made.size >= MADE_AT_MOST) made.clear();
    words = make();
    made.set(key, words);
  }
  return words;
}

/** The day in words: "mercredi 2 décembre" / "Wednesday 2 December". */
export function dayInWords(startIso: string, locale: Locale, zone: string): string {
  return remembered(`d|${locale}|${zone}|${startIso}`, () =>
    DateTime.fromISO(startIso, { zone })
      .setLocale(locale === 'fr' ? 'fr' : 'en-GB')
      .toFormat('cccc d LLLL'),
  );
}

/** The promised arrival window in words: "mercredi 2 décembre, entre 10 h et 12 h". */
export function windowInWords(window: { start: string; end: string }, locale: Locale, zone: string): string {
  return remembered(`w|${locale}|${zone}|${window.start}|${window.end}`, () => {
    const start = DateTime.fromISO(window.start, { zone });
    const end = DateTime.fromISO(window.end, { zone });
    const day = dayInWords(window.start, locale, zone);
    return locale === 'fr'
      ? `${day}, entre ${frenchHour(start)} et ${frenchHour(end)}`
      : `${day}, between ${englishHour(start)} and ${englishHour(end)}`;
  });
}
