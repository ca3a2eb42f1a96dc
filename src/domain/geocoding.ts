/**
 * Address → coordinates: one small interface and its adapter for the French national address API
 * (BAN), used when the service is configured to reach it. Without one, a booking stays at the
 * postal-code centroid its zone gives (src/domain/bookings/create.ts, streetLevel).
 */
import { z } from 'zod';

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
