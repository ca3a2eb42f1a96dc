/**
 * Requests ("demandes"): any contact that is not (yet) a booking. Recorded from the public form or
 * the desk, each links to a customer, moves new → in_progress → done | cancelled (closing needs a
 * reason), keeps an append-only history, and tells the company's tools (outbox) when it is created
 * and closed. Never deleted.
 */
import type { Db } from '../../db/database.js';
import { spendChallenge } from '../../db/challenges.js';
import { getCompanySettings } from '../../db/company-settings.js';
import { findCustomerRow, linkCustomer } from '../../db/customers.js';
import {
  appendHistory,
  findRequest,
  insertRequest,
  listRequestRows,
  lockRequest,
  requestHistory,
  updateRequestStatus,
  visitExists,
} from '../../db/requests.js';
import type { RequestChannel, RequestKind, RequestStatus } from '../../db/schema.js';
import { challengeSecret, verifyChallenge } from '../challenge.js';
import { normalisePhone } from '../customers/phone.js';
import { DomainError } from '../errors.js';
import { enqueueMessage } from '../outbox/index.js';
import { requestEventData, requestSummary, type RequestSummary } from './summary.js';
import { newReference } from '../references.js';

export { requestSummary, requestsOfCustomer, type RequestSummary } from './summary.js';

export const REQUEST_KINDS = ['callback', 'out_of_area', 'no_window', 'quote', 'field', 'other'] as const;
export const REQUEST_STATUSES = ['new', 'in_progress', 'done', 'cancelled'] as const;

const notFound = () =>
  new DomainError('not-found', 'request-not-found', { fr: 'Demande introuvable.', en: 'Request not found.' });

interface RequestContent {
  kind: RequestKind;
  text: string;
  serviceId?: string | null;
  postcode?: string | null;
  channel: RequestChannel;
  preferredTime?: string | null;
}

async function recordRequest(
  db: Db,
  content: RequestContent,
  customer: { id: string } | { name: string; phone: string; email?: string | null },
  actor: string,
  now: Date,
  spend?: { challenge: string; expiresAt: Date },
): Promise<RequestSummary> {
  const id = await db.transaction().execute(async (tx) => {
    if (spend && !(await spendChallenge(tx, spend.challenge, spend.expiresAt)))
      throw powFailed('pow-replayed');
    const customerId =
      'id' in customer
        ? customer.id
        : await linkCustomer(tx, {
            name: customer.name,
            phone: customer.phone,
            email: customer.email ?? null,
            at: now,
          });
    const requestId = await insertRequest(tx, {
      reference: newReference('request'),
      kind: content.kind,
      customerId,
      text: content.text,
      serviceId: content.serviceId ?? null,
      postcode: content.postcode ?? null,
      channel: content.channel,
      preferredTime: content.preferredTime ?? null,
      createdBy: actor,
      at: now,
    });
    const row = (await findRequest(tx, requestId))!;
    await enqueueMessage(tx, {
      type: 'request.created',
      aggregate: 'request',
      aggregateId: requestId,
      payload: requestEventData(row),
    });
    return requestId;
  });
  return requestSummary((await findRequest(db, id))!, now);
}

function powFailed(code: string) {
  return new DomainError(
    'unprocessable',
    code,
    {
      fr: 'La vérification anti-robot a échoué, réessayez.',
      en: 'The anti-robot check failed; please retry.',
    },
    'body.pow',
  );
}

export interface PublicRequestInput {
  kind: RequestKind;
  name: string;
  phone: string;
  email?: string | null;
  postcode?: string | null;
  serviceId?: string | null;
  message?: string | null;
  preferredTime?: string | null;
  pow?: { challenge: string; nonce: string };
}

/**
 * The public form's request ("Être rappelé"): the same anti-robot proof of work as a booking
 * (a challenge is good once), the phone judged by the company's country rules.
 */
export async function createPublicRequest(
  db: Db,
  input: PublicRequestInput,
  options: { powDifficulty: number; isStaff: boolean; actor: string; now: Date },
): Promise<{ id: string; reference: string }> {
  if (input.kind === 'field')
    throw new DomainError(
      'invalid',
      'kind-not-public',
      { fr: 'Ce type de demande est réservé à l’équipe.', en: 'This kind of request is for staff only.' },
      'body.kind',
    );
  const settings = await getCompanySettings(db);
  const phone = normalisePhone(input.phone, settings.phoneCountryCodes);
  if (!phone)
    throw new DomainError(
      'invalid',
      'phone-invalid',
      {
        fr: 'Nous ne pouvons pas rappeler ce numéro : donnez un numéro français ou d’un pays que nous desservons.',
        en: 'We cannot call this number back: give a French number or one from a country we serve.',
      },
      'body.phone',
    );
  let spend: { challenge: string; expiresAt: Date } | undefined;
  if (!options.isStaff && options.powDifficulty > 0) {
    if (!input.pow)
      throw new DomainError(
        'invalid',
        'pow-missing',
        { fr: 'Vérification anti-robot manquante.', en: 'Missing anti-robot check.' },
        'body.pow',
      );
    const verdict = verifyChallenge(
      await challengeSecret(db),
      input.pow.challenge,
      input.pow.nonce,
      options.powDifficulty,
      options.now,
    );
    if (!verdict.ok) throw powFailed(`pow-${verdict.reason}`);
    spend = { challenge: input.pow.challenge, expiresAt: verdict.expiresAt };
  }
  const summary = await recordRequest(
    db,
    {
      kind: input.kind,
      text: input.message ?? '',
      serviceId: input.serviceId,
      postcode: input.postcode,
      channel: 'web',
      preferredTime: input.preferredTime,
    },
    { name: input.name, phone, email: input.email },
    options.actor,
    options.now,
    spend,
  );
  return { id: summary.id, reference: summary.reference };
}

