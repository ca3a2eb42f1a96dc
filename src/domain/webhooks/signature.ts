import { createHmac, randomBytes } from 'node:crypto';

/** A Standard Webhooks secret: 'whsec_' + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return 'whsec_' + randomBytes(32).toString('base64');
}

/**
 * Standard Webhooks signature headers for one delivery: the id is the message's (stable across
 * retries, receivers dedupe on it), the timestamp is now (receivers reject old ones), and the
 * signature is base64 HMAC-SHA256 over `${id}.${timestamp}.${body}` keyed with the secret's bytes.
 */
export function signatureHeaders(
  secret: string,
  messageId: string,
  body: string,
  now: Date,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000).toString();
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}
