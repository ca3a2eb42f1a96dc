/**
 * Secrets travel in some URLs (feed tokens, .ics tokens), and query strings
 * carry what customers typed (desk searches, postal codes, coordinates); logs
 * must carry none of it. Query values are kept only for a whitelist of keys
 * that hold ids, dates and enums; every other value is redacted.
 */
const LOGGABLE_QUERY_KEYS = new Set(['serviceId', 'technicianId', 'from', 'to', 'date', 'status', 'limit']);
const SAFE_VALUE = /^[\w:.+-]{0,64}$/;

export function redactUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const redactedPath = path.replace(/(\/feeds\/(?:technicians|team)\/)[^/?#]+/g, '$1[redacted]');
  if (query === undefined) return redactedPath;
  const params = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const keep = LOGGABLE_QUERY_KEYS.has(key) && SAFE_VALUE.test(value);
    return eq < 0
      ? SAFE_VALUE.test(key)
        ? key
        : '[redacted]'
      : `${SAFE_VALUE.test(key) ? key : '[redacted]'}=${keep ? value : '[redacted]'}`;
  });
  return `${redactedPath}?${params.join('&')}`;
}
