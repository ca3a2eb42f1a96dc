/**
 * GET /v1/admin/availability (the expanded working intervals) and CRUD of
 * availability exceptions. Planners and admins read and write: absences and
 * extra shifts are the planner's daily business.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ExceptionRecord } from '../../db/availability-exceptions.js';
import {
  companyTimezone,
  createException,
  editException,
  findExceptions,
  readException,
  removeException,
  type RecordedException,
} from '../../domain/availability-exceptions.js';
import { availabilityView, rangeBound } from '../../domain/availability-view.js';
import { DST_POLICY } from '../../domain/availability.js';
import { dateOrInstant, idParams, instant, isoInZone, localDate, security } from './schemas.js';
import { safeText } from '../schemas/text.js';

const exceptionKind = z.enum(['absence', 'extra_shift', 'closure']);
const exceptionView = z.object({
  id: z.uuid(),
  kind: exceptionKind,
  technicianId: z.uuid().nullable(),
  start: z.string(),
  end: z.string(),
  reason: z.string(),
});
const exceptionFields = {
  kind: exceptionKind,
  technicianId: z.uuid().nullable().describe('required for absence and extra_shift; absent for closure'),
  from: localDate.describe('first local day of a whole-day exception'),
  to: localDate.describe('last local day, included (default: from)'),
  start: instant.describe('start of a range of hours, ISO 8601 with offset'),
  end: instant.describe('end of a range of hours, ISO 8601 with offset'),
  reason: safeText(500, { min: 0 }),
};
const exceptionBody = z.strictObject({
  ...exceptionFields,
  technicianId: exceptionFields.technicianId.optional(),
  from: exceptionFields.from.optional(),
  to: exceptionFields.to.optional(),
  start: exceptionFields.start.optional(),
  end: exceptionFields.end.optional(),
  reason: exceptionFields.reason.optional(),
});
const exceptionPatch = z.strictObject(exceptionFields).partial();

function exceptionOut(e: ExceptionRecord, timezone: string): z.infer<typeof exceptionView> {
  return {
    id: e.id,
    kind: e.kind,
    technicianId: e.technicianId,
    start: isoInZone(e.start, timezone),
    end: isoInZone(e.end, timezone),
    reason: e.reason,
  };
}

/** Booked visits an absence or closure took from their technician: now in the planner's unassigned lane. */
const unassignedVisits = z.array(z.object({ visitId: z.uuid(), reference: z.string() }));
const recordedView = exceptionView.extend({
  unassignedVisits,
  restoredVisits: unassignedVisits.describe(
    'After a change: visits the old range had sent to the unassigned lane, back with their technician at their planned time',
  ),
});

function recordedOut(e: RecordedException, timezone: string): z.infer<typeof recordedView> {
  return {
    ...exceptionOut(e, timezone),
    unassignedVisits: e.unassignedVisits,
    restoredVisits: e.restoredVisits,
  };
}

export const adminAvailabilityRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const tags = ['admin', 'availability'];

  app.get(
    '/availability',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Working intervals of a technician (or of every active one) over a range',
        description: `Working hours minus public holidays, closures and absences, plus extra shifts. ${DST_POLICY} A date bound means the whole local day (to included).`,
        tags,
        security,
        querystring: z.object({ technicianId: z.uuid().optional(), from: dateOrInstant, to: dateOrInstant }),
        response: {
          200: z.object({
            timezone: z.string(),
            technicians: z.array(
              z.object({
                technicianId: z.uuid(),
                name: z.string(),
                shifts: z.array(z.object({ start: z.string(), end: z.string() })),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const view = await availabilityView(ctx.db, request.query);
      return {
        timezone: view.timezone,
        technicians: view.technicians.map((t) => ({
          technicianId: t.technicianId,
          name: t.name,
          shifts: t.shifts.map((s) => ({
            start: isoInZone(s.start, view.timezone),
            end: isoInZone(s.end, view.timezone),
          })),
        })),
      };
    },
  );

  app.get(
    '/availability/exceptions',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'List exceptions; with technicianId, theirs plus company closures',
        tags,
        security,
        querystring: z.object({
          technicianId: z.uuid().optional(),
          kind: exceptionKind.optional(),
          from: dateOrInstant.optional(),
          to: dateOrInstant.optional(),
        }),
        response: { 200: z.array(exceptionView) },
      },
    },
    async (request) => {
      const timezone = await companyTimezone(ctx.db);
      const { from, to, ...rest } = request.query;
      const found = await findExceptions(ctx.db, {
        ...rest,
        ...(from ? { from: rangeBound(from, timezone, 'from') } : {}),
        ...(to ? { to: rangeBound(to, timezone, 'to') } : {}),
      });
      return found.map((e) => exceptionOut(e, timezone));
    },
  );

  app.get(
    '/availability/exceptions/:id',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'One exception',
        tags,
        security,
        params: idParams,
        response: { 200: exceptionView },
      },
    },
    async (request) =>
      exceptionOut(await readException(ctx.db, request.params.id), await companyTimezone(ctx.db)),
  );

  app.post(
    '/availability/exceptions',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Add an absence, an extra shift or a company closure',
        description:
          'Whole days with from/to (local dates, to included) or hours with start/end (ISO 8601 with offset). Booked visits it covers that have not started go to the planner’s unassigned lane (listed in unassignedVisits).',
        tags,
        security,
        body: exceptionBody,
        response: { 201: recordedView },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          recordedOut(
            await createException(ctx.db, request.body, ctx.clock()),
            await companyTimezone(ctx.db),
          ),
        ),
  );

  app.patch(
    '/availability/exceptions/:id',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Change an exception; a new range replaces the old one',
        tags,
        security,
        params: idParams,
        body: exceptionPatch,
        response: { 200: recordedView },
      },
    },
    async (request) =>
      recordedOut(
        await editException(ctx.db, request.params.id, request.body, ctx.clock()),
        await companyTimezone(ctx.db),
      ),
  );

  app.delete(
    '/availability/exceptions/:id',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Delete an exception',
        description:
          'Visits it had sent to the unassigned lane go back to their technician at their planned time when that still fits (listed in restoredVisits); the others stay in the lane.',
        tags,
        security,
        params: idParams,
        response: { 200: z.object({ restoredVisits: unassignedVisits }) },
      },
    },
    async (request) => removeException(ctx.db, request.params.id, ctx.clock()),
  );
};
