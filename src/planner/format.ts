/** French formatting of times and durations, in the company's time zone (not the browser's). */

export function clock(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: timezone }).format(
    new Date(iso),
  );
}

export function duration(minutes: number): string {
  const sign = minutes < 0 ? '−' : '';
  const m = Math.abs(Math.round(minutes));
  if (m < 60) return `${sign}${m} min`;
  return `${sign}${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')}`;
}

export function kilometres(km: number): string {
  return `${km.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`;
}

export function longDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const text = new Intl.DateTimeFormat('fr-FR', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y!, m! - 1, d!)));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "jeu. 26 mars": a day in a line that already says the rest. */
export function shortDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat('fr-FR', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y!, m! - 1, d!)));
}

/** Tomorrow in the browser's calendar: Gaëtan fixes tomorrow's routes in the afternoon. */
export function tomorrow(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function luminance(hex: string): number | null {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const channel = (i: number) => {
    const c = parseInt(m[1]!.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
}

/**
 * Text colour for a label on a technician's colour: black or white, whichever
 * contrasts more (WCAG ratio). White on the demo's yellow, orange or cyan
 * technicians was unreadable.
 */
export function inkOn(background: string): '#000' | '#fff' {
  const l = luminance(background);
  if (l === null) return '#fff';
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000' : '#fff';
}

/** "HH:MM" in the company's zone → the instant on `date` (YYYY-MM-DD), as ISO with offset. */
export function instantAt(date: string, hhmm: string, timezone: string): string | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  const [y, mo, d] = date.split('-').map(Number);
  const wall = Date.UTC(y!, mo! - 1, d!, Number(m[1]), Number(m[2]));
  // The zone's offset at that wall time, found by formatting the naive instant back in the zone.
  const offsetAt = (ms: number) => {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(new Date(ms));
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - ms;
  };
  const guess = wall - offsetAt(wall);
  const ms = wall - offsetAt(guess);
  return new Date(ms).toISOString();
}

/** The visit's progress in the planner's words. */
export const PROGRESS_LABELS = {
  planned: 'Prévue',
  en_route: 'En route',
  on_site: 'Sur place',
  done: 'Terminée',
  no_show: 'Client absent',
} as const;
