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

/**
 * Sorts items[0..n) by key[item] ascending, ties by item ascending: the order of
 * `items.sort((a, b) => key[a] - key[b] || a - b)` (a total order, so any sort gives it), without a
 * comparator call per comparison. Worst and related removal sort every served visit of a subproblem (and
 * worst removal every one of the whole instance) each time they run: with the comparator sort and splice
 * the ruins took ~12 % of the search's CPU time on Homberger r1_10_1, ~4 % with this and takeAt.
 */
export function sortByKey(items: Int32Array, n: number, key: Float64Array): void {
  quickSort(items, 0, n - 1, key);
}

function before(a: number, b: number, key: Float64Array): boolean {
  const ka = key[a]!;
  const kb = key[b]!;
  // Equal keys, or a NaN (which the comparator read as a tie), fall back to the visit index.
  return ka < kb || (!(ka > kb) && a < b);
}

function quickSort(items: Int32Array, lo: number, hi: number, key: Float64Array): void {
  while (hi - lo > 16) {
    // Median of three as the pivot, moved to hi.
    const mid = (lo + hi) >> 1;
    if (before(items[mid]!, items[lo]!, key)) swap(items, mid, lo);
    if (before(items[hi]!, items[lo]!, key)) swap(items, hi, lo);
    if (before(items[mid]!, items[hi]!, key)) swap(items, mid, hi);
    const pivot = items[hi]!;
    let i = lo;
    for (let j = lo; j < hi; j++) {
      if (before(items[j]!, pivot, key)) {
        swap(items, i, j);
        i++;
      }
    }
    swap(items, i, hi);
    // Recurse into the smaller side, loop on the larger: bounded stack depth.
    if (i - lo < hi - i) {
      quickSort(items, lo, i - 1, key);
      lo = i + 1;
    } else {
      quickSort(items, i + 1, hi, key);
      hi = i - 1;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = items[i]!;
    let j = i - 1;
    while (j >= lo && before(x, items[j]!, key)) {
      items[j + 1] = items[j]!;
      j--;
    }
    items[j + 1] = x;
  }
}

function swap(items: Int32Array, i: number, j: number): void {
  const t = items[i]!;
  items[i] = items[j]!;
  items[j] = t;
}

/** Takes items[at] out of items[0..n), keeping the order of the rest; returns it. */
function takeAt(items: Int32Array, n: number, at: number): number {
  const x = items[at]!;
  items.copyWithin(at, at + 1, n);
  return x;
}

let keyBuf = new Float64Array(0);
let rankBuf = new Int32Array(0);

/** Scratch for sortByKey: a key per visit and a list of visits, grown to the instance. */
function scratch(visitCount: number): void {
  if (keyBuf.length < visitCount) keyBuf = new Float64Array(visitCount);
  if (rankBuf.length < visitCount) rankBuf = new Int32Array(visitCount);
}

/** Removes the visits whose detour costs most, with randomisation (Ropke & Pisinger, p = 3). */
export const worstRemoval: RuinOperator = (sol, q, rng) => {
  // Gains are computed once: recomputing after each removal costs O(n) per visit for little change.
  // Typed scratch (gains indexed by visit) rather than an object per visit: this runs every few iterations.
  // The key is the gain negated, so that the ascending sort puts the largest gain first.
  const inst = sol.inst;
  scratch(inst.visitCount);
  const key = keyBuf;
  const scored = rankBuf;
  let n = 0;
  for (const r of sol.routes) {
    for (let p = 1; p <= r.visits.length; p++) {
      const u = r.visits[p - 1]!;
      if (inst.pinned[u]) continue;
      key[u] = -sol.removalGain(r, p);
      scored[n++] = u;
    }
  }
  sortByKey(scored, n, key);
  const chosen: number[] = [];
  while (chosen.length < q && n > 0) {
    chosen.push(takeAt(scored, n, Math.floor(rng.next() ** 3 * n)));
    n--;
  }
  return removeAll(sol, chosen);
};

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
  scratch(inst.visitCount);
  const relatedness = keyBuf;
  const ranked = rankBuf;
  let n = 0;
  for (const u of candidates) {
    relatedness[u] =
      (inst.time[seed * M + u]! + inst.time[u * M + seed]!) / maxT +
      Math.abs(inst.windowStart[seed]! - inst.windowStart[u]!) / maxW +
      (sol.routeOf[u] === sol.routeOf[seed] ? 0 : 0.2);
    if (u !== seed) ranked[n++] = u;
  }
  sortByKey(ranked, n, relatedness);
  const chosen = [seed];
  while (chosen.length < q && n > 0) {
    chosen.push(takeAt(ranked, n, Math.floor(rng.next() ** 4 * n)));
    n--;
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
