import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Webhook targets must be public https endpoints: a URL pointing into the private network would let
 * whoever holds an admin token make the service call internal systems (SSRF). Tests and on-premise
 * set-ups lift the rule with TOURNEE_WEBHOOK_ALLOW_PRIVATE=true.
 */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]!);
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (isIP(address) === 6) {
    const lower = address.toLowerCase();
    return (
      lower === '::' ||
      lower === '::1' ||
      lower.startsWith('fc') ||
      lower.startsWith('fd') ||
      lower.startsWith('fe8') ||
      lower.startsWith('fe9') ||
      lower.startsWith('fea') ||
      lower.startsWith('feb') ||
      lower.startsWith('ff')
    );
  }
  return false;
}

export type UrlVerdict = { ok: true } | { ok: false; reason: string };

/** The rule on the URL itself (scheme, literal host): checked when the subscription is made. */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not carry credentials' };
  if (allowPrivate) {
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? { ok: true }
      : { ok: false, reason: 'must be http(s)' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'must be https://' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host)) {
    return { ok: false, reason: 'must not point into a private network' };
  }
  return { ok: true };
}

/** At delivery: the name must still resolve to public addresses only (it may have changed since). */
export async function resolvesPublicly(raw: string): Promise<UrlVerdict> {
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return isPrivateAddress(host) ? { ok: false, reason: 'private address' } : { ok: true };
  try {
    const addresses = await lookup(host, { all: true });
    if (addresses.length === 0) return { ok: false, reason: 'no address' };
    return addresses.some((a) => isPrivateAddress(a.address))
      ? { ok: false, reason: 'resolves to a private address' }
      : { ok: true };
  } catch {
    return { ok: false, reason: 'name does not resolve' };
  }
}
