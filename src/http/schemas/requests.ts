import { z } from 'zod';

/** A request as the desk reads it (RequestSummary, TEAM.md contract). */
export const requestSummarySchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  kind: z.enum(['callback', 'out_of_area', 'no_window', 'quote', 'field', 'other']),
  status: z.enum(['new', 'in_progress', 'done', 'cancelled']),
  customer: z.object({ id: z.uuid(), name: z.string(), phone: z.string() }),
  text: z.string(),
  serviceId: z.string().nullable(),
  postcode: z.string().nullable(),
  channel: z.enum(['web', 'phone', 'email', 'desk']),
  createdAt: z.string(),
  ageMinutes: z.number().int(),
  takenBy: z.string().nullable(),
  bookingId: z.string().nullable(),
  preferredTime: z.string().nullable(),
  closeReason: z.string().nullable(),
});
