import { findCompanySettings, getCompanySettings, type CompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';

/** The company fields messages need (its name and phone sign every e-mail; reminders leave at its hour). */
export type MessageCompany = Pick<CompanySettings, 'name' | 'phone' | 'timezone' | 'reminderHour'>;

export async function messageCompany(db: Db): Promise<MessageCompany> {
  const { name, phone, timezone, reminderHour } = await getCompanySettings(db);
  return { name, phone, timezone, reminderHour };
}

/** The same, or undefined on a database with no company yet (nothing booked, nothing to schedule). */
export async function findMessageCompany(db: Db): Promise<MessageCompany | undefined> {
  const settings = await findCompanySettings(db);
  return (
    settings && {
      name: settings.name,
      phone: settings.phone,
      timezone: settings.timezone,
      reminderHour: settings.reminderHour,
    }
  );
}
