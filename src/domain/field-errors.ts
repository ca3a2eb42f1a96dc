/** Shorthands for the DomainErrors of admin edits: which field is wrong, in French and English. */
import { DomainError } from './errors.js';

export function invalidField(field: string, en: string, fr: string, code = 'invalid-field'): DomainError {
  return new DomainError('invalid', code, { en, fr }, field);
}

export function conflictField(field: string, en: string, fr: string, code = 'conflict'): DomainError {
  return new DomainError('conflict', code, { en, fr }, field);
}

export function notFound(what: { en: string; fr: string }): DomainError {
  return new DomainError('not-found', 'not-found', {
    en: `${what.en} not found`,
    fr: `${what.fr} introuvable.`,
  });
}

/** The first entry of `values` not in `known`, as `${prefix}.${index}`; undefined when all are known. */
export function firstUnknown(
  values: string[],
  known: Set<string>,
  prefix: string,
): { field: string; value: string } | undefined {
  const index = values.findIndex((v) => !known.has(v));
  return index < 0 ? undefined : { field: `${prefix}.${index}`, value: values[index]! };
}

/** The first repeated entry of `values`, as `${prefix}.${index}` of its second appearance. */
export function firstDuplicate(
  values: string[],
  prefix: string,
): { field: string; value: string } | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < values.length; i++) {
    if (seen.has(values[i]!)) return { field: `${prefix}.${i}`, value: values[i]! };
    seen.add(values[i]!);
  }
  return undefined;
}
