/** Queries for technicians, their skills and the zones they serve. */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

export interface TechnicianRecord {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  colour: string;
  homeAddress: string;
  homeLat: number;
  homeLon: number;
  active: boolean;
  /** Whether the technician has a calendar feed (its URL is shown only when made: the token is kept hashed). */
  hasFeed: boolean;
  skills: string[];
  zoneIds: string[];
}

export type TechnicianFields = Omit<TechnicianRecord, 'id' | 'skills' | 'zoneIds' | 'hasFeed'>;

async function withLinks(db: Db, ids?: string[], activeOnly = false): Promise<TechnicianRecord[]> {
  let query = db
    .selectFrom('technicians')
    .select([
      'id',
      'name',
      'email',
      'phone',
      'colour',
      'home_address',
      'home_lat',
      'home_lon',
      'active',
      'feed_token_hash',
    ])
    .orderBy('name')
    .orderBy('id');
  if (ids) query = query.where('id', 'in', ids);
  if (activeOnly) query = query.where('active', '=', true);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const rowIds = rows.map((r) => r.id);
  const skills = await db
    .selectFrom('technician_skills')
    .select(['technician_id', 'skill_code'])
    .where('technician_id', 'in', rowIds)
    .orderBy('skill_code')
    .execute();
  const zones = await db
    .selectFrom('technician_zones')
    .select(['technician_id', 'zone_id'])
    .where('technician_id', 'in', rowIds)
    .orderBy('zone_id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    colour: r.colour,
    homeAddress: r.home_address,
    homeLat: r.home_lat,
    homeLon: r.home_lon,
    active: r.active,
    hasFeed: r.feed_token_hash !== null,
    skills: skills.filter((s) => s.technician_id === r.id).map((s) => s.skill_code),
    zoneIds: zones.filter((z) => z.technician_id === r.id).map((z) => z.zone_id),
  }));
}

export async function listTechnicians(
  db: Db,
  options: { activeOnly?: boolean } = {},
): Promise<TechnicianRecord[]> {
  return withLinks(db, undefined, options.activeOnly ?? false);
}

export async function getTechnician(db: Db, id: string): Promise<TechnicianRecord | undefined> {
  return (await withLinks(db, [id]))[0];
}

/** Locks the technician's row for the rest of the transaction (serialises edits of their hours); false when unknown. */
export async function lockTechnician(db: Db, id: string): Promise<boolean> {
  return (
    (await db.selectFrom('technicians').select('id').where('id', '=', id).forUpdate().executeTakeFirst()) !==
    undefined
  );
}

/** Which of `ids` are technicians. */
export async function existingTechnicianIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('technicians').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

function technicianColumns(fields: Partial<TechnicianFields>) {
  return {
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    ...(fields.email !== undefined ? { email: fields.email } : {}),
    ...(fields.phone !== undefined ? { phone: fields.phone } : {}),
    ...(fields.colour !== undefined ? { colour: fields.colour } : {}),
    ...(fields.homeAddress !== undefined ? { home_address: fields.homeAddress } : {}),
    ...(fields.homeLat !== undefined ? { home_lat: fields.homeLat } : {}),
    ...(fields.homeLon !== undefined ? { home_lon: fields.homeLon } : {}),
    ...(fields.active !== undefined ? { active: fields.active } : {}),
  };
}

export async function insertTechnician(
  db: Db,
  fields: TechnicianFields & { feedTokenHash: string | null },
): Promise<string> {
  const row = await db
    .insertInto('technicians')
    .values({
      ...technicianColumns(fields),
      name: fields.name,
      email: fields.email,
      phone: fields.phone,
      home_lat: fields.homeLat,
      home_lon: fields.homeLon,
      feed_token_hash: fields.feedTokenHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTechnician(
  db: Db,
  id: string,
  fields: Partial<TechnicianFields>,
): Promise<boolean> {
  const result = await db
    .updateTable('technicians')
    .set({ ...technicianColumns(fields), updated_at: new Date() })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function replaceTechnicianSkills(db: Db, technicianId: string, skills: string[]): Promise<void> {
  await db.deleteFrom('technician_skills').where('technician_id', '=', technicianId).execute();
  if (skills.length > 0)
    await db
      .insertInto('technician_skills')
      .values(skills.map((skill_code) => ({ technician_id: technicianId, skill_code })))
      .execute();
}

export async function replaceTechnicianZones(db: Db, technicianId: string, zoneIds: string[]): Promise<void> {
  await db.deleteFrom('technician_zones').where('technician_id', '=', technicianId).execute();
  if (zoneIds.length > 0)
    await db
      .insertInto('technician_zones')
      .values(zoneIds.map((zone_id) => ({ technician_id: technicianId, zone_id })))
      .execute();
}

/** A technician's skill codes as one sorted array column, for queries over `technicians as t`. */
export function skillsOfTechnician(eb: ExpressionBuilder<Database & { t: Database['technicians'] }, 't'>) {
  return eb
    .selectFrom('technician_skills as ts')
    .select(sql<string[]>`coalesce(array_agg(ts.skill_code order by ts.skill_code), '{}')`.as('skills'))
    .whereRef('ts.technician_id', '=', 't.id')
    .as('skills');
}
