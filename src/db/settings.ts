/** The company settings row (there is exactly one). */
import type { Db } from './database.js';
import type { WindowGridEntry } from './schema.js';

export interface CompanySettingsRecord {
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
  updatedAt: Date;
}

export async function getCompanySettings(db: Db): Promise<CompanySettingsRecord | undefined> {
  const row = await db
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
      'updated_at',
    ])
    .executeTakeFirst();
  return (
    row && {
      name: row.name,
      phone: row.phone,
      timezone: row.timezone,
      windowGrid: row.window_grid,
      bookingHorizonDays: row.booking_horizon_days,
      holidayRegion: row.holiday_region,
      whitMondayWorked: row.whit_monday_worked,
      phoneCountryCodes: row.phone_country_codes,
      emailRequired: row.email_required,
      updatedAt: row.updated_at,
    }
  );
}

export async function updateCompanySettings(
  db: Db,
  changes: Partial<Omit<CompanySettingsRecord, 'updatedAt'>>,
): Promise<boolean> {
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
      updated_at: new Date(),
    })
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
