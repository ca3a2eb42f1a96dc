/**
 * French wording for the desk. Times come from the service as local ISO
 * strings (2026-03-26T08:00:00+01:00, the company's zone): the page prints
 * their wall-clock digits, so the browser's own zone never shifts them.
 */
import type { RequestKind, RequestStatus } from './api.js';

const WEEKDAYS = ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'];
const MONTHS = [
  'janv.',
  'févr.',
  'mars',
  'avr.',
  'mai',
  'juin',
  'juil.',
  'août',
  'sept.',
  'oct.',
  'nov.',
  'déc.',
];
const LONG_WEEKDAYS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];

/** "2026-03-26" → "jeu. 26 mars" (or the long form: "jeudi 26 mars"). */
export function day(date: string, long = false): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number);
  const weekday = new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay();
  return `${(long ? LONG_WEEKDAYS : WEEKDAYS)[weekday]} ${d} ${MONTHS[m! - 1]}`;
}

export function clock(iso: string): string {
  return iso.slice(11, 16).replace(/^0/, '');
}

/** "jeu. 26 mars, 8:00–10:00" */
export function windowText(start: string, end: string, long = false): string {
  return `${day(start, long)}, ${clock(start)}–${clock(end)}`;
}

export function ageText(minutes: number): string {
  if (minutes < 1) return 'à l’instant';
  if (minutes < 60) return `il y a ${Math.round(minutes)} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    return `il y a ${h} h ${String(Math.round(minutes % 60)).padStart(2, '0')}`;
  }
  const days = Math.floor(minutes / (24 * 60));
  return `il y a ${days} j`;
}

export const KIND_LABELS: Record<RequestKind, string> = {
  callback: 'Rappel',
  out_of_area: 'Hors zone',
  no_window: 'Pas de créneau',
  quote: 'Devis',
  field: 'Terrain',
  other: 'Autre',
};

export const STATUS_LABELS: Record<RequestStatus, string> = {
  new: 'Nouvelle',
  in_progress: 'En cours',
  done: 'Traitée',
  cancelled: 'Annulée',
};

export const VISIT_STATUS: Record<'booked' | 'cancelled' | 'done', string> = {
  booked: 'Prévue',
  cancelled: 'Annulée',
  done: 'Réalisée',
};

export const MATCHED_ON: Record<string, string> = {
  phone: 'téléphone',
  name: 'nom',
  email: 'e-mail',
  street: 'adresse',
  reference: 'référence',
};

/** What the search text most likely is, to put it in the right field of a new customer. */
export function guessField(text: string): 'phone' | 'email' | 'name' {
  const t = text.trim();
  if (t.includes('@')) return 'email';
  if (/^[+\d][\d\s.()-]{5,}$/.test(t)) return 'phone';
  return 'name';
}

/** "+33612345678" → "06 12 34 56 78"; other countries keep their E.164 form. */
export function phoneText(e164: string): string {
  const m = /^\+33(\d{9})$/.exec(e164);
  if (!m) return e164;
  return `0${m[1]}`.replace(/(\d{2})(?=\d)/g, '$1 ');
}

/** "agent:Claire" → "Claire": who took a request, as colleagues call each other. */
export function actorName(actor: string): string {
  return actor.replace(/^[a-z]+:/, '');
}
