/** Admin CRUD of the catalogue: skills, zones (with postal codes and centroids), services. Planners read, admins write. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createService,
  createSkill,
  createZone,
  deactivateService,
  editService,
  editZone,
  getService,
  getZone,
  listServices,
  listSkills,
  listZones,
  removeSkill,
  removeZone,
  renameSkill,
} from '../../domain/catalogue.js';
import { HttpProblem } from '../problem.js';
import { idParams, label, latitude, longitude, postcode, security, skillCode } from './schemas.js';
import { safeText } from '../schemas/text.js';

const skillView = z.object({ code: z.string(), label: z.string() });

const zoneKind = z.enum(['urban', 'periurban', 'rural']);
const zonePostcode = z.strictObject({ postcode, city: label(120), lat: latitude, lon: longitude });
const zoneView = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: zoneKind,
  postcodes: z.array(z.object({ postcode: z.string(), city: z.string(), lat: z.number(), lon: z.number() })),
});
const zoneBody = z.strictObject({
  name: label(120),
  /** drives the average driving speed of the travel model */
  kind: zoneKind.default('periurban'),
  postcodes: z.array(zonePostcode).max(2000),
});
const zonePatch = z.strictObject({
  name: label(120).optional(),
  kind: zoneKind.optional(),
  postcodes: z.array(zonePostcode).max(2000).optional(),
});

const serviceView = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  durationMinutes: z.number().int(),
  windowMinutes: z.number().int(),
  minNoticeMinutes: z.number().int(),
  maxHorizonDays: z.number().int(),
  priceLabel: z.string().nullable(),
  active: z.boolean(),
  skills: z.array(z.string()),
});
const serviceFields = {
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes'),
  name: label(200),
  description: safeText(2000, { multiline: true, min: 0 }),
  durationMinutes: z.number().int().min(5).max(720),
  windowMinutes: z.number().int().min(15).max(720),
  minNoticeMinutes: z.number().int().min(0).max(525_600),
  maxHorizonDays: z.number().int().min(1).max(366),
  priceLabel: safeText(200, { min: 0 }).nullable(),
  active: z.boolean(),
  skills: z.array(skillCode).max(20),
};
const serviceBody = z.strictObject({
  ...serviceFields,
  description: serviceFields.description.default(''),
  windowMinutes: serviceFields.windowMinutes.default(120),
  minNoticeMinutes: serviceFields.minNoticeMinutes.default(1440),
  maxHorizonDays: serviceFields.maxHorizonDays.default(28),
  priceLabel: serviceFields.priceLabel.default(null),
  active: serviceFields.active.default(true),
});
const servicePatch = z.strictObject(serviceFields).partial();

export const adminCatalogueRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const tags = ['admin', 'catalogue'];

  // --- skills
  app.get(
    '/skills',
    {
      config: { role: 'planner' },
      schema: { summary: 'List skills', tags, security, response: { 200: z.array(skillView) } },
    },
    async () => listSkills(ctx.db),
  );

  app.post(
    '/skills',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create a skill',
        tags,
        security,
        body: z.strictObject({ code: skillCode, label: label(120) }),
        response: { 201: skillView },
      },
    },
    async (request, reply) => reply.code(201).send(await createSkill(ctx.db, request.body)),
  );

  app.patch(
    '/skills/:code',
    {
      config: { role: 'admin' },
      schema: {
        summary: "Change a skill's label",
        tags,
        security,
        params: z.object({ code: skillCode }),
        body: z.strictObject({ label: label(120) }),
        response: { 200: skillView },
      },
    },
    async (request) => renameSkill(ctx.db, request.params.code, request.body.label),
  );

  app.delete(
    '/skills/:code',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Delete a skill no technician or service uses (409 otherwise)',
        tags,
        security,
        params: z.object({ code: skillCode }),
      },
    },
    async (request, reply) => {
      await removeSkill(ctx.db, request.params.code);
      return reply.code(204).send();
    },
  );

  // --- zones
  app.get(
    '/zones',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'List zones with their postal codes',
        tags,
        security,
        response: { 200: z.array(zoneView) },
      },
    },
    async () => listZones(ctx.db),
  );

  app.get(
    '/zones/:id',
    {
      config: { role: 'planner' },
      schema: { summary: 'One zone', tags, security, params: idParams, response: { 200: zoneView } },
    },
    async (request) => {
      const zone = await getZone(ctx.db, request.params.id);
      if (!zone) throw HttpProblem.notFound('Zone');
      return zone;
    },
  );

  app.post(
    '/zones',
    {
      config: { role: 'admin' },
      schema: { summary: 'Create a zone', tags, security, body: zoneBody, response: { 201: zoneView } },
    },
    async (request, reply) => reply.code(201).send(await createZone(ctx.db, request.body)),
  );

  app.patch(
    '/zones/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Change a zone; postcodes, when given, replace the list',
        tags,
        security,
        params: idParams,
        body: zonePatch,
        response: { 200: zoneView },
      },
    },
    async (request) => editZone(ctx.db, request.params.id, request.body),
  );

  app.delete(
    '/zones/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Delete a zone no technician serves (409 otherwise)',
        tags,
        security,
        params: idParams,
      },
    },
    async (request, reply) => {
      await removeZone(ctx.db, request.params.id);
      return reply.code(204).send();
    },
  );

  // --- services
  app.get(
    '/services',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'List services, active or not',
        tags,
        security,
        response: { 200: z.array(serviceView) },
      },
    },
    async () => listServices(ctx.db),
  );

  app.get(
    '/services/:id',
    {
      config: { role: 'planner' },
      schema: { summary: 'One service', tags, security, params: idParams, response: { 200: serviceView } },
    },
    async (request) => {
      const service = await getService(ctx.db, request.params.id);
      if (!service) throw HttpProblem.notFound('Service');
      return service;
    },
  );

  app.post(
    '/services',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create a service',
        tags,
        security,
        body: serviceBody,
        response: { 201: serviceView },
      },
    },
    async (request, reply) => reply.code(201).send(await createService(ctx.db, request.body)),
  );

  app.patch(
    '/services/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Change a service; skills, when given, replace the list',
        tags,
        security,
        params: idParams,
        body: servicePatch,
        response: { 200: serviceView },
      },
    },
    async (request) => editService(ctx.db, request.params.id, request.body),
  );

  app.delete(
    '/services/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Deactivate a service (booked visits keep it)',
        tags,
        security,
        params: idParams,
        response: { 200: serviceView },
      },
    },
    async (request) => deactivateService(ctx.db, request.params.id),
  );
};
