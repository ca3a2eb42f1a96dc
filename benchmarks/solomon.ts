/**
 * Solomon VRPTW instances and best-known-solution tables: parsing (with a
 * zod-validated structure, so a malformed file fails with a clear message)
 * and translation into a solver Problem.
 *
 * As the benchmark defines it: travel = Euclidean distance, unrounded,
 * time = distance; service time counts; a customer's window bounds the
 * arrival; the depot's due date is the latest return; every vehicle has
 * the same capacity.
 */
import { z } from 'zod';
import type { Problem, Technician, Visit } from '../solver/problem.js';
import { MatrixTravel } from '../solver/travel.js';

const finite = z.number().finite();

export const SolomonInstanceSchema = z.object({
  name: z.string().min(1),
  vehicles: z.number().int().positive(),
  capacity: finite.nonnegative(),
  /** Customer 0 is the depot. */
  customers: z
    .array(
      z.object({
        id: z.number().int().nonnegative(),
        x: finite,
        y: finite,
        demand: finite.nonnegative(),
        ready: finite,
        due: finite,
        service: finite.nonnegative(),
      }),
    )
    .min(2),
});
export type SolomonInstance = z.infer<typeof SolomonInstanceSchema>;

export const BestKnownSchema = z.object({
  instance: z.string().min(1),
  vehicles_bks: z.coerce.number().int().positive(),
  distance_bks_hierarchical: z.coerce.number().positive(),
  vehicles_for_distance_bks: z.coerce.number().int().positive(),
  distance_bks: z.coerce.number().positive(),
});
export type BestKnown = z.infer<typeof BestKnownSchema>;

/** Parses the standard text format: a name line, a VEHICLE section, a CUSTOMER table. */
export function parseSolomon(text: string, fallbackName: string): SolomonInstance {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const numericRows = (from: number): number[][] =>
    lines
      .slice(from)
      .filter((l) => /^[-+0-9.eE\s]+$/.test(l) && l.length > 0)
      .map((l) => l.split(/\s+/).map(Number));
  const vehicleAt = lines.findIndex((l) => /^VEHICLE\b/i.test(l));
  const customerAt = lines.findIndex((l) => /^CUSTOMER\b/i.test(l));
  if (vehicleAt < 0 || customerAt < 0)
    throw new Error(`${fallbackName}: missing VEHICLE or CUSTOMER section`);
  const fleet = numericRows(vehicleAt + 1)[0] ?? [];
  const rows = numericRows(customerAt + 1);
  const name = lines.find((l) => l.length > 0) ?? fallbackName;
  const parsed = SolomonInstanceSchema.safeParse({
    name,
    vehicles: fleet[0],
    capacity: fleet[1],
    customers: rows.map((r) => {
      if (r.length !== 7)
        throw new Error(`${fallbackName}: customer row with ${r.length} fields, expected 7: ${r.join(' ')}`);
      const [id, x, y, demand, ready, due, service] = r as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      return { id, x, y, demand, ready, due, service };
    }),
  });
  if (!parsed.success) throw new Error(`${fallbackName}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function parseBestKnown(csv: string): Map<string, BestKnown> {
  const [header, ...rows] = csv.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (header === undefined) throw new Error('empty BKS file');
  const cols = header.split(',').map((c) => c.trim());
  const out = new Map<string, BestKnown>();
  for (const row of rows) {
    const cells = row.split(',').map((c) => c.trim());
    const record = Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
    const parsed = BestKnownSchema.safeParse(record);
    if (!parsed.success) throw new Error(`BKS row "${row}": ${z.prettifyError(parsed.error)}`);
    out.set(parsed.data.instance, parsed.data);
  }
  return out;
}

/**
 * A Problem for an instance, optionally restricted to its first `customers`
 * customers. Each vehicle is a technician with one shift [depot ready, depot due].
 */
export function solomonProblem(inst: SolomonInstance, customers?: number): Problem {
  const [depot, ...rest] = inst.customers;
  if (depot === undefined) throw new Error(`${inst.name}: no depot`);
  const chosen = customers === undefined ? rest : rest.slice(0, customers);
  const place = (c: { x: number; y: number }, key: number) => ({ key, lat: c.y, lon: c.x });
  const depotPlace = place(depot, 0);
  const visits: Visit[] = chosen.map((c, i) => ({
    id: String(c.id),
    place: place(c, i + 1),
    duration: c.service,
    window: { start: c.ready, end: c.due },
    skills: [],
    demand: c.demand,
  }));
  const technicians: Technician[] = Array.from({ length: inst.vehicles }, (_, i) => ({
    id: `v${i + 1}`,
    skills: [],
    start: depotPlace,
    end: depotPlace,
    shifts: [{ id: 'day', interval: { start: depot.ready, end: depot.due } }],
    capacity: inst.capacity,
  }));
  const travel = MatrixTravel.euclidean([depotPlace, ...visits.map((v) => v.place)]);
  return { technicians, visits, travel };
}
