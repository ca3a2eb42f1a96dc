import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createWebhook,
  markVisitDone,
  outboxMessages,
  removeWebhook,
  replayFailedMessage,
  satisfactionSummary,
  visitMessages,
  webhookList,
} from '../../domain/messages/admin.js';
import { EVENT_TYPES } from '../../domain/outbox/enqueue.js';

const messageView = z.object({
  id: z.uuid(),
  channel: z.enum(['email', 'webhook']),
  kind: z.string(),
  status: z.enum(['pending', 'sent', 'failed', 'skipped']),
  recipient: z.string(),
  aggregate: z.object({ type: z.string(), id: z.uuid() }),
  attempts: z.number(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  responseStatus: z.number().nullable(),
  responseBody: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});

const webhookView = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.string()),
  createdAt: z.string(),
});

const idParams = z.object({ id: z.uuid() });
const security = [{ bearer: [] }];

/** The outbox, webhooks, message traces and satisfaction figures (admin scope, /v1/admin). */
export const adminMessageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;

  app.get(
    '/outbox',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Messages of the outbox (status=failed: the dead letters, to replay)',
        tags: ['messages'],
        security,
        querystring: z.object({
          status: z.enum(['pending', 'sent', 'failed', 'skipped']).optional(),
          channel: z.enum(['email', 'webhook']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ messages: z.array(messageView) }) },
      },
    },
    async (request) => ({ messages: await outboxMessages(ctx.db, request.query) }),
  );

  app.post(
    '/outbox/:id/replay',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Send a failed message again (same id, a fresh 24 h of retries)',
        tags: ['messages'],
        security,
        params: idParams,
        response: { 200: messageView },
      },
    },
    async (request) => replayFailedMessage(ctx.db, request.params.id, ctx.clock()),
  );

  app.get(
    '/visits/:id/messages',
    {
      config: { role: 'agent' },
      schema: {
        summary:
          'Every message made for a visit: sent, pending, failed, or skipped with the reason (e.g. no e-mail address)',
        tags: ['messages'],
        security,
        params: idParams,
        response: { 200: z.object({ messages: z.array(messageView) }) },
      },
    },
    async (request) => ({ messages: await visitMessages(ctx.db, request.params.id) }),
  );

  app.post(
    '/visits/:id/done',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Mark a booked visit done (its satisfaction survey leaves on D+2)',
        tags: ['messages'],
        security,
        params: idParams,
        response: {
          200: z.object({ id: z.uuid(), status: z.literal('done'), doneAt: z.string() }),
        },
      },
    },
    async (request) => markVisitDone(ctx.db, request.params.id, ctx.clock()),
  );

  app.get(
    '/satisfaction',
    {
      config: { role: 'planner' },
      schema: {
        summary: 'Satisfaction answers given in [from, to): count, mean and distribution of the 1–5 ratings',
        tags: ['messages'],
        security,
        querystring: z
          .object({
            from: z.iso.datetime({ offset: true }).or(z.iso.date()),
            to: z.iso.datetime({ offset: true }).or(z.iso.date()),
          })
          .refine((q) => Date.parse(q.from) <= Date.parse(q.to), {
            message: 'must not be before from',
            path: ['to'],
          }),
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            count: z.number(),
            mean: z.number().nullable(),
            distribution: z.object({
              '1': z.number(),
              '2': z.number(),
              '3': z.number(),
              '4': z.number(),
              '5': z.number(),
            }),
          }),
        },
      },
    },
    async (request) => satisfactionSummary(ctx.db, new Date(request.query.from), new Date(request.query.to)),
  );

  app.post(
    '/webhooks',
    {
      config: { role: 'admin' },
      schema: {
        summary:
          'Subscribe a URL to events; the signing secret (Standard Webhooks) is shown only in this answer',
        tags: ['messages'],
        security,
        body: z
          .object({
            url: z.string().max(2000),
            events: z
              .array(z.enum(EVENT_TYPES))
              .min(1)
              .max(EVENT_TYPES.length * 2),
          })
          .strict(),
        response: { 201: webhookView.extend({ secret: z.string() }) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await createWebhook(ctx.db, request.body, ctx.config.TOURNEE_WEBHOOK_ALLOW_PRIVATE)),
  );

  app.get(
    '/webhooks',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Webhook subscriptions (without their secrets)',
        tags: ['messages'],
        security,
        response: { 200: z.object({ webhooks: z.array(webhookView) }) },
      },
    },
    async () => ({ webhooks: await webhookList(ctx.db) }),
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Delete a subscription; its pending messages are dropped',
        tags: ['messages'],
        security,
        params: idParams,
      },
    },
    async (request, reply) => {
      await removeWebhook(ctx.db, request.params.id, ctx.clock());
      return reply.code(204).send();
    },
  );
};
