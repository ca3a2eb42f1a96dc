import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { serviceSecret } from '../../db/service-secrets.js';
import type { Db } from '../../db/database.js';

/** The key signing survey and unsubscribe links; shared by every instance through the database. */
export function messageLinkSecret(db: Db): Promise<string> {
  return serviceSecret(db, 'message-links', () => randomBytes(32).toString('base64url'));
}

function mac(secret: string, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${value}`).digest('base64url').slice(0, 32);
}

function check(secret: string, purpose: string, value: string, signature: string): boolean {
  const expected = Buffer.from(mac(secret, purpose, value));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The survey token of a visit: its id and a signature (single use is kept by the answers table). */
export function surveyToken(secret: string, visitId: string): string {
  return `${visitId}.${mac(secret, 'survey', visitId)}`;
}

export function visitOfSurveyToken(secret: string, token: string): string | null {
  const match = /^([0-9a-f-]{36})\.([\w-]{32})$/.exec(token);
  if (!match || !check(secret, 'survey', match[1]!, match[2]!)) return null;
  return match[1]!;
}

/** One-click unsubscribe token for an address (RFC 8058 List-Unsubscribe-Post). */
export function optOutToken(secret: string, email: string): string {
  const value = Buffer.from(email.toLowerCase()).toString('base64url');
  return `${value}.${mac(secret, 'optout', value)}`;
}

export function emailOfOptOutToken(secret: string, token: string): string | null {
  const match = /^([\w-]{1,400})\.([\w-]{32})$/.exec(token);
  if (!match || !check(secret, 'optout', match[1]!, match[2]!)) return null;
  return Buffer.from(match[1]!, 'base64url').toString('utf8');
}
