/**
 * What the planner reads: the sentences and refusals of planning, French
 * first (English for API clients that ask). Kept apart from the rules so the
 * rules read as rules and the words can be reviewed in one place.
 */
import type { Violation, ViolationCode } from '../../../solver/problem.js';
import { DomainError } from '../errors.js';

/** Why a broken rule blocks a move, one clause per solver rule. */
const VIOLATION_WORDING: Record<ViolationCode, string> = {
  skill: 'le technicien n’a pas la compétence requise',
  zone: 'le technicien ne dessert pas ce code postal',
  window: 'l’heure prévue sort du créneau promis au client',
  shift: 'la tournée sort des horaires de travail du technicien',
  travel: 'le temps de trajet entre deux visites ne tient pas',
  overlap: 'la visite chevauche une autre visite',
  break: 'la visite empiète sur une pause',
  pinned: 'une visite épinglée serait déplacée',
  capacity: 'capacité dépassée',
  'unknown-visit': 'visite inconnue',
  'unknown-technician': 'technicien inconnu',
  'unknown-shift': 'pas de service ce jour-là',
  'visit-served-twice': 'visite planifiée deux fois',
  'shift-routed-twice': 'deux tournées pour la même journée du technicien',
  'visit-not-served': 'visite non planifiée',
};

export function describeViolation(v: Violation): string {
  return VIOLATION_WORDING[v.code];
}

export const wording = {
  visitKeptInPlace: (reference: string) =>
    `La visite ${reference} est attribuée à un technicien qui n’a plus la compétence ou la zone requise : elle reste en place.`,
  nothingToPlan: 'Aucune visite à planifier ce jour-là.',
  optimiserLeftVisits: (count: number) =>
    `L’optimiseur laissait ${count} visite(s) sans technicien : plan actuel conservé.`,
  optimiserBrokeRules: (count: number) =>
    `La proposition enfreignait ${count} règle(s) : plan actuel conservé.`,
} as const;

/**
 * The refusals below name the field in French ("l’heure d’arrivée") for the planner's page, which
 * shows `detail` as it is; `field` keeps the request's name for API clients.
 */
export function badDate(field: string): DomainError {
  return new DomainError(
    'invalid',
    'bad-date',
    { fr: 'La date de la journée n’est pas une date valide.', en: 'Invalid date.' },
    field,
  );
}

/** `what`: the time as the planner's page labels it, with its article ("l’heure d’arrivée"). */
export function badTime(field: string, what: string): DomainError {
  return new DomainError(
    'invalid',
    'bad-time',
    {
      fr: `${what.charAt(0).toUpperCase()}${what.slice(1)} n’est pas une heure valide.`,
      en: 'Invalid time.',
    },
    field,
  );
}

export function optimiserUnavailable(error: unknown): DomainError {
  // A crashed or overrunning optimiser is a temporary outage of one feature, not a server bug.
  return new DomainError(
    'unavailable',
    'optimiser-unavailable',
    {
      fr: 'L’optimiseur n’a pas pu répondre ; réessayez dans un instant.',
      en: 'The optimiser could not answer; please retry shortly.',
    },
    undefined,
    { reason: error instanceof Error ? error.message.slice(0, 200) : 'unknown' },
  );
}

export function planNotFound(): DomainError {
  return new DomainError('not-found', 'plan-not-found', { fr: 'Plan introuvable.', en: 'Plan not found.' });
}

export function planAlreadyApplied(): DomainError {
  return new DomainError('conflict', 'plan-already-applied', {
    fr: 'Ce plan est déjà appliqué.',
    en: 'This plan was already applied.',
  });
}

export function stalePlan(detail: Record<string, unknown>): DomainError {
  return new DomainError(
    'conflict',
    'plan-stale',
    {
      fr: 'Les tournées de ce jour ont changé depuis cette proposition : relancez une optimisation.',
      en: 'The routes of this day changed since this proposal: re-plan.',
    },
    undefined,
    detail,
  );
}

export function visitNotFound(): DomainError {
  return new DomainError('not-found', 'visit-not-found', {
    fr: 'Visite introuvable.',
    en: 'Visit not found.',
  });
}

export function visitNotBooked(): DomainError {
  return new DomainError('conflict', 'visit-not-booked', {
    fr: 'Cette visite n’est plus planifiable (annulée ou faite).',
    en: 'This visit is cancelled or done.',
  });
}

export function visitChanged(field: string): DomainError {
  return new DomainError(
    'conflict',
    'visit-changed',
    {
      fr: 'Cette visite a changé entre-temps : rechargez la journée.',
      en: 'This visit changed meanwhile: reload the day.',
    },
    field,
  );
}

export function technicianUnknown(): DomainError {
  return new DomainError(
    'unprocessable',
    'technician-unknown',
    {
      fr: 'Le technicien choisi est inconnu ou inactif : rechargez la journée.',
      en: 'Unknown or inactive technician.',
    },
    'body.technicianId',
  );
}

export function technicianNotWorking(): DomainError {
  return new DomainError(
    'unprocessable',
    'technician-not-working',
    {
      fr: 'Le technicien choisi ne travaille pas ce jour-là (absent ou en repos).',
      en: 'This technician does not work that day.',
    },
    'body.technicianId',
  );
}

export function visitOverlap(field: string): DomainError {
  return new DomainError(
    'conflict',
    'visit-overlap',
    {
      fr: 'Ce créneau chevauche une autre visite du technicien.',
      en: 'This overlaps another visit of the technician.',
    },
    field,
  );
}

/** A manual move that breaks rules; `violations` are already worded, one per broken rule. */
export function moveBreaksRules(
  intrinsic: boolean,
  field: string,
  violations: { rule: ViolationCode; field: string; message: string }[],
): DomainError {
  const unique = [...new Set(violations.map((v) => v.message))];
  return new DomainError(
    intrinsic ? 'unprocessable' : 'conflict',
    'move-breaks-rules',
    {
      fr: `Déplacement impossible : ${unique.join(' ; ')}.`,
      en: `This move breaks a rule: ${violations.map((v) => v.rule).join(', ')}.`,
    },
    field,
    { violations, errors: violations.map((v) => ({ field: v.field, message: v.message })) },
  );
}

export function visitStarted(field: string): DomainError {
  return new DomainError(
    'conflict',
    'visit-started',
    {
      fr: 'Cette visite a commencé (ou est passée) : elle ne se déplace plus.',
      en: 'This visit has started (or is past): it no longer moves.',
    },
    field,
  );
}

export function visitUnassigned(field: string): DomainError {
  return new DomainError(
    'conflict',
    'visit-unassigned',
    {
      fr: 'Cette visite n’a pas de technicien : placez-la d’abord.',
      en: 'This visit has no technician: place it first.',
    },
    field,
  );
}
