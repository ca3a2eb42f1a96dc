/**
 * Urgent work through the API: the options for a job (urgentPlacements),
 * and creating the visit on the technician the planner picked — the
 * placement computed again inside the transaction, with that technician's
 * day locked, the visits it shifts written with their version check, the
 * new visit promised [now, deadline].
 */
import { findService } from '../../db/catalogue.js';
import { getCompanySettings } from '../../db/company-settings.js';
import { deferOverlapCheck, insertVisitRow, lockTechnicianDays } from '../../db/visits.js';
import type { Db } from '../../db/database.js';
import { moveVisitIfUnchanged } from '../../db/plans.js';
import { normalisePhone, linkVisitToCustomer } from '../customers/index.js';
import { DomainError } from '../errors.js';
import { invalidField } from '../field-errors.js';
import { localDateOf } from '../local-time.js';
import { enqueueMessage, enqueueVisitMoved, visitEventData } from '../outbox/index.js';
import { newSecret, sha256Hex } from '../secrets.js';
import { shiftKey } from '../shift-key.js';
import { freshReads } from '../slot-reads.js';
import { requireServedAddress } from '../slots.js';
import { placedVisitView, type PlacedVisitView } from './manual-move.js';
import { urgentPlacements, type UrgentJob, type UrgentOption } from './urgent.js';
import { visitChanged } from './wording.js';
import { newReference } from '../references.js';

export interface UrgentInput {
  serviceId: string;
  address: { street: string; postcode: string; city: string; lat?: number; lon?: number };
  /** ISO 8601 with offset: the latest start. */
  deadline: string;
  durationMinutes?: number;
}

export interface UrgentCreateInput extends UrgentInput {
  technicianId: string;
  customer: { name: string; phone: string };
}

async function resolveJob(db: Db, input: UrgentInput, now: Date) {
  const [service, settings] = await Promise.all([findService(db, input.serviceId), getCompanySettings(db)]);
  if (!service || !service.active)
    throw invalidField(
      'body.serviceId',
      'unknown or inactive service',
      'Cette prestation est inconnue ou n’est plus proposée : choisissez-en une autre.',
    );
  const address = await requireServedAddress(
    freshReads(db),
    {
      postcode: input.address.postcode,
      city: input.address.city,
      lat: input.address.lat,
      lon: input.address.lon,
    },
    'body.address.postcode',
  );
  const deadline = Date.parse(input.deadline) / 1000;
  const nowS = now.getTime() / 1000;
  if (!Number.isFinite(deadline) || deadline <= nowS)
    throw invalidField(
      'body.deadline',
      'must be later than now',
      'L’heure « À faire avant » est déjà passée : indiquez une heure plus tard que maintenant.',
    );
  if (localDateOf(deadline, settings.timezone) !== localDateOf(nowS, settings.timezone))
    throw invalidField(
      'body.deadline',
      'must be today',
      'L’heure « À faire avant » doit être aujourd’hui : une urgence se place dans la journée.',
    );
  const job: UrgentJob = {
    serviceId: service.id,
    place: { lat: address.lat, lon: address.lon, postcode: address.postcode },
    deadline,
    duration: (input.durationMinutes ?? service.durationMinutes) * 60,
  };
  return { job, service, settings, address };
}

export async function urgentOptions(
  db: Db,
  input: UrgentInput,
  now: Date,
): Promise<{ options: UrgentOption[] }> {
  const { job } = await resolveJob(db, input, now);
  return { options: (await urgentPlacements(db, job, now)).map((p) => p.option) };
}

export async function createUrgentVisit(
  db: Db,
  input: UrgentCreateInput,
  now: Date,
  bookedBy: string,
): Promise<PlacedVisitView & { movedVisits: UrgentOption['movedVisits'] }> {
  const { job, service, settings, address } = await resolveJob(db, input, now);
  const phone = normalisePhone(input.customer.phone, settings.phoneCountryCodes);
  if (!phone)
    throw invalidField(
      'body.customer.phone',
      'not a phone number',
      'Le numéro de téléphone n’est pas valide : un numéro français (06 12 34 56 78) ou international (+32 470 12 34 56).',
    );
  const date = localDateOf(now.getTime() / 1000, settings.timezone);
  const { row, movedVisits, name } = await db.transaction().execute(async (tx) => {
    await lockTechnicianDays(tx, [shiftKey(input.technicianId, date)]);
    const [placement] = await urgentPlacements(tx, job, now, input.technicianId);
    if (!placement)
      throw new DomainError(
        'conflict',
        'urgent-no-room',
        {
          fr: 'Ce technicien ne peut plus prendre cette urgence à temps : choisissez une autre option.',
          en: 'This technician can no longer take this job in time: pick another option.',
        },
        'body.technicianId',
      );
    await deferOverlapCheck(tx);
    for (const m of placement.moved) {
      const ok = await moveVisitIfUnchanged(tx, {
        id: m.visitId,
        expectedVersion: m.version,
        technicianId: input.technicianId,
        plannedStart: new Date(m.start * 1000),
        plannedEnd: new Date(m.end * 1000),
        now,
      });
      if (!ok) throw visitChanged('body.technicianId');
      await enqueueVisitMoved(tx, m.visitId, settings.timezone);
    }
    const windowStart = Math.floor(now.getTime() / 60_000) * 60;
    const inserted = await insertVisitRow(tx, {
      reference: newReference('visit'),
      service_id: service.id,
      technician_id: input.technicianId,
      window_start: new Date(windowStart * 1000),
      window_end: new Date(job.deadline * 1000),
      planned_start: new Date(placement.startSeconds * 1000),
      planned_end: new Date((placement.startSeconds + job.duration) * 1000),
      customer_name: input.customer.name,
      customer_phone: phone,
      customer_email: null,
      address_line: input.address.street,
      postcode: address.postcode,
      city: input.address.city,
      lat: address.lat,
      lon: address.lon,
      channel: 'planner',
      booked_by: bookedBy,
      // Nobody holds these: the customer was called, and the planner manages the visit.
      manage_token_hash: sha256Hex(newSecret('mng', 24)),
      calendar_token_hash: sha256Hex(newSecret('ics', 24)),
      cancelled_at: null,
      created_at: now,
    });
    await linkVisitToCustomer(tx, inserted, now);
    // Subscribers (webhooks) learn of it like any booking; no e-mail is known, so none is sent.
    await enqueueMessage(tx, {
      type: 'booking.created',
      aggregate: 'visit',
      aggregateId: inserted.id,
      payload: { ...visitEventData(inserted, service, settings.timezone) },
    });
    return {
      row: inserted,
      movedVisits: placement.option.movedVisits,
      name: placement.option.technicianName,
    };
  });
  return { ...placedVisitView(row, name, settings.timezone), movedVisits };
}
