/**
 * Exceptions to working hours: a technician's absence (whole local days or a
 * range of hours), an extra shift, or a company closure (everyone, no
 * technician). Whole days are local dates in the company's time zone, the
 * last one included, and become [first midnight, midnight after the last).
 */
import { DateTime } from 'luxon';
import { loadCompanyCalendar } from '../db/availability.js';
import {
  deleteException,
  getException,
  insertException,
  listExceptions,
  updateException,
  type ExceptionFilter,
  type ExceptionRecord,
} from '../db/availability-exceptions.js';
import type { Db } from '../db/database.js';
import type { ExceptionKind } from '../db/schema.js';
import { existingTechnicianIds } from '../db/technicians.js';
import { invalidField, notFound } from './field-errors.js';
import {
  restoreAfterException,
  unassignForException,
  type UnassignedByException,
} from './planning/absence.js';

export interface ExceptionInput {
  kind: ExceptionKind;
  technicianId?: string | null;
  /** ISO 8601 instants with offset: a range of hours. */
  start?: string;
  end?: string;
  /** Local dates YYYY-MM-DD, both included: whole days. */
  from?: string;
  to?: string;
  reason?: string;
}

const EXCEPTION = { en: 'Availability exception', fr: 'Exception de disponibilité' };

/** The instants [start, end) the input means; fields named as in the body. */
function exceptionRange(input: ExceptionInput, timezone: string): { start: Date; end: Date } {
  const days = input.from !== undefined || input.to !== undefined;
  const hours = input.start !== undefined || input.end !== undefined;
  if (days && hours)
    throw invalidField(
      'body.start',
      'give either from/to (whole days) or start/end (hours), not both',
      'Donnez des jours entiers ou des heures de début et de fin, pas les deux.',
    );
  if (days) {
    if (input.from === undefined)
      throw invalidField('body.from', 'is required with to', 'Indiquez le premier jour.');
    const to = input.to ?? input.from;
    if (to < input.from)
      throw invalidField(
        'body.to',
        'must not be before from',
        'Le dernier jour ne peut pas précéder le premier.',
      );
    return {
      start: DateTime.fromISO(input.from, { zone: timezone }).startOf('day').toJSDate(),
      end: DateTime.fromISO(to, { zone: timezone }).plus({ days: 1 }).startOf('day').toJSDate(),
    };
  }
  if (input.start === undefined)
    throw invalidField(
      'body.start',
      'give from/to (whole days) or start/end (hours)',
      'Indiquez des jours entiers ou des heures de début et de fin.',
    );
  if (input.end === undefined)
    throw invalidField('body.end', 'is required with start', 'Indiquez l’heure de fin.');
  const start = new Date(input.start);
  const end = new Date(input.end);
  if (!(end > start))
    throw invalidField('body.end', 'must be after start', 'L’heure de fin doit suivre l’heure de début.');
  return { start, end };
}

async function checkOwner(
  db: Db,
  kind: ExceptionKind,
  technicianId: string | null | undefined,
): Promise<string | null> {
  if (kind === 'closure') {
    if (technicianId)
      throw invalidField(
        'body.technicianId',
        'a closure applies to the whole company: leave technicianId out',
        'Une fermeture concerne toute l’entreprise : ne choisissez pas de technicien.',
      );
    return null;
  }
  if (!technicianId)
    throw invalidField(
      'body.technicianId',
      `is required for ${kind === 'absence' ? 'an absence' : 'an extra shift'}`,
      kind === 'absence' ? 'Indiquez le technicien absent.' : 'Indiquez le technicien qui travaille en plus.',
    );
  if ((await existingTechnicianIds(db, [technicianId])).size === 0)
    throw invalidField(
      'body.technicianId',
      'unknown technician',
      'Le technicien choisi est inconnu : rechargez la page.',
      'unknown-technician',
    );
  return technicianId;
}

/** The company's time zone, in which whole days and API times are read. */
export async function companyTimezone(db: Db): Promise<string> {
  return (await loadCompanyCalendar(db, new Date(0), new Date(0))).timezone;
}

export async function findExceptions(db: Db, filter: ExceptionFilter): Promise<ExceptionRecord[]> {
  return listExceptions(db, filter);
}

/**
 * The exception as stored, the booked visits it took from their technician (the planner's
 * unassigned lane) and, after a change, those it gave back (they fit where they were).
 */
export type RecordedException = ExceptionRecord & {
  unassignedVisits: UnassignedByException[];
  restoredVisits: UnassignedByException[];
};

export async function createException(
  db: Db,
  input: ExceptionInput,
  now: Date = new Date(),
): Promise<RecordedException> {
  return db.transaction().execute(async (tx) => {
    const technicianId = await checkOwner(tx, input.kind, input.technicianId);
    const range = exceptionRange(input, await companyTimezone(tx));
    const id = await insertException(tx, {
      kind: input.kind,
      technicianId,
      ...range,
      reason: input.reason ?? '',
    });
    const unassignedVisits = await unassignForException(
      tx,
      { kind: input.kind, technicianId, ...range },
      now,
    );
    return { ...(await getException(tx, id))!, unassignedVisits, restoredVisits: [] };
  });
}

/** PATCH: kind, technician, reason as given; a new range (days or hours) replaces the old one whole. */
export async function editException(
  db: Db,
  id: string,
  changes: Partial<ExceptionInput>,
  now: Date = new Date(),
): Promise<RecordedException> {
  return db.transaction().execute(async (tx) => {
    const current = await getException(tx, id);
    if (!current) throw notFound(EXCEPTION);
    const kind = changes.kind ?? current.kind;
    const technicianId = await checkOwner(
      tx,
      kind,
      changes.technicianId !== undefined
        ? changes.technicianId
        : kind === 'closure'
          ? null
          : current.technicianId,
    );
    const newRange = [changes.start, changes.end, changes.from, changes.to].some((v) => v !== undefined);
    const range = newRange
      ? exceptionRange({ ...changes, kind }, await companyTimezone(tx))
      : { start: current.start, end: current.end };
    await updateException(tx, id, { kind, technicianId, ...range, reason: changes.reason ?? current.reason });
    const unassignedVisits = await unassignForException(tx, { kind, technicianId, ...range }, now);
    // What the old range covered and the new one does not goes back where it was, if it fits.
    const restoredVisits = await restoreAfterException(tx, current, now);
    return { ...(await getException(tx, id))!, unassignedVisits, restoredVisits };
  });
}

/** Deleted: the visits it sent to the unassigned lane go back where they were, when they fit. */
export async function removeException(
  db: Db,
  id: string,
  now: Date = new Date(),
): Promise<{ restoredVisits: UnassignedByException[] }> {
  return db.transaction().execute(async (tx) => {
    const current = await getException(tx, id);
    if (!current || !(await deleteException(tx, id))) throw notFound(EXCEPTION);
    return { restoredVisits: await restoreAfterException(tx, current, now) };
  });
}

export async function readException(db: Db, id: string): Promise<ExceptionRecord> {
  const found = await getException(db, id);
  if (!found) throw notFound(EXCEPTION);
  return found;
}
