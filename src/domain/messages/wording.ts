import { DateTime } from 'luxon';

export type Locale = 'fr' | 'en';

function frenchHour(t: DateTime): string {
  return t.minute === 0 ? `${t.hour} h` : `${t.hour} h ${String(t.minute).padStart(2, '0')}`;
}

function englishHour(t: DateTime): string {
  return t.toFormat('HH:mm');
}

/** The day in words: "mercredi 2 décembre" / "Wednesday 2 December". */
export function dayInWords(startIso: string, locale: Locale, zone: string): string {
  const start = DateTime.fromISO(startIso, { zone });
  return locale === 'fr'
    ? start.setLocale('fr').toFormat('cccc d LLLL')
    : start.setLocale('en-GB').toFormat('cccc d LLLL');
}

/** The promised arrival window in words: "mercredi 2 décembre, entre 10 h et 12 h". */
export function windowInWords(window: { start: string; end: string }, locale: Locale, zone: string): string {
  const start = DateTime.fromISO(window.start, { zone });
  const end = DateTime.fromISO(window.end, { zone });
  const day = dayInWords(window.start, locale, zone);
  return locale === 'fr'
    ? `${day}, entre ${frenchHour(start)} et ${frenchHour(end)}`
    : `${day}, between ${englishHour(start)} and ${englishHour(end)}`;
}
