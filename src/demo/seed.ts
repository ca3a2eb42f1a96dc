import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { HaversineTravel } from '../../solver/travel.js';
import type { Place } from '../../solver/problem.js';
import type { Db } from '../db/database.js';
import type { NewVisit } from '../db/schema.js';
import { normalisePhone } from '../domain/customers/phone.js';
import { newSecret, sha256Hex } from '../domain/secrets.js';
import {
  COMPANY,
  CUSTOMER_FIRST_NAMES,
  CUSTOMER_LAST_NAMES,
  DEMO_SEED,
  SERVICES,
  SKILLS,
  STREETS,
  TECHNICIANS as DEMO_TECHNICIANS,
  WORKING_PERIODS,
  ZONES as DEMO_ZONES,
  type DemoPostcode,
  type DemoTechnician,
  type DemoZone,
} from './company.js';
import { SeededRandom } from './random.js';

export interface SeedOptions {
  /** The day the demo is centred on: visits run from a week before to three weeks after. Default: today. */
  today?: string;
  /** Share of the company's arrival windows already booked on each working day. */
  occupancy?: number;
  /** A larger company for benchmarks: the twelve demo profiles repeated (numbered names, homes nearby). Default 12. */
  technicians?: number;
  /** Weeks of visits after the current week (default 3); one week before is always included. */
  weeksAhead?: number;
  /** The company's time zone (TOURNEE_TIMEZONE); afterwards it lives in the company settings. */
  timezone?: string;
  /** Regions for a benchmark company: the demo's area repeated, the technicians shared out (default 1). */
  regions?: number;
}

/**
 * The demo's area, repeated as `count` regions for a benchmark company: region 1 is the demo's own
 * zones; each other region has the same zones and places shifted east, under postal codes of its
 * own (9RRNN: region, place). Technicians never cross regions, as in a company with branches.
 */
function regionZones(count: number): DemoZone[][] {
  const ZONES = DEMO_ZONES;
  const codes = [...new Set(ZONES.flatMap((z) => z.postcodes.map((p) => p.postcode)))];
  return Array.from({ length: count }, (_, r) =>
    r === 0
      ? ZONES
      : ZONES.map((z) => ({
          ...z,
          name: `${z.name} (région ${r + 1})`,
          postcodes: z.postcodes.map((p) => ({
            ...p,
            postcode: `9${String(r).padStart(2, '0')}${String(codes.indexOf(p.postcode)).padStart(2, '0')}`,
            city: `${p.city} (région ${r + 1})`,
            lon: p.lon + r * 1.5,
          })),
        })),
  );
}

/** The demo technicians, repeated to reach `count` for benchmark-sized companies, spread evenly over the regions. */
function technicianRoster(count: number, regions: DemoZone[][], random: SeededRandom): DemoTechnician[] {
  return Array.from({ length: count }, (_, i) => {
    const template = DEMO_TECHNICIANS[i % DEMO_TECHNICIANS.length]!;
    const round = Math.floor(i / DEMO_TECHNICIANS.length);
    const region = Math.floor((i * regions.length) / count);
    if (round === 0 && region === 0) return template;
    const zones = regions[region]!;
    const named = (demoName: string) => zones[DEMO_ZONES.findIndex((z) => z.name === demoName)]!;
    return {
      ...template,
      name: `${template.name} ${round + 1}`,
      homePostcode: random.pick(named(template.zones[0]!).postcodes).postcode,
      zones: template.zones.map((z) => named(z).name),
    };
  });
}

const BYDAY_TO_WEEKDAY: Record<string, number> = { MO: 1, TU: 2, WE: 3, TH: 4, FR: 5, SA: 6, SU: 7 };
const BREAK_SECONDS = 90 * 60;

function localTime(day: DateTime, hhmm: string): DateTime {
  const [hour, minute] = hhmm.split(':').map(Number);
  return day.set({ hour: hour!, minute: minute!, second: 0, millisecond: 0 });
}

