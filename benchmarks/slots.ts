/**
 * Slot-offering latency benchmark.
 *
 *   npm run bench:slots            human-readable table
 *   npm run bench:slots -- --json  exactly one JSON object on stdout
 *   options: --sizes S,M,L  --requests 500  --seed 1
 *
 * For each size: generate a seeded scenario (benchmarks/scenario.ts), check its
 * booked plan with checkPlan, then time offerSlots for random requests.
 *
 * Figures per request (wall clock; cpu_p50/p95_ms give the process CPU time
 * over the same calls, which tells a busy machine from a slow solver):
 * - warm (p50_ms, p95_ms, p99_ms): offerSlots against a SlotIndex prepared once
 *   for the whole scenario; prepareSlotIndex is NOT counted (its one-time cost
 *   is reported as prepare_ms);
 * - cold (cold_p50_ms, …): what a stateless service pays per request, i.e.
 *   prepareSlotIndex over the request's sub-problem (eligible technicians and
 *   their bookings) plus offerSlots. Building the sub-problem (a database read
 *   in the service) is not counted.
 */
import { performance } from 'node:perf_hooks';
import { checkPlan } from '../solver/check.js';
import type { Problem, SlotRequest, Visit } from '../solver/problem.js';
import { currentPlan, offerSlots, prepareSlotIndex } from '../solver/slots.js';
import { SIZES, generateRequests, generateScenario, type ScenarioSize } from './scenario.js';

interface Args {
  json: boolean;
  sizes: ScenarioSize[];
  requests: number;
  seed: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, sizes: [SIZES.S, SIZES.M, SIZES.L], requests: 500, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--sizes') {
      args.sizes = (argv[++i] ?? '').split(',').map((s) => {
        const size = SIZES[s.trim() as keyof typeof SIZES];
        if (size === undefined) throw new Error(`unknown size ${s}; use S, M, L`);
        return size;
      });
    } else if (a === '--requests') args.requests = Number(argv[++i]);
    else if (a === '--seed') args.seed = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(args.requests > 0)) throw new Error('--requests must be > 0');
  return args;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

interface Row {
  name: string;
  technicians: number;
  visits: number;
  requests: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  no_slot_rate: number;
  /** CPU time of the process during the request: shows how much of the wall-clock tail is the machine being busy. */
  cpu_p50_ms: number;
  cpu_p95_ms: number;
  mean_offers: number;
  prepare_ms: number;
  cold_p50_ms: number;
  cold_p95_ms: number;
  cold_p99_ms: number;
  generate_ms: number;
  violations: number;
}

