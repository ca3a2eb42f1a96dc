import type { FastifyInstance } from 'fastify';
import { CONTROL_CHARACTER_MESSAGE, hasForbiddenCharacter } from './schemas/text.js';
import { HttpProblem } from './problem.js';

/** The dotted path of the first string (or object key) holding a forbidden character, or undefined. */
function firstForbidden(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return hasForbiddenCharacter(value) ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstForbidden(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (hasForbiddenCharacter(key)) return path;
    const found = firstForbidden(inner, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The edge net under every route's schema: whatever a route's schema says
 * (safeText is the rule; a route added in a hurry may forget it), no string
 * with NUL, C0/C1 controls, U+2028/2029, bidi overrides or lone surrogates
 * reaches a handler, the database or a log line. Tabs and newlines pass here;
 * single-line fields refuse them in their schema.
 */
export function registerTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const field =
      firstForbidden(request.params, 'path') ??
      firstForbidden(request.query, 'query') ??
      firstForbidden(request.body, 'body');
    if (field) throw HttpProblem.badField(field, CONTROL_CHARACTER_MESSAGE);
  });
}
