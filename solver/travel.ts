/**
 * Travel models for the solver.
 *
 * - HaversineTravel: no road network, no I/O. Great-circle distance times a
 *   road-detour factor, driven at a speed that depends on the kind of area
 *   (urban / periurban / rural). Good enough to rank insertions and to keep
 *   promises with a margin; the service can swap in a matrix from a routing
 *   engine later without touching the solver.
 * - MatrixTravel: precomputed time and distance matrices indexed by
 *   Place.key (the Solomon benchmark builds one from Euclidean distances).
 */
import type { Place, Seconds, TravelModel } from './problem.js';

/** The kind of area a place lies in; it sets the average driving speed there. */
export type ZoneType = 'urban' | 'periurban' | 'rural';

/** Average door-to-door driving speeds in km/h, parking and traffic lights included. */
export const DEFAULT_SPEEDS_KMH: Readonly<Record<ZoneType, number>> = {
  urban: 22,
  periurban: 40,
  rural: 60,
};

const EARTH_RADIUS_M = 6_371_000;
const RAD = Math.PI / 180;

/** Great-circle distance in metres between two lat/lon points. */
export function greatCircleMetres(a: Place, b: Place): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

export interface HaversineTravelOptions {
  /** Road distance / straight-line distance. 1.3 is the usual figure for French road networks. */
  detourFactor?: number;
  /** Average speeds per zone type, km/h. */
  speedsKmh?: Partial<Record<ZoneType, number>>;
  /**
   * The zone type of a place, chosen by the caller (e.g. from the postal code's
   * population density). Called about once per place while the place stays
   * cached. Default: every place is `defaultZone`.
   */
  zoneOf?: (place: Place) => ZoneType;
  defaultZone?: ZoneType;
  /** Memoised pairs (rounded up to a power of two; 0 disables the cache). Default 2^18 ≈ 262,000 (8 MB). */
  cacheSize?: number;
}

/**
 * Haversine distance × detour factor, at a zone-dependent speed.
 *
 * A trip is assumed to run half in the origin's kind of area and half in the
 * destination's: time = d/2 / v(from) + d/2 / v(to). This is symmetric, gives
 * time(a, a) = 0 and makes a trip from a rural base into a city centre
 * slower than a trip between two villages the same distance apart. (It does
 * not guarantee the triangle inequality; the solver does not rely on it.)
 *
 * Results are memoised per ordered pair of Place.key in a bounded,
 * direct-mapped cache (one slot per hash; a collision overwrites). Slot
 * offering asks for the same home-base → visit legs many times, and for
 * one-off request places: a Map would grow, rehash and churn the garbage
 * collector on the latter; typed arrays do not. Places with the same key must
 * have the same coordinates (the key is the identity).
 */
export class HaversineTravel implements TravelModel {
  private readonly detour: number;
  /** Seconds per metre, per zone type (inverse speeds). */
  private readonly pace: Record<ZoneType, number>;
  private readonly zoneOf: (place: Place) => ZoneType;
  private readonly mask: number;
  /** Slot i holds [from key, to key, time, distance] at 4i: one cache line per look-up. */
  private readonly pairs: Float64Array;
  /** Per-place [key, pace] at 2i, so zoneOf runs once per place rather than once per pair. */
  private readonly places: Float64Array;
  private readonly placeMask: number;

  constructor(options: HaversineTravelOptions = {}) {
    this.detour = options.detourFactor ?? 1.3;
    if (!(this.detour >= 1)) throw new RangeError('detourFactor must be >= 1');
    const speeds = { ...DEFAULT_SPEEDS_KMH, ...options.speedsKmh };
    const pace = (kmh: number): number => {
      if (!(kmh > 0)) throw new RangeError(`speed must be > 0 km/h, got ${kmh}`);
      return 3.6 / kmh; // s per metre
    };
    this.pace = { urban: pace(speeds.urban), periurban: pace(speeds.periurban), rural: pace(speeds.rural) };
    const fallback = options.defaultZone ?? 'periurban';
    this.zoneOf = options.zoneOf ?? (() => fallback);
    const wanted = Math.max(0, Math.floor(options.cacheSize ?? 2 ** 18));
    const size = wanted === 0 ? 0 : 2 ** Math.ceil(Math.log2(Math.max(2, wanted)));
    this.mask = size - 1;
    // NaN never equals a key, so empty slots never hit.
    this.pairs = new Float64Array(4 * size).fill(Number.NaN);
    const places = size === 0 ? 0 : Math.max(2, size >>> 2);
    this.placeMask = places - 1;
    this.places = new Float64Array(2 * places).fill(Number.NaN);
  }

