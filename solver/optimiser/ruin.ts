/**
 * Destroy operators of the ALNS: each removes about `q` served visits and
 * returns them. Pinned visits are never removed (they cannot go anywhere
 * else). Removal that would break a route (possible only without the
 * triangle inequality or around breaks) is skipped.
 */
import { GRANULAR_FROM } from './insertion.js';
import type { Random } from './prng.js';
import type { Solution } from './solution.js';

export type RuinOperator = (sol: Solution, q: number, rng: Random) => number[];

function servedMovable(sol: Solution): number[] {
  const out: number[] = [];
  for (const r of sol.routes) for (const u of r.visits) if (!sol.inst.pinned[u]) out.push(u);
  return out;
}

function removeAll(sol: Solution, visits: readonly number[]): number[] {
  return sol.removeMany(visits.filter((u) => sol.routeOf[u]! >= 0 && !sol.inst.pinned[u]));
}

export const randomRemoval: RuinOperator = (sol, q, rng) => {
  const pool = rng.shuffle(servedMovable(sol));
  return removeAll(sol, pool.slice(0, q));
};

let gainBuf = new Float64Array(0);

/** Removes the visits whose detour costs most, with randomisation (Ropke & Pisinger, p = 3). */
export const worstRemoval: RuinOperator = (sol, q, rng) => {
  // Gains are computed once: recomputing after each removal costs O(n) per visit for little change.
  // Typed scratch (gains indexed by visit) rather than an object per visit: this runs every few iterations.
  const inst = sol.inst;
  if (gainBuf.length < inst.visitCount) gainBuf = new Float64Array(inst.visitCount);
  const gain = gainBuf;
  const scored: number[] = [];
  for (const r of sol.routes) {
    for (let p = 1; p <= r.visits.length; p++) {
      const u = r.visits[p - 1]!;
      if (inst.pinned[u]) continue;
      gain[u] = sol.removalGain(r, p);
      scored.push(u);
    }
  }
  scored.sort((a, b) => gain[b]! - gain[a]! || a - b);
  const chosen: number[] = [];
  while (chosen.length < q && scored.length > 0) {
    chosen.push(scored.splice(Math.floor(rng.next() ** 3 * scored.length), 1)[0]!);
  }
  return removeAll(sol, chosen);
};

let relatednessBuf = new Float64Array(0);

/** Up to `count` served, movable visits nearest to `seed`, nearest first. */
function nearServed(sol: Solution, seed: number, count: number): number[] {
  const out: number[] = [];
  const nbrs = sol.inst.neighbours[seed]!;
  for (let x = 0; x < nbrs.length && out.length < count; x++) {
    const u = nbrs[x]!;
    if (sol.routeOf[u]! >= 0 && !sol.inst.pinned[u]) out.push(u);
  }
  return out;
}

/** Shaw removal: visits related to a random seed by place, time window and route. */
export const relatedRemoval: RuinOperator = (sol, q, rng) => {
  const inst = sol.inst;
  const served = servedMovable(sol);
  if (served.length === 0) return [];
  const M = inst.nodeCount;
  const seed = rng.pick(served);
  // On large instances the related visits are looked for among the seed's nearest neighbours only
  // (Shaw removal from neighbour lists): ranking every served visit costs O(N log N) per iteration.
  const candidates = inst.visitCount >= GRANULAR_FROM ? nearServed(sol, seed, Math.max(4 * q, 60)) : served;
  let maxT = 1e-9;
  let maxW = 1e-9;
  for (const u of candidates) {
    maxT = Math.max(maxT, inst.time[seed * M + u]! + inst.time[u * M + seed]!);
    maxW = Math.max(maxW, Math.abs(inst.windowStart[seed]! - inst.windowStart[u]!));
  }
  // Indexed by visit (a typed array rather than a Map: this runs every iteration).
  if (relatednessBuf.length < inst.visitCount) relatednessBuf = new Float64Array(inst.visitCount);
  const relatedness = relatednessBuf;
  for (const u of candidates) {
    relatedness[u] =
      (inst.time[seed * M + u]! + inst.time[u * M + seed]!) / maxT +
      Math.abs(inst.windowStart[seed]! - inst.windowStart[u]!) / maxW +
      (sol.routeOf[u] === sol.routeOf[seed] ? 0 : 0.2);
  }
  const ranked = candidates
    .filter((u) => u !== seed)
    .sort((a, b) => relatedness[a]! - relatedness[b]! || a - b);
  const chosen = [seed];
  while (chosen.length < q && ranked.length > 0) {
    chosen.push(ranked.splice(Math.floor(rng.next() ** 4 * ranked.length), 1)[0]!);
  }
  return removeAll(sol, chosen);
};

/** Removes whole routes, shortest first with randomisation, until about q visits are out. */
export const routeRemoval: RuinOperator = (sol, q, rng) => {
  const used = sol.routes.filter((r) => r.visits.length > 0);
  used.sort((a, b) => a.visits.length - b.visits.length || a.vehicle - b.vehicle);
  const removed: number[] = [];
  while (removed.length < q && used.length > 0) {
    const idx = Math.floor(rng.next() ** 2 * used.length);
    const r = used.splice(idx, 1)[0]!;
    removed.push(...removeAll(sol, r.visits.slice()));
  }
  return removed;
};

/**
 * String removal (Christiaens & Vanden Berghe, SISR): around a seed visit,
 * cut one string of consecutive visits from each of a few nearby routes.
 * It frees contiguous slack in several routes at once, which is what lets
 * time-windowed routes be rebuilt better.
 */
export const stringRemoval: RuinOperator = (sol, q, rng) => {
  const inst = sol.inst;
  const served = servedMovable(sol);
  if (served.length === 0) return [];
  const used = sol.routes.filter((r) => r.visits.length > 0);
  const avgLen = served.length / Math.max(1, used.length);
  const maxString = Math.max(1, Math.min(10, Math.round(avgLen)));
  const routesToCut = Math.max(1, Math.min(used.length, Math.floor((4 * q) / (1 + maxString)) / 2 + 1));
  const seed = rng.pick(served);
  const cut = new Set<number>();
  const removed: number[] = [];
  const order = [seed, ...inst.neighbours[seed]!];
  for (const u of order) {
    if (cut.size >= routesToCut || removed.length >= q) break;
    const k = sol.routeOf[u]!;
    if (k < 0 || cut.has(k)) continue;
    cut.add(k);
    const visits = sol.routes[k]!.visits;
    const len = Math.min(visits.length, rng.between(1, maxString));
    const at = visits.indexOf(u);
    // A string of `len` visits containing u; sometimes keep a middle part ("split string").
    const first = Math.max(0, Math.min(visits.length - len, at - rng.int(len)));
    let segment = visits.slice(first, first + len);
    if (len > 2 && rng.next() < 0.5) {
      const keep = rng.between(1, Math.max(1, Math.min(len - 2, Math.floor(len / 2))));
      const keepAt = rng.between(1, len - keep - 1);
      segment = [...segment.slice(0, keepAt), ...segment.slice(keepAt + keep)];
    }
    removed.push(...removeAll(sol, segment));
  }
  return removed;
};

export const RUIN_OPERATORS: { name: string; op: RuinOperator }[] = [
  { name: 'random', op: randomRemoval },
  { name: 'worst', op: worstRemoval },
  { name: 'related', op: relatedRemoval },
  { name: 'route', op: routeRemoval },
  { name: 'string', op: stringRemoval },
];
