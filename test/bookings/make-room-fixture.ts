/**
 * A day that only make-room can open: in a zone of its own, a heat-pump technician whose day is
 * taken by two long repairs, and an electrician, free, who may do those repairs but no heat pump.
 * A heat-pump visit that day has no window as the routes stand; moving a repair to the
 * electrician, inside its own promised window, opens one.
 */
import type { Db } from '../../src/db/database.js';
import { sha256Hex } from '../../src/domain/secrets.js';
import { feedTokenOf } from '../helpers/database.js';
import { giveWeekdayHours } from '../helpers/fixtures.js';

export interface MovableDay {
  postcode: string;
  zoneId: string;
  heatPumpTechnician: { id: string; name: string };
  electrician: { id: string; name: string };
  /** Needs the heat-pump skill: only the first technician may do it. */
  heatPumpServiceId: string;
  /** Needs electricity only: either technician. */
  repairServiceId: string;
  /** The repairs booked on the heat-pump technician's day, by id. */
  repairs: { id: string; reference: string }[];
}

/** Paris time (UTC+2 in spring) at a local hh:mm of `day`. */
export const at = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00+02:00`);

export async function technicianOf(
  db: Db,
  input: { suffix: string; name: string; skills: string[]; zoneId: string; lat: number; lon: number },
): Promise<{ id: string; name: string }> {
  const tech = await db
    .insertInto('technicians')
    .values({
      name: input.name,
      email: null,
      phone: null,
      home_lat: input.lat,
      home_lon: input.lon,
      feed_token_hash: 'pending',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('technicians')
    .set({ feed_token_hash: sha256Hex(feedTokenOf(tech.id)) })
    .where('id', '=', tech.id)
    .execute();
  for (const skill of input.skills)
    await db.insertInto('technician_skills').values({ technician_id: tech.id, skill_code: skill }).execute();
  await db.insertInto('technician_zones').values({ technician_id: tech.id, zone_id: input.zoneId }).execute();
  await giveWeekdayHours(db, tech.id);
  return { id: tech.id, name: input.name };
}

/** A booked visit written as the booking would leave it (tests place it on a chosen route). */
export async function bookedVisit(
  db: Db,
  input: {
    reference: string;
    serviceId: string;
    technicianId: string;
    window: [Date, Date];
    planned: [Date, Date];
    postcode: string;
    lat: number;
    lon: number;
    pinned?: boolean;
  },
): Promise<{ id: string; reference: string }> {
  const row = await db
    .insertInto('visits')
    .values({
      reference: input.reference,
      service_id: input.serviceId,
      technician_id: input.technicianId,
      window_start: input.window[0],
      window_end: input.window[1],
      planned_start: input.planned[0],
      planned_end: input.planned[1],
      pinned: input.pinned ?? false,
      customer_name: 'Client Fixture',
      customer_phone: '+33612345678',
      customer_email: null,
      address_line: '1 place de la Gare',
      postcode: input.postcode,
      city: 'Fixture',
      lat: input.lat,
      lon: input.lon,
      channel: 'desk',
      booked_by: 'test',
      manage_token_hash: sha256Hex(`mng-${input.reference}`),
      calendar_token_hash: null,
      cancelled_at: null,
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
  return row;
}

/**
 * The zone, its two technicians and two services, and on `day` the heat-pump technician's two
 * repairs (08:00–11:30 promised 08:00–10:00, 13:30–17:00 promised 13:30–15:30).
 */
export async function movableDay(
  db: Db,
  input: { suffix: string; postcode: string; day: string; lat?: number; lon?: number; pinned?: boolean },
): Promise<MovableDay> {
  const { suffix, postcode, day } = input;
  const lat = input.lat ?? 45.566;
  const lon = input.lon ?? 5.92;
  const zone = await db
    .insertInto('zones')
    .values({ name: `Room ${suffix}`, kind: 'urban' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('zone_postcodes')
    .values({ zone_id: zone.id, postcode, city: `Room ${suffix}`, lat, lon })
    .execute();
  const pac = `room-pac-${suffix}`;
  const elec = `room-elec-${suffix}`;
  await db
    .insertInto('skills')
    .values([
      { code: pac, label: `PAC ${suffix}` },
      { code: elec, label: `Élec ${suffix}` },
    ])
    .execute();
  const heatPumpTechnician = await technicianOf(db, {
    suffix,
    name: `Pac ${suffix}`,
    skills: [pac, elec],
    zoneId: zone.id,
    lat,
    lon,
  });
  const electrician = await technicianOf(db, {
    suffix,
    name: `Élec ${suffix}`,
    skills: [elec],
    zoneId: zone.id,
    lat,
    lon,
  });
  const service = async (slug: string, skill: string, minutes: number) => {
    const row = await db
      .insertInto('services')
      .values({
        slug: `${slug}-${suffix}`,
        name: `${slug} ${suffix}`,
        duration_minutes: minutes,
        window_minutes: 120,
        min_notice_minutes: 0,
        max_horizon_days: 200,
        price_label: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('service_skills').values({ service_id: row.id, skill_code: skill }).execute();
    return row.id;
  };
  const heatPumpServiceId = await service('pac-job', pac, 120);
  const repairServiceId = await service('repair', elec, 210);
  const repairs = [];
  for (const [i, [from, to, end]] of (
    [
      ['08:00', '10:00', '11:30'],
      ['13:30', '15:30', '17:00'],
    ] as const
  ).entries()) {
    repairs.push(
      await bookedVisit(db, {
        reference: `ROOM-${suffix}-${i + 1}`,
        serviceId: repairServiceId,
        technicianId: heatPumpTechnician.id,
        window: [at(day, from), at(day, to)],
        planned: [at(day, from), at(day, end)],
        postcode,
        lat,
        lon,
        pinned: input.pinned,
      }),
    );
  }
  return {
    postcode,
    zoneId: zone.id,
    heatPumpTechnician,
    electrician,
    heatPumpServiceId,
    repairServiceId,
    repairs,
  };
}
