import type { Db } from '../db/database.js';
import { getCompanySettings } from '../db/company-settings.js';
import { listVisits, type VisitListFilter } from '../db/visits.js';

/** The back office's list of visits: a plain read, with the company's time zone to show it in. */
export async function visitList(db: Db, filter: VisitListFilter) {
  const { timezone } = await getCompanySettings(db);
  return { timezone, rows: await listVisits(db, filter) };
}
