/**
 * zod building blocks every route's schema uses for what a client types: text
 * without control characters, and dates in a range the database and the
 * calendar arithmetic handle. A rejected value answers 400 naming the field.
 */
import { z } from 'zod';
import { FORBIDDEN_IN_LINE, FORBIDDEN_IN_TEXT } from '../../domain/text-rules.js';

export const CONTROL_CHARACTER_MESSAGE = 'must not contain control or bidirectional-override characters';

export interface SafeTextOptions {
  /** Smallest length after trimming; 1 unless the field may be empty. */
  min?: number;
  /** Free text keeps tabs and newlines (notes, descriptions); every other field is one line. */
  multiline?: boolean;
  /** Trim surrounding white space (default). Secrets and tokens are compared as sent. */
  trim?: boolean;
}

/**
 * A string a person or a client typed. The character check runs before
 * trimming so a trailing U+2028 is refused rather than silently dropped.
 */
export function safeText(max: number, options: SafeTextOptions = {}) {
  const forbidden = options.multiline ? FORBIDDEN_IN_TEXT : FORBIDDEN_IN_LINE;
  const checked = z.string().refine((s) => !forbidden.test(s), CONTROL_CHARACTER_MESSAGE);
  const trimmed = options.trim === false ? checked : checked.trim();
  return trimmed.min(options.min ?? 1).max(max);
}

/** True when `value` has a character no text field accepts (the edge net for fields a schema leaves open). */
export function hasForbiddenCharacter(value: string): boolean {
  return FORBIDDEN_IN_TEXT.test(value);
}

/** The years the service can reason about: beyond them dates answer 400, not 500 from date arithmetic. */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;
const YEAR_MESSAGE = `must be between ${FIRST_YEAR} and ${LAST_YEAR}`;

function yearInRange(value: string): boolean {
  const year = Number(value.slice(0, 4));
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

/** A local calendar day, YYYY-MM-DD, 2000–2100. */
export const safeDate = () => z.iso.date().refine(yearInRange, YEAR_MESSAGE);

/** An instant with its offset, ISO 8601, 2000–2100. */
export const safeInstant = () => z.iso.datetime({ offset: true }).refine(yearInRange, YEAR_MESSAGE);

/**
 * A latitude (limit 90) or longitude (limit 180), as a JSON number or a query
 * string. An empty value is refused (it used to become 0, a point off Africa).
 */
export const coordinate = (limit: 90 | 180) =>
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^-?\d{1,3}(?:\.\d{1,12})?$/, 'must be a number, e.g. 45.76'),
    ])
    .pipe(z.coerce.number<string | number>().min(-limit).max(limit));
