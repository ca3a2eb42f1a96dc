import type { Transaction } from 'kysely';
import { findVisitWithService } from '../../db/visits.js';
import type { Database, VisitRow } from '../../db/schema.js';
import { enqueueMessage } from './enqueue.js';
import { localIso } from '../local-time.js';

/** What webhooks receive as `data` for a visit event, and what the customer's e-mails are written from. */
export interface VisitEventData {
  id: string;
  reference: string;
  status: VisitRow['status'];
  version: number;
  locale: 'fr' | 'en';
  service: { id: string; name: string; priceLabel: string | null };
  window: { start: string; end: string };
  previousWindow?: { start: string; end: string };
  planned: { start: string; end: string; technicianId: string };
  address: { line: string; postcode: string; city: string };
  customer: { name: string; phone: string; email: string | null };
  channel: string;
}

export function visitEventData(
  row: VisitRow,
  service: { name: string; priceLabel: string | null },
  timezone: string,
  previous?: { windowStart: Date; windowEnd: Date },
): VisitEventData {
  const iso = (d: Date) => localIso(d.getTime() / 1000, timezone);
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    version: row.version,
    locale: row.locale,
    service: { id: row.service_id, name: service.name, priceLabel: service.priceLabel },
    window: { start: iso(row.window_start), end: iso(row.window_end) },
    ...(previous
      ? { previousWindow: { start: iso(previous.windowStart), end: iso(previous.windowEnd) } }
      : {}),
    planned: { start: iso(row.planned_start), end: iso(row.planned_end), technicianId: row.technician_id },
    address: { line: row.address_line, postcode: row.postcode, city: row.city },
    customer: { name: row.customer_name, phone: row.customer_phone, email: row.customer_email },
    channel: row.channel,
  };
}

/** Tells the company's tools that the planner moved a visit (technician or planned time; the promised window stays). */
export async function enqueueVisitMoved(
  tx: Transaction<Database>,
  visitId: string,
  timezone: string,
): Promise<void> {
  const row = await findVisitWithService(tx, visitId);
  if (!row) return;
  await enqueueMessage(tx, {
    type: 'visit.moved',
    aggregate: 'visit',
    aggregateId: row.id,
    payload: {
      ...visitEventData(row, { name: row.service_name, priceLabel: row.service_price_label }, timezone),
    },
  });
}
