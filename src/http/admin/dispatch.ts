/**
 * The dispatcher's quick questions and urgent work (issue 16): can this
 * visit go there (asked while dragging, nothing written), and — for an
 * urgent job today — where it could go and creating it there. Planner role.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkMove } from '../../domain/planning/move-check.js';
import { moveOptions } from '../../domain/planning/move-options.js';
import { createUrgentVisit, urgentOptions } from '../../domain/planning/urgent-create.js';
import { safeInstant, safeText } from '../schemas/text.js';
import { idParams } from './schemas.js';

const security = [{ bearer: [] }];

const urgentJob = {
  serviceId: z.uuid(),
  address: z.strictObject({
    street: safeText(200),
    postcode: z.string().regex(/^\d{5}$/, 'must be a 5-digit French postal code'),
    city: safeText(100),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
  }),
  deadline: safeInstant().describe('latest start, today'),
  durationMinutes: z.number().int().min(5).max(600).optional(),
};
const movedVisit = z.object({ visitId: z.uuid(), reference: z.string(), from: z.string(), to: z.string() });
const urgentOption = z.object({
  technicianId: z.uuid(),
  technicianName: z.string(),
  start: z.string(),
  travelAddedMinutes: z.number(),
  movedVisits: z.array(movedVisit),
  lateMinutes: z.literal(0),
});
const createdVisit = z.object({
  id: z.uuid(),
  reference: z.string(),
  technician: z.object({ id: z.uuid(), name: z.string() }),
  window: z.object({ start: z.string(), end: z.string() }),
  planned: z.object({ start: z.string(), end: z.string() }),
  pinned: z.boolean(),
  progress: z.enum(['planned', 'en_route', 'on_site', 'done', 'no_show']),
  unassigned: z.enum(['technician-absent', 'move-failed', 'no-technician']).nullable(),
  status: z.enum(['booked', 'cancelled', 'done']),
  version: z.number(),
  movedVisits: z.array(movedVisit),
});

export const adminDispatchRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.post(
    '/visits/:id/move-check',
    {
      config: { role: 'planner' },
      schema: {
        summary:
          'Would this visit fit on that technician at that start? Same rules as a move, nothing written; reasons in French',
        tags: ['planner'],
        security,
        params: idParams,
        body: z.strictObject({ technicianId: z.uuid(), start: safeInstant() }),
        response: {
          200: z.object({
            feasible: z.boolean(),
            reasons: z.array(z.object({ code: z.string(), text: z.string() })),
          }),
        },
      },
    },
    async (request) => checkMove(ctx.db, { visitId: request.params.id, ...request.body, now: ctx.clock() }),
  );

  app.get(
    '/visits/:id/move-options',
    {
      config: { role: 'planner' },
      schema: {
        summary:
          'Where this visit could be moved: technicians and arrival times inside its promised window that keep every rule (as move-check judges them), other visits left where they are, ranked by the change in the day’s driving',
        tags: ['planner'],
        security,
        params: idParams,
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(30).default(8).describe('options answered at most'),
          technicianId: z
            .uuid()
            .optional()
            .describe('only this technician’s places, several times each (else at most two per technician)'),
        }),
        response: {
          200: z.object({
            visitId: z.uuid(),
            reference: z.string(),
            date: z.string().describe('the local day of the promised window: a move keeps it'),
            window: z.object({ start: z.string(), end: z.string() }),
            options: z.array(
              z.object({
                technicianId: z.uuid(),
                technicianName: z.string(),
                date: z.string(),
                start: z.string().describe('arrival, on a whole minute'),
                drivingAddedMinutes: z
                  .number()
                  .int()
                  .describe('change in the day’s total driving; negative when the move saves driving'),
              }),
            ),
          }),
        },
      },
    },
    async (request) =>
      moveOptions(ctx.db, {
        visitId: request.params.id,
        limit: request.query.limit,
        now: ctx.clock(),
        ...(request.query.technicianId ? { technicianId: request.query.technicianId } : {}),
      }),
  );

  app.post(
    '/urgent/options',
    {
      config: { role: 'planner' },
      schema: {
        summary:
          'Where an urgent job could go today: per technician, the best insertion (start, driving added, visits shifted inside their windows), nobody late',
        tags: ['planner'],
        security,
        body: z.strictObject(urgentJob),
        response: { 200: z.object({ options: z.array(urgentOption) }) },
      },
    },
    async (request) => urgentOptions(ctx.db, request.body, ctx.clock()),
  );

  app.post(
    '/urgent',
    {
      config: { role: 'planner' },
      schema: {
        summary:
          'Create the urgent visit on the chosen technician (placement checked again; 409 when it no longer fits)',
        tags: ['planner'],
        security,
        body: z.strictObject({
          ...urgentJob,
          technicianId: z.uuid(),
          customer: z.strictObject({ name: safeText(120), phone: safeText(40) }),
        }),
        response: { 201: createdVisit },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await createUrgentVisit(ctx.db, request.body, ctx.clock(), request.principal!.name)),
  );
};
