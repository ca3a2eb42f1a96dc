/** Queries behind address resolution and technician eligibility. */
import { sql } from 'kysely';
import { PREPARED, type Db } from './database.js';
import type { ZoneKind } from './schema.js';

export interface PostcodeZoneRow {
  zoneId: string;
  zoneKind: ZoneKind;
  postcode: string;
  city: string;
  lat: number;
  lon: number;
}

/** Every zone entry of a postal code (a code may belong to several zones, or name several communes). */
export async function findPostcodeZones(db: Db, postcode: string): Promise<PostcodeZoneRow[]> {
  const rows = await db
    .selectFrom('zone_postcodes as zp')
    .innerJoin('zones as z', 'z.id', 'zp.zone_id')
    .select(['zp.zone_id', 'z.kind', 'zp.postcode', 'zp.city', 'zp.lat', 'zp.lon'])
    .where('zp.postcode', '=', postcode)
    .orderBy('z.name')
    .execute();
  return rows.map((r) => ({
    zoneId: r.zone_id,
    zoneKind: r.kind,
    postcode: r.postcode,
    city: r.city,
    lat: r.lat,
    lon: r.lon,
  }));
}

/** The technician aliased `t` holds every skill the service needs: none of them is missing. */
const holdsEverySkillOf = (serviceId: string) => sql<boolean>`NOT EXISTS (
  SELECT 1 FROM service_skills ss
  WHERE ss.service_id = ${serviceId}::uuid
    AND NOT EXISTS (
      SELECT 1 FROM technician_skills ts WHERE ts.technician_id = t.id AND ts.skill_code = ss.skill_code
    )
)`;

export interface EligibleTechnicianRow {
  id: string;
  name: string;
  skills: string[];
  homeLat: number;
  homeLon: number;
  /** Kind of the zone whose postal-code centroid is nearest the home base (drives travel speed there). */
  homeZoneKind: ZoneKind | null;
}

/** Active technicians holding every skill the service requires and serving at least one of `zoneIds`. */
export async function findEligibleTechnicians(
  db: Db,
  serviceId: string,
  zoneIds: string[],
): Promise<EligibleTechnicianRow[]> {
  if (zoneIds.length === 0) return [];
  // Prepared: planned once per connection (see eligibleTechniciansQuery for why its generic plan is kept).
  const { rows } = await sql<
    Parameters<typeof eligibleTechnicianOf>[0]
  >`${sql.raw(PREPARED)}${eligibleTechniciansQuery(serviceId, zoneIds)}`.execute(db);
  return rows.map(eligibleTechnicianOf);
}

/**
 * The statement behind findEligibleTechnicians, for a statement that reads them along with other work
 * (zoneIds non-empty). Plain text with the zones as one array parameter: the same text whatever the
 * number of zones (so it can be prepared), and nothing for a query builder to compile per booking.
 *
 * The zones are read through a sub-select (an InitPlan), not compared with the parameter directly:
 * PostgreSQL then estimates the prepared statement's custom and generic plans alike (it knows the
 * array in neither) and keeps the generic one, the same plan without planning at each execution.
 * Compared directly, a custom plan saw one zone (25 technicians at L) and the generic plan a default
 * of ten (210), so the generic plan looked 5× dearer and every execution was planned afresh, here and
 * in the statements that embed this one (the public booking's snapshot read): at the L company the
 * eligibility read 1.2 → 0.6 ms and the snapshot read 3.1 → 1.5 ms of backend CPU.
 *
 * The plan starts from the zones' technicians (an index scan on technician_zones), then each one's
 * row and skills by index (the LATERAL join): estimating ten zones, the planner otherwise scanned
 * every technician and every technician's skills (600 and 1,350 rows at the L company) to keep the
 * 10-25 of the zone. The skills filter compares the technician's skills with the service's, the
 * same as "no skill of the service is missing".
 */
export function eligibleTechniciansQuery(serviceId: string, zoneIds: string[]) {
  return sql<Parameters<typeof eligibleTechnicianOf>[0]>`
    SELECT e.id, e.name, e.home_lat, e.home_lon, e.skills, e.home_zone_kind
      FROM (SELECT DISTINCT tz.technician_id FROM technician_zones AS tz
             WHERE tz.zone_id = ANY(ARRAY(SELECT unnest(${zoneIds}::uuid[])))) AS z
     CROSS JOIN LATERAL (
           SELECT t.id, t.name, t.home_lat, t.home_lon,
                  (SELECT coalesce(array_agg(ts.skill_code ORDER BY ts.skill_code), '{}')
                     FROM technician_skills AS ts WHERE ts.technician_id = t.id) AS skills,
                  -- kept by triggers (migration 0025): ranking every postal code's centroid here cost
                  -- most of this statement at 330 postal codes
                  t.home_zone_kind
             FROM technicians AS t
            WHERE t.id = z.technician_id AND t.active = true) AS e
     -- holds every skill the service needs (none of them missing)
     WHERE e.skills @> ARRAY(SELECT ss.skill_code FROM service_skills AS ss WHERE ss.service_id = ${serviceId}::uuid)
     ORDER BY e.name, e.id`;
}

export function eligibleTechnicianOf(r: {
  id: string;
  name: string;
  skills: unknown;
  home_lat: number;
  home_lon: number;
  home_zone_kind: unknown;
}): EligibleTechnicianRow {
  return {
    id: r.id,
    name: r.name,
    skills: (r.skills as string[] | null) ?? [],
    homeLat: r.home_lat,
    homeLon: r.home_lon,
    homeZoneKind: (r.home_zone_kind as ZoneKind | null) ?? null,
  };
}

/**
 * Names of the zones some active technician serves; with a service, only
 * where one of them also holds every skill it needs. What a customer outside
 * them is told ("we serve Lyon 3e, Villeurbanne…").
 */
export async function servedAreaNames(db: Db, serviceId?: string): Promise<string[]> {
  let query = db
    .selectFrom('zones as z')
    .select('z.name')
    .distinct()
    .innerJoin('technician_zones as tz', 'tz.zone_id', 'z.id')
    .innerJoin('technicians as t', 't.id', 'tz.technician_id')
    .where('t.active', '=', true);
  if (serviceId !== undefined) {
    query = query.where(holdsEverySkillOf(serviceId));
  }
  return (await query.orderBy('z.name').execute()).map((r) => r.name);
}
