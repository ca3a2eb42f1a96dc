import type { Db } from './database.js';

export interface MessageCompany {
  name: string;
  phone: string;
  timezone: string;
  /** Local hour at which day-before reminders leave. */
  reminderHour: number;
}

/** The company fields messages need (its name and phone sign every e-mail). */
export async function messageCompany(db: Db): Promise<MessageCompany> {
  const row = await db
    .selectFrom('company_settings')
    .select(['name', 'phone', 'timezone', 'reminder_hour'])
    .executeTakeFirstOrThrow();
  return { name: row.name, phone: row.phone, timezone: row.timezone, reminderHour: row.reminder_hour };
}
