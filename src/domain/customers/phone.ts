import { FRANCE, judgePhone } from '../phone.js';

const compact = (raw: string) => raw.trim().replace(/[\s.\-()]/g, '');

/**
 * A phone number as people type it, in E.164: "06 12 34 56 78", "0612345678", "+33 6 12 34 56 78"
 * and "0033612345678" are all "+33612345678"; "+32 470 12 34 56" is "+32470123456". Null when it is
 * not a number we could dial, or (with `countryCodes`) one from a country the company does not call.
 * The SQL function phone_e164 (migration 0011) follows the same rules for old visits.
 */
export function normalisePhone(raw: string, countryCodes?: readonly string[]): string | null {
  const verdict = judgePhone(raw, countryCodes ?? []);
  if (verdict === 'invalid') return null;
  if (verdict === 'country-refused' && countryCodes !== undefined) return null;
  const digits = compact(raw);
  if (verdict === 'french') return `+${FRANCE}${digits.slice(-9)}`;
  return `+${digits.replace(/^(\+|00)/, '')}`;
}

/**
 * The digits of a search string that looks like (part of) a phone number ("56 78" → "5678"), for
 * matching the end of stored numbers. Null when the string is not made of phone characters or
 * has fewer than 4 digits.
 */
export function phoneDigits(query: string): string | null {
  if (!/^[\d\s.\-()+]+$/.test(query)) return null;
  const digits = query.replace(/\D/g, '');
  return digits.length >= 4 ? digits : null;
}
