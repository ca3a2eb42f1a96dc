/** Client-side checks that save a round trip; the service checks everything again. */

export function isPostcode(value: string): boolean {
  return /^\d{5}$/.test(value.trim());
}

/** Lenient French phone: digits with spaces, dots or dashes, national (0…) or international (+33 / 0033). */
export function isFrenchPhone(value: string): boolean {
  const compact = value.replace(/[\s.\-()]/g, '');
  return /^(?:\+33|0033|0)[1-9]\d{8}$/.test(compact);
}

export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(value.trim());
}
