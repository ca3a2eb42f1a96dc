/**
 * Seeded, realistic scenarios for the slot and API benchmarks: Duret
 * Électricité-like technicians around Lyon, weekday shifts 08:00–17:30 with a
 * fixed 12:00–13:30 lunch, 2-hour arrival windows (08–10, 10–12, 13:30–15:30,
 * 15:30–17:30), and visits of 30–180 min already booked into feasible routes.
 *
 * Instants are seconds from the Monday 00:00 that starts the horizon (the
 * solver does not care about the origin; small numbers keep float noise far
 * below checkPlan's tolerance). The booked routes are built by a simple
 * forward simulation written here, not by the solver under test.
 */
import type { Interval, Place, Problem, Shift, SlotRequest, Technician, Visit } from '../solver/problem.js';
import { HaversineTravel, greatCircleMetres, type ZoneType } from '../solver/travel.js';

export const HOUR = 3600;
export const DAY = 24 * HOUR;
const LUNCH_START = 12 * HOUR;
const LUNCH = 1.5 * HOUR;
const SHIFT_START = 8 * HOUR;
const SHIFT_END = 17.5 * HOUR;
/** The company's arrival-window grid, as offsets from midnight. */
export const WINDOW_GRID: readonly Interval[] = [
  { start: 8 * HOUR, end: 10 * HOUR },
  { start: 10 * HOUR, end: 12 * HOUR },
  { start: 13.5 * HOUR, end: 15.5 * HOUR },
  { start: 15.5 * HOUR, end: 17.5 * HOUR },
];
const DURATIONS_MIN = [30, 45, 60, 60, 90, 90, 120, 150, 180];
const SPECIAL_SKILLS = ['irve', 'pac', 'habilitation-br'];

export const LYON: Place = { key: -1, lat: 45.764, lon: 4.8357 };

export interface ScenarioSize {
  name: string;
  technicians: number;
  weeks: number;
  visits: number;
  /** Radius of the served area around Lyon, km: a larger company covers a larger region. */
  areaKm: number;
}

export const SIZES: Record<'S' | 'M' | 'L', ScenarioSize> = {
  S: { name: 'S', technicians: 12, weeks: 4, visits: 500, areaKm: 30 },
  M: { name: 'M', technicians: 60, weeks: 6, visits: 4_000, areaKm: 50 },
  L: { name: 'L', technicians: 600, weeks: 8, visits: 60_000, areaKm: 120 },
};

/** mulberry32: tiny, fast, good enough for reproducible scenarios. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** A point uniformly distributed in a disc of `km` around `centre`. */
export function randomPlaceNear(rand: () => number, centre: Place, km: number, key: number): Place {
  const r = km * 1000 * Math.sqrt(rand());
  const theta = 2 * Math.PI * rand();
  const dLat = (r * Math.cos(theta)) / 111_320;
  const dLon = (r * Math.sin(theta)) / (111_320 * Math.cos((centre.lat * Math.PI) / 180));
  return { key, lat: centre.lat + dLat, lon: centre.lon + dLon };
}

/** Urban within 8 km of Lyon's centre, periurban to 25 km, rural beyond: the density gradient of the metropolis. */
export function lyonZone(p: Place): ZoneType {
  // Equirectangular distance: plenty accurate at this scale, and cheap.
  const dy = (p.lat - LYON.lat) * 111.32;
  const dx = (p.lon - LYON.lon) * 111.32 * Math.cos((LYON.lat * Math.PI) / 180);
  const km = Math.sqrt(dx * dx + dy * dy);
  return km < 8 ? 'urban' : km < 25 ? 'periurban' : 'rural';
}

export interface Scenario {
  size: ScenarioSize;
  problem: Problem;
  /** Weekday indices (days from the origin) that have shifts. */
  workdays: number[];
  horizonDays: number;
  seed: number;
}

interface Draft {
  place: Place;
  duration: number;
  skills: string[];
  grid: number; // index into WINDOW_GRID
}

/**
 * Time a technician-day as early as possible, in window order: the planned
 * starts (rounded up to the minute) or null if some visit no longer fits.
 * Morning visits end by lunch; lunch is taken in the gap that spans it.
 */
function simulateDay(
  travel: HaversineTravel,
  tech: Technician,
  dayStart: number,
  drafts: readonly Draft[],
): number[] | null {
  const starts: number[] = [];
  let ready = dayStart + SHIFT_START;
  let at = tech.start;
  let lunchTaken = false;
  const lunchStart = dayStart + LUNCH_START;
  for (const d of drafts) {
    const w = WINDOW_GRID[d.grid]!;
    const drive = travel.time(at, d.place);
    let arrival = ready + drive;
    const afternoon = w.start >= LUNCH_START;
    if (afternoon && !lunchTaken) {
      if (ready > lunchStart) return null;
      arrival = Math.max(lunchStart + LUNCH, ready + drive + LUNCH);
      lunchTaken = true;
    }
    const start = Math.ceil(Math.max(arrival, dayStart + w.start) / 60) * 60;
    if (start > dayStart + w.end) return null;
    if (!afternoon && start + d.duration > lunchStart) return null;
    starts.push(start);
    ready = start + d.duration;
    at = d.place;
  }
  let back = ready + travel.time(at, tech.end);
  if (!lunchTaken) back = Math.max(lunchStart + LUNCH, back + LUNCH);
  return back <= dayStart + SHIFT_END ? starts : null;
}

