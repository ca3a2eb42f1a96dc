/** Client-side checks that save a round trip; the service checks everything again. */
import { judgePhone } from '../domain/phone.js';

export { judgePhone };

export function isPostcode(value: string): boolean {
  return /^\d{5}$/.test(value.trim());
}

/** Lenient French phone: digits with spaces, dots or dashes, national (0…) or international (+33 / 0033). */
export function isFrenchPhone(value: string): boolean {
  return judgePhone(value, []) === 'french';
}

export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(value.trim());
}
