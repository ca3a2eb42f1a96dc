/** Queries for availability exceptions: absences, extra shifts, company closures. */
import type { Db } from './database.js';
import type { ExceptionKind } from './schema.js';

export interface ExceptionRecord {
  id: string;
  kind: ExceptionKind;
  /** null for a closure (it applies to everyone). */
  technicianId: string | null;
  start: Date;
  end: Date;
  reason: string;
}

export type ExceptionFields = Omit<ExceptionRecord, 'id'>;

const COLUMNS = ['id', 'kind', 'technician_id', 'starts_at', 'ends_at', 'reason'] as const;

function toRecord(r: {
  id: string;
  kind: ExceptionKind;
  technician_id: string | null;
  starts_at: Date;
  ends_at: Date;
  reason: string;
}): ExceptionRecord {
  return {
    id: r.id,
    kind: r.kind,
    technicianId: r.technician_id,
    start: r.starts_at,
    end: r.ends_at,
    reason: r.reason,
  };
}

export interface ExceptionFilter {
  /** The technician's absences and extra shifts, plus the closures that apply to them too. */
  technicianId?: string;
  kind?: ExceptionKind;
  from?: Date;
  to?: Date;
}

export async function listExceptions(db: Db, filter: ExceptionFilter): Promise<ExceptionRecord[]> {
  let query = db.selectFrom('availability_exceptions').select(COLUMNS).orderBy('starts_at').orderBy('id');
  if (filter.technicianId) {
    const technicianId = filter.technicianId;
    query = query.where((eb) =>
      eb.or([eb('technician_id', '=', technicianId), eb('technician_id', 'is', null)]),
    );
  }
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.from) query = query.where('ends_at', '>', filter.from);
  if (filter.to) query = query.where('starts_at', '<', filter.to);
  return (await query.limit(1000).execute()).map(toRecord);
}

export async function getException(db: Db, id: string): Promise<ExceptionRecord | undefined> {
  const row = await db
    .selectFrom('availability_exceptions')
    .select(COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRecord(row);
}

const columns = (f: ExceptionFields) => ({
  kind: f.kind,
  technician_id: f.technicianId,
  starts_at: f.start,
  ends_at: f.end,
  reason: f.reason,
});

export async function insertException(db: Db, fields: ExceptionFields): Promise<string> {
  return (
    await db
      .insertInto('availability_exceptions')
      .values(columns(fields))
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

export async function updateException(db: Db, id: string, fields: ExceptionFields): Promise<boolean> {
  const result = await db
    .updateTable('availability_exceptions')
    .set(columns(fields))
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteException(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('availability_exceptions').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