  time(from: Place, to: Place): Seconds {
    if (from.key === to.key) return 0;
    const slot = this.slot(from.key, to.key);
    if (slot >= 0 && this.pairs[slot] === from.key && this.pairs[slot + 1] === to.key)
      return this.pairs[slot + 2]!;
    return this.fill(from, to, slot)[0];
  }

  distance(from: Place, to: Place): number {
    if (from.key === to.key) return 0;
    const slot = this.slot(from.key, to.key);
    if (slot >= 0 && this.pairs[slot] === from.key && this.pairs[slot + 1] === to.key)
      return this.pairs[slot + 3]!;
    return this.fill(from, to, slot)[1];
  }

  /** Index of the pair's slot in `pairs`, or -1 without a cache. */
  private slot(a: number, b: number): number {
    if (this.mask < 0) return -1;
    return ((Math.imul(a | 0, 0x9e3779b1) ^ Math.imul((b | 0) + 0x7f4a7c15, 0x85ebca6b)) & this.mask) * 4;
  }

  private placePace(p: Place): number {
    if (this.placeMask < 0) return this.pace[this.zoneOf(p)];
    const slot = (Math.imul(p.key | 0, 0x9e3779b1) & this.placeMask) * 2;
    if (this.places[slot] === p.key) return this.places[slot + 1]!;
    const pace = this.pace[this.zoneOf(p)];
    this.places[slot] = p.key;
    this.places[slot + 1] = pace;
    return pace;
  }

  private fill(from: Place, to: Place, slot: number): [Seconds, number] {
    const d = greatCircleMetres(from, to) * this.detour;
    const t = (d / 2) * this.placePace(from) + (d / 2) * this.placePace(to);
    if (slot >= 0) {
      this.pairs[slot] = from.key;
      this.pairs[slot + 1] = to.key;
      this.pairs[slot + 2] = t;
      this.pairs[slot + 3] = d;
    }
    return [t, d];
  }
}

/**
 * Precomputed matrices: time[i][j] and distance[i][j] for places with key i
 * and j. Keys must be integers 0..n-1. Distance defaults to time (Solomon).
 */
export class MatrixTravel implements TravelModel {
  private readonly n: number;
  private readonly times: Float64Array;
  private readonly distances: Float64Array;

  constructor(times: ArrayLike<ArrayLike<number>>, distances?: ArrayLike<ArrayLike<number>>) {
    this.n = times.length;
    this.times = flatten(times, this.n, 'times');
    this.distances = distances === undefined ? this.times : flatten(distances, this.n, 'distances');
  }

  /**
   * Euclidean matrix over `places` (indexed by their key), as in the Solomon
   * benchmark: unrounded distance, time = distance / speed (speed 1 = time equals distance).
   * Coordinates are read from lon (x) and lat (y).
   */
  static euclidean(places: readonly Place[], speed = 1): MatrixTravel {
    const n = places.reduce((m, p) => Math.max(m, p.key + 1), 0);
    const dist: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(Number.NaN));
    for (const a of places) {
      const row = dist[a.key];
      if (row === undefined) throw new RangeError(`bad place key ${a.key}`);
      for (const b of places) row[b.key] = Math.hypot(a.lon - b.lon, a.lat - b.lat);
    }
    const time = speed === 1 ? dist : dist.map((row) => row.map((d) => d / speed));
    return new MatrixTravel(time, dist);
  }

  time(from: Place, to: Place): Seconds {
    return this.times[this.index(from.key, to.key)]!;
  }

  distance(from: Place, to: Place): number {
    return this.distances[this.index(from.key, to.key)]!;
  }

  private index(a: number, b: number): number {
    if (!(a >= 0 && a < this.n && b >= 0 && b < this.n && Number.isInteger(a) && Number.isInteger(b))) {
      throw new RangeError(`place key out of matrix range: ${a} → ${b} (size ${this.n})`);
    }
    return a * this.n + b;
  }
}

function flatten(m: ArrayLike<ArrayLike<number>>, n: number, what: string): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = m[i];
    if (row === undefined || row.length !== n) throw new RangeError(`${what} matrix must be ${n}×${n}`);
    for (let j = 0; j < n; j++) out[i * n + j] = i === j ? 0 : row[j]!;
  }
  return out;
}
