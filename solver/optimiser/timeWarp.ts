/**
 * Time-warp route segments (Nagata, Bräysy & Dullaert 2010; Vidal et al.
 * 2013): a stretch of a route summarised by its duration, time warp,
 * earliest and latest start, load and travel, so that two stretches join in
 * O(1). A route that arrives after a window "warps back" to its end and
 * pays for the warp: the search may cross infeasible plans at a price
 * instead of stopping at their border.
 *
 * Only for arc-cost instances (Instance.arcCost): no breaks, overtime or
 * stability terms, whose costs are not sums over joins.
 */
import type { Instance } from './instance.js';

/** Fields of one stored segment, in this order: duration, time warp, earliest, latest, load, travel. */
export const STRIDE = 6;
/** Stands for an open bound: large enough for any day in seconds, small enough that sums stay exact. */
export const OPEN = 1e15;

/** A segment being built by joins (one reused object: no allocation in the hot loop). */
export class Segment {
  first = 0;
  last = 0;
  /** Duration: travel, service and waiting, time warp excluded. */
  d = 0;
  tw = 0;
  /** Earliest and latest start of the first visit that give duration d and warp tw. */
  e = 0;
  l = 0;
  q = 0;
  /** Travel cost inside the segment. */
  c = 0;

  /** Sets this segment to the single visit u. */
  visit(inst: Instance, u: number): this {
    this.first = this.last = u;
    this.d = inst.duration[u]!;
    this.tw = 0;
    this.e = inst.windowStart[u]!;
    this.l = inst.windowEnd[u]!;
    this.q = inst.demand[u]!;
    this.c = 0;
    return this;
  }

  /** Sets this segment from a stored one (data[off..off+STRIDE)) running from node first to node last. */
  load(data: Float64Array, off: number, first: number, last: number): this {
    this.first = first;
    this.last = last;
    this.d = data[off]!;
    this.tw = data[off + 1]!;
    this.e = data[off + 2]!;
    this.l = data[off + 3]!;
    this.q = data[off + 4]!;
    this.c = data[off + 5]!;
    return this;
  }

  store(data: Float64Array, off: number): void {
    data[off] = this.d;
    data[off + 1] = this.tw;
    data[off + 2] = this.e;
    data[off + 3] = this.l;
    data[off + 4] = this.q;
    data[off + 5] = this.c;
  }

  /** Appends a segment given by its fields (Vidal et al. 2013, eq. 7–11). */
  join(
    inst: Instance,
    first: number,
    last: number,
    d: number,
    tw: number,
    e: number,
    l: number,
    q: number,
    c: number,
  ): this {
    const t = inst.time[this.last * inst.nodeCount + first]!;
    const delta = this.d - this.tw + t;
    const wait = e - delta - this.l;
    const warp = this.e + delta - l;
    const dWait = wait > 0 ? wait : 0;
    const dWarp = warp > 0 ? warp : 0;
    const ne = e - delta > this.e ? e - delta : this.e;
    const nl = l - delta < this.l ? l - delta : this.l;
    this.e = ne - dWait;
    this.l = nl + dWarp;
    this.d += d + t + dWait;
    this.tw += tw + dWarp;
    this.q += q;
    this.c += c + t;
    this.last = last;
    return this;
  }

  joinVisit(inst: Instance, u: number): this {
    return this.join(
      inst,
      u,
      u,
      inst.duration[u]!,
      0,
      inst.windowStart[u]!,
      inst.windowEnd[u]!,
      inst.demand[u]!,
      0,
    );
  }

  joinStored(inst: Instance, data: Float64Array, off: number, first: number, last: number): this {
    return this.join(
      inst,
      first,
      last,
      data[off]!,
      data[off + 1]!,
      data[off + 2]!,
      data[off + 3]!,
      data[off + 4]!,
      data[off + 5]!,
    );
  }
}

/**
 * One route with its prefix and suffix segments: prefix p covers positions
 * 0..p (0 = the start place), suffix p covers p..n+1 (n+1 = the end place).
 */
export class WarpRoute {
  visits: number[] = [];
  prefix = new Float64Array(0);
  suffix = new Float64Array(0);
  /** Search counter value when the route last changed (local search revisits only changed routes). */
  changedAt = 0;

