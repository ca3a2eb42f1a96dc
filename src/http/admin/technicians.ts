/**
 * Admin CRUD of technicians and of their working-hour rules.
 * Planners read; admins edit technicians; planners and admins edit working
 * hours (the planner keeps the team's week up to date).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TechnicianRecord } from '../../db/technicians.js';
import type { WorkingHoursRecord } from '../../db/working-hours.js';
import { technicianFeedUrls } from '../../domain/feeds.js';
import {
  createTechnician,
  deactivateTechnician,
  editTechnician,
  getTechnician,
  listTechnicians,
  type TechnicianInput,
} from '../../domain/technicians.js';
import {
  addWorkingHours,
  editWorkingHours,
  readWorkingHours,
  removeWorkingHours,
  replaceWorkingHours,
} from '../../domain/working-hours.js';
import { HttpProblem } from '../problem.js';
import {
  colour,
  idParams,
  label,
  latitude,
  localDate,
  longitude,
  security,
  skillCode,
  wallClock,
} from './schemas.js';
import { safeText } from '../schemas/text.js';

const technicianView = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  colour: z.string(),
  home: z.object({ address: z.string(), lat: z.number(), lon: z.number() }),
  active: z.boolean(),
  skills: z.array(z.string()),
  zoneIds: z.array(z.uuid()),
  /** The technician's iCal feed (https); null when revoked. */
  hasFeed: z.boolean(),
  feedUrl: z
    .string()
    .nullable()
    .describe('only in the answer that made the feed (creation); POST …/feed-token gives a new one'),
  webcalUrl: z.string().nullable(),
});

const home = z.strictObject({
  address: safeText(300, { min: 0 }).default(''),
  lat: latitude,
  lon: longitude,
});
const technicianFields = {
  name: label(120),
  email: z.email().max(200).nullable(),
  phone: safeText(40, { min: 0 }).nullable(),
  colour,
  home,
  active: z.boolean(),
  skills: z.array(skillCode).max(50),
  zoneIds: z.array(z.uuid()).max(200),
};
const technicianBody = z.strictObject({
  ...technicianFields,
  email: technicianFields.email.default(null),
  phone: technicianFields.phone.default(null),
  colour: colour.default('#1f6feb'),
  active: technicianFields.active.default(true),
  skills: technicianFields.skills.default([]),
  zoneIds: technicianFields.zoneIds.default([]),
});
const technicianPatch = z.strictObject(technicianFields).partial();

const ruleView = z.object({
  id: z.uuid(),
  rrule: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
});
const ruleFields = {
  rrule: safeText(500).describe(
    'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR (FREQ WEEKLY or DAILY; INTERVAL, BYDAY, WKST)',
  ),
  startTime: wallClock.describe('local wall-clock time HH:MM'),
  endTime: wallClock.describe('local wall-clock time HH:MM, after startTime'),
  validFrom: localDate,
  validUntil: localDate.nullable(),
};
const ruleBody = z.strictObject({ ...ruleFields, validUntil: ruleFields.validUntil.default(null) });
const rulePatch = z.strictObject(ruleFields).partial();

/** The feed URL only with a token just made (creation): afterwards only its hash is kept. */
function technicianOut(
  t: TechnicianRecord & { feedToken?: string },
  publicUrl: string,
): z.infer<typeof technicianView> {
  const feed = t.feedToken ? technicianFeedUrls(publicUrl, t.feedToken) : null;
  return {
    id: t.id,
    name: t.name,
    email: t.email,
    phone: t.phone,
    colour: t.colour,
    home: { address: t.homeAddress, lat: t.homeLat, lon: t.homeLon },
    active: t.active,
    skills: t.skills,
    zoneIds: t.zoneIds,
    hasFeed: t.hasFeed,
    feedUrl: feed?.https ?? null,
    webcalUrl: feed?.webcal ?? null,
  };
}

function technicianInput(body: z.infer<typeof technicianBody>): TechnicianInput {
  const { home: h, ...rest } = body;
  return { ...rest, homeAddress: h.address, homeLat: h.lat, homeLon: h.lon };
}

function technicianChanges(body: z.infer<typeof technicianPatch>): Partial<TechnicianInput> {
  const { home: h, ...rest } = body;
  return { ...rest, ...(h ? { homeAddress: h.address, homeLat: h.lat, homeLon: h.lon } : {}) };
}

