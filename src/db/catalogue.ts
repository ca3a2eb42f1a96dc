/** Queries for the catalogue the admin maintains: skills, zones with their postal codes, services. */
import type { Db, Executor } from './database.js';
import type { ZoneKind } from './schema.js';

/** PostgreSQL unique_violation: a concurrent insert won the race a pre-check lost. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

// --- skills

export interface SkillRecord {
  code: string;
  label: string;
}

export async function listSkills(db: Db): Promise<SkillRecord[]> {
  return db.selectFrom('skills').select(['code', 'label']).orderBy('code').execute();
}

export async function getSkill(db: Db, code: string): Promise<SkillRecord | undefined> {
  return db.selectFrom('skills').select(['code', 'label']).where('code', '=', code).executeTakeFirst();
}

/** Which of `codes` exist. */
export async function existingSkillCodes(db: Db, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.selectFrom('skills').select('code').where('code', 'in', codes).execute();
  return new Set(rows.map((r) => r.code));
}

export async function insertSkill(db: Db, skill: SkillRecord): Promise<void> {
  await db.insertInto('skills').values(skill).execute();
}

export async function updateSkillLabel(db: Db, code: string, label: string): Promise<boolean> {
  const result = await db.updateTable('skills').set({ label }).where('code', '=', code).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How many technicians and services use the skill. */
export async function skillUsage(db: Db, code: string): Promise<{ technicians: number; services: number }> {
  const technicians = await db
    .selectFrom('technician_skills')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('skill_code', '=', code)
    .executeTakeFirstOrThrow();
  const services = await db
    .selectFrom('service_skills')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('skill_code', '=', code)
    .executeTakeFirstOrThrow();
  return { technicians: Number(technicians.n), services: Number(services.n) };
}

export async function deleteSkill(db: Db, code: string): Promise<boolean> {
  const result = await db.deleteFrom('skills').where('code', '=', code).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

// --- zones

export interface ZonePostcodeRecord {
  postcode: string;
  city: string;
  lat: number;
  lon: number;
}

export interface ZoneRecord {
  id: string;
  name: string;
  kind: ZoneKind;
  postcodes: ZonePostcodeRecord[];
}

async function withPostcodes(
  db: Db,
  zones: { id: string; name: string; kind: ZoneKind }[],
): Promise<ZoneRecord[]> {
  if (zones.length === 0) return [];
  const rows = await db
    .selectFrom('zone_postcodes')
    .select(['zone_id', 'postcode', 'city', 'lat', 'lon'])
    .where(
      'zone_id',
      'in',
      zones.map((z) => z.id),
    )
    .orderBy('postcode')
    .orderBy('city')
    .execute();
  return zones.map((z) => ({
    ...z,
    postcodes: rows
      .filter((r) => r.zone_id === z.id)
      .map((r) => ({ postcode: r.postcode, city: r.city, lat: r.lat, lon: r.lon })),
  }));
}

export async function listZones(db: Db): Promise<ZoneRecord[]> {
  return withPostcodes(
    db,
    await db.selectFrom('zones').select(['id', 'name', 'kind']).orderBy('name').execute(),
  );
}

export async function getZone(db: Db, id: string): Promise<ZoneRecord | undefined> {
  const zone = await db
    .selectFrom('zones')
    .select(['id', 'name', 'kind'])
    .where('id', '=', id)
    .executeTakeFirst();
  return zone ? (await withPostcodes(db, [zone]))[0] : undefined;
}

export async function zoneNameTaken(db: Db, name: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('zones').select('id').where('name', '=', name);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** Which of `ids` are zones. */
export async function existingZoneIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('zones').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

export async function insertZone(db: Db, zone: { name: string; kind: ZoneKind }): Promise<string> {
  return (await db.insertInto('zones').values(zone).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateZone(
  db: Db,
  id: string,
  changes: { name?: string; kind?: ZoneKind },
): Promise<boolean> {
  if (changes.name === undefined && changes.kind === undefined) {
    return (await db.selectFrom('zones').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }
  const result = await db.updateTable('zones').set(changes).where('id', '=', id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function replaceZonePostcodes(
  db: Db,
  zoneId: string,
  postcodes: ZonePostcodeRecord[],
): Promise<void> {
  await db.deleteFrom('zone_postcodes').where('zone_id', '=', zoneId).execute();
  if (postcodes.length > 0)
    await db
      .insertInto('zone_postcodes')
      .values(postcodes.map((p) => ({ zone_id: zoneId, ...p })))
      .execute();
}

export async function zoneTechnicianCount(db: Db, zoneId: string): Promise<number> {
  const row = await db
    .selectFrom('technician_zones')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('zone_id', '=', zoneId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteZone(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('zones').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

// --- services

export interface ServiceRecord {
  id: string;
  slug: string;
  name: string;
  description: string;
  durationMinutes: number;
  windowMinutes: number;
  minNoticeMinutes: number;
  maxHorizonDays: number;
  priceLabel: string | null;
  active: boolean;
  skills: string[];
}

export type ServiceFields = Omit<ServiceRecord, 'id' | 'skills'>;

const SERVICE_COLUMNS = [
  'id',
  'slug',
  'name',
  'description',
  'duration_minutes',
  'window_minutes',
  'min_notice_minutes',
  'max_horizon_days',
  'price_label',
  'active',
] as const;

async function servicesWithSkills(db: Db, ids?: string[]): Promise<ServiceRecord[]> {
  let query = db.selectFrom('services').select(SERVICE_COLUMNS).orderBy('name').orderBy('id');
  if (ids) query = query.where('id', 'in', ids);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const skills = await db
    .selectFrom('service_skills')
    .select(['service_id', 'skill_code'])
    .where(
      'service_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('skill_code')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    durationMinutes: r.duration_minutes,
    windowMinutes: r.window_minutes,
    minNoticeMinutes: r.min_notice_minutes,
    maxHorizonDays: r.max_horizon_days,
    priceLabel: r.price_label,
    active: r.active,
    skills: skills.filter((s) => s.service_id === r.id).map((s) => s.skill_code),
  }));
}

export async function listServices(db: Db): Promise<ServiceRecord[]> {
  return servicesWithSkills(db);
}

export async function getService(db: Db, id: string): Promise<ServiceRecord | undefined> {
  return (await servicesWithSkills(db, [id]))[0];
}

export async function serviceSlugTaken(db: Db, slug: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('services').select('id').where('slug', '=', slug);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

function serviceColumns(fields: Partial<ServiceFields>) {
  return {
    ...(fields.slug !== undefined ? { slug: fields.slug } : {}),
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    ...(fields.durationMinutes !== undefined ? { duration_minutes: fields.durationMinutes } : {}),
    ...(fields.windowMinutes !== undefined ? { window_minutes: fields.windowMinutes } : {}),
    ...(fields.minNoticeMinutes !== undefined ? { min_notice_minutes: fields.minNoticeMinutes } : {}),
    ...(fields.maxHorizonDays !== undefined ? { max_horizon_days: fields.maxHorizonDays } : {}),
    ...(fields.priceLabel !== undefined ? { price_label: fields.priceLabel } : {}),
    ...(fields.active !== undefined ? { active: fields.active } : {}),
  };
}

export async function insertService(db: Db, fields: ServiceFields): Promise<string> {
  const row = await db
    .insertInto('services')
    .values({
      ...serviceColumns(fields),
      slug: fields.slug,
      name: fields.name,
      duration_minutes: fields.durationMinutes,
      price_label: fields.priceLabel,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateService(db: Db, id: string, fields: Partial<ServiceFields>): Promise<boolean> {
  const result = await db
    .updateTable('services')
    .set({ ...serviceColumns(fields), updated_at: new Date() })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function replaceServiceSkills(db: Db, serviceId: string, skills: string[]): Promise<void> {
  await db.deleteFrom('service_skills').where('service_id', '=', serviceId).execute();
  if (skills.length > 0)
    await db
      .insertInto('service_skills')
      .values(skills.map((skill_code) => ({ service_id: serviceId, skill_code })))
      .execute();
}

/** A service with the skills it needs (the catalogue's record). */
export type ServiceWithSkills = ServiceRecord;

export function findService(db: Executor, id: string): Promise<ServiceWithSkills | undefined> {
  return getService(db, id);
}

export async function listActiveServices(db: Executor): Promise<ServiceWithSkills[]> {
  return (await listServices(db)).filter((s) => s.active);
}

/** Zone kind of every served postal code: it sets the driving speed around a visit. */
export async function postcodeZoneKinds(db: Executor): Promise<Map<string, ZoneKind>> {
  const rows = await db
    .selectFrom('zone_postcodes')
    .innerJoin('zones', 'zones.id', 'zone_postcodes.zone_id')
    .select(['zone_postcodes.postcode', 'zones.kind'])
    .execute();
  return new Map(rows.map((r) => [r.postcode, r.kind]));
}
