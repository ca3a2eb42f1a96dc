/** The company settings row (there is exactly one: CHECK id = 1). The only module that reads it. */
import { sql } from 'kysely';
import type { Db, Executor } from './database.js';
import type { WindowGridEntry } from './schema.js';

export interface CompanySettings {
  name: string;
  phone: string;
  timezone: string;
  windowGrid: WindowGridEntry[];
  bookingHorizonDays: number;
  holidayRegion: '57' | '67' | '68' | null;
  whitMondayWorked: boolean;
  /** Dialling codes of the countries whose phone numbers the company calls back ("33" always). */
  phoneCountryCodes: string[];
  emailRequired: boolean;
  /** Local hour at which day-before reminders leave. */
  reminderHour: number;
  /** SHA-256 (hex) of the secret in the team calendar feed's URL. */
  teamFeedTokenHash: string;
  updatedAt: Date;
}

/** What an admin may change here (the feed token has its own rotation). */
export type CompanySettingsChanges = Partial<Omit<CompanySettings, 'updatedAt' | 'teamFeedTokenHash'>>;

/** The settings row's query, for a statement that reads it along with other work. */
export function settingsQuery(db: Executor) {
  return db
    .selectFrom('company_settings')
    .select([
      'name',
      'phone',
      'timezone',
      'window_grid',
      'booking_horizon_days',
      'holiday_region',
      'whit_monday_worked',
      'phone_country_codes',
      'email_required',
      'reminder_hour',
      'team_feed_token_hash',
      'updated_at',
    ]);
}

export type SettingsRow = Awaited<ReturnType<ReturnType<typeof settingsQuery>['executeTakeFirstOrThrow']>>;

export function settingsOf(row: SettingsRow): CompanySettings {
  return {
    name: row.name,
    phone: row.phone,
    timezone: row.timezone,
    windowGrid: row.window_grid,
    bookingHorizonDays: row.booking_horizon_days,
    holidayRegion: row.holiday_region,
    whitMondayWorked: row.whit_monday_worked,
    phoneCountryCodes: row.phone_country_codes,
    emailRequired: row.email_required,
    reminderHour: row.reminder_hour,
    teamFeedTokenHash: row.team_feed_token_hash,
    updatedAt: row.updated_at,
  };
}

/** The settings, or undefined on a database with no company yet (the service still answers). */
export async function findCompanySettings(db: Executor): Promise<CompanySettings | undefined> {
  const row = await settingsQuery(db).executeTakeFirst();
  return row && settingsOf(row);
}

/** The settings; throws (Kysely's NoResultError) on a database with no company. */
export async function getCompanySettings(db: Executor): Promise<CompanySettings> {
  return settingsOf(await settingsQuery(db).executeTakeFirstOrThrow());
}

export async function updateCompanySettings(db: Executor, changes: CompanySettingsChanges): Promise<boolean> {
  const result = await db
    .updateTable('company_settings')
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.phone !== undefined ? { phone: changes.phone } : {}),
      ...(changes.timezone !== undefined ? { timezone: changes.timezone } : {}),
      ...(changes.windowGrid !== undefined ? { window_grid: JSON.stringify(changes.windowGrid) } : {}),
      ...(changes.bookingHorizonDays !== undefined
        ? { booking_horizon_days: changes.bookingHorizonDays }
        : {}),
      ...(changes.holidayRegion !== undefined ? { holiday_region: changes.holidayRegion } : {}),
      ...(changes.whitMondayWorked !== undefined ? { whit_monday_worked: changes.whitMondayWorked } : {}),
      ...(changes.phoneCountryCodes !== undefined ? { phone_country_codes: changes.phoneCountryCodes } : {}),
      ...(changes.emailRequired !== undefined ? { email_required: changes.emailRequired } : {}),
      ...(changes.reminderHour !== undefined ? { reminder_hour: changes.reminderHour } : {}),
      updated_at: new Date(),
    })
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setTeamFeedToken(db: Db, tokenHash: string): Promise<boolean> {
  const result = await db
    .updateTable('company_settings')
    .set({ team_feed_token_hash: tokenHash, updated_at: sql<Date>`now()` })
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
