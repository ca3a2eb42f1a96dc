/**
 * Applying a proposal: in one transaction, with every technician's day
 * locked, the plan is written only if no visit of the day changed since it
 * was proposed and it still keeps every rule on today's data (working hours
 * or absences may have changed without touching a visit). Otherwise it is
 * marked stale and nothing is written.
 */
import type { Transaction } from 'kysely';
import { currentPlan } from '../../../solver/slots.js';
import { deferOverlapCheck, lockTechnicianDays } from '../../db/visits.js';
import { getCompanySettings } from '../../db/company-settings.js';
import type { Db } from '../../db/database.js';
import {
  bookedVisitVersions,
  findPlan,
  markOtherProposalsStale,
  markPlan,
  moveVisitIfUnchanged,
} from '../../db/plans.js';
import type { Database } from '../../db/schema.js';
import { localDaySpan } from '../booking-problem.js';
import { enqueueVisitMoved } from '../outbox/index.js';
import { shiftKey } from '../shift-key.js';
import { buildDayProblem, newViolations, placements, samePlacement } from './day-problem.js';
import { getPlan, type PlanView, type StoredProposal } from './propose.js';
import { freezeAt } from './now.js';
import { planAlreadyApplied, planNotFound, stalePlan } from './wording.js';

/** Every technician's day is locked: bookings of any of them may have touched the plan's visits. */
async function lockWholeDay(tx: Transaction<Database>, date: string): Promise<void> {
  const ids = await tx.selectFrom('technicians').select('id').execute();
  await lockTechnicianDays(
    tx,
    ids.map((t) => shiftKey(t.id, date)),
  );
}

export async function applyPlan(
  db: Db,
  input: { id: string; now: Date },
): Promise<PlanView & { moved: number }> {
  const outcome = await db
    .transaction()
    .execute(async (tx) => {
      const plan = await findPlan(tx, input.id, { forUpdate: true });
      if (!plan) throw planNotFound();
      if (plan.status === 'applied') throw planAlreadyApplied();
      if (plan.status === 'stale') throw stalePlan({});
      await lockWholeDay(tx, plan.plan_date);

      const settings = await getCompanySettings(tx);
      const span = localDaySpan(plan.plan_date, plan.plan_date, settings.timezone);
      const versions = await bookedVisitVersions(tx, span.from, span.to);
      const basedOn = plan.based_on;
      const changed = versions.filter((v) => basedOn[v.id] !== v.version).map((v) => v.id);
      const present = new Set(versions.map((v) => v.id));
      const gone = Object.keys(basedOn).filter((id) => !present.has(id));
      if (changed.length > 0 || gone.length > 0) {
        await markPlan(tx, plan.id, 'stale', input.now);
        return { stale: { changedVisits: changed, goneVisits: gone } };
      }

      // Working hours or absences may have changed without touching a visit: re-check on today's data.
      const stored = plan.proposal as StoredProposal;
      const day = await buildDayProblem(tx, plan.plan_date);
      const before = currentPlan(day.problem);
      const faults = newViolations(day.problem, stored.plan, before);
      // Time went on since the proposal: a visit that has started or is due by now stays where it is.
      const { frozen } = freezeAt(day, input.now.getTime() / 1000);
      const was = placements(before);
      const next = placements(stored.plan);
      for (const id of frozen) {
        const to = next.get(id);
        if (to && !samePlacement(was.get(id), to))
          faults.push({ code: 'pinned', visitId: id, message: `visit ${id} has started or is past` });
      }
      if (faults.length > 0) {
        await markPlan(tx, plan.id, 'stale', input.now);
        return { stale: { violations: faults.map((f) => ({ rule: f.code, visitId: f.visitId ?? null })) } };
      }

      await deferOverlapCheck(tx);
      let moved = 0;
      for (const [visitId, to] of next) {
        if (samePlacement(was.get(visitId), to)) continue;
        const row = day.visitRows.get(visitId)!;
        const duration = row.planned_end.getTime() - row.planned_start.getTime();
        const ok = await moveVisitIfUnchanged(tx, {
          id: visitId,
          expectedVersion: basedOn[visitId]!,
          technicianId: to.technicianId,
          plannedStart: new Date(to.start * 1000),
          plannedEnd: new Date(to.start * 1000 + duration),
          now: input.now,
        });
        if (!ok) throw stalePlan({ changedVisits: [visitId] });
        await enqueueVisitMoved(tx, visitId, settings.timezone);
        moved++;
      }
      await markPlan(tx, plan.id, 'applied', input.now);
      await markOtherProposalsStale(tx, plan.plan_date, plan.id);
      return { moved };
    })
    .catch((error: unknown) => {
      if ((error as { code?: string })?.code === '23P01') throw stalePlan({});
      throw error;
    });
  if ('stale' in outcome && outcome.stale) throw stalePlan(outcome.stale);
  return { ...(await getPlan(db, input.id)), moved: outcome.moved };
}
