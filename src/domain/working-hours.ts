/**
 * Rules for editing a technician's working hours. A rule is checked on its
 * own (RRULE subset, end after start, validity) and against the technician's
 * other rules: two rules may not cover the same hours on a same weekday while
 * both are valid (they would double-count the technician's time).
 */
import type { Db } from '../db/database.js';
import { existingTechnicianIds, lockTechnician } from '../db/technicians.js';
import {
  deleteAllWorkingHours,
  deleteWorkingHours,
  getWorkingHours,
  insertWorkingHours,
  listWorkingHours,
  updateWorkingHours,
  type WorkingHoursFields,
  type WorkingHoursRecord,
} from '../db/working-hours.js';
import { parseWallClock, parseWorkingRule, type WeekdayCode } from './availability.js';
import { invalidField, notFound } from './field-errors.js';

export interface WorkingHoursInput {
  rrule: string;
  startTime: string;
  endTime: string;
  validFrom: string;
  validUntil?: string | null;
}

interface CheckedRule {
  fields: WorkingHoursFields;
  days: WeekdayCode[];
  start: number;
  end: number;
}

const TECHNICIAN = { en: 'Technician', fr: 'Technicien' };
const RULE = { en: 'Working-hours rule', fr: 'Règle d’horaires' };

/** Validates one rule; fields are named `${prefix}.rrule` and so on. */
export function checkWorkingHours(input: WorkingHoursInput, prefix = 'body'): CheckedRule {
  let parsed;
  try {
    parsed = parseWorkingRule(input.rrule);
  } catch (error) {
    throw invalidField(
      `${prefix}.rrule`,
      `invalid RRULE: ${(error as Error).message}`,
      `RRULE invalide : ${(error as Error).message}`,
      'invalid-rrule',
    );
  }
  const time = (text: string, field: string) => {
    try {
      return parseWallClock(text);
    } catch {
      throw invalidField(`${prefix}.${field}`, 'must be a time HH:MM', 'doit être une heure HH:MM');
    }
  };
  const start = time(input.startTime, 'startTime');
  const end = time(input.endTime, 'endTime');
  if (end <= start)
    throw invalidField(`${prefix}.endTime`, 'must be after startTime', 'doit suivre l’heure de début');
  const validUntil = input.validUntil ?? null;
  if (validUntil !== null && validUntil < input.validFrom)
    throw invalidField(`${prefix}.validUntil`, 'must not be before validFrom', 'ne peut précéder validFrom');
  const hhmmss = (s: number) =>
    `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  // stored in canonical form so the list reads the same whatever the client sent
  const rrule = [
    `FREQ=${parsed.freq}`,
    ...(parsed.interval > 1 ? [`INTERVAL=${parsed.interval}`] : []),
    `BYDAY=${parsed.byDay.join(',')}`,
    ...(parsed.wkst ? [`WKST=${parsed.wkst}`] : []),
  ].join(';');
  return {
    fields: { rrule, startTime: hhmmss(start), endTime: hhmmss(end), validFrom: input.validFrom, validUntil },
    days: parsed.byDay,
    start,
    end,
  };
}

function fromRecord(record: WorkingHoursRecord): CheckedRule {
  return checkWorkingHours(record);
}

/**
 * A weekday both rules may fall on while both are valid and their hours overlap.
 * Conservative with INTERVAL > 1 (alternate weeks sharing a weekday count as overlapping):
 * the planner then splits the rules by validity instead.
 */
export function sharedWorkingDay(a: CheckedRule, b: CheckedRule): WeekdayCode | undefined {
  if (a.start >= b.end || b.start >= a.end) return undefined;
  const aUntil = a.fields.validUntil ?? '9999-12-31';
  const bUntil = b.fields.validUntil ?? '9999-12-31';
  if (a.fields.validFrom > bUntil || b.fields.validFrom > aUntil) return undefined;
  return a.days.find((d) => b.days.includes(d));
}

const DAY_NAMES: Record<WeekdayCode, { en: string; fr: string }> = {
  MO: { en: 'Monday', fr: 'lundi' },
  TU: { en: 'Tuesday', fr: 'mardi' },
  WE: { en: 'Wednesday', fr: 'mercredi' },
  TH: { en: 'Thursday', fr: 'jeudi' },
  FR: { en: 'Friday', fr: 'vendredi' },
  SA: { en: 'Saturday', fr: 'samedi' },
  SU: { en: 'Sunday', fr: 'dimanche' },
};

function overlapError(field: string, day: WeekdayCode, other: CheckedRule): Error {
  const hours = `${other.fields.startTime.slice(0, 5)}–${other.fields.endTime.slice(0, 5)}`;
  return invalidField(
    field,
    `overlaps the hours ${hours} already set on ${DAY_NAMES[day].en}`,
    `chevauche les horaires ${hours} déjà définis le ${DAY_NAMES[day].fr}`,
    'overlapping-hours',
  );
}

async function lockedTechnician(db: Db, technicianId: string): Promise<void> {
  if (!(await lockTechnician(db, technicianId))) throw notFound(TECHNICIAN);
}

export async function readWorkingHours(db: Db, technicianId: string): Promise<WorkingHoursRecord[]> {
  if ((await existingTechnicianIds(db, [technicianId])).size === 0) throw notFound(TECHNICIAN);
  return listWorkingHours(db, technicianId);
}

export async function addWorkingHours(
  db: Db,
  technicianId: string,
  input: WorkingHoursInput,
): Promise<WorkingHoursRecord> {
  const rule = checkWorkingHours(input);
  return db.transaction().execute(async (tx) => {
    await lockedTechnician(tx, technicianId);
    for (const existing of await listWorkingHours(tx, technicianId)) {
      const day = sharedWorkingDay(rule, fromRecord(existing));
      if (day) throw overlapError('body.startTime', day, fromRecord(existing));
    }
    const id = await insertWorkingHours(tx, technicianId, rule.fields);
    return (await getWorkingHours(tx, technicianId, id))!;
  });
}

/** PATCH: the changed fields over the stored rule, checked as a whole. */
export async function editWorkingHours(
  db: Db,
  technicianId: string,
  ruleId: string,
  changes: Partial<WorkingHoursInput>,
): Promise<WorkingHoursRecord> {
  return db.transaction().execute(async (tx) => {
    await lockedTechnician(tx, technicianId);
    const current = await getWorkingHours(tx, technicianId, ruleId);
    if (!current) throw notFound(RULE);
    const rule = checkWorkingHours({
      ...current,
      ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
    });
    for (const existing of await listWorkingHours(tx, technicianId)) {
      if (existing.id === ruleId) continue;
      const day = sharedWorkingDay(rule, fromRecord(existing));
      if (day) throw overlapError('body.startTime', day, fromRecord(existing));
    }
    await updateWorkingHours(tx, technicianId, ruleId, rule.fields);
    return (await getWorkingHours(tx, technicianId, ruleId))!;
  });
}

export async function removeWorkingHours(db: Db, technicianId: string, ruleId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await lockedTechnician(tx, technicianId);
    if (!(await deleteWorkingHours(tx, technicianId, ruleId))) throw notFound(RULE);
  });
}

/** PUT: the technician's whole week at once (what an editing page saves), all or nothing. */
export async function replaceWorkingHours(
  db: Db,
  technicianId: string,
  inputs: WorkingHoursInput[],
): Promise<WorkingHoursRecord[]> {
  const rules = inputs.map((input, i) => checkWorkingHours(input, `body.rules.${i}`));
  rules.forEach((rule, i) => {
    for (let j = 0; j < i; j++) {
      const day = sharedWorkingDay(rule, rules[j]!);
      if (day) throw overlapError(`body.rules.${i}.startTime`, day, rules[j]!);
    }
  });
  return db.transaction().execute(async (tx) => {
    await lockedTechnician(tx, technicianId);
    await deleteAllWorkingHours(tx, technicianId);
    for (const rule of rules) await insertWorkingHours(tx, technicianId, rule.fields);
    return listWorkingHours(tx, technicianId);
  });
}
