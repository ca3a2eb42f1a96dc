import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  changeRequestStatus,
  createDeskRequest,
  getRequest,
  listRequests,
  REQUEST_KINDS,
  REQUEST_STATUSES,
} from '../../domain/requests/index.js';
import { requestSummarySchema } from '../schemas/requests.js';
import { safeInstant, safeText } from '../schemas/text.js';

const security = [{ bearer: [] }];
const idParams = z.object({ id: z.uuid() });
const postcode = z.string().regex(/^\d{5}$/, 'must be a 5-digit French postal code');

/** "new,in_progress" or "open" (both); each value checked. */
const statusList = z
  .string()
  .max(100)
  .transform((s) => s.split(',').flatMap((v) => (v.trim() === 'open' ? ['new', 'in_progress'] : [v.trim()])))
  .pipe(z.array(z.enum(REQUEST_STATUSES)).min(1));
const kindList = z
  .string()
  .max(200)
  .transform((s) => s.split(',').map((v) => v.trim()))
  .pipe(z.array(z.enum(REQUEST_KINDS)).min(1));

const historyEntry = z.object({
  at: z.string(),
  actor: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  note: z.string(),
});

const actorOf = (principal: { role: string; name: string } | undefined) =>
  principal ? `${principal.role}:${principal.name}` : 'unknown';

/** The desk's requests ("demandes"): record, queue, take, close. */
export const adminRequestRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.post(
    '/requests',
    {
      config: { role: 'agent' },
      schema: {
        summary: 'Record a request for a known customer (customerId) or a new caller (customer)',
        tags: ['desk'],
        security,
        body: z
          .object({
            kind: z.enum(REQUEST_KINDS),
            customerId: z.uuid().optional(),
            customer: z
              .object({
                name: safeText(120),
                phone: safeText(40),
                email: z.email().max(254).nullable().optional(),
              })
              .optional(),
            text: safeText(4000, { multiline: true, min: 0 }),
            serviceId: z.uuid().nullable().optional(),
            postcode: postcode.nullable().optional(),
            channel: z.enum(['phone', 'email', 'desk']),
          })
          .strict(),
        response: { 201: requestSummarySchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await createDeskRequest(ctx.db, request.body, actorOf(request.principal), ctx.clock())),
  );

  app.get(
    '/requests',
    {
      config: { role: 'agent' },
      schema: {
        summary: 'Requests, oldest first, with their age',
        description:
          '`status` and `kind` take one value or several separated by commas (`status=open` = new and in_progress); `olderThan` is a number of minutes or an instant.',
        tags: ['desk'],
        security,
        querystring: z.object({
          status: statusList.optional(),
          kind: kindList.optional(),
          olderThan: z
            .union([z.coerce.number().int().min(0).max(5_256_000), safeInstant()])
            .optional()
            .describe('minutes (e.g. 60) or an ISO instant'),
          customerId: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.object({
            items: z.array(requestSummarySchema),
            total: z.number().int(),
            truncated: z.boolean(),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const now = ctx.clock();
      const createdBefore =
        q.olderThan === undefined
          ? undefined
          : typeof q.olderThan === 'number'
            ? new Date(now.getTime() - q.olderThan * 60_000)
            : new Date(q.olderThan);
      return listRequests(
        ctx.db,
        { statuses: q.status, kinds: q.kind, createdBefore, customerId: q.customerId, limit: q.limit },
        now,
      );
    },
  );

  app.get(
    '/requests/:id',
    {
      config: { role: 'agent' },
      schema: {
        summary: 'A request with its history (who changed it, when, from, to, note)',
        tags: ['desk'],
        security,
        params: idParams,
        response: { 200: requestSummarySchema.extend({ history: z.array(historyEntry) }) },
      },
    },
    async (request) => getRequest(ctx.db, request.params.id, ctx.clock()),
  );

  app.patch(
    '/requests/:id',
    {
      config: { role: 'agent' },
      schema: {
        summary: 'Take (in_progress), release (new) or close (done, cancelled: reason required) a request',
        tags: ['desk'],
        security,
        params: idParams,
        body: z
          .object({
            status: z.enum(REQUEST_STATUSES),
            reason: safeText(1000, { multiline: true, min: 0 }).optional(),
            bookingId: z.uuid().nullable().optional(),
          })
          .strict(),
        response: { 200: requestSummarySchema },
      },
    },
    async (request) =>
      changeRequestStatus(ctx.db, request.params.id, request.body, actorOf(request.principal), ctx.clock()),
  );
};
