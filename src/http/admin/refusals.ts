/** GET /v1/admin/refusals: what the booking guards refused (caps, proof of work, honeypot), per day and rule. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { refusalsBetween } from '../../domain/booking-guards/index.js';
import { addDays, localDateOf } from '../../domain/local-time.js';
import { HttpProblem } from '../problem.js';
import { localDate, security } from './schemas.js';

const refusalsView = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ date: z.string(), rule: z.string(), count: z.number(), lastAt: z.string() })),
  totals: z.record(z.string(), z.number()),
  guards: z.object({
    capPerCustomer: z.number(),
    capPerClient: z.number(),
    powBaseBits: z.number(),
    powEscalationBits: z.number(),
  }),
});

export const adminRefusalRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  app.get(
    '/refusals',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Online bookings refused by the guards, per day and rule (default: the last 7 days)',
        description:
          'Rules: booking-cap-customer, booking-cap-client (daily caps), pow-* (proof of work missing, forged, expired, too weak, replayed), honeypot. Counts only: no personal data is kept about a refusal.',
        tags: ['admin', 'security'],
        security,
        querystring: z.object({ from: localDate.optional(), to: localDate.optional() }),
        response: { 200: refusalsView },
      },
    },
    async (request) => {
      const today = localDateOf(ctx.clock().getTime() / 1000, ctx.config.TOURNEE_TIMEZONE);
      const to = request.query.to ?? today;
      const from = request.query.from ?? addDays(to, -6);
      if (from > to) throw HttpProblem.badField('query.from', 'must not be after to');
      return {
        ...(await refusalsBetween(ctx.db, from, to)),
        guards: {
          capPerCustomer: ctx.config.TOURNEE_BOOKING_CAP_PER_CUSTOMER,
          capPerClient: ctx.config.TOURNEE_BOOKING_CAP_PER_CLIENT,
          powBaseBits: ctx.config.TOURNEE_POW_DIFFICULTY,
          powEscalationBits: ctx.config.TOURNEE_POW_ESCALATION_BITS,
        },
      };
    },
  );
};
