/**
 * Checking what the customer typed, and turning the service's refusals into sentences for them.
 */
import { ApiError, type Problem } from './api.js';
import type { FieldKey, Form } from './flow.js';
import type { Messages } from './i18n.js';
import { isEmail, isFrenchPhone, isPostcode } from './validate.js';

/** The booking API's field names (RFC 9457 `field`) → the input that shows the message. */
export const SERVER_FIELDS: Record<string, FieldKey> = {
  'body.customer.name': 'name',
  'body.customer.phone': 'phone',
  'body.customer.email': 'email',
  'body.address.line': 'line',
  'body.address.city': 'city',
  'body.address.postcode': 'postcode',
  'body.notes': 'notes',
  'body.consent': 'consent',
};

export function validate(key: FieldKey, form: Form, t: Messages): string | undefined {
  const value = key === 'consent' ? '' : form[key].trim();
  switch (key) {
    case 'postcode':
      return isPostcode(value) ? undefined : t.postcodeInvalid;
    case 'phone':
      return !value ? t.required : isFrenchPhone(value) ? undefined : t.phoneInvalid;
    case 'email':
      return !value ? t.required : isEmail(value) ? undefined : t.emailInvalid;
    case 'consent':
      return form.consent ? undefined : t.consentMissing;
    case 'notes':
      return undefined;
    default:
      return value ? undefined : t.required;
  }
}

/**
 * What to tell the customer about a refused request. Business refusals (422, 409) come worded for
 * people in the asked language; schema errors (400) are worded for developers ("body.customer.phone: …"),
 * so for the fields we check ourselves our own sentence is better.
 */
export function problemMessage(problem: Problem, t: Messages, fallback: string): string {
  const key = problem.field ? SERVER_FIELDS[problem.field] : undefined;
  if (problem.status === 400 && key) {
    const own = {
      postcode: t.postcodeInvalid,
      phone: t.phoneInvalid,
      email: t.emailInvalid,
      consent: t.consentMissing,
    }[key as string];
    if (own) return own;
  }
  let detail = problem.detail;
  if (detail && problem.field && detail.startsWith(`${problem.field}: `))
    detail = detail.slice(problem.field.length + 2);
  return detail || problem.title || fallback;
}

export function asProblem(error: unknown): Problem {
  return error instanceof ApiError ? error.problem : { status: 0 };
}

/** Unreachable, or the service's own fault: nothing the customer typed is wrong. */
export const isOutage = (problem: Problem) => problem.status === 0 || problem.status >= 500;
