/** Rules for editing the catalogue: skills, zones and services. Every write is one transaction. */
import {
  deleteSkill,
  deleteZone,
  existingSkillCodes,
  getService,
  getSkill,
  getZone,
  insertService,
  insertSkill,
  insertZone,
  isUniqueViolation,
  replaceServiceSkills,
  replaceZonePostcodes,
  serviceSlugTaken,
  skillUsage,
  updateService,
  updateSkillLabel,
  updateZone,
  zoneNameTaken,
  zoneTechnicianCount,
  type ServiceFields,
  type ServiceRecord,
  type SkillRecord,
  type ZonePostcodeRecord,
  type ZoneRecord,
} from '../db/catalogue.js';
import type { Db } from '../db/database.js';
import type { ZoneKind } from '../db/schema.js';
import { conflictField, firstDuplicate, firstUnknown, invalidField, notFound } from './field-errors.js';

/** Plain reads with no rule of their own: the routes reach them through this module. */
export {
  getService,
  getZone,
  listActiveServices,
  listServices,
  listSkills,
  listZones,
} from '../db/catalogue.js';

const SKILL = { en: 'Skill', fr: 'Compétence' };
const ZONE = { en: 'Zone', fr: 'Zone' };
const SERVICE = { en: 'Service', fr: 'Prestation' };

/** Rejects unknown or repeated skill codes, naming `${prefix}.N`. */
export async function checkSkills(db: Db, skills: string[], prefix: string): Promise<void> {
  const duplicate = firstDuplicate(skills, prefix);
  if (duplicate)
    throw invalidField(
      duplicate.field,
      `skill ${duplicate.value} is listed twice`,
      `compétence ${duplicate.value} en double`,
    );
  const unknown = firstUnknown(skills, await existingSkillCodes(db, skills), prefix);
  if (unknown)
    throw invalidField(
      unknown.field,
      `unknown skill ${unknown.value}`,
      `compétence inconnue : ${unknown.value}`,
      'unknown-skill',
    );
}

// --- skills

export async function createSkill(db: Db, skill: SkillRecord): Promise<SkillRecord> {
  try {
    return await db.transaction().execute(async (tx) => {
      if (await getSkill(tx, skill.code))
        throw conflictField(
          'body.code',
          `skill ${skill.code} already exists`,
          `la compétence ${skill.code} existe déjà`,
        );
      await insertSkill(tx, skill);
      return skill;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflictField(
        'body.code',
        `skill ${skill.code} already exists`,
        `la compétence ${skill.code} existe déjà`,
      );
    throw error;
  }
}

export async function renameSkill(db: Db, code: string, label: string): Promise<SkillRecord> {
  if (!(await updateSkillLabel(db, code, label))) throw notFound(SKILL);
  return { code, label };
}

/** Only an unused skill can go: removing it silently would change who may do what. */
export async function removeSkill(db: Db, code: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await getSkill(tx, code))) throw notFound(SKILL);
    const usage = await skillUsage(tx, code);
    if (usage.technicians + usage.services > 0) {
      throw conflictField(
        'params.code',
        `skill ${code} is still held by ${usage.technicians} technician(s) and required by ${usage.services} service(s)`,
        `la compétence ${code} est encore utilisée (${usage.technicians} technicien(s), ${usage.services} prestation(s))`,
        'skill-in-use',
      );
    }
    await deleteSkill(tx, code);
  });
}

// --- zones

export interface ZoneInput {
  name: string;
  kind: ZoneKind;
  postcodes: ZonePostcodeRecord[];
}

function checkPostcodes(postcodes: ZonePostcodeRecord[]): void {
  const duplicate = firstDuplicate(
    postcodes.map((p) => `${p.postcode}|${p.city}`),
    'body.postcodes',
  );
  if (duplicate)
    throw invalidField(
      `${duplicate.field}.postcode`,
      'postal code and city listed twice',
      'code postal et commune en double',
    );
}

async function checkZoneName(db: Db, name: string, exceptId?: string): Promise<void> {
  if (await zoneNameTaken(db, name, exceptId))
    throw conflictField('body.name', `a zone is already named ${name}`, `une zone s'appelle déjà ${name}`);
}

export async function createZone(db: Db, input: ZoneInput): Promise<ZoneRecord> {
  checkPostcodes(input.postcodes);
  return db.transaction().execute(async (tx) => {
    await checkZoneName(tx, input.name);
    const id = await insertZone(tx, { name: input.name, kind: input.kind });
    await replaceZonePostcodes(tx, id, input.postcodes);
    return (await getZone(tx, id))!;
  });
}

export async function editZone(db: Db, id: string, changes: Partial<ZoneInput>): Promise<ZoneRecord> {
  if (changes.postcodes) checkPostcodes(changes.postcodes);
  return db.transaction().execute(async (tx) => {
    if (changes.name !== undefined) await checkZoneName(tx, changes.name, id);
    if (!(await updateZone(tx, id, { name: changes.name, kind: changes.kind }))) throw notFound(ZONE);
    if (changes.postcodes) await replaceZonePostcodes(tx, id, changes.postcodes);
    return (await getZone(tx, id))!;
  });
}

/** A zone still served by technicians stays: removing it would silently shrink their area. */
export async function removeZone(db: Db, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await getZone(tx, id))) throw notFound(ZONE);
    const served = await zoneTechnicianCount(tx, id);
    if (served > 0) {
      throw conflictField(
        'params.id',
        `the zone is still served by ${served} technician(s)`,
        `la zone est encore desservie par ${served} technicien(s)`,
        'zone-in-use',
      );
    }
    await deleteZone(tx, id);
  });
}

// --- services

export type ServiceInput = ServiceFields & { skills: string[] };

async function checkSlug(db: Db, slug: string, exceptId?: string): Promise<void> {
  if (await serviceSlugTaken(db, slug, exceptId))
    throw conflictField('body.slug', `a service already uses ${slug}`, `une prestation utilise déjà ${slug}`);
}

export async function createService(db: Db, input: ServiceInput): Promise<ServiceRecord> {
  try {
    return await db.transaction().execute(async (tx) => {
      await checkSkills(tx, input.skills, 'body.skills');
      await checkSlug(tx, input.slug);
      const id = await insertService(tx, input);
      await replaceServiceSkills(tx, id, input.skills);
      return (await getService(tx, id))!;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflictField(
        'body.slug',
        `a service already uses ${input.slug}`,
        `une prestation utilise déjà ${input.slug}`,
      );
    throw error;
  }
}

export async function editService(
  db: Db,
  id: string,
  changes: Partial<ServiceInput>,
): Promise<ServiceRecord> {
  return db.transaction().execute(async (tx) => {
    const { skills, ...fields } = changes;
    if (skills) await checkSkills(tx, skills, 'body.skills');
    if (fields.slug !== undefined) await checkSlug(tx, fields.slug, id);
    if (!(await updateService(tx, id, fields))) throw notFound(SERVICE);
    if (skills) await replaceServiceSkills(tx, id, skills);
    return (await getService(tx, id))!;
  });
}

/** Services are deactivated, never deleted: booked visits keep pointing at them. */
export async function deactivateService(db: Db, id: string): Promise<ServiceRecord> {
  return editService(db, id, { active: false });
}
