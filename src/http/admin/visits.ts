import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { visitList } from '../../domain/visit-list.js';
import { localIso } from '../../domain/local-time.js';
import { safeDate, safeInstant, safeText } from '../schemas/text.js';

const visitListItem = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(['booked', 'cancelled', 'done']),
  service: z.object({ id: z.uuid(), name: z.string() }),
  technician: z.object({ id: z.uuid(), name: z.string() }),
  window: z.object({ start: z.string(), end: z.string() }),
  planned: z.object({ start: z.string(), end: z.string() }),
  pinned: z.boolean(),
  customer: z.object({ name: z.string(), phone: z.string(), email: z.string().nullable() }),
  address: z.object({
    line: z.string(),
    postcode: z.string(),
    city: z.string(),
    lat: z.number(),
    lon: z.number(),
  }),
  channel: z.string(),
  bookedBy: z.string(),
  version: z.number(),
});

export const adminVisitRoutes: FastifyPluginAsyncZod = async (app) => {
  const { ctx } = app;
  app.get(
    '/visits',
    {
      config: { role: 'agent' },
      schema: {
        summary: 'Visits, filtered by time range, technician, status, or customer name/phone/reference (q)',
        tags: ['admin'],
        security: [{ bearer: [] }],
        querystring: z
          .object({
            from: safeInstant().or(safeDate()).optional(),
            to: safeInstant().or(safeDate()).optional(),
            technicianId: z.uuid().optional(),
            status: z.enum(['booked', 'cancelled', 'done']).optional(),
            q: safeText(100, { min: 2 }).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(200),
          })
          .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
            message: 'must not be before from',
            path: ['to'],
          }),
        response: { 200: z.object({ visits: z.array(visitListItem) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const { timezone: tz, rows } = await visitList(ctx.db, {
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        technicianId: q.technicianId,
        status: q.status,
        q: q.q,
        limit: q.limit,
      });
      const iso = (d: Date) => localIso(d.getTime() / 1000, tz);
      return {
        visits: rows.map((r) => ({
          id: r.id,
          reference: r.reference,
          status: r.status,
          service: { id: r.service_id, name: r.service_name },
          technician: { id: r.technician_id, name: r.technician_name },
          window: { start: iso(r.window_start), end: iso(r.window_end) },
          planned: { start: iso(r.planned_start), end: iso(r.planned_end) },
          pinned: r.pinned,
          customer: { name: r.customer_name, phone: r.customer_phone, email: r.customer_email },
          address: { line: r.address_line, postcode: r.postcode, city: r.city, lat: r.lat, lon: r.lon },
          channel: r.channel,
          bookedBy: r.booked_by,
          version: r.version,
        })),
      };
    },
  );
};
