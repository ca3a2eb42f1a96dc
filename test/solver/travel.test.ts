import { describe, expect, it } from 'vitest';
import { HaversineTravel, MatrixTravel, greatCircleMetres } from '../../solver/travel.js';
import type { Place } from '../../solver/problem.js';

const lyon: Place = { key: 1, lat: 45.764, lon: 4.8357 };
const villeurbanne: Place = { key: 2, lat: 45.7719, lon: 4.8902 };
const vienne: Place = { key: 3, lat: 45.5256, lon: 4.8741 };

describe('HaversineTravel', () => {
  it('measures great-circle distance correctly (Lyon → Vienne ≈ 26.7 km)', () => {
    expect(greatCircleMetres(lyon, vienne) / 1000).toBeCloseTo(26.7, 0);
  });

  it('is zero from a place to itself, symmetric, and applies the detour factor', () => {
    const t = new HaversineTravel({ detourFactor: 1.3 });
    expect(t.time(lyon, lyon)).toBe(0);
    expect(t.distance(lyon, lyon)).toBe(0);
    expect(t.distance(lyon, vienne)).toBeCloseTo(1.3 * greatCircleMetres(lyon, vienne), 6);
    expect(t.time(lyon, vienne)).toBeCloseTo(t.time(vienne, lyon), 9);
  });

  it('drives slower in town than in the country', () => {
    const zoneOf = (p: Place): 'rural' | 'urban' => (p.key === 3 ? 'rural' : 'urban');
    const t = new HaversineTravel({ zoneOf, speedsKmh: { urban: 20, rural: 60 } });
    const d = t.distance(lyon, vienne);
    // half the trip at 20 km/h, half at 60 km/h
    expect(t.time(lyon, vienne)).toBeCloseTo(d / 2 / (20 / 3.6) + d / 2 / (60 / 3.6), 6);
    const urban = new HaversineTravel({ defaultZone: 'urban' });
    const rural = new HaversineTravel({ defaultZone: 'rural' });
    expect(urban.time(lyon, villeurbanne)).toBeGreaterThan(rural.time(lyon, villeurbanne));
  });

  it('keeps answering correctly when the bounded cache evicts', () => {
    const cached = new HaversineTravel({ cacheSize: 2 });
    const fresh = new HaversineTravel({ cacheSize: 0 });
    const places = [lyon, villeurbanne, vienne, { key: 4, lat: 45.9, lon: 4.7 }];
    for (let round = 0; round < 3; round++) {
      for (const a of places) for (const b of places) expect(cached.time(a, b)).toBe(fresh.time(a, b));
    }
  });

  it('rejects nonsense settings', () => {
    expect(() => new HaversineTravel({ detourFactor: 0.5 })).toThrow(RangeError);
    expect(() => new HaversineTravel({ speedsKmh: { urban: 0 } })).toThrow(RangeError);
  });
});

describe('MatrixTravel', () => {
  it('looks up times and distances by place key', () => {
    const m = new MatrixTravel(
      [
        [0, 5],
        [7, 0],
      ],
      [
        [0, 50],
        [70, 0],
      ],
    );
    const a: Place = { key: 0, lat: 0, lon: 0 };
    const b: Place = { key: 1, lat: 0, lon: 0 };
    expect(m.time(a, b)).toBe(5);
    expect(m.time(b, a)).toBe(7);
    expect(m.distance(a, b)).toBe(50);
    expect(m.time(a, a)).toBe(0);
    expect(() => m.time(a, { key: 2, lat: 0, lon: 0 })).toThrow(RangeError);
  });

  it('builds the Solomon Euclidean matrix, unrounded, with time = distance', () => {
    const places: Place[] = [
      { key: 0, lat: 50, lon: 40 },
      { key: 1, lat: 68, lon: 45 },
    ];
    const m = MatrixTravel.euclidean(places);
    expect(m.distance(places[0]!, places[1]!)).toBeCloseTo(Math.hypot(5, 18), 12);
    expect(m.time(places[0]!, places[1]!)).toBe(m.distance(places[0]!, places[1]!));
  });
});
