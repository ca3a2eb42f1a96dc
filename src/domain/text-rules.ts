/**
 * Characters that never belong in text a person typed into a form: they break
 * PostgreSQL (NUL, lone surrogates), inject lines into logs, e-mails and
 * calendars (C0/C1 controls, U+2028/2029), or make a name read backwards on
 * screen (bidirectional overrides and isolates). One class, shared by the edge
 * validation (src/http/schemas/text.ts) and calendarText, so they cannot drift.
 */
const CONTROLS_EXCEPT_LAYOUT = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f';
const LAYOUT = '\\u0009\\u000a\\u000d';
const SEPARATORS_AND_BIDI = '\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
/** With the u flag, [\ud800-\udfff] matches only a surrogate that is not half of a pair. */
const LONE_SURROGATE = '[\\ud800-\\udfff]';

/** Forbidden on one line (names, addresses, labels): every control character, tabs and newlines included. */
export const FORBIDDEN_IN_LINE = new RegExp(
  `[${CONTROLS_EXCEPT_LAYOUT}${LAYOUT}${SEPARATORS_AND_BIDI}]|${LONE_SURROGATE}`,
  'u',
);

/** Forbidden in free text (notes, descriptions): the same, except tab, line feed and carriage return. */
export const FORBIDDEN_IN_TEXT = new RegExp(
  `[${CONTROLS_EXCEPT_LAYOUT}${SEPARATORS_AND_BIDI}]|${LONE_SURROGATE}`,
  'u',
);

/** Every run of forbidden-on-a-line characters, for code that cleans text instead of refusing it. */
export const FORBIDDEN_IN_LINE_RUNS = new RegExp(`(?:${FORBIDDEN_IN_LINE.source})+`, 'gu');
