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
  setVisitProgress,
} from '../../domain/planning/index.js';
import { makeRoomPlan } from '../../domain/planning/make-room-plan.js';
import { safeDate, safeInstant } from '../schemas/text.js';

const isoDate = safeDate();
const moment = z.object({ start: z.string(), end: z.string() });
const visitProgress = z.enum(['planned', 'en_route', 'on_site', 'done', 'no_show']);
const unassignedReason = z.enum(['technician-absent', 'move-failed', 'no-technician']);
const workload = z.object({
  visits: z.number(),
  bookedMinutes: z.number(),
  drivingKm: z.number(),
  idleMinutes: z.number(),
  overtimeMinutes: z.number(),
});
const unassignedVisit = z.object({
  visitId: z.uuid(),
  reference: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  serviceName: z.string(),
  postcode: z.string(),
  city: z.string(),
  durationMinutes: z.number(),
  reason: unassignedReason,
  reasonText: z.string(),
  previousTechnicianId: z.uuid(),
  previousTechnicianName: z.string().nullable(),
  version: z.number(),
});

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
  progress: visitProgress,
  frozen: z.boolean(),
  version: z.number(),
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
  workload,
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
  unassigned: z.array(unassignedVisit),
  now: z.string().nullable(),
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
  fromUnassigned: z.boolean(),
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
  notKept: z.array(
    z.object({
      visitId: z.uuid(),
      reference: z.string(),
      windowStart: z.string(),
      windowEnd: z.string(),
      reasonText: z.string(),
    }),
  ),
  workloadSpread: z.object({ beforeHours: z.number(), afterHours: z.number() }),
  optimiser: z.object({
    timeLimitMs: z.number(),
    seed: z.number(),
    elapsedMs: z.number(),
    iterations: z.number(),
    keptCurrent: z.string().nullable(),
  }),
  purpose: z
    .string()
    .optional()
    .describe('set when the plan is not the optimiser’s, e.g. room made for a visit'),
});

const placedVisit = z.object({
  id: z.uuid(),
  reference: z.string(),
  technician: z.object({ id: z.uuid(), name: z.string() }),
  window: moment,
  planned: moment,
  pinned: z.boolean(),
  progress: visitProgress,
  unassigned: unassignedReason.nullable(),
  status: z.enum(['booked', 'cancelled', 'done']),
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
    async (request) => dayRoutes(ctx.db, request.query.date, ctx.clock()),
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
          balanceWeight: z
            .number()
            .min(0)
            .max(10)
            .optional()
            .describe('0 (default): least driving; higher: even booked hours between technicians'),
        }),
        response: { 201: planView },
      },
    },
    async (request, reply) => {
      const plan = await proposePlan(ctx.db, {
        ...request.body,
        createdBy: request.principal!.name,
        now: ctx.clock(),
      });
      return reply.code(201).header('location', `/v1/admin/plans/${plan.id}`).send(plan);
    },
  );

  app.post(
    '/visits/:id/make-room',
    {
      config: { role: 'planner' },
      schema: {
        summary:
          'Room for a visit that fits nowhere as the day stands: placed inside its promised window (on another technician when it is routed) by moving at most 3 other visits inside theirs, stored as a proposal to apply like any plan; 409 no-room when there is none',
        tags: ['planner'],
        security: [{ bearer: [] }],
        params: planParams,
        response: { 201: planView },
      },
    },
    async (request, reply) => {
      const plan = await makeRoomPlan(ctx.db, {
        visitId: request.params.id,
        createdBy: request.principal!.name,
        now: ctx.clock(),
      });
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
        summary:
          'Move a visit to another technician or time, or pin it (checked against the day’s routes); or set its progress (with version)',
        tags: ['planner'],
        security: [{ bearer: [] }],
        params: planParams,
        body: z
          .object({
            technicianId: z.uuid().optional(),
            plannedStart: safeInstant().optional(),
            pinned: z.boolean().optional(),
            progress: visitProgress.optional(),
            version: z.number().int().min(1).optional(),
          })
          .strict()
          .refine(
            (b) =>
              b.technicianId !== undefined ||
              b.plannedStart !== undefined ||
              b.pinned !== undefined ||
              b.progress !== undefined,
            { message: 'give technicianId, plannedStart, pinned or progress' },
          )
          .refine(
            (b) =>
              b.progress === undefined ||
              (b.technicianId === undefined && b.plannedStart === undefined && b.pinned === undefined),
            { message: 'progress is set on its own', path: ['progress'] },
          )
          .refine((b) => b.progress === undefined || b.version !== undefined, {
            message: 'is required with progress',
            path: ['version'],
          }),
        response: { 200: placedVisit },
      },
    },
    async (request) => {
      const { progress, version, ...move } = request.body;
      if (progress !== undefined)
        return setVisitProgress(ctx.db, {
          visitId: request.params.id,
          progress,
          version: version!,
          now: ctx.clock(),
        });
      return moveVisit(ctx.db, { visitId: request.params.id, ...move, version, now: ctx.clock() });
    },
  );
};
