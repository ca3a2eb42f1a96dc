/** Queries behind the planner: the day's technicians and visits, stored plans, moving visits. */
import { sql } from 'kysely';
import type { Executor } from './database.js';
import { skillsOfTechnician } from './technicians.js';
import type { PlansTable } from './schema.js';
import type { Selectable } from 'kysely';

export interface PlanningTechnicianRow {
  id: string;
  name: string;
  colour: string;
  homeLat: number;
  homeLon: number;
  skills: string[];
  /** Postal codes of every zone the technician serves. */
  postcodes: string[];
}

/**
 * Who of the active technicians a day is built for: some by id (a move's two), or those who could
 * take a visit (every one of its skills, and its postal code among their zones' when `postcode` is
 * given) and its own technician. Filtered here, not after reading all: a 600-technician company's
 * rows with their zones cost a move check more than the two routes it judges.
 */
export type PlanningTechnicianFilter =
  { ids: string[] } | { canTake: { skills: string[]; postcode?: string }; orId?: string };

/** Active technicians with their skills and served postal codes, by name; all, or those of `filter`. */
export async function planningTechnicians(
  db: Executor,
  filter?: PlanningTechnicianFilter,
): Promise<PlanningTechnicianRow[]> {
  if (filter && 'ids' in filter && filter.ids.length === 0) return [];
  const rows = await db
    .selectFrom('technicians as t')
    .select((eb) => [
      't.id',
      't.name',
      't.colour',
      't.home_lat',
      't.home_lon',
      skillsOfTechnician(eb),
      eb
        .selectFrom('technician_zones as tz')
        .innerJoin('zone_postcodes as zp', 'zp.zone_id', 'tz.zone_id')
        .select(sql<string[]>`coalesce(array_agg(DISTINCT zp.postcode), '{}')`.as('postcodes'))
        .whereRef('tz.technician_id', '=', 't.id')
        .as('postcodes'),
    ])
    .where('t.active', '=', true)
    .$if(filter !== undefined && 'ids' in filter, (q) =>
      q.where('t.id', 'in', (filter as { ids: string[] }).ids),
    )
    .$if(filter !== undefined && 'canTake' in filter, (q) => {
      const { canTake, orId } = filter as { canTake: { skills: string[]; postcode?: string }; orId?: string };
      return q.where((eb) => {
        const needs = [
          ...canTake.skills.map((skill) =>
            eb.exists(
              eb
                .selectFrom('technician_skills as ts')
                .select(sql`1`.as('one'))
                .whereRef('ts.technician_id', '=', 't.id')
                .where('ts.skill_code', '=', skill),
            ),
          ),
          ...(canTake.postcode === undefined
            ? []
            : [
                eb.exists(
                  eb
                    .selectFrom('technician_zones as tz')
                    .innerJoin('zone_postcodes as zp', 'zp.zone_id', 'tz.zone_id')
                    .select(sql`1`.as('one'))
                    .whereRef('tz.technician_id', '=', 't.id')
                    .where('zp.postcode', '=', canTake.postcode),
                ),
              ]),
        ];
        if (needs.length === 0) return eb.lit(true);
        return orId === undefined ? eb.and(needs) : eb.or([eb('t.id', '=', orId), eb.and(needs)]);
      });
    })
    .orderBy('t.name')
    .orderBy('t.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    colour: r.colour,
    homeLat: r.home_lat,
    homeLon: r.home_lon,
    skills: (r.skills as string[] | null) ?? [],
    postcodes: (r.postcodes as string[] | null) ?? [],
  }));
}

export interface TechnicianLabelRow {
  id: string;
  name: string;
  colour: string;
  active: boolean;
}

export async function technicianLabels(db: Executor, ids: string[]): Promise<TechnicianLabelRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('technicians')
    .select(['id', 'name', 'colour', 'active'])
    .where('id', 'in', ids)
    .execute();
}

/** Name and required skills of every service (inactive ones too: booked visits may still use them). */
export async function serviceRequirements(
  db: Executor,
): Promise<Map<string, { name: string; skills: string[] }>> {
  const rows = await db
    .selectFrom('services as s')
    .leftJoin('service_skills as ss', 'ss.service_id', 's.id')
    .select(['s.id', 's.name', sql<(string | null)[]>`array_agg(ss.skill_code)`.as('skills')])
    .groupBy('s.id')
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      { name: r.name, skills: (r.skills ?? []).filter((k): k is string => k !== null) },
    ]),
  );
}

/** Every postal code some zone covers. */
export async function servedPostcodes(db: Executor): Promise<Set<string>> {
  const rows = await db.selectFrom('zone_postcodes').select('postcode').distinct().execute();
  return new Set(rows.map((r) => r.postcode));
}

export interface DayVisitVersion {
  id: string;
  technicianId: string;
  version: number;
}

/** Every booked visit, of any technician, whose planned time overlaps [from, to): what a plan is based on. */
export async function bookedVisitVersions(db: Executor, from: Date, to: Date): Promise<DayVisitVersion[]> {
  const rows = await db
    .selectFrom('visits')
    .select(['id', 'technician_id', 'version'])
    .where('status', '=', 'booked')
    .where('planned_start', '<', to)
    .where('planned_end', '>', from)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, technicianId: r.technician_id, version: r.version }));
}

export type PlanRow = Selectable<PlansTable>;

export async function insertPlan(
  db: Executor,
  plan: { date: string; createdBy: string; basedOn: Record<string, number>; proposal: unknown },
): Promise<PlanRow> {
  return db
    .insertInto('plans')
    .values({
      plan_date: plan.date,
      created_by: plan.createdBy,
      based_on: JSON.stringify(plan.basedOn),
      proposal: JSON.stringify(plan.proposal),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findPlan(
  db: Executor,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<PlanRow | undefined> {
  let query = db.selectFrom('plans').selectAll().where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function markPlan(
  db: Executor,
  id: string,
  status: 'applied' | 'stale',
  at: Date,
): Promise<void> {
  await db
    .updateTable('plans')
    .set({ status, ...(status === 'applied' ? { applied_at: at } : {}) })
    .where('id', '=', id)
    .execute();
}

/** Other proposals of the same day become stale once one plan is applied. */
export async function markOtherProposalsStale(db: Executor, date: string, appliedId: string): Promise<void> {
  await db
    .updateTable('plans')
    .set({ status: 'stale' })
    .where('plan_date', '=', date)
    .where('status', '=', 'proposed')
    .where('id', '!=', appliedId)
    .execute();
}

/**
 * Moves a booked visit (routed or unassigned) if it is still at the version the caller read: false
 * when it changed or was cancelled meanwhile. Bumps the version (iCal SEQUENCE,
 * staleness of other plans) and updated_at (feed Last-Modified).
 */
export async function moveVisitIfUnchanged(
  db: Executor,
  change: {
    id: string;
    expectedVersion: number;
    technicianId: string;
    plannedStart: Date;
    plannedEnd: Date;
    pinned?: boolean;
    now: Date;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('visits')
    .set((eb) => ({
      technician_id: change.technicianId,
      planned_start: change.plannedStart,
      planned_end: change.plannedEnd,
      ...(change.pinned !== undefined ? { pinned: change.pinned } : {}),
      // Placed again: out of the unassigned lane (migration 0013).
      unassigned_reason: null,
      unassigned_at: null,
      version: eb('version', '+', 1),
      updated_at: change.now,
    }))
    .where('id', '=', change.id)
    .where('version', '=', change.expectedVersion)
    .where('status', '=', 'booked')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