export interface DeskRequestInput {
  kind: RequestKind;
  customerId?: string;
  customer?: { name: string; phone: string; email?: string | null };
  text: string;
  serviceId?: string | null;
  postcode?: string | null;
  channel: 'phone' | 'email' | 'desk';
}

/** A request the desk writes down for a known customer (customerId) or a new caller (customer). */
export async function createDeskRequest(
  db: Db,
  input: DeskRequestInput,
  actor: string,
  now: Date,
): Promise<RequestSummary> {
  let customer: { id: string } | { name: string; phone: string; email?: string | null };
  if (input.customerId) {
    const row = await findCustomerRow(db, input.customerId);
    if (!row || row.erased_at)
      throw new DomainError(
        'unprocessable',
        'customer-not-found',
        { fr: 'Client introuvable.', en: 'Customer not found.' },
        'body.customerId',
      );
    customer = { id: row.id };
  } else if (input.customer) {
    const phone = normalisePhone(input.customer.phone);
    if (!phone)
      throw new DomainError(
        'invalid',
        'phone-invalid',
        { fr: 'Ce numéro de téléphone n’est pas valide.', en: 'This is not a phone number.' },
        'body.customer.phone',
      );
    customer = { ...input.customer, phone };
  } else {
    throw new DomainError(
      'invalid',
      'customer-missing',
      {
        fr: 'Indiquez le client (customerId ou customer).',
        en: 'Say who the customer is (customerId or customer).',
      },
      'body.customer',
    );
  }
  return recordRequest(db, input, customer, actor, now);
}

export interface RequestQuery {
  statuses?: RequestStatus[];
  kinds?: RequestKind[];
  createdBefore?: Date;
  customerId?: string;
  limit: number;
}

/** The queue: oldest first, with their age; `truncated` when more match than the page holds. */
export async function listRequests(db: Db, query: RequestQuery, now: Date) {
  const { rows, total } = await listRequestRows(db, query);
  return { items: rows.map((r) => requestSummary(r, now)), total, truncated: total > rows.length };
}

export async function getRequest(db: Db, id: string, now: Date) {
  const row = await findRequest(db, id);
  if (!row) throw notFound();
  const history = await requestHistory(db, id);
  return {
    ...requestSummary(row, now),
    history: history.map((h) => ({
      at: h.at.toISOString(),
      actor: h.actor,
      from: h.from_status,
      to: h.to_status,
      note: h.note,
    })),
  };
}

/** An open request may go to any status (back to `new` releases it); a closed one stays closed:
 * a new contact is a new request. */
const isClosed = (status: RequestStatus) => status === 'done' || status === 'cancelled';

export interface StatusChange {
  status: RequestStatus;
  reason?: string;
  bookingId?: string | null;
}

/**
 * Moves a request on, under a row lock, writing the history line and — when it closes — the
 * request.closed event in the same transaction. Asking for the status it already has changes nothing.
 */
export async function changeRequestStatus(
  db: Db,
  id: string,
  change: StatusChange,
  actor: string,
  now: Date,
): Promise<RequestSummary> {
  const closing = isClosed(change.status);
  const reason = change.reason?.trim() ?? '';
  if (closing && !reason)
    throw new DomainError(
      'invalid',
      'reason-required',
      { fr: 'Indiquez pourquoi la demande est close.', en: 'Say why the request is closed.' },
      'body.reason',
    );
  if (change.bookingId && !(await visitExists(db, change.bookingId)))
    throw new DomainError(
      'unprocessable',
      'booking-not-found',
      { fr: 'Rendez-vous introuvable.', en: 'Booking not found.' },
      'body.bookingId',
    );
  await db.transaction().execute(async (tx) => {
    const current = await lockRequest(tx, id);
    if (!current) throw notFound();
    const sameLink = change.bookingId === undefined || change.bookingId === current.booking_id;
    if (current.status === change.status && sameLink) return;
    if (isClosed(current.status))
      throw new DomainError(
        'conflict',
        'request-closed',
        {
          fr: 'Cette demande est déjà close : enregistrez une nouvelle demande.',
          en: 'This request is already closed: record a new request.',
        },
        'body.status',
      );
    await updateRequestStatus(tx, id, {
      status: change.status,
      takenBy:
        change.status === 'new'
          ? null
          : change.status === 'in_progress'
            ? actor
            : (current.taken_by ?? actor),
      bookingId: change.bookingId === undefined ? current.booking_id : change.bookingId,
      closeReason: closing ? reason : null,
      closedAt: closing ? now : null,
      at: now,
    });
    await appendHistory(tx, {
      requestId: id,
      at: now,
      actor,
      from: current.status,
      to: change.status,
      note: reason,
    });
    if (closing) {
      const row = (await findRequest(tx, id))!;
      await enqueueMessage(tx, {
        type: 'request.closed',
        aggregate: 'request',
        aggregateId: id,
        payload: requestEventData(row),
      });
    }
  });
  return requestSummary((await findRequest(db, id))!, now);
}