function ruleOut(r: WorkingHoursRecord): z.infer<typeof ruleView> {
  // HH:MM as the client writes them; seconds only when they matter
  const clock = (t: string) => (t.endsWith(':00') ? t.slice(0, 5) : t);
  return {
    id: r.id,
    rrule: r.rrule,
    startTime: clock(r.startTime),
    endTime: clock(r.endTime),
    validFrom: r.validFrom,
    validUntil: r.validUntil,
  };
}

export const adminTechnicianRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const tags = ['admin', 'technicians'];
  const hoursTags = ['admin', 'availability'];

  app.get(
    '/technicians',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'List technicians',
        tags,
        security,
        querystring: z.object({ active: z.enum(['true', 'false']).optional() }),
        response: { 200: z.array(technicianView) },
      },
    },
    async (request) => {
      const all = await listTechnicians(ctx.db, { activeOnly: request.query.active === 'true' });
      const wanted = request.query.active === 'false' ? all.filter((t) => !t.active) : all;
      return wanted.map((t) => technicianOut(t, ctx.publicUrl));
    },
  );

  app.get(
    '/technicians/:id',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'One technician',
        tags,
        security,
        params: idParams,
        response: { 200: technicianView },
      },
    },
    async (request) => {
      const technician = await getTechnician(ctx.db, request.params.id);
      if (!technician) throw HttpProblem.notFound('Technician');
      return technicianOut(technician, ctx.publicUrl);
    },
  );

  app.post(
    '/technicians',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create a technician (with a calendar feed URL)',
        tags,
        security,
        body: technicianBody,
        response: { 201: technicianView },
      },
    },
    async (request, reply) => {
      const created = await createTechnician(ctx.db, technicianInput(request.body));
      return reply.code(201).send(technicianOut(created, ctx.publicUrl));
    },
  );

  app.patch(
    '/technicians/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Change a technician; skills and zoneIds, when given, replace the lists',
        tags,
        security,
        params: idParams,
        body: technicianPatch,
        response: { 200: technicianView },
      },
    },
    async (request) =>
      technicianOut(
        await editTechnician(ctx.db, request.params.id, technicianChanges(request.body)),
        ctx.publicUrl,
      ),
  );

  app.delete(
    '/technicians/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Deactivate a technician (visits and history stay)',
        tags,
        security,
        params: idParams,
        response: { 200: technicianView },
      },
    },
    async (request) => technicianOut(await deactivateTechnician(ctx.db, request.params.id), ctx.publicUrl),
  );

  // --- working hours
  const ruleParams = z.object({ id: z.uuid(), ruleId: z.uuid() });

  app.get(
    '/technicians/:id/working-hours',
    {
      config: { role: 'planner' },
      schema: {
        summary: "A technician's working-hour rules (local wall-clock time)",
        tags: hoursTags,
        security,
        params: idParams,
        response: { 200: z.array(ruleView) },
      },
    },
    async (request) => (await readWorkingHours(ctx.db, request.params.id)).map(ruleOut),
  );

  app.post(
    '/technicians/:id/working-hours',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Add a working-hour rule; 400 if it overlaps another on a same weekday',
        tags: hoursTags,
        security,
        params: idParams,
        body: ruleBody,
        response: { 201: ruleView },
      },
    },
    async (request, reply) =>
      reply.code(201).send(ruleOut(await addWorkingHours(ctx.db, request.params.id, request.body))),
  );

  app.put(
    '/technicians/:id/working-hours',
    {
      config: { role: 'planner' },
      schema: {
        summary: "Replace all of a technician's working-hour rules at once",
        tags: hoursTags,
        security,
        params: idParams,
        body: z.strictObject({ rules: z.array(ruleBody).max(50) }),
        response: { 200: z.array(ruleView) },
      },
    },
    async (request) =>
      (await replaceWorkingHours(ctx.db, request.params.id, request.body.rules)).map(ruleOut),
  );

  app.patch(
    '/technicians/:id/working-hours/:ruleId',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Change a working-hour rule',
        tags: hoursTags,
        security,
        params: ruleParams,
        body: rulePatch,
        response: { 200: ruleView },
      },
    },
    async (request) =>
      ruleOut(await editWorkingHours(ctx.db, request.params.id, request.params.ruleId, request.body)),
  );

  app.delete(
    '/technicians/:id/working-hours/:ruleId',
    {
      config: { role: 'planner' },
      schema: { summary: 'Delete a working-hour rule', tags: hoursTags, security, params: ruleParams },
    },
    async (request, reply) => {
      await removeWorkingHours(ctx.db, request.params.id, request.params.ruleId);
      return reply.code(204).send();
    },
  );
};
