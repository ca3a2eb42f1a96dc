import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import { serviceSecret } from '../db/service-secrets.js';
import { newSecret, secretsEqual } from './secrets.js';

/**
 * Proof of work against scripted bookings, with no third party: the server
 * hands out an HMAC-signed, expiring challenge; the browser finds a nonce such
 * that SHA-256(challenge ":" nonce) starts with `difficulty` zero bits (a
 * fraction of a second for one customer, costly for a bot sending thousands).
 * Each challenge is good for one booking (spent in the booking transaction).
 */
export const CHALLENGE_TTL_MS = 10 * 60 * 1000;

function newChallengeSecret(): string {
  return newSecret('pow', 32);
}

const secrets = new WeakMap<Db, Promise<string>>();

/** The HMAC key every instance shares; it never changes once made, so one read per process and database. */
export function challengeSecret(db: Db): Promise<string> {
  let secret = secrets.get(db);
  if (!secret) {
    secret = serviceSecret(db, 'pow', newChallengeSecret);
    secrets.set(db, secret);
    secret.catch(() => secrets.delete(db));
  }
  return secret;
}

export function issueChallenge(
  secret: string,
  difficulty: number,
  now: Date,
): { challenge: string; difficulty: number; expiresAt: string } {
  const expires = now.getTime() + CHALLENGE_TTL_MS;
  const payload = `v1.${difficulty}.${expires}.${randomBytes(12).toString('base64url')}`;
  const signature = createHmac('sha256', secret).update(payload).digest('base64url');
  return { challenge: `${payload}.${signature}`, difficulty, expiresAt: new Date(expires).toISOString() };
}

export type ChallengeVerdict =
  | {
      ok: true;
      expiresAt: Date;
      /** The challenge's own (signed) difficulty, ≥ the minimum asked. */ difficulty: number;
    }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'too-weak' | 'wrong-nonce' };

function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function verifyChallenge(
  secret: string,
  challenge: string,
  nonce: string,
  minDifficulty: number,
  now: Date,
): ChallengeVerdict {
  const parts = challenge.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1' || !/^\d{1,12}$/.test(nonce))
    return { ok: false, reason: 'malformed' };
  const [version, difficultyText, expiresText, random, signature] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  const expected = createHmac('sha256', secret)
    .update(`${version}.${difficultyText}.${expiresText}.${random}`)
    .digest('base64url');
  if (!secretsEqual(expected, signature)) return { ok: false, reason: 'forged' };
  const expires = Number(expiresText);
  if (!(expires > now.getTime())) return { ok: false, reason: 'expired' };
  const difficulty = Number(difficultyText);
  if (!(difficulty >= minDifficulty)) return { ok: false, reason: 'too-weak' };
  const digest = createHash('sha256').update(`${challenge}:${nonce}`).digest();
  if (leadingZeroBits(digest) < difficulty) return { ok: false, reason: 'wrong-nonce' };
  return { ok: true, expiresAt: new Date(expires), difficulty };
}

/** What a browser does: try nonces until the digest has enough zero bits (used by tests and benchmarks). */
export function solveChallenge(challenge: string, difficulty: number): string {
  for (let nonce = 0; ; nonce++) {
    const digest = createHash('sha256').update(`${challenge}:${nonce}`).digest();
    if (leadingZeroBits(digest) >= difficulty) return String(nonce);
  }
}