/** Writes the demo company into an empty database, in one transaction. Same seed, same company. */
export async function seedDemoCompany(
  db: Db,
  options: SeedOptions = {},
): Promise<{ technicians: number; visits: number }> {
  const random = new SeededRandom(DEMO_SEED);
  const zone = options.timezone ?? COMPANY.timezone;
  const today = options.today ? DateTime.fromISO(options.today, { zone }) : DateTime.now().setZone(zone);
  const occupancy = options.occupancy ?? 0.55;
  const firstDay = today.startOf('week').minus({ weeks: 1 });
  const lastDay = today
    .startOf('week')
    .plus({ weeks: options.weeksAhead ?? 3 })
    .minus({ days: 1 });
  const regions = regionZones(options.regions ?? 1);
  const TECHNICIANS = technicianRoster(options.technicians ?? DEMO_TECHNICIANS.length, regions, random);
  const ZONES = regions.flat();

  const zoneIds = new Map(ZONES.map((z) => [z.name, random.uuid()]));
  const postcodeByCode = new Map<string, DemoPostcode>(
    ZONES.flatMap((z) => z.postcodes.map((p) => [p.postcode, p] as const)),
  );
  const zoneKindByPostcode = new Map(
    ZONES.flatMap((z) => z.postcodes.map((p) => [p.postcode, z.kind] as const)),
  );
  const serviceIds = new Map(SERVICES.map((s) => [s.slug, random.uuid()]));
  const technicianIds = TECHNICIANS.map(() => random.uuid());

  let nextPlaceKey = 0;
  const placeZone = new Map<number, 'urban' | 'periurban' | 'rural'>();
  const place = (lat: number, lon: number, postcode: string): Place => {
    const key = nextPlaceKey++;
    placeZone.set(key, zoneKindByPostcode.get(postcode) ?? 'periurban');
    return { key, lat, lon };
  };
  const travel = new HaversineTravel({ zoneOf: (p) => placeZone.get(p.key) ?? 'periurban' });

  const holidays = new Holidays('FR');
  const isHoliday = (day: DateTime) =>
    (holidays.isHoliday(new Date(Date.UTC(day.year, day.month - 1, day.day, 12))) || []).some(
      (h) => h.type === 'public',
    );

  const visits: NewVisit[] = [];
  const namesSeen = new Map<string, number>();
  // Each day's instants once, not once per technician: a benchmark company has 600 of them.
  const todayStart = today.startOf('day').toSeconds();
  const days: {
    weekday: number;
    dayStart: number;
    lunchStart: number;
    dayEnd: number;
    windows: { start: number; end: number }[];
  }[] = [];
  for (let day = firstDay; day <= lastDay; day = day.plus({ days: 1 })) {
    if (isHoliday(day)) continue;
    days.push({
      weekday: day.weekday,
      dayStart: localTime(day, WORKING_PERIODS[0]!.start).toSeconds(),
      lunchStart: localTime(day, WORKING_PERIODS[0]!.end).toSeconds(),
      dayEnd: localTime(day, WORKING_PERIODS[1]!.end).toSeconds(),
      windows: COMPANY.windowGrid.map((w) => ({
        start: localTime(day, w.start).toSeconds(),
        end: localTime(day, w.end).toSeconds(),
      })),
    });
  }

  TECHNICIANS.forEach((tech, index) => {
    const home = postcodeByCode.get(tech.homePostcode)!;
    const homePlace = place(home.lat, home.lon, home.postcode);
    const workDays = new Set(tech.days.split(',').map((d) => BYDAY_TO_WEEKDAY[d]));
    const servable = SERVICES.filter((s) => s.skills.every((k) => tech.skills.includes(k)));
    const postcodes = ZONES.filter((z) => tech.zones.includes(z.name)).flatMap((z) => z.postcodes);

    for (const day of days) {
      if (!workDays.has(day.weekday)) continue;
      let cursorPlace = homePlace;
      let cursorFree = day.dayStart;
      const { lunchStart, dayEnd } = day;
      for (const window of day.windows) {
        if (!random.chance(occupancy)) continue;
        const service = random.pick(servable);
        const pc = random.pick(postcodes);
        const lat = pc.lat + (random.next() - 0.5) * 0.016;
        const lon = pc.lon + (random.next() - 0.5) * 0.022;
        const visitPlace = place(lat, lon, pc.postcode);
        const windowStart = window.start;
        const windowEnd = window.end;
        const afternoon = windowStart >= lunchStart;
        const legTime = travel.time(cursorPlace, visitPlace);
        // Round planned starts to 5 minutes, as a dispatcher would write them.
        let start = Math.max(
          windowStart,
          cursorFree + legTime,
          afternoon ? lunchStart + BREAK_SECONDS + legTime : 0,
        );
        start = Math.ceil(start / 300) * 300;
        const end = start + service.durationMinutes * 60;
        const periodEnd = afternoon ? dayEnd - travel.time(visitPlace, homePlace) : lunchStart;
        if (start > windowEnd || end > periodEnd) continue;
        const first = random.pick(CUSTOMER_FIRST_NAMES);
        const last = random.pick(CUSTOMER_LAST_NAMES);
        // Two customers who share a name are two people: without a number they would share an
        // e-mail, and the customers backfill (same phone or e-mail) would merge them into one.
        const namesakes = (namesSeen.get(`${first} ${last}`) ?? 0) + 1;
        namesSeen.set(`${first} ${last}`, namesakes);
        const isPast = end < todayStart;
        visits.push({
          id: random.uuid(),
          reference: `DE-${(visits.length + 1).toString().padStart(5, '0')}`,
          service_id: serviceIds.get(service.slug)!,
          technician_id: technicianIds[index]!,
          status: isPast ? 'done' : 'booked',
          window_start: new Date(windowStart * 1000),
          window_end: new Date(windowEnd * 1000),
          planned_start: new Date(start * 1000),
          planned_end: new Date(end * 1000),
          customer_name: `${first} ${last}`,
          customer_phone: `06 ${random.int(10, 99)} ${random.int(10, 99)} ${random.int(10, 99)} ${random.int(10, 99)}`,
          customer_email: `${first}.${last}${namesakes > 1 ? namesakes : ''}@example.fr`
            .toLowerCase()
            .normalize('NFD')
            .replace(/[\u0300-\u036f]/g, ''),
          address_line: `${random.int(1, 120)} ${random.pick(STREETS)}`,
          postcode: pc.postcode,
          city: pc.city,
          lat: Number(lat.toFixed(6)),
          lon: Number(lon.toFixed(6)),
          notes: '',
          channel: random.pick(['web', 'phone', 'phone', 'email'] as const),
          booked_by: 'demo',
          manage_token_hash: sha256Hex(`demo-${visits.length}-${random.next()}`),
          cancelled_at: null,
        });
        cursorPlace = visitPlace;
        cursorFree = end;
      }
    }
  });

  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('company_settings')
      .values({
        name: COMPANY.name,
        phone: COMPANY.phone,
        timezone: zone,
        window_grid: JSON.stringify(COMPANY.windowGrid),
        booking_horizon_days: COMPANY.bookingHorizonDays,
        holiday_region: null,
        phone_country_codes: COMPANY.phoneCountryCodes,
        // Kept hashed: an admin gets the URL by rotating it (POST /v1/admin/settings/team-feed-token).
        team_feed_token_hash: sha256Hex(newSecret('feed')),
      })
      .execute();
    await tx
      .insertInto('skills')
      .values(SKILLS.map((s) => ({ code: s.code, label: s.label })))
      .execute();
    await tx
      .insertInto('zones')
      .values(ZONES.map((z) => ({ id: zoneIds.get(z.name)!, name: z.name, kind: z.kind })))
      .execute();
    await tx
      .insertInto('zone_postcodes')
      .values(
        ZONES.flatMap((z) =>
          z.postcodes.map((p) => ({
            zone_id: zoneIds.get(z.name)!,
            postcode: p.postcode,
            city: p.city,
            lat: p.lat,
            lon: p.lon,
          })),
        ),
      )
      .execute();
    await tx
      .insertInto('services')
      .values(
        SERVICES.map((s) => ({
          id: serviceIds.get(s.slug)!,
          slug: s.slug,
          name: s.name,
          description: s.description,
          duration_minutes: s.durationMinutes,
          window_minutes: s.windowMinutes,
          min_notice_minutes: s.minNoticeMinutes,
          max_horizon_days: s.maxHorizonDays,
          price_label: s.priceLabel,
        })),
      )
      .execute();
    await tx
      .insertInto('service_skills')
      .values(
        SERVICES.flatMap((s) =>
          s.skills.map((k) => ({ service_id: serviceIds.get(s.slug)!, skill_code: k })),
        ),
      )
      .execute();
    await tx
      .insertInto('technicians')
      .values(
        TECHNICIANS.map((t, i) => {
          const home = postcodeByCode.get(t.homePostcode)!;
          return {
            id: technicianIds[i]!,
            name: t.name,
            email: `${t.name
              .split(' ')[0]!
              .toLowerCase()
              .normalize('NFD')
              .replace(/[\u0300-\u036f]/g, '')}@duret-electricite.fr`,
            phone: t.phone,
            colour: t.colour,
            home_address: home.city,
            home_lat: home.lat,
            home_lon: home.lon,
            feed_token_hash: sha256Hex(newSecret('feed')),
          };
        }),
      )
      .execute();
    await tx
      .insertInto('technician_skills')
      .values(
        TECHNICIANS.flatMap((t, i) =>
          t.skills.map((k) => ({ technician_id: technicianIds[i]!, skill_code: k })),
        ),
      )
      .execute();
    await tx
      .insertInto('technician_zones')
      .values(
        TECHNICIANS.flatMap((t, i) =>
          t.zones.map((z) => ({ technician_id: technicianIds[i]!, zone_id: zoneIds.get(z)! })),
        ),
      )
      .execute();
    await tx
      .insertInto('working_hours')
      .values(
        TECHNICIANS.flatMap((t, i) =>
          WORKING_PERIODS.map((p) => ({
            technician_id: technicianIds[i]!,
            rrule: `FREQ=WEEKLY;BYDAY=${t.days}`,
            start_time: `${p.start}:00`,
            end_time: `${p.end}:00`,
            valid_from: firstDay.minus({ weeks: 4 }).toISODate()!,
            valid_until: null,
          })),
        ),
      )
      .execute();
    // The demo's customers, by the rule of the migration's backfill, worked out here so that a
    // benchmark company of 60,000 visits loads in seconds (the backfill links them one by one).
    const customers = customersOf(visits, random, new Date());
    // Multi-row inserts, as large as PostgreSQL's 65,535 parameters allow.
    for (let i = 0; i < customers.length; i += 5000)
      await tx
        .insertInto('customers')
        .values(customers.slice(i, i + 5000))
        .execute();
    for (let i = 0; i < visits.length; i += 2000)
      await tx
        .insertInto('visits')
        .values(visits.slice(i, i + 2000))
        .execute();
  });
  return { technicians: TECHNICIANS.length, visits: visits.length };
}

