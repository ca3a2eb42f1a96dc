/**
 * Customers: the people behind visits and requests. Every booking finds or creates its customer
 * (same phone or same e-mail = same person), the desk reads and corrects the record, and an admin
 * can export or erase it (GDPR).
 */
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import { getCompanySettings } from '../../db/company-settings.js';
import {
  customerRowsByIds,
  customerVisitRows,
  findCustomerByContact,
  findCustomerRow,
  linkCustomer,
  lockContact,
  phonesTakenByOthers,
  setVisitCustomer,
  upcomingVisitCounts,
  updateCustomerRow,
  type CustomerChanges,
} from '../../db/customers.js';
import { searchCustomerRows, type MatchedOn } from '../../db/customer-search.js';
import type { CustomerAddress, CustomerRow, Database, VisitRow } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import { localIso } from '../local-time.js';
import { requestsOfCustomer, type RequestSummary } from '../requests/summary.js';
import { normalisePhone, phoneDigits } from './phone.js';

export { normalisePhone } from './phone.js';

export interface CustomerSummary {
  id: string;
  name: string;
  phones: string[];
  email: string | null;
  addresses: CustomerAddress[];
}

export interface CustomerListItem extends CustomerSummary {
  matchedOn: MatchedOn;
  upcomingVisits: number;
}

export interface CustomerVisit {
  id: string;
  reference: string;
  serviceId: string;
  serviceName: string;
  start: string;
  end: string;
  windowStart: string;
  windowEnd: string;
  status: VisitRow['status'];
  technicianName: string;
  address: CustomerAddress;
  /** The desk may still move or cancel it. */
  manageable: boolean;
}

export interface CustomerCard extends CustomerSummary {
  notes: string;
  consentAt: string | null;
  visits: CustomerVisit[];
  requests: RequestSummary[];
}

const notFound = () =>
  new DomainError('not-found', 'customer-not-found', {
    fr: 'Client introuvable.',
    en: 'Customer not found.',
  });

export function customerSummary(row: CustomerRow): CustomerSummary {
  return { id: row.id, name: row.full_name, phones: row.phones, email: row.email, addresses: row.addresses };
}

/**
 * Gives a just-written visit its customer, in the booking's transaction: found by the visit's phone,
 * else its e-mail, else created with the visit's contact and address.
 */
export async function linkVisitToCustomer(
  tx: Transaction<Database>,
  visit: VisitRow,
  at: Date,
): Promise<string> {
  const customerId = await linkCustomer(tx, {
    name: visit.customer_name,
    phone: normalisePhone(visit.customer_phone),
    email: visit.customer_email,
    address: { street: visit.address_line, postcode: visit.postcode, city: visit.city },
    at,
  });
  await setVisitCustomer(tx, visit.id, customerId);
  return customerId;
}

const REFERENCE = /^([a-z]{2})-?([a-z0-9]{4,8})$/i;

/**
 * A caller found from whatever the desk typed: a phone in any format (or its last 4+ digits), a
 * name in either order with one typo allowed, an e-mail, a street, a booking reference.
 */
export async function searchCustomers(
  db: Db,
  query: { q: string; limit: number; offset: number },
  now: Date,
): Promise<{ items: CustomerListItem[]; total: number; truncated: boolean; nextOffset: number | null }> {
  const q = query.q.trim();
  const digits = phoneDigits(q);
  const reference = REFERENCE.exec(q);
  const isEmail = q.includes('@');
  const { hits, total } = await searchCustomerRows(db, {
    phone: digits ? (normalisePhone(q) ?? undefined) : undefined,
    phoneDigits: digits ?? undefined,
    email: isEmail ? q.toLowerCase() : undefined,
    reference: reference ? `${reference[1]}-${reference[2]}`.toUpperCase() : undefined,
    // "DE-00042" is no name or street (its digits would only match house numbers); "dupont" fits the
    // reference pattern too, so without a digit the text search still runs.
    text: digits || isEmail || (reference && /\d/.test(reference[2]!)) ? undefined : q,
    limit: query.limit,
    offset: query.offset,
  });
  const rows = new Map(
    (
      await customerRowsByIds(
        db,
        hits.map((h) => h.id),
      )
    ).map((r) => [r.id, r]),
  );
  const upcoming = await upcomingVisitCounts(db, [...rows.keys()], now);
  const items = hits.flatMap((hit) => {
    const row = rows.get(hit.id);
    return row
      ? [{ ...customerSummary(row), matchedOn: hit.matchedOn, upcomingVisits: upcoming.get(row.id) ?? 0 }]
      : [];
  });
  const truncated = query.offset + items.length < total;
  return { items, total, truncated, nextOffset: truncated ? query.offset + items.length : null };
}