/**
 * Build a scenario: technicians with skills and home bases, one shift per
 * weekday with a fixed lunch, and `size.visits` visits booked into feasible
 * routes (each visit close to its technician's base, in a grid window).
 */
export function generateScenario(size: ScenarioSize, seed = 1): Scenario {
  const rand = prng(seed * 7919 + size.technicians);
  const zoneOf = lyonZone;
  const travel = new HaversineTravel({ zoneOf, cacheSize: 2 ** 20 });
  let nextKey = 0;
  const horizonDays = size.weeks * 7;
  const workdays: number[] = [];
  for (let d = 0; d < horizonDays; d++) if (d % 7 < 5) workdays.push(d);

  const technicians: Technician[] = [];
  for (let i = 0; i < size.technicians; i++) {
    const home = randomPlaceNear(rand, LYON, size.areaKm, nextKey++);
    const skills = ['elec', ...SPECIAL_SKILLS.filter(() => rand() < 0.35)];
    const shifts: Shift[] = workdays.map((d) => ({
      id: `d${d}`,
      interval: { start: d * DAY + SHIFT_START, end: d * DAY + SHIFT_END },
      breaks: [{ earliestStart: d * DAY + LUNCH_START, latestStart: d * DAY + LUNCH_START, duration: LUNCH }],
    }));
    technicians.push({ id: `tech-${String(i).padStart(3, '0')}`, skills, start: home, end: home, shifts });
  }

  // Book visits one at a time into random technician-days, keeping each day feasible.
  const days = new Map<string, Draft[]>();
  let booked = 0;
  let attempts = 0;
  const maxAttempts = size.visits * 40;
  while (booked < size.visits && attempts++ < maxAttempts) {
    const tech = technicians[Math.floor(rand() * technicians.length)]!;
    const day = pick(rand, workdays);
    const key = `${tech.id}|${day}`;
    const current = days.get(key) ?? [];
    const special = tech.skills.filter((s) => s !== 'elec');
    const draft: Draft = {
      place: randomPlaceNear(rand, tech.start, 12, nextKey++),
      duration: pick(rand, DURATIONS_MIN) * 60,
      skills: special.length > 0 && rand() < 0.3 ? [pick(rand, special)] : rand() < 0.7 ? ['elec'] : [],
      grid: Math.floor(rand() * WINDOW_GRID.length),
    };
    const candidate = [...current, draft].sort((a, b) => a.grid - b.grid);
    if (simulateDay(travel, tech, day * DAY, candidate) === null) continue;
    days.set(key, candidate);
    booked++;
  }

  const visits: Visit[] = [];
  for (const [key, drafts] of days) {
    const [techId, dayText] = key.split('|') as [string, string];
    const day = Number(dayText);
    const tech = technicians.find((t) => t.id === techId)!;
    const starts = simulateDay(travel, tech, day * DAY, drafts)!;
    drafts.forEach((d, i) => {
      const w = WINDOW_GRID[d.grid]!;
      visits.push({
        id: `v-${visits.length}`,
        place: d.place,
        duration: d.duration,
        window: { start: day * DAY + w.start, end: day * DAY + w.end },
        skills: d.skills,
        assigned: { technicianId: techId, shiftId: `d${day}`, plannedStart: starts[i]! },
      });
    });
  }
  return { size, problem: { technicians, visits, travel }, workdays, horizonDays, seed };
}

export interface RequestOptions {
  /** Technicians whose base is within this radius serve the request, as a zone would. Default 25 km. */
  radiusKm?: number;
  /** Candidate windows cover this many days after the request day. Default 14. */
  days?: number;
}

/**
 * Random slot requests: a place in the area, a service duration and skills,
 * the window grid over the next 14 days, and the technicians near the place.
 */
export function generateRequests(
  scenario: Scenario,
  count: number,
  seed = 2,
  options: RequestOptions = {},
): SlotRequest[] {
  const rand = prng(seed * 104_729 + scenario.size.technicians);
  const radius = (options.radiusKm ?? 25) * 1000;
  const span = options.days ?? 14;
  const { problem, horizonDays } = scenario;
  const out: SlotRequest[] = [];
  for (let i = 0; i < count; i++) {
    const place = randomPlaceNear(rand, LYON, scenario.size.areaKm, 10_000_000 + i);
    const today = Math.floor(rand() * Math.max(1, horizonDays - span));
    const windows: Interval[] = [];
    for (let d = today + 1; d <= today + span && d < horizonDays; d++) {
      if (d % 7 >= 5) continue;
      for (const w of WINDOW_GRID) windows.push({ start: d * DAY + w.start, end: d * DAY + w.end });
    }
    const r = rand();
    const skills =
      r < 0.55
        ? ['elec']
        : r < 0.75
          ? []
          : r < 0.85
            ? ['irve']
            : r < 0.93
              ? ['pac']
              : ['elec', 'habilitation-br'];
    const technicianIds = problem.technicians
      .filter((t) => greatCircleMetres(t.start, place) <= radius)
      .map((t) => t.id);
    out.push({ place, duration: pick(rand, DURATIONS_MIN) * 60, skills, windows, technicianIds });
  }
  return out;
}
