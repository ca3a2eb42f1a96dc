import { findCompanySettings, getCompanySettings, type CompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';

/** The company fields messages need (its name and phone sign every e-mail; reminders leave at its hour). */
export type MessageCompany = Pick<CompanySettings, 'name' | 'phone' | 'timezone' | 'reminderHour'>;

const messageFields = ({ name, phone, timezone, reminderHour }: CompanySettings): MessageCompany => ({
  name,
  phone,
  timezone,
  reminderHour,
});

export async function messageCompany(db: Db): Promise<MessageCompany> {
  return messageFields(await getCompanySettings(db));
}

/** The same, or undefined on a database with no company yet (nothing booked, nothing to schedule). */
export async function findMessageCompany(db: Db): Promise<MessageCompany | undefined> {
  const settings = await findCompanySettings(db);
  return settings && messageFields(settings);
}