function runSize(size: ScenarioSize, requestCount: number, seed: number, log: (s: string) => void): Row {
  let t0 = performance.now();
  const scenario = generateScenario(size, seed);
  const generateMs = performance.now() - t0;
  const { problem } = scenario;
  log(
    `${size.name}: ${problem.technicians.length} technicians, ${problem.visits.length} booked visits, generated in ${generateMs.toFixed(0)} ms`,
  );

  t0 = performance.now();
  const index = prepareSlotIndex(problem);
  const prepareMs = performance.now() - t0;

  // The booked routes must be valid, or the latencies would be measured on nonsense.
  const violations = checkPlan(problem, currentPlan(problem, index), { requireAll: true });
  if (violations.length > 0) {
    log(
      `  ${violations.length} violations in the generated plan, e.g. ${JSON.stringify(violations.slice(0, 3))}`,
    );
  }

  const requests = generateRequests(scenario, requestCount, seed + 1);
  // Warm-up pass over the same requests, untimed: we measure a running service, not the JIT compiling it.
  for (const r of requests) offerSlots(problem, r, { index });

  const warm: number[] = [];
  const warmCpu: number[] = [];
  let empty = 0;
  let offered = 0;
  for (const request of requests) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const offers = offerSlots(problem, request, { index });
    warm.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    warmCpu.push((used.user + used.system) / 1000);
    if (offers.length === 0) empty++;
    offered += offers.length;
  }

  // Cold: per request, the sub-problem a stateless service would read.
  const visitsByTech = new Map<string, Visit[]>();
  for (const v of problem.visits) {
    if (v.assigned === undefined) continue;
    const list = visitsByTech.get(v.assigned.technicianId) ?? [];
    list.push(v);
    visitsByTech.set(v.assigned.technicianId, list);
  }
  const techById = new Map(problem.technicians.map((t) => [t.id, t]));
  const cold: number[] = [];
  for (const request of requests) {
    const sub = subProblem(problem, request, techById, visitsByTech);
    const start = performance.now();
    const subIndex = prepareSlotIndex(sub);
    offerSlots(sub, request, { index: subIndex });
    cold.push(performance.now() - start);
  }

  warm.sort((a, b) => a - b);
  warmCpu.sort((a, b) => a - b);
  cold.sort((a, b) => a - b);
  return {
    name: size.name,
    technicians: problem.technicians.length,
    visits: problem.visits.length,
    requests: requests.length,
    p50_ms: round(quantile(warm, 0.5)),
    p95_ms: round(quantile(warm, 0.95)),
    p99_ms: round(quantile(warm, 0.99)),
    no_slot_rate: round(empty / requests.length, 4),
    cpu_p50_ms: round(quantile(warmCpu, 0.5)),
    cpu_p95_ms: round(quantile(warmCpu, 0.95)),
    mean_offers: round(offered / requests.length, 1),
    prepare_ms: round(prepareMs, 1),
    cold_p50_ms: round(quantile(cold, 0.5)),
    cold_p95_ms: round(quantile(cold, 0.95)),
    cold_p99_ms: round(quantile(cold, 0.99)),
    generate_ms: round(generateMs, 0),
    violations: violations.length,
  };
}

/** The eligible technicians' bookings within the request's windows, as the service would load them. */
function subProblem(
  problem: Problem,
  request: SlotRequest,
  techById: Map<string, Problem['technicians'][number]>,
  visitsByTech: Map<string, Visit[]>,
): Problem {
  const from = Math.min(...request.windows.map((w) => w.start)) - 86_400;
  const to = Math.max(...request.windows.map((w) => w.end)) + 86_400;
  const ids = request.technicianIds ?? problem.technicians.map((t) => t.id);
  const technicians = ids
    .map((id) => techById.get(id))
    .filter((t): t is NonNullable<typeof t> => t !== undefined)
    .map((t) => ({ ...t, shifts: t.shifts.filter((s) => s.interval.end >= from && s.interval.start <= to) }));
  const visits = technicians.flatMap((t) =>
    (visitsByTech.get(t.id) ?? []).filter(
      (v) => v.assigned!.plannedStart >= from && v.assigned!.plannedStart <= to,
    ),
  );
  return { technicians, visits, travel: problem.travel };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const log = args.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => console.log(s);
  const rows = args.sizes.map((size) => runSize(size, args.requests, args.seed, log));
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ scenarios: rows })}\n`);
    return;
  }
  const targets: Record<string, number> = { S: 5, M: 20, L: 250 };
  console.log(
    '\nofferSlots latency (warm: index prepared once, not counted; cold: prepareSlotIndex on the sub-problem + offerSlots)',
  );
  console.table(
    rows.map((r) => ({
      size: r.name,
      techs: r.technicians,
      visits: r.visits,
      requests: r.requests,
      'p50 ms': r.p50_ms,
      'p95 ms': r.p95_ms,
      'p99 ms': r.p99_ms,
      'p95 target': targets[r.name] ?? '',
      'no slot': `${(r.no_slot_rate * 100).toFixed(1)} %`,
      'cpu p95': r.cpu_p95_ms,
      'offers/req': r.mean_offers,
      'prepare ms': r.prepare_ms,
      'cold p50': r.cold_p50_ms,
      'cold p95': r.cold_p95_ms,
      'cold p99': r.cold_p99_ms,
      violations: r.violations,
    })),
  );
}

main();
