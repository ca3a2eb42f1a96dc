/** Random small field-service problems for the optimiser's property tests (seeded, so failures name a seed). */
import type { Break, Plan, Problem, Technician, Visit } from '../../solver/problem.js';
import { compileInstance, type Instance } from '../../solver/optimiser/instance.js';
import { Random } from '../../solver/optimiser/prng.js';
import { Solution } from '../../solver/optimiser/solution.js';
import { HaversineTravel } from '../../solver/travel.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

export function randomProblem(seed: number): Problem {
  const rng = new Random(seed);
  let key = 0;
  const place = () => ({
    key: key++,
    lat: 48.85 + (rng.next() - 0.5) * 0.2,
    lon: 2.35 + (rng.next() - 0.5) * 0.3,
  });
  const days = rng.between(1, 2);
  const technicians: Technician[] = Array.from({ length: rng.between(1, 3) }, (_, t) => {
    const home = place();
    const skills = rng.next() < 0.5 ? ['elec', 'irve'] : ['elec'];
    return {
      id: `tech-${t}`,
      skills,
      start: home,
      end: home,
      ...(rng.next() < 0.3 ? { capacity: rng.between(2, 5) } : {}),
      shifts: Array.from({ length: days }, (_, d) => {
        const breaks: Break[] = [];
        const kind = rng.int(3);
        if (kind === 1)
          breaks.push({
            earliestStart: d * DAY + 12 * HOUR,
            latestStart: d * DAY + 12 * HOUR,
            duration: HOUR,
          });
        if (kind === 2)
          breaks.push({
            earliestStart: d * DAY + 11.5 * HOUR,
            latestStart: d * DAY + 13.5 * HOUR,
            duration: 0.75 * HOUR,
          });
        return {
          id: `day-${d}`,
          interval: { start: d * DAY + 8 * HOUR, end: d * DAY + 17 * HOUR },
          ...(breaks.length > 0 ? { breaks } : {}),
          ...(rng.next() < 0.3 ? { maxOvertime: HOUR } : {}),
        };
      }),
    };
  });
  const visits: Visit[] = Array.from({ length: rng.between(0, 10) }, (_, i) => {
    const d = rng.int(days);
    const start = d * DAY + (8 + rng.int(8)) * HOUR;
    return {
      id: `visit-${i}`,
      place: place(),
      duration: rng.pick([30, 45, 60, 90]) * 60,
      window: { start, end: start + rng.pick([2, 4]) * HOUR },
      skills: rng.next() < 0.2 ? ['irve'] : ['elec'],
      ...(rng.next() < 0.3 ? { demand: rng.between(1, 2) } : {}),
    };
  });
  return { technicians, visits, travel: new HaversineTravel() };
}

/**
 * The problem with the visits a plan serves booked as it serves them:
 * those picked by `book` get `assigned`, and those picked by `pin` are pinned too.
 */
export function bookPlan(
  problem: Problem,
  plan: Plan,
  book: (visitId: string) => boolean,
  pin: (visitId: string) => boolean = () => false,
): Problem {
  const where = new Map<string, { technicianId: string; shiftId: string; plannedStart: number }>();
  for (const r of plan.routes) {
    for (const s of r.stops)
      where.set(s.visitId, { technicianId: r.technicianId, shiftId: r.shiftId, plannedStart: s.start });
  }
  return {
    ...problem,
    visits: problem.visits.map((v) => {
      const a = where.get(v.id);
      if (a === undefined || !book(v.id)) return v;
      return { ...v, assigned: a, ...(pin(v.id) ? { pinned: true } : {}) };
    }),
  };
}

/**
 * A hand-built problem on a line, for tests where one operator's best move is known: travel is
 * |x_a − x_b|, every technician leaves from x = 0 for a day of 10,000 s, visits take no time and are
 * open all day unless `over` says otherwise. Visit ids are the keys of `xs`, in that order.
 */
export function lineProblem(options: {
  xs: Record<string, number>;
  over?: Record<string, Partial<Visit>>;
  technicians: { id: string; skills: string[]; capacity?: number }[];
  visitDefaults?: Partial<Visit>;
}): { problem: Problem; names: string[] } {
  const depot = { key: 0, lat: 0, lon: 0 };
  const names = Object.keys(options.xs);
  const problem: Problem = {
    technicians: options.technicians.map((t) => ({
      ...t,
      start: depot,
      end: depot,
      shifts: [{ id: 'day', interval: { start: 0, end: 10_000 } }],
    })),
    visits: names.map((id, i) => ({
      id,
      place: { key: i + 1, lat: 0, lon: options.xs[id]! },
      duration: 0,
      window: { start: 0, end: 10_000 },
      skills: [],
      ...options.visitDefaults,
      ...options.over?.[id],
    })),
    travel: { time: (a, b) => Math.abs(a.lon - b.lon), distance: (a, b) => Math.abs(a.lon - b.lon) },
  };
  return { problem, names };
}

/**
 * lineProblem with technicians T1..Tn (no skills) and a start that has T1 serve every visit in the order
 * of `xs`: the search tests' usual one-route plan on a line.
 */
export function oneRouteOnALine(
  xs: Record<string, number>,
  technicians: number,
): { problem: Problem; names: string[]; inst: Instance; oneRoute: () => Solution } {
  const { problem, names } = lineProblem({
    xs,
    technicians: Array.from({ length: technicians }, (_, i) => ({ id: `T${i + 1}`, skills: [] })),
  });
  const inst = compileInstance(problem);
  const oneRoute = (): Solution => {
    const sol = new Solution(inst);
    sol.setRoute(
      0,
      Object.keys(xs).map((n) => names.indexOf(n)),
    );
    sol.syncUnassigned();
    return sol;
  };
  return { problem, names, inst, oneRoute };
}
