/** Queries for technicians' working-hour rules. */
import type { Db } from './database.js';

export interface WorkingHoursRecord {
  id: string;
  technicianId: string;
  rrule: string;
  /** 'HH:MM:SS' as PostgreSQL returns time. */
  startTime: string;
  endTime: string;
  validFrom: string;
  validUntil: string | null;
}

export type WorkingHoursFields = Omit<WorkingHoursRecord, 'id' | 'technicianId'>;

const COLUMNS = [
  'id',
  'technician_id',
  'rrule',
  'start_time',
  'end_time',
  'valid_from',
  'valid_until',
] as const;

function toRecord(r: {
  id: string;
  technician_id: string;
  rrule: string;
  start_time: string;
  end_time: string;
  valid_from: string;
  valid_until: string | null;
}): WorkingHoursRecord {
  return {
    id: r.id,
    technicianId: r.technician_id,
    rrule: r.rrule,
    startTime: r.start_time,
    endTime: r.end_time,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
  };
}

export async function listWorkingHours(db: Db, technicianId: string): Promise<WorkingHoursRecord[]> {
  const rows = await db
    .selectFrom('working_hours')
    .select(COLUMNS)
    .where('technician_id', '=', technicianId)
    .orderBy('valid_from')
    .orderBy('start_time')
    .orderBy('id')
    .execute();
  return rows.map(toRecord);
}

export async function getWorkingHours(
  db: Db,
  technicianId: string,
  id: string,
): Promise<WorkingHoursRecord | undefined> {
  const row = await db
    .selectFrom('working_hours')
    .select(COLUMNS)
    .where('technician_id', '=', technicianId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRecord(row);
}

const columns = (f: WorkingHoursFields) => ({
  rrule: f.rrule,
  start_time: f.startTime,
  end_time: f.endTime,
  valid_from: f.validFrom,
  valid_until: f.validUntil,
});

export async function insertWorkingHours(
  db: Db,
  technicianId: string,
  fields: WorkingHoursFields,
): Promise<string> {
  return (
    await db
      .insertInto('working_hours')
      .values({ technician_id: technicianId, ...columns(fields) })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

export async function updateWorkingHours(
  db: Db,
  technicianId: string,
  id: string,
  fields: WorkingHoursFields,
): Promise<boolean> {
  const result = await db
    .updateTable('working_hours')
    .set(columns(fields))
    .where('technician_id', '=', technicianId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteWorkingHours(db: Db, technicianId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('working_hours')
    .where('technician_id', '=', technicianId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function deleteAllWorkingHours(db: Db, technicianId: string): Promise<void> {
  await db.deleteFrom('working_hours').where('technician_id', '=', technicianId).execute();
}
