/** GDPR: a customer's data as JSON (access, portability) and its erasure (anonymisation). */
import type { Db } from '../../db/database.js';
import {
  countCustomerVisits,
  customerDataRows,
  eraseCustomerRows,
  lockCustomer,
  upcomingBookedVisits,
} from '../../db/customer-privacy.js';
import { findCustomerRow } from '../../db/customers.js';
import { customerRequestExport, eraseCustomerRequests, openRequestCount } from '../../db/requests.js';
import { DomainError } from '../errors.js';

const notFound = () =>
  new DomainError('not-found', 'customer-not-found', {
    fr: 'Client introuvable.',
    en: 'Customer not found.',
  });

export async function exportCustomer(db: Db, id: string, now: Date) {
  const row = await findCustomerRow(db, id);
  if (!row) throw notFound();
  const data = await customerDataRows(db, id);
  const requests = await customerRequestExport(db, id);
  return {
    exportedAt: now.toISOString(),
    customer: {
      id: row.id,
      name: row.full_name,
      email: row.email,
      phones: row.phones,
      addresses: row.addresses,
      notes: row.notes,
      consentAt: row.consent_at?.toISOString() ?? null,
      erasedAt: row.erased_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    },
    visits: data.visits.map((v) => ({
      id: v.id,
      reference: v.reference,
      service: v.service_name,
      status: v.status,
      windowStart: v.window_start.toISOString(),
      windowEnd: v.window_end.toISOString(),
      name: v.customer_name,
      phone: v.customer_phone,
      email: v.customer_email,
      address: { street: v.address_line, postcode: v.postcode, city: v.city },
      notes: v.notes,
      channel: v.channel,
      locale: v.locale,
      createdAt: v.created_at.toISOString(),
      cancelledAt: v.cancelled_at?.toISOString() ?? null,
      doneAt: v.done_at?.toISOString() ?? null,
    })),
    messages: data.messages.map((m) => ({
      id: m.id,
      visitId: m.aggregate_id,
      kind: m.kind,
      status: m.status,
      recipient: m.recipient,
      createdAt: m.created_at.toISOString(),
      sentAt: m.sent_at?.toISOString() ?? null,
    })),
    satisfaction: data.satisfaction.map((s) => ({
      visitId: s.visit_id,
      rating: s.rating,
      comment: s.comment,
      answeredAt: s.answered_at.toISOString(),
    })),
    requests: requests.requests.map((r) => ({
      id: r.id,
      reference: r.reference,
      kind: r.kind,
      status: r.status,
      text: r.text,
      serviceId: r.service_id,
      postcode: r.postcode,
      channel: r.channel,
      preferredTime: r.preferred_time,
      closeReason: r.close_reason,
      createdAt: r.created_at.toISOString(),
      closedAt: r.closed_at?.toISOString() ?? null,
      history: requests.history
        .filter((h) => h.request_id === r.id)
        .map((h) => ({
          at: h.at.toISOString(),
          actor: h.actor,
          from: h.from_status,
          to: h.to_status,
          note: h.note,
        })),
    })),
  };
}

export interface ErasureOutcome {
  id: string;
  erasedAt: string;
  /** Visits kept for the statistics, without the person. */
  visitsKept: number;
}

/**
 * Anonymises the customer everywhere they are held. Erasing again answers the first erasure's
 * outcome. A customer with a visit still to come or an open request is refused: the technician
 * needs the address, the desk the number — cancel or close them first.
 */
export async function eraseCustomer(db: Db, id: string, now: Date): Promise<ErasureOutcome> {
  return db.transaction().execute(async (tx) => {
    const row = await lockCustomer(tx, id);
    if (!row) throw notFound();
    if (row.erased_at)
      return { id, erasedAt: row.erased_at.toISOString(), visitsKept: await countCustomerVisits(tx, id) };
    const upcoming = await upcomingBookedVisits(tx, id, now);
    if (upcoming > 0)
      throw new DomainError('conflict', 'customer-has-upcoming-visits', {
        fr: `Ce client a ${upcoming} rendez-vous à venir : annulez-les avant d’effacer ses données.`,
        en: `This customer has ${upcoming} upcoming visit(s): cancel them before erasing their data.`,
      });
    const open = await openRequestCount(tx, id);
    if (open > 0)
      throw new DomainError('conflict', 'customer-has-open-requests', {
        fr: `Ce client a ${open} demande(s) ouverte(s) : clôturez-les avant d’effacer ses données.`,
        en: `This customer has ${open} open request(s): close them before erasing their data.`,
      });
    const visitsKept = await eraseCustomerRows(tx, row, now);
    await eraseCustomerRequests(tx, id);
    return { id, erasedAt: now.toISOString(), visitsKept };
  });
}
