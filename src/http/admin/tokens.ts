import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createApiToken, listTokens, revokeToken, ROLES } from '../../domain/auth.js';
import { HttpProblem } from '../problem.js';
import { safeInstant, safeText } from '../schemas/text.js';

const tokenView = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(ROLES),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

export const adminTokenRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const security = [{ bearer: [] }];

  app.get(
    '/me',
    {
      config: { role: 'agent' },
      schema: {
        summary: 'Who the bearer token belongs to',
        tags: ['admin'],
        security,
        response: { 200: z.object({ name: z.string(), role: z.enum(ROLES) }) },
      },
    },
    async (request) => ({ name: request.principal!.name, role: request.principal!.role }),
  );

  app.get(
    '/tokens',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'List API tokens (never their values)',
        tags: ['admin'],
        security,
        response: { 200: z.array(tokenView) },
      },
    },
    async () => listTokens(ctx.db),
  );

  app.post(
    '/tokens',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create an API token; its value is shown only in this response',
        tags: ['admin'],
        security,
        body: z.object({
          name: safeText(100),
          role: z.enum(ROLES),
          expiresAt: safeInstant().optional(),
        }),
        response: { 201: z.object({ id: z.uuid(), token: z.string() }) },
      },
    },
    async (request, reply) => {
      const expiresAt = request.body.expiresAt ? new Date(request.body.expiresAt) : undefined;
      if (expiresAt && expiresAt <= new Date())
        throw HttpProblem.badField('body.expiresAt', 'must be in the future');
      const created = await createApiToken(ctx.db, request.body.role, request.body.name, expiresAt);
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/tokens/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Revoke an API token',
        tags: ['admin'],
        security,
        params: z.object({ id: z.uuid() }),
      },
    },
    async (request, reply) => {
      if (!(await revokeToken(ctx.db, request.params.id))) throw HttpProblem.notFound('Token');
      return reply.code(204).send();
    },
  );
};
