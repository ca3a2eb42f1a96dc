import type { Db } from '../../src/db/database.js';
import { sha256Hex } from '../../src/domain/secrets.js';

/**
 * One technician alone in a zone of their own (Grenoble, far from the demo
 * company's Lyon area), with a long service only they can do: a window of
 * that service can be booked exactly once, which makes races easy to judge.
 */
export async function lonelyTechnician(
  db: Db,
  suffix: string,
  postcode = '38000',
): Promise<{ technicianId: string; serviceId: string; postcode: string }> {
  const zone = await db
    .insertInto('zones')
    .values({ name: `Grenoble ${suffix}`, kind: 'urban' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('zone_postcodes')
    .values({ zone_id: zone.id, postcode, city: 'Grenoble', lat: 45.1885, lon: 5.7245 })
    .execute();
  const skill = `solo-${suffix}`;
  await db
    .insertInto('skills')
    .values({ code: skill, label: `Solo ${suffix}` })
    .execute();
  const tech = await db
    .insertInto('technicians')
    .values({
      name: `Solo ${suffix}`,
      email: null,
      phone: null,
      home_lat: 45.19,
      home_lon: 5.72,
      feed_token_hash: sha256Hex(`feed_solo_${suffix}`),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('technician_skills').values({ technician_id: tech.id, skill_code: skill }).execute();
  await db.insertInto('technician_zones').values({ technician_id: tech.id, zone_id: zone.id }).execute();
  await giveWeekdayHours(db, tech.id);
  const serviceId = await serviceOfSkill(db, {
    slug: `long-job-${suffix}`,
    name: `Long job ${suffix}`,
    minutes: 180,
    skill,
  });
  return { technicianId: tech.id, serviceId, postcode };
}

/** A service needing one skill, bookable at once and for 200 days, in two-hour windows; its id. */
export async function serviceOfSkill(
  db: Db,
  service: { slug: string; name: string; minutes: number; skill: string },
): Promise<string> {
  const row = await db
    .insertInto('services')
    .values({
      slug: service.slug,
      name: service.name,
      duration_minutes: service.minutes,
      window_minutes: 120,
      min_notice_minutes: 0,
      max_horizon_days: 200,
      price_label: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('service_skills').values({ service_id: row.id, skill_code: service.skill }).execute();
  return row.id;
}

/** The demo's working week: weekdays 08:00–12:00 and 13:30–17:30, from 2026-01-01 on. */
export async function giveWeekdayHours(db: Db, technicianId: string): Promise<void> {
  for (const [start, end] of [
    ['08:00:00', '12:00:00'],
    ['13:30:00', '17:30:00'],
  ] as const) {
    await db
      .insertInto('working_hours')
      .values({
        technician_id: technicianId,
        rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
        start_time: start,
        end_time: end,
        valid_from: '2026-01-01',
        valid_until: null,
      })
      .execute();
  }
}

/** The lonely technician, and a one-hour service of theirs: two fit in one arrival window. */
export async function oneHourService(db: Db, suffix: string) {
  const solo = await lonelyTechnician(db, suffix);
  const serviceId = await serviceOfSkill(db, {
    slug: `hour-${suffix}`,
    name: `Hour ${suffix}`,
    minutes: 60,
    skill: `solo-${suffix}`,
  });
  return { ...solo, serviceId };
}