  constructor(
    readonly inst: Instance,
    readonly vehicle: number,
  ) {}

  get size(): number {
    return this.visits.length;
  }

  /** Node at position p (0 = start place, n+1 = end place). */
  node(p: number): number {
    const veh = this.inst.vehicles[this.vehicle]!;
    return p === 0 ? veh.startNode : p === this.visits.length + 1 ? veh.endNode : this.visits[p - 1]!;
  }

  /** Recomputes the prefix and suffix segments after the visits changed. */
  update(scratch: Segment): void {
    const inst = this.inst;
    const veh = inst.vehicles[this.vehicle]!;
    const n = this.visits.length;
    const size = (n + 2) * STRIDE;
    if (this.prefix.length < size) {
      this.prefix = new Float64Array(2 * size);
      this.suffix = new Float64Array(2 * size);
    }
    const s = scratch;
    // The start place: leave at the shift start or later.
    s.first = s.last = veh.startNode;
    s.d = s.tw = s.q = s.c = 0;
    s.e = veh.shiftStart;
    s.l = OPEN;
    s.store(this.prefix, 0);
    for (let p = 1; p <= n; p++) {
      s.joinVisit(inst, this.visits[p - 1]!);
      s.store(this.prefix, p * STRIDE);
    }
    s.join(inst, veh.endNode, veh.endNode, 0, 0, -OPEN, veh.endLimit, 0, 0);
    s.store(this.prefix, (n + 1) * STRIDE);
    // Suffixes, built backwards: each is one node joined with the suffix after it.
    s.first = s.last = veh.endNode;
    s.d = s.tw = s.q = s.c = 0;
    s.e = -OPEN;
    s.l = veh.endLimit;
    s.store(this.suffix, (n + 1) * STRIDE);
    for (let p = n; p >= 0; p--) {
      const u = p === 0 ? veh.startNode : this.visits[p - 1]!;
      if (p === 0) {
        s.first = s.last = u;
        s.d = s.tw = s.q = s.c = 0;
        s.e = veh.shiftStart;
        s.l = OPEN;
      } else s.visit(inst, u);
      s.joinStored(inst, this.suffix, (p + 1) * STRIDE, this.node(p + 1), veh.endNode);
      s.store(this.suffix, p * STRIDE);
    }
  }

  /** Loads prefix p (positions 0..p) into s. */
  loadPrefix(s: Segment, p: number): Segment {
    return s.load(this.prefix, p * STRIDE, this.node(0), this.node(p));
  }

  /** Appends suffix p (positions p..n+1) to s. */
  joinSuffix(s: Segment, p: number): Segment {
    return s.joinStored(this.inst, this.suffix, p * STRIDE, this.node(p), this.node(this.visits.length + 1));
  }

  /** The whole route as one segment (prefix n+1). */
  whole(): { tw: number; q: number; c: number } {
    const off = (this.visits.length + 1) * STRIDE;
    return { tw: this.prefix[off + 1]!, q: this.prefix[off + 4]!, c: this.prefix[off + 5]! };
  }
}

/** Penalised cost of a finished route segment (start place to end place) with n visits. */
export function penalisedCost(
  s: Segment,
  n: number,
  capacity: number,
  warpWeight: number,
  loadWeight: number,
): number {
  if (n === 0) return 0;
  const excess = s.q - capacity;
  return s.c + warpWeight * s.tw + (excess > 0 ? loadWeight * excess : 0);
}

/** Time warp of a whole sequence for vehicle k (0 when every window holds), by joins from the start. */
export function sequenceWarp(inst: Instance, k: number, seq: readonly number[], s = new Segment()): number {
  const veh = inst.vehicles[k]!;
  s.first = s.last = veh.startNode;
  s.d = s.tw = s.q = s.c = 0;
  s.e = veh.shiftStart;
  s.l = OPEN;
  for (const u of seq) s.joinVisit(inst, u);
  s.join(inst, veh.endNode, veh.endNode, 0, 0, -OPEN, veh.endLimit, 0, 0);
  return s.tw;
}
