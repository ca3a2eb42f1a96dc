import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  applyPlan,
  dayRoutes,
  getPlan,
  MAX_TIME_LIMIT_MS,
  MIN_TIME_LIMIT_MS,
  moveVisit,
  proposePlan,
} from '../../domain/planning/index.js';
import { safeDate, safeInstant } from '../schemas/text.js';

const isoDate = safeDate();
const moment = z.object({ start: z.string(), end: z.string() });

const stop = z.object({
  visitId: z.uuid(),
  reference: z.string(),
  service: z.string(),
  customer: z.string(),
  address: z.object({
    line: z.string(),
    postcode: z.string(),
    city: z.string(),
    lat: z.number(),
    lon: z.number(),
  }),
  window: moment,
  planned: moment,
  travelMinutes: z.number(),
  idleMinutes: z.number(),
  pinned: z.boolean(),
});

const route = z.object({
  technicianId: z.uuid(),
  shift: z.object({ start: z.string(), end: z.string(), breaks: z.array(moment) }),
  departAt: z.string().nullable(),
  backAt: z.string().nullable(),
  returnTravelMinutes: z.number(),
  stops: z.array(stop),
  travelMinutes: z.number(),
  idleMinutes: z.number(),
  overtimeMinutes: z.number(),
  distanceKm: z.number(),
});

const totals = z.object({
  visits: z.number(),
  travelMinutes: z.number(),
  idleMinutes: z.number(),
  overtimeMinutes: z.number(),
  distanceKm: z.number(),
});
const dayRoutesView = z.object({ routes: z.array(route), totals });
const technician = z.object({
  id: z.uuid(),
  name: z.string(),
  colour: z.string(),
  home: z.object({ lat: z.number(), lon: z.number() }),
});

const dayView = z.object({
  date: z.string(),
  timezone: z.string(),
  technicians: z.array(technician),
  current: dayRoutesView,
  visitsOutsideRoutes: z.number(),
  warnings: z.array(z.string()),
});

const change = z.object({
  visitId: z.uuid(),
  reference: z.string(),
  service: z.string(),
  customer: z.string(),
  city: z.string(),
  from: z.object({ technicianId: z.uuid(), technicianName: z.string(), start: z.string() }),
  to: z.object({ technicianId: z.uuid(), technicianName: z.string(), start: z.string() }),
  reassigned: z.boolean(),
  shiftMinutes: z.number(),
});

const planView = dayView.extend({
  id: z.uuid(),
  status: z.enum(['proposed', 'applied', 'stale']),
  createdAt: z.string(),
  createdBy: z.string(),
  appliedAt: z.string().nullable(),
  proposed: dayRoutesView,
  savings: totals.omit({ visits: true }),
  changes: z.array(change),
  optimiser: z.object({
    timeLimitMs: z.number(),
    seed: z.number(),
    elapsedMs: z.number(),
    iterations: z.number(),
    keptCurrent: z.string().nullable(),
  }),
});

const placedVisit = z.object({
  id: z.uuid(),
  reference: z.string(),
  technician: z.object({ id: z.uuid(), name: z.string() }),
  window: moment,
  planned: moment,
  pinned: z.boolean(),
  version: z.number(),
});

const planParams = z.object({ id: z.uuid() });

/**
 * The planner's API: the day's routes, optimiser proposals (stored with the
 * visit versions they were computed from), applying one, and moving or
 * pinning a visit by hand. Planner role.
 */
export const adminPlanRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.get(
    '/routes',
    {
      config: { role: 'planner' },
      schema: {
        summary: "Each technician's route of a day as it is booked",
        tags: ['planner'],
        security: [{ bearer: [] }],
        querystring: z.object({ date: isoDate }),
        response: { 200: dayView },
      },
    },
    async (request) => dayRoutes(ctx.db, request.query.date),
  );

  app.post(
    '/plans',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Ask the optimiser for a better plan of a day (stored as a proposal)',
        tags: ['planner'],
        security: [{ bearer: [] }],
        body: z.object({
          date: isoDate,
          timeLimitMs: z.number().int().min(MIN_TIME_LIMIT_MS).max(MAX_TIME_LIMIT_MS).optional(),
          seed: z
            .number()
            .int()
            .min(0)
            .max(2 ** 31 - 1)
            .optional(),
        }),
        response: { 201: planView },
      },
    },
    async (request, reply) => {
      const plan = await proposePlan(ctx.db, { ...request.body, createdBy: request.principal!.name });
      return reply.code(201).header('location', `/v1/admin/plans/${plan.id}`).send(plan);
    },
  );

  app.get(
    '/plans/:id',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'A stored plan',
        tags: ['planner'],
        security: [{ bearer: [] }],
        params: planParams,
        response: { 200: planView },
      },
    },
    async (request) => getPlan(ctx.db, request.params.id),
  );

  app.post(
    '/plans/:id/apply',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Apply a proposal, if no visit of its day changed since (else 409: re-plan)',
        tags: ['planner'],
        security: [{ bearer: [] }],
        params: planParams,
        response: { 200: planView.extend({ moved: z.number() }) },
      },
    },
    async (request) => applyPlan(ctx.db, { id: request.params.id, now: ctx.clock() }),
  );

  app.patch(
    '/visits/:id',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Move a visit to another technician or time, or pin it; checked against the day’s routes',
        tags: ['planner'],
        security: [{ bearer: [] }],
        params: planParams,
        body: z
          .object({
            technicianId: z.uuid().optional(),
            plannedStart: safeInstant().optional(),
            pinned: z.boolean().optional(),
            version: z.number().int().min(1).optional(),
          })
          .strict()
          .refine(
            (b) => b.technicianId !== undefined || b.plannedStart !== undefined || b.pinned !== undefined,
            {
              message: 'give technicianId, plannedStart or pinned',
            },
          ),
        response: { 200: placedVisit },
      },
    },
    async (request) => moveVisit(ctx.db, { visitId: request.params.id, ...request.body, now: ctx.clock() }),
  );
};
