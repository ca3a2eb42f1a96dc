/**
 * Address → coordinates. One small interface, two adapters: the French
 * national address API (BAN) when the service is configured to reach it, and
 * the offline default, the postal-code centroid from the zones table.
 */
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { findPostcodeZones } from '../db/eligibility.js';
import { resolveAddress, type ResolvedAddress } from './eligibility.js';

export interface GeocodeQuery {
  line: string;
  postcode: string;
  city: string;
}

export interface GeocodeResult {
  lat: number;
  lon: number;
  /** 0..1 confidence; a postal-code centroid scores 0 (it is not a street-level match). */
  score: number;
}

export interface Geocoder {
  /** null when the address could not be placed; a geocoder never throws for a bad or slow upstream. */
  geocode(query: GeocodeQuery): Promise<GeocodeResult | null>;
}

/** What we read of the BAN GeoJSON answer; everything else is ignored. */
const banResponse = z.object({
  features: z.array(
    z.object({
      geometry: z.object({
        coordinates: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]).rest(z.number()),
      }),
      properties: z.object({ score: z.number().min(0).max(1), postcode: z.string().optional() }),
    }),
  ),
});

export interface BanGeocoderOptions {
  /** Give up after this long; a booking must not wait on a slow upstream. Default 2000 ms. */
  timeoutMs?: number;
  /** Below this score the match is too weak to beat the postal-code centroid. Default 0.5. */
  minScore?: number;
}

/** Adapter for the Base Adresse Nationale search API (https://api-adresse.data.gouv.fr/search/). */
export class BanGeocoder implements Geocoder {
  private readonly timeoutMs: number;
  private readonly minScore: number;

  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
    options: BanGeocoderOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.minScore = options.minScore ?? 0.5;
  }

  async geocode(query: GeocodeQuery): Promise<GeocodeResult | null> {
    const url = new URL('search/', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    url.searchParams.set(
      'q',
      [query.line, query.postcode, query.city]
        .map((s) => s.trim())
        .filter(Boolean)
        .join(' '),
    );
    url.searchParams.set('postcode', query.postcode);
    url.searchParams.set('limit', '1');
    try {
      const response = await this.fetchImpl(url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (!response.ok) return null;
      const parsed = banResponse.safeParse(await response.json());
      const best = parsed.success ? parsed.data.features[0] : undefined;
      if (!best || best.properties.score < this.minScore) return null;
      // A match in another postal code is another place with the same street name.
      if (best.properties.postcode !== undefined && best.properties.postcode !== query.postcode) return null;
      const [lon, lat] = best.geometry.coordinates;
      return { lat, lon, score: best.properties.score };
    } catch {
      // timeout, network error, invalid JSON: fall back like a miss
      return null;
    }
  }
}

/** The offline default: the centroid of the postal code (of the named commune when the code has several). */
export class PostcodeCentroidGeocoder implements Geocoder {
  constructor(private readonly db: Db) {}

  async geocode(query: GeocodeQuery): Promise<GeocodeResult | null> {
    const address = await resolveAddress(this.db, { postcode: query.postcode, city: query.city });
    if (!address) return null;
    return { lat: address.lat, lon: address.lon, score: 0 };
  }
}

/**
 * Places an address: the caller's lat/lon when given, else the geocoder's
 * answer, else the postal-code centroid. null when the postal code is in no zone.
 */
export async function locateAddress(
  db: Db,
  geocoder: Geocoder | undefined,
  input: { line?: string; postcode: string; city?: string; lat?: number; lon?: number },
): Promise<ResolvedAddress | null> {
  if (input.lat !== undefined && input.lon !== undefined) return resolveAddress(db, input);
  // no zone, no booking: do not spend a geocoder call on it
  if ((await findPostcodeZones(db, input.postcode)).length === 0) return null;
  const found =
    geocoder && !(geocoder instanceof PostcodeCentroidGeocoder)
      ? await geocoder.geocode({ line: input.line ?? '', postcode: input.postcode, city: input.city ?? '' })
      : null;
  return resolveAddress(
    db,
    found
      ? { postcode: input.postcode, city: input.city, lat: found.lat, lon: found.lon }
      : { postcode: input.postcode, city: input.city },
  );
}
