/**
 * Customers' phone numbers: French ones written any usual way (06 12 34 56 78, +33 6…, 0033 6…),
 * foreign ones in international form (+32 …, +41 …) when the company calls those countries.
 * Pure: the widget imports it too, so the form and the service judge a number alike.
 */

/** France's dialling code: always accepted. */
export const FRANCE = '33';

/**
 * - `french`: a valid French number;
 * - `foreign`: an international number from a country the company accepts;
 * - `country-refused`: a well-formed international number from another country;
 * - `invalid`: not a phone number we could dial.
 */
export type PhoneVerdict = 'french' | 'foreign' | 'country-refused' | 'invalid';

export function judgePhone(value: string, countryCodes: readonly string[]): PhoneVerdict {
  const compact = value.trim().replace(/[\s.\-()]/g, '');
  if (/^(?:\+33|0033|0)[1-9]\d{8}$/.test(compact)) return 'french';
  // International form: + (or 00), then at most 15 digits (E.164), the country code first.
  const digits = /^(?:\+|00)([1-9]\d{7,14})$/.exec(compact)?.[1];
  if (!digits || digits.startsWith(FRANCE)) return 'invalid';
  // Country codes are prefix-free, so "starts with" names the country.
  return countryCodes.some((code) => code !== FRANCE && digits.startsWith(code))
    ? 'foreign'
    : 'country-refused';
}

export const acceptsPhone = (value: string, countryCodes: readonly string[]): boolean => {
  const verdict = judgePhone(value, countryCodes);
  return verdict === 'french' || verdict === 'foreign';
};
