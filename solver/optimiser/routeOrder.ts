/**
 * The order of one pooled route's visits, improved on its own before the
 * route becomes a set-partitioning column. The pool takes the routes of
 * accepted solutions as the repair left them (only new bests are polished):
 * on RC206 / RC208 (8,000 iterations, seed 1) about 60 % of the columns
 * handed to the MIP could be served in a shorter order, by ~1.5 % on
 * average, so the MIP weighed good sets of visits at worse costs than theirs.
 *
 * Moves within the route, first improvement, until none improves: a string of
 * 1–3 visits (also reversed) to any other place, and 2-opt (reversing a
 * stretch). A move's travel change is costed in O(1); the windows are checked,
 * in O(n), only for moves that shorten the route, and the exact cost decides.
 * Arc-cost instances only (Instance.arcCost: a route's cost is its travel).
 *
 * Solomon, 2 s of CPU, 2 threads, run side by side with the tree before: all 56 at seed 1, mean gap
 * +0.350 → +0.273 %, worst RC208 +2.70 → RC207 +2.11 % (R1 0.209 → 0.123, R2 0.444 → 0.394, RC1 0.797
 * → 0.570, RC2 0.727 → 0.618; 12 instances better, 12 worse); 12 hard instances × seeds 1–3, mean
 * +0.924 → +0.848 %, 23 runs better and 9 worse (median −0.29 points; one RC208 run at +8.43 %, which
 * both trees reach at that seed: reruns gave +0.10–1.35 % for either). At 8,000 iterations, one thread
 * (7 hard instances × seeds 1–6), 66 checkpoint MIPs improved the best against 56, mean gap +1.17 against
 * +1.18 %. Each column is ordered once (PooledRoute.ordered): ~0.1 ms a column of 20 visits.
 */
import type { Instance } from './instance.js';
import type { PooledRoute } from './routePool.js';
import { arcSequenceTravel, routeCost } from './schedule.js';

const EPS = 1e-7;
/** Rounds of all moves at most (each round that improves starts over). */
const MAX_ROUNDS = 1000;

/** Scratch, grown as needed: the sequence with the depot at both ends, and a candidate. */
let nodes = new Int32Array(0);
let cand = new Int32Array(0);

/** Whether the visits cand[1..n] hold their windows and the end limit for vehicle k. */
function holds(inst: Instance, k: number, n: number): boolean {
  return arcSequenceTravel(inst, k, cand.subarray(1, n + 1)) < Infinity;
}

/** Copies cand into nodes (a move was taken). */
function take(n: number): void {
  for (let p = 1; p <= n; p++) nodes[p] = cand[p]!;
}

/**
 * Improves the order of `route` in place (visits and cost) when a shorter one holds. Returns whether
 * it changed. Arc-cost instances only; elsewhere the route is left as it is.
 */
export function improveRouteOrder(inst: Instance, route: PooledRoute): boolean {
  if (!inst.arcCost) return false;
  const n = route.visits.length;
  if (n < 2) return false;
  const k = route.vehicle;
  const veh = inst.vehicles[k]!;
  const M = inst.nodeCount;
  const T = inst.time;
  if (nodes.length < n + 2) {
    nodes = new Int32Array(2 * (n + 2));
    cand = new Int32Array(2 * (n + 2));
  }
  nodes[0] = veh.startNode;
  for (let p = 0; p < n; p++) nodes[p + 1] = route.visits[p]!;
  nodes[n + 1] = veh.endNode;
  cand[0] = veh.startNode;
  cand[n + 1] = veh.endNode;
  const t = (a: number, b: number): number => T[a * M + b]!;
  let changed = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let moved = false;
    // A string of positions i..i+len−1 (1-based) goes between the nodes at positions j and j+1 of the
    // route without it (j < i − 1, or j ≥ i + len), forwards or reversed.
    for (let len = 1; len <= 3 && !moved; len++) {
      for (let i = 1; i + len - 1 <= n && !moved; i++) {
        const first = nodes[i]!;
        const last = nodes[i + len - 1]!;
        const before = nodes[i - 1]!;
        const after = nodes[i + len]!;
        const removed = t(before, first) + t(last, after) - t(before, after);
        let inner = 0;
        let innerReversed = 0;
        for (let p = i; p < i + len - 1; p++) {
          inner += t(nodes[p]!, nodes[p + 1]!);
          innerReversed += t(nodes[p + 1]!, nodes[p]!);
        }
        for (let j = 0; j <= n && !moved; j++) {
          if (j >= i - 1 && j <= i + len - 1) continue;
          const x = nodes[j]!;
          const y = nodes[j + 1]!;
          for (let rev = 0; rev <= (len > 1 ? 1 : 0); rev++) {
            const head = rev ? last : first;
            const tail = rev ? first : last;
            const delta = t(x, head) + t(tail, y) - t(x, y) - removed + (rev ? innerReversed - inner : 0);
            if (delta >= -EPS) continue;
            // Build the candidate: the route without the string, the string after position j.
            let w = 1;
            const put = (p: number): void => {
              cand[w++] = nodes[p]!;
            };
            for (let p = 1; p <= n; p++) {
              if (p >= i && p < i + len) continue;
              put(p);
              if (p === j) {
                if (rev) for (let q = i + len - 1; q >= i; q--) put(q);
                else for (let q = i; q < i + len; q++) put(q);
              }
            }
            if (j === 0) {
              // The string goes first: shift the rest.
              w = 1;
              if (rev) for (let q = i + len - 1; q >= i; q--) put(q);
              else for (let q = i; q < i + len; q++) put(q);
              for (let p = 1; p <= n; p++) if (p < i || p >= i + len) put(p);
            }
            if (holds(inst, k, n)) {
              take(n);
              moved = true;
              break;
            }
          }
        }
      }
    }
    // 2-opt: positions i..j reversed.
    for (let i = 1; i < n && !moved; i++) {
      let inner = 0;
      let innerReversed = 0;
      for (let j = i + 1; j <= n && !moved; j++) {
        inner += t(nodes[j - 1]!, nodes[j]!);
        innerReversed += t(nodes[j]!, nodes[j - 1]!);
        if (j - i < 2) continue;
        const a = nodes[i - 1]!;
        const b = nodes[j + 1]!;
        const delta =
          t(a, nodes[j]!) + t(nodes[i]!, b) - t(a, nodes[i]!) - t(nodes[j]!, b) + innerReversed - inner;
        if (delta >= -EPS) continue;
        for (let p = 1; p <= n; p++) cand[p] = p >= i && p <= j ? nodes[i + j - p]! : nodes[p]!;
        if (holds(inst, k, n)) {
          take(n);
          moved = true;
        }
      }
    }
    if (!moved) break;
    changed = true;
  }
  if (!changed) return false;
  const visits = Array.from(nodes.subarray(1, n + 1));
  const cost = routeCost(inst, k, visits);
  // The exact cost decides (rounding in the O(1) deltas, or a route cost that is not its travel).
  if (!(cost < route.cost - EPS)) return false;
  route.visits = visits;
  route.cost = cost;
  return true;
}
