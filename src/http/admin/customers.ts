import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createCustomer,
  customerCard,
  patchCustomer,
  searchCustomers,
} from '../../domain/customers/index.js';
import { eraseCustomer, exportCustomer } from '../../domain/customers/privacy.js';
import { requestSummarySchema } from '../schemas/requests.js';
import { safeText } from '../schemas/text.js';

const address = z.object({ street: z.string(), postcode: z.string(), city: z.string() });
const addressInput = z.object({
  street: safeText(200),
  postcode: z.string().regex(/^\d{5}$/, 'must be a 5-digit French postal code'),
  city: safeText(100),
});

const summary = {
  id: z.uuid(),
  name: z.string(),
  phones: z.array(z.string()).describe('E.164, the main number first'),
  email: z.string().nullable(),
  addresses: z.array(address),
};

const listItem = z.object({
  ...summary,
  matchedOn: z.enum(['phone', 'name', 'email', 'street', 'reference']),
  upcomingVisits: z.number().int(),
});

const visitOfCard = z.object({
  id: z.uuid(),
  reference: z.string(),
  serviceId: z.uuid(),
  serviceName: z.string(),
  start: z.string(),
  end: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  status: z.string(),
  technicianName: z.string(),
  address,
  manageable: z.boolean(),
});

const card = z.object({
  ...summary,
  notes: z.string(),
  consentAt: z.string().nullable(),
  visits: z.array(visitOfCard).describe('newest first, past and future'),
  requests: z.array(requestSummarySchema).describe('newest first'),
});

const idParams = z.object({ id: z.uuid() });
const security = [{ bearer: [] }];
const phoneText = safeText(40);

/** The desk's customer records: search, card, corrections; GDPR export and erasure (admin). */
export const adminCustomerRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.get(
    '/customers',
    {
      config: { role: 'agent' },
      schema: {
        summary:
          'Find a caller by phone (any format, or its last 4+ digits), name, e-mail, street or booking reference',
        description:
          'Ranked best first; tolerates accents and one typo in a name. `truncated` says more matches exist beyond this page (`nextOffset`).',
        tags: ['desk'],
        security,
        querystring: z.object({
          q: safeText(100, { min: 2 }),
          limit: z.coerce.number().int().min(1).max(100).default(20),
          offset: z.coerce.number().int().min(0).max(10_000).default(0),
        }),
        response: {
          200: z.object({
            items: z.array(listItem),
            total: z.number().int(),
            truncated: z.boolean(),
            nextOffset: z.number().int().nullable(),
          }),
        },
      },
    },
    async (request) => searchCustomers(ctx.db, request.query, ctx.clock()),
  );

  app.post(
    '/customers',
    {
      config: { role: 'agent' },
      schema: {
        summary: 'A new caller; the existing customer (200) when the phone or e-mail is already known',
        tags: ['desk'],
        security,
        body: z
          .object({
            name: safeText(120),
            phone: phoneText,
            email: z.email().max(254).nullable().optional(),
            address: addressInput.optional(),
          })
          .strict(),
        response: { 200: card, 201: card },
      },
    },
    async (request, reply) => {
      const now = ctx.clock();
      const { id, created } = await createCustomer(ctx.db, request.body, now);
      return reply.code(created ? 201 : 200).send(await customerCard(ctx.db, id, now));
    },
  );

  app.get(
    '/customers/:id',
    {
      config: { role: 'agent' },
      schema: {
        summary: "A customer's card: contact, notes, visits past and future, requests",
        tags: ['desk'],
        security,
        params: idParams,
        response: { 200: card },
      },
    },
    async (request) => customerCard(ctx.db, request.params.id, ctx.clock()),
  );

  app.patch(
    '/customers/:id',
    {
      config: { role: 'agent' },
      schema: {
        summary: "Correct a customer's name, e-mail or phone numbers, or write notes",
        tags: ['desk'],
        security,
        params: idParams,
        body: z
          .object({
            name: safeText(120).optional(),
            email: z.email().max(254).nullable().optional(),
            phones: z.array(phoneText).min(1).max(10).optional(),
            notes: safeText(4000, { multiline: true, min: 0 }).optional(),
          })
          .strict(),
        response: { 200: card },
      },
    },
    async (request) => {
      const now = ctx.clock();
      await patchCustomer(ctx.db, request.params.id, request.body, now);
      return customerCard(ctx.db, request.params.id, now);
    },
  );

  app.get(
    '/customers/:id/export',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Everything held about a customer, as JSON (GDPR access and portability)',
        tags: ['desk'],
        security,
        params: idParams,
      },
    },
    async (request, reply) => {
      const data = await exportCustomer(ctx.db, request.params.id, ctx.clock());
      // Who asked for whose data, never the data itself.
      request.log.info(
        { event: 'customer.exported', customerId: request.params.id, by: request.principal?.name },
        'customer data exported',
      );
      reply.header('cache-control', 'no-store');
      return data;
    },
  );

  app.post(
    '/customers/:id/erase',
    {
      config: { role: 'admin' },
      schema: {
        summary:
          'Erase a customer (GDPR): personal fields blanked everywhere, visits kept for statistics. Again: the same answer',
        description: '409 while a visit is still to come (cancel it first).',
        tags: ['desk'],
        security,
        params: idParams,
        response: {
          200: z.object({ id: z.uuid(), erasedAt: z.string(), visitsKept: z.number().int() }),
        },
      },
    },
    async (request) => {
      const outcome = await eraseCustomer(ctx.db, request.params.id, ctx.clock());
      request.log.info(
        {
          event: 'customer.erased',
          customerId: outcome.id,
          visitsKept: outcome.visitsKept,
          by: request.principal?.name,
        },
        'customer erased',
      );
      return outcome;
    },
  );
};
