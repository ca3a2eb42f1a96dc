/**
 * Secrets travel in some URLs (feed tokens, manage tokens in .ics links);
 * logs must never carry them.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/([?&](?:token|manageToken)=)[^&#]*/gi, '$1[redacted]')
    .replace(/(\/feeds\/(?:technicians|team)\/)[^/?#]+/g, '$1[redacted]');
}
