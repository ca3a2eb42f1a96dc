/** Rules for editing technicians: known skills and zones, one transaction per change. */
import { existingZoneIds } from '../db/catalogue.js';
import type { Db } from '../db/database.js';
import {
  getTechnician,
  insertTechnician,
  replaceTechnicianSkills,
  replaceTechnicianZones,
  updateTechnician,
  type TechnicianFields,
  type TechnicianRecord,
} from '../db/technicians.js';
import { checkSkills } from './catalogue.js';
import { firstDuplicate, firstUnknown, invalidField, notFound } from './field-errors.js';
import { newSecret, sha256Hex } from './secrets.js';

/** Plain reads with no rule of their own: the routes reach them through this module. */
export { getTechnician, listTechnicians } from '../db/technicians.js';

export type TechnicianInput = TechnicianFields & { skills: string[]; zoneIds: string[] };

const TECHNICIAN = { en: 'Technician', fr: 'Technicien' };

async function checkZones(db: Db, zoneIds: string[]): Promise<void> {
  const duplicate = firstDuplicate(zoneIds, 'body.zoneIds');
  if (duplicate) throw invalidField(duplicate.field, 'zone listed twice', 'zone en double');
  const unknown = firstUnknown(zoneIds, await existingZoneIds(db, zoneIds), 'body.zoneIds');
  if (unknown)
    throw invalidField(
      unknown.field,
      `unknown zone ${unknown.value}`,
      `zone inconnue : ${unknown.value}`,
      'unknown-zone',
    );
}

/** A new technician gets a calendar feed at once; its token is returned this once (only its hash is kept). */
export async function createTechnician(
  db: Db,
  input: TechnicianInput,
): Promise<TechnicianRecord & { feedToken: string }> {
  return db.transaction().execute(async (tx) => {
    await checkSkills(tx, input.skills, 'body.skills');
    await checkZones(tx, input.zoneIds);
    const { skills, zoneIds, ...fields } = input;
    const feedToken = newSecret('feed');
    const id = await insertTechnician(tx, { ...fields, feedTokenHash: sha256Hex(feedToken) });
    await replaceTechnicianSkills(tx, id, skills);
    await replaceTechnicianZones(tx, id, zoneIds);
    return { ...(await getTechnician(tx, id))!, feedToken };
  });
}

export async function editTechnician(
  db: Db,
  id: string,
  changes: Partial<TechnicianInput>,
): Promise<TechnicianRecord> {
  return db.transaction().execute(async (tx) => {
    const { skills, zoneIds, ...fields } = changes;
    if (skills) await checkSkills(tx, skills, 'body.skills');
    if (zoneIds) await checkZones(tx, zoneIds);
    if (!(await updateTechnician(tx, id, fields))) throw notFound(TECHNICIAN);
    if (skills) await replaceTechnicianSkills(tx, id, skills);
    if (zoneIds) await replaceTechnicianZones(tx, id, zoneIds);
    return (await getTechnician(tx, id))!;
  });
}

/** Technicians are deactivated, never deleted: their visits and history stay. */
export async function deactivateTechnician(db: Db, id: string): Promise<TechnicianRecord> {
  return editTechnician(db, id, { active: false });
}
