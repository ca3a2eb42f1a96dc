/** How a booking transaction fails when the window is gone, and the database errors that say so. */

/** Thrown inside a booking transaction when nobody can take the window any more: it rolls everything back. */
export class WindowGone extends Error {}

export function isUniqueViolation(error: unknown, constraintHint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  return (
    e?.code === '23505' && (!constraintHint || (e.constraint ?? e.message ?? '').includes(constraintHint))
  );
}

export function isOverlapViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23P01';
}
