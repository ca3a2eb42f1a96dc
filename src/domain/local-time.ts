import { IANAZone } from 'luxon';

/**
 * Local wall-clock ↔ instant conversions on the hot path of slot offering.
 * Luxon answers them correctly but asks Intl for the zone offset on every
 * call; offsets only change at quarter-hour boundaries in every real zone, so
 * one look-up per zone and quarter hour is enough, and the rest is arithmetic.
 */
const QUARTER_HOUR_MS = 15 * 60_000;
const offsetCache = new Map<string, number>();
const zones = new Map<string, IANAZone>();

function zone(timezone: string): IANAZone {
  let z = zones.get(timezone);
  if (!z) {
    z = IANAZone.create(timezone);
    if (!z.isValid) throw new Error(`unknown time zone ${timezone}`);
    zones.set(timezone, z);
  }
  return z;
}

/** UTC offset of the zone at an instant, in minutes (Paris: 60 in winter, 120 in summer). */
export function offsetMinutes(timezone: string, ms: number): number {
  const key = `${timezone}|${Math.floor(ms / QUARTER_HOUR_MS)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = zone(timezone).offset(ms);
    if (offsetCache.size > 200_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 'YYYY-MM-DD' of the local day of an instant given in Unix seconds. */
export function localDateOf(seconds: number, timezone: string): string {
  const local = new Date(seconds * 1000 + offsetMinutes(timezone, seconds * 1000) * 60_000);
  return `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
}

/** ISO 8601 with the local offset: 2026-03-30T08:00:00+02:00. */
export function localIso(seconds: number, timezone: string): string {
  const ms = Math.round(seconds) * 1000;
  const offset = offsetMinutes(timezone, ms);
  const local = new Date(ms + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/**
 * The instant (Unix seconds) at which the local clock of `timezone` reads
 * `hhmm` on `date`. A time skipped by a spring clock change resolves to the
 * same instant as luxon gives (the clock moved forward); a repeated autumn
 * time resolves to its first occurrence.
 */
export function instantAt(date: string, hhmm: string, timezone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const [hour, minute] = hhmm.split(':').map(Number);
  const wall = Date.UTC(y!, m! - 1, d!, hour!, minute!);
  // Luxon's resolution (DateTime.set on the day's start), so both agree on the odd hours: guess
  // with the offset the day starts with, correct once, and in a gap keep the earlier offset's instant.
  const o1 = offsetMinutes(timezone, Date.UTC(y!, m! - 1, d!) - 12 * 3_600_000);
  let instant = wall - o1 * 60_000;
  const o2 = offsetMinutes(timezone, instant);
  if (o2 !== o1) {
    instant -= (o2 - o1) * 60_000;
    const o3 = offsetMinutes(timezone, instant);
    if (o3 !== o2) instant = wall - Math.min(o2, o3) * 60_000;
  }
  return instant / 1000;
}

/** The local date `days` after `date` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y!, m! - 1, d! + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}