export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('company_settings').select('id').executeTakeFirst();
  return !row;
}

interface SeedCustomer {
  id: string;
  full_name: string;
  email: string | null;
  phones: string[];
  addresses: string;
  consent_at: Date;
  created_at: Date;
  updated_at: Date;
}

/** Text as search_fold (migration 0011) compares it: lower case, no accents, single spaces. */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * customers_backfill (migration 0011) done in memory: visits in its order (created_at, then id;
 * the seed's share one created_at), each linked to the customer with its phone, else its e-mail,
 * else a new one; a match gains the phone, the e-mail if it had none and a new street. Sets each
 * visit's customer_id.
 */
function customersOf(visits: NewVisit[], random: SeededRandom, at: Date): SeedCustomer[] {
  const customers: (Omit<SeedCustomer, 'addresses'> & { addresses: CustomerAddressSeed[] })[] = [];
  const byPhone = new Map<string, (typeof customers)[number]>();
  const byEmail = new Map<string, (typeof customers)[number]>();
  const ordered = [...visits].sort((a, b) => (a.id! < b.id! ? -1 : a.id! > b.id! ? 1 : 0));
  for (const v of ordered) {
    const phone = normalisePhone(v.customer_phone);
    const email = v.customer_email || null;
    const address = v.address_line ? { street: v.address_line, postcode: v.postcode, city: v.city } : null;
    let match = (phone && byPhone.get(phone)) || (email && byEmail.get(email.toLowerCase())) || undefined;
    if (!match) {
      match = {
        id: random.uuid(),
        full_name: v.customer_name,
        email,
        phones: phone ? [phone] : [],
        addresses: address ? [address] : [],
        consent_at: at,
        created_at: at,
        updated_at: at,
      };
      customers.push(match);
    } else {
      if (phone && !match.phones.includes(phone)) match.phones.push(phone);
      match.email ??= email;
      if (
        address &&
        !match.addresses.some(
          (a) => fold(a.street) === fold(address.street) && a.postcode === address.postcode,
        )
      )
        match.addresses.push(address);
    }
    if (phone) byPhone.set(phone, byPhone.get(phone) ?? match);
    if (match.email && !byEmail.has(match.email.toLowerCase())) byEmail.set(match.email.toLowerCase(), match);
    v.customer_id = match.id;
  }
  return customers.map((c) => ({ ...c, addresses: JSON.stringify(c.addresses) }));
}

interface CustomerAddressSeed {
  street: string;
  postcode: string;
  city: string;
}
