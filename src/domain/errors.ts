/**
 * A broken business rule, told in words a customer can read (French first,
 * English too). The HTTP layer maps the kind to a status code.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unprocessable'
  | 'not-found'
  | 'conflict'
  | 'forbidden'
  | 'too-late'
  | 'too-many'
  | 'unavailable';

export interface Wording {
  fr: string;
  en: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Machine-readable reason, e.g. 'postcode-not-served'. */
    readonly code: string,
    readonly wording: Wording,
    /** The request field at fault, as the client named it: 'query.postcode'. */
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(wording.en);
  }
}
