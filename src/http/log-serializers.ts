/**
 * What the logs may say about an error: a whitelist. Database drivers hang
 * the SQL text, its parameters (customers' names, phones, notes) and the
 * failing row on their errors; pino's default serializer would write all of
 * it. We keep the type, the code, a message with quoted values blanked, and
 * the stack frames (code locations, no values).
 */
export interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  code?: string;
  /** Frames only (where, not what): empty when the error has none. */
  stack: string;
}

const MAX_MESSAGE = 300;

/** PostgreSQL quotes the offending value in messages (invalid input syntax for type uuid: "…"). */
function blankQuoted(message: string): string {
  return message.replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'");
}

export function serializeError(error: unknown): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: 'non-error thrown', stack: '' };
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 12)
    .join('\n');
  return {
    type: error.name,
    message: blankQuoted(error.message).slice(0, MAX_MESSAGE),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code).slice(0, 40) } : {}),
    stack: frames,
  };
}
