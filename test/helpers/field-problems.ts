/**
 * What the staff pages' validation sweeps share (test/desk/desk-problems, test/planning/planner-problems):
 * a request body's leaves, the body with one leaf replaced or left out, and the schema's English
 * words that a French sentence shown to staff must not keep.
 */

/** In place of a value: the field is left out of the body. */
export const DELETE = Symbol('delete');

/** The dotted paths of every leaf of `value` ("address.postcode"). */
export function leaves(value: unknown, prefix = ''): string[] {
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

/** A copy of `base` whose leaf at `path` is `value` (or gone, for DELETE). */
export function replaced(
  base: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(base);
  const keys = path.split('.');
  let at = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === DELETE) delete at[last];
  else at[last] = value;
  return copy;
}

/** The schema's English (zod's messages): none of it may reach a French sentence. */
export const ENGLISH =
  /\b(Invalid|invalid|expected|received|must|Too|characters|String|Required|undefined)\b/;
