import { sql } from 'kysely';
import type { Db } from './database.js';
import type { VisitRow } from './schema.js';

export type ScheduledVisit = VisitRow & { service_name: string; service_price_label: string | null };

function visitsWithService(db: Db) {
  return db
    .selectFrom('visits')
    .innerJoin('services', 'services.id', 'visits.service_id')
    .selectAll('visits')
    .select(['services.name as service_name', 'services.price_label as service_price_label']);
}

/**
 * Booked visits whose window opens in [from, to), with an e-mail, booked at least 24 h before
 * the window (a late booking just got its confirmation: a reminder would be noise).
 */
export async function visitsNeedingReminder(db: Db, from: Date, to: Date): Promise<ScheduledVisit[]> {
  return visitsWithService(db)
    .where('visits.status', '=', 'booked')
    .where('visits.window_start', '>=', from)
    .where('visits.window_start', '<', to)
    .where('visits.customer_email', 'is not', null)
    .where(sql<boolean>`visits.created_at <= visits.window_start - interval '24 hours'`)
    .execute();
}

/** Done visits, finished in [from, to), with an e-mail and no satisfaction answer yet. */
export async function doneVisitsWithoutAnswer(db: Db, from: Date, to: Date): Promise<ScheduledVisit[]> {
  return visitsWithService(db)
    .where('visits.status', '=', 'done')
    .where('visits.done_at', '>=', from)
    .where('visits.done_at', '<', to)
    .where('visits.customer_email', 'is not', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('satisfaction_answers').select('visit_id').whereRef('visit_id', '=', 'visits.id'),
        ),
      ),
    )
    .execute();
}

export async function findScheduledVisit(db: Db, id: string): Promise<ScheduledVisit | undefined> {
  return visitsWithService(db).where('visits.id', '=', id).executeTakeFirst();
}

/** Whether a message of this kind was sent for the visit (the survey follow-up only follows a sent survey). */
export async function wasSent(db: Db, visitId: string, kind: string): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('aggregate', '=', 'visit')
    .where('aggregate_id', '=', visitId)
    .where('kind', '=', kind)
    .where('status', '=', 'sent')
    .executeTakeFirst();
  return row !== undefined;
}

/** Marks a booked visit done (the minimal status change surveys need; the planner's statuses extend it). */
export async function markVisitDoneRow(db: Db, id: string, at: Date): Promise<VisitRow | undefined> {
  return db
    .updateTable('visits')
    .set((eb) => ({
      status: 'done' as const,
      done_at: at,
      progress: 'done' as const,
      progress_at: at,
      updated_at: at,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('status', '=', 'booked')
    .returningAll()
    .executeTakeFirst();
}
