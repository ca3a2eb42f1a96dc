/** Company settings: the arrival-window grid, the booking horizon, holidays. */
import { IANAZone } from 'luxon';
import type { Db } from '../db/database.js';
import {
  findCompanySettings,
  updateCompanySettings,
  type CompanySettings,
  type CompanySettingsChanges,
} from '../db/company-settings.js';
import { parseWallClock } from './availability.js';
import { invalidField, notFound } from './field-errors.js';

export type SettingsChanges = CompanySettingsChanges;

/**
 * The window grid must be a sorted list of non-overlapping HH:MM ranges with
 * end > start: the slot offer walks it in order and promises each window as is.
 */
export function checkWindowGrid(grid: { start: string; end: string }[], prefix = 'body.windowGrid'): void {
  if (grid.length === 0)
    throw invalidField(prefix, 'at least one arrival window is needed', 'au moins un créneau est nécessaire');
  let previousEnd = -1;
  grid.forEach((w, i) => {
    const start = parseClock(w.start, `${prefix}.${i}.start`);
    const end = parseClock(w.end, `${prefix}.${i}.end`);
    if (end <= start) throw invalidField(`${prefix}.${i}.end`, 'must be after start', 'doit suivre le début');
    if (start < previousEnd) {
      throw invalidField(
        `${prefix}.${i}.start`,
        'windows must be sorted and must not overlap',
        'les créneaux doivent être triés et disjoints',
      );
    }
    previousEnd = end;
  });
}

function parseClock(text: string, field: string): number {
  if (!/^\d{2}:\d{2}$/.test(text)) throw invalidField(field, 'must be HH:MM', 'doit être au format HH:MM');
  try {
    return parseWallClock(text);
  } catch {
    throw invalidField(field, 'must be a time of day HH:MM', 'doit être une heure HH:MM');
  }
}

export async function readSettings(db: Db): Promise<CompanySettings> {
  const settings = await findCompanySettings(db);
  if (!settings) throw notFound({ en: 'Company settings', fr: "Paramètres de l'entreprise" });
  return settings;
}

export async function changeSettings(db: Db, changes: SettingsChanges): Promise<CompanySettings> {
  if (changes.windowGrid) checkWindowGrid(changes.windowGrid);
  if (changes.timezone !== undefined && !IANAZone.isValidZone(changes.timezone)) {
    throw invalidField('body.timezone', 'unknown IANA time zone', 'fuseau horaire IANA inconnu');
  }
  return db.transaction().execute(async (tx) => {
    if (!(await updateCompanySettings(tx, changes)))
      throw notFound({ en: 'Company settings', fr: "Paramètres de l'entreprise" });
    return (await findCompanySettings(tx))!;
  });
}
