import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: a reference is read out on the phone. */
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** What a customer quotes to the desk: "DE-" for a visit, "DM-" for a request (demande), and six characters. */
export function newReference(kind: 'visit' | 'request'): string {
  let ref = kind === 'visit' ? 'DE-' : 'DM-';
  for (let i = 0; i < 6; i++) ref += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return ref;
}