async function liveCustomer(db: Db, id: string): Promise<CustomerRow> {
  const row = await findCustomerRow(db, id);
  if (!row || row.erased_at) throw notFound();
  return row;
}

export async function customerCard(db: Db, id: string, now: Date): Promise<CustomerCard> {
  const row = await liveCustomer(db, id);
  const [visits, settings, requests] = await Promise.all([
    customerVisitRows(db, id),
    getCompanySettings(db),
    requestsOfCustomer(db, id, now),
  ]);
  const iso = (d: Date) => localIso(d.getTime() / 1000, settings.timezone);
  return {
    ...customerSummary(row),
    notes: row.notes,
    consentAt: row.consent_at?.toISOString() ?? null,
    visits: visits.map((v) => ({
      id: v.id,
      reference: v.reference,
      serviceId: v.service_id,
      serviceName: v.service_name,
      start: iso(v.planned_start),
      end: iso(v.planned_end),
      windowStart: iso(v.window_start),
      windowEnd: iso(v.window_end),
      status: v.status,
      technicianName: v.technician_name,
      address: { street: v.address_line, postcode: v.postcode, city: v.city },
      manageable: v.status === 'booked' && v.window_end.getTime() > now.getTime(),
    })),
    requests,
  };
}

/** A phone the desk typed, in E.164, or 400 naming the field. */
export function requirePhone(raw: string, field: string): string {
  const phone = normalisePhone(raw);
  if (!phone)
    throw new DomainError(
      'invalid',
      'phone-invalid',
      {
        fr: 'Ce numéro de téléphone n’est pas valide (06 12 34 56 78 ou +32 470 12 34 56).',
        en: 'This is not a phone number (06 12 34 56 78 or +32 470 12 34 56).',
      },
      field,
    );
  return phone;
}

export interface CustomerPatch {
  name?: string;
  email?: string | null;
  phones?: string[];
  notes?: string;
}

export async function patchCustomer(db: Db, id: string, patch: CustomerPatch, now: Date): Promise<void> {
  await liveCustomer(db, id);
  const changes: CustomerChanges = {};
  if (patch.name !== undefined) changes.full_name = patch.name;
  if (patch.email !== undefined) changes.email = patch.email?.trim() || null;
  if (patch.notes !== undefined) changes.notes = patch.notes;
  if (patch.phones !== undefined) {
    const phones = [...new Set(patch.phones.map((p, i) => requirePhone(p, `body.phones.${i}`)))];
    const taken = await phonesTakenByOthers(db, phones, id);
    if (taken.length > 0)
      throw new DomainError(
        'conflict',
        'phone-of-another-customer',
        {
          fr: 'Ce numéro appartient déjà à un autre client.',
          en: 'This number already belongs to another customer.',
        },
        `body.phones.${phones.indexOf(taken[0]!)}`,
      );
    changes.phones = phones;
  }
  if (!(await updateCustomerRow(db, id, changes, now))) throw notFound();
}

export interface NewCustomer {
  name: string;
  phone: string;
  email?: string | null;
  address?: CustomerAddress;
}

/** The desk's "new caller": the existing customer when the phone or e-mail is known (created false). */
export async function createCustomer(
  db: Db,
  input: NewCustomer,
  now: Date,
): Promise<{ id: string; created: boolean }> {
  const phone = requirePhone(input.phone, 'body.phone');
  const email = input.email?.trim() || null;
  return db.transaction().execute(async (tx) => {
    await lockContact(tx, phone, email);
    const existing = await findCustomerByContact(tx, phone, email);
    const id = await linkCustomer(tx, { name: input.name, phone, email, address: input.address, at: now });
    return { id, created: existing === undefined };
  });
}
