/** zod building blocks shared by the admin routes, and how instants are written in responses. */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { safeDate, safeInstant, safeText } from '../schemas/text.js';

export const security = [{ bearer: [] }];

export const skillCode = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a skill code: lower-case letters, digits and dashes');
export const postcode = z.string().regex(/^[0-9]{5}$/, 'must be a French postal code of 5 digits');
export const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour #RRGGBB');
export const wallClock = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$/, 'must be a time HH:MM');
export const windowClock = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time HH:MM');
export const localDate = safeDate();
export const instant = safeInstant();
/** A range bound: a local date (whole day) or an instant with offset. */
export const dateOrInstant = z.union([safeDate(), safeInstant()]);
export const latitude = z.number().min(-90).max(90);
export const longitude = z.number().min(-180).max(180);
export const label = (max = 200) => safeText(max);

export const idParams = z.object({ id: z.uuid() });

/** ISO 8601 with the company's offset, e.g. 2026-03-30T08:00:00+02:00. */
export function isoInZone(date: Date, timezone: string): string {
  return DateTime.fromJSDate(date, { zone: timezone }).toISO({ suppressMilliseconds: true })!;
}
