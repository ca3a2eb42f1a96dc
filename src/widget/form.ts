/**
 * Checking what the customer typed, and turning the service's refusals into sentences for them.
 */
import { ApiError, type BookingRules, type Problem } from './api.js';
import type { FieldKey, Form } from './flow.js';
import type { Messages } from './i18n.js';
import { isEmail, isPostcode, judgePhone } from './validate.js';

/** Until the service says otherwise: French numbers only, e-mail optional, changes until 24 h before. */
export const DEFAULT_RULES: BookingRules = {
  phoneCountryCodes: ['33'],
  emailRequired: false,
  changeCutoffHours: 24,
};

const codesText = (codes: string[]) => codes.map((c) => `+${c}`).join(', ');

/** What we say about a phone number the company cannot call back ('' when it can). */
function phoneMessage(value: string, rules: BookingRules, t: Messages): string | undefined {
  const verdict = judgePhone(value, rules.phoneCountryCodes);
  if (verdict === 'french' || verdict === 'foreign') return undefined;
  if (verdict === 'country-refused') return t.phoneCountryRefused(codesText(rules.phoneCountryCodes));
  const abroad = rules.phoneCountryCodes.filter((c) => c !== '33');
  return abroad.length ? t.phoneInvalidAbroad(codesText(abroad)) : t.phoneInvalid;
}

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

export function validate(key: FieldKey, form: Form, t: Messages, rules: BookingRules): string | undefined {
  const value = key === 'consent' ? '' : form[key].trim();
  switch (key) {
    case 'postcode':
      return isPostcode(value) ? undefined : t.postcodeInvalid;
    case 'phone':
      return !value ? t.required : phoneMessage(value, rules, t);
    case 'email':
      if (!value) return rules.emailRequired ? t.required : undefined;
      return isEmail(value) ? undefined : t.emailInvalid;
    case 'consent':
      return form.consent ? undefined : t.consentMissing;
    case 'notes':
    case 'message':
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
export function problemMessage(
  problem: Problem,
  t: Messages,
  fallback: string,
  rules: BookingRules = DEFAULT_RULES,
): string {
  const key = problem.field ? SERVER_FIELDS[problem.field] : undefined;
  if (problem.status === 400 && key) {
    const own = {
      postcode: t.postcodeInvalid,
      phone: phoneMessage('', rules, t),
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
