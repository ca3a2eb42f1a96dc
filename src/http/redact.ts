/**
 * Secrets travel in some URLs (feed tokens, manage tokens in .ics links), and
 * desk searches (q=) carry customer names and phones;
 * logs must never carry them.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/([?&](?:token|manageToken|q)=)[^&#]*/gi, '$1[redacted]')
    .replace(/(\/feeds\/(?:technicians|team)\/)[^/?#]+/g, '$1[redacted]');
}
