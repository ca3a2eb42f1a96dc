/** GET/PATCH /v1/admin/settings: the company's time zone, arrival-window grid, horizon and holidays. Planners read, admins write. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CompanySettings } from '../../db/company-settings.js';
import { HOLIDAY_REGIONS } from '../../domain/availability.js';
import { changeSettings, readSettings } from '../../domain/settings.js';
import { label, security, windowClock } from './schemas.js';
import { safeText } from '../schemas/text.js';

const settingsView = z.object({
  name: z.string(),
  phone: z.string(),
  timezone: z.string(),
  windowGrid: z.array(z.object({ start: z.string(), end: z.string() })),
  bookingHorizonDays: z.number().int(),
  holidayRegion: z.enum(HOLIDAY_REGIONS).nullable(),
  whitMondayWorked: z.boolean(),
  phoneCountryCodes: z.array(z.string()),
  emailRequired: z.boolean(),
  reminderHour: z.number().int(),
  updatedAt: z.date(),
});

const settingsPatch = z.strictObject({
  name: label(200).optional(),
  phone: safeText(40, { min: 0 }).optional(),
  timezone: safeText(64).optional().describe('IANA time zone, e.g. Europe/Paris'),
  windowGrid: z
    .array(z.strictObject({ start: windowClock, end: windowClock }))
    .max(24)
    .optional()
    .describe('arrival windows of a working day, local time, sorted and disjoint'),
  bookingHorizonDays: z.number().int().min(1).max(366).optional(),
  holidayRegion: z
    .enum(HOLIDAY_REGIONS)
    .nullable()
    .optional()
    .describe("null: national holidays; '57', '67', '68': Alsace-Moselle (adds Good Friday and 26 December)"),
  whitMondayWorked: z.boolean().optional().describe('Whit Monday worked as the journée de solidarité'),
  phoneCountryCodes: z
    .array(z.string().regex(/^[1-9]\d{0,2}$/, 'must be a dialling code, e.g. 32'))
    .max(50)
    .optional()
    .describe('countries whose phone numbers customers may give, by dialling code; French numbers always'),
  emailRequired: z.boolean().optional().describe('whether online bookings must give an e-mail address'),
  reminderHour: z
    .number()
    .int()
    .min(0)
    .max(23)
    .optional()
    .describe('local hour from which the day-before reminder e-mails leave (18 = from 18:00)'),
});

/** What the admin sees: every setting but the team feed's secret (kept hashed, shown at rotation). */
const view = (s: CompanySettings): z.infer<typeof settingsView> => ({
  name: s.name,
  phone: s.phone,
  timezone: s.timezone,
  windowGrid: s.windowGrid,
  bookingHorizonDays: s.bookingHorizonDays,
  holidayRegion: s.holidayRegion,
  whitMondayWorked: s.whitMondayWorked,
  phoneCountryCodes: s.phoneCountryCodes,
  emailRequired: s.emailRequired,
  reminderHour: s.reminderHour,
  updatedAt: s.updatedAt,
});

export const adminSettingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const tags = ['admin', 'settings'];
  app.get(
    '/settings',
    {
      config: { role: 'planner' },
      schema: { summary: 'Company settings', tags, security, response: { 200: settingsView } },
    },
    async () => view(await readSettings(ctx.db)),
  );

  app.patch(
    '/settings',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Change company settings',
        tags,
        security,
        body: settingsPatch,
        response: { 200: settingsView },
      },
    },
    async (request) => view(await changeSettings(ctx.db, request.body)),
  );
};
