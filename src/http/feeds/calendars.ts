import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bookingCalendar, teamFeed, technicianFeed } from '../../domain/feeds.js';
import { sendCalendar } from '../calendar-response.js';
import { HttpProblem } from '../problem.js';
import { safeText } from '../schemas/text.js';

/** Feeds change when the plan does; five minutes of client caching costs little and spares the database. */
const FEED_CACHE_CONTROL = 'private, max-age=300';
const BOOKING_CACHE_CONTROL = 'private, max-age=60';

/** Public calendar routes: the secret is in the URL, so every failure is the same 404. */
export const feedRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  const feedParams = z.object({ token: safeText(256, { trim: false }) });

  app.get(
    '/v1/feeds/technicians/:token.ics',
    {
      schema: {
        summary: "A technician's visits as an iCal subscription",
        tags: ['feeds'],
        params: feedParams,
      },
    },
    async (request, reply) => {
      const calendar = await technicianFeed(
        ctx.db,
        request.params.token,
        ctx.clock(),
        ctx.publicUrl,
        ctx.keptFeeds,
      );
      if (!calendar) throw HttpProblem.notFound('Feed');
      return sendCalendar(request, reply, calendar, { cacheControl: FEED_CACHE_CONTROL });
    },
  );

  app.get(
    '/v1/feeds/team/:token.ics',
    {
      schema: {
        summary: 'Every technician’s visits in one iCal subscription (planner)',
        tags: ['feeds'],
        params: feedParams,
      },
    },
    async (request, reply) => {
      const calendar = await teamFeed(
        ctx.db,
        request.params.token,
        ctx.clock(),
        ctx.publicUrl,
        ctx.keptFeeds,
      );
      if (!calendar) throw HttpProblem.notFound('Feed');
      return sendCalendar(request, reply, calendar, { cacheControl: FEED_CACHE_CONTROL });
    },
  );

  app.get(
    '/v1/bookings/:id/calendar.ics',
    {
      schema: {
        summary:
          'The booking as an .ics file for the customer: its read-only calendar token in the URL (icsUrl), or the manage token in X-Manage-Token (the manage page)',
        tags: ['bookings'],
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ token: safeText(256, { trim: false }).optional() }),
        headers: z.object({ 'x-manage-token': safeText(256, { trim: false }).optional() }),
      },
    },
    async (request, reply) => {
      const manage = request.headers['x-manage-token'];
      const calendar = request.query.token;
      if (!manage && !calendar)
        throw HttpProblem.badField('query.token', 'the calendar token (or X-Manage-Token) is required');
      const found = await bookingCalendar(
        ctx.db,
        request.params.id,
        manage ? { manage } : { calendar: calendar! },
        ctx.publicUrl,
      );
      if (!found) throw HttpProblem.notFound('Booking');
      const fileName = `visite-${found.reference.replace(/[^A-Za-z0-9_-]/g, '_')}.ics`;
      return sendCalendar(request, reply, found.calendar, {
        cacheControl: BOOKING_CACHE_CONTROL,
        attachmentName: fileName,
      });
    },
  );
};
