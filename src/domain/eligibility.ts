/** Where an address is (zones, coordinates) and which technicians may serve it. */
import type { Db } from '../db/database.js';
import {
  findEligibleTechnicians,
  findPostcodeZones,
  type EligibleTechnicianRow,
  type PostcodeZoneRow,
} from '../db/eligibility.js';
import type { ZoneKind } from '../db/schema.js';

export interface ResolvedAddress {
  postcode: string;
  city: string;
  lat: number;
  lon: number;
  zoneIds: string[];
  zoneKind: 'urban' | 'periurban' | 'rural';
  /** true when lat/lon came from the caller or a geocoder */
  precise: boolean;
}

const KIND_ORDER: ZoneKind[] = ['urban', 'periurban', 'rural'];

function normaliseCity(city: string): string {
  return city
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** postcode → zones + centroid; explicit lat/lon kept when given. Returns null when the postcode is in no zone. */
export async function resolveAddress(
  db: Db,
  input: { postcode: string; lat?: number; lon?: number; city?: string },
): Promise<ResolvedAddress | null> {
  return resolveFromZones(await findPostcodeZones(db, input.postcode), input);
}

/** resolveAddress on the postal code's zone rows already read. */
export function resolveFromZones(
  rows: PostcodeZoneRow[],
  input: { postcode: string; lat?: number; lon?: number; city?: string },
): ResolvedAddress | null {
  if (rows.length === 0) return null;
  // A postal code can cover several communes: prefer the one the caller named for the centroid.
  const wanted = input.city ? normaliseCity(input.city) : undefined;
  const match = (wanted && rows.find((r) => normaliseCity(r.city) === wanted)) || rows[0]!;
  const precise = input.lat !== undefined && input.lon !== undefined;
  // The densest zone's kind wins: a code shared by an urban and a rural zone drives like town.
  const zoneKind = KIND_ORDER.find((k) => rows.some((r) => r.zoneKind === k)) ?? 'periurban';
  return {
    postcode: input.postcode,
    city: input.city?.trim() || match.city,
    lat: precise ? input.lat! : match.lat,
    lon: precise ? input.lon! : match.lon,
    zoneIds: [...new Set(rows.map((r) => r.zoneId))],
    zoneKind,
    precise,
  };
}

export interface EligibleTechnician {
  id: string;
  name: string;
  skills: string[];
  home: { lat: number; lon: number };
  /** Kind of area around the home base (nearest known postal-code centroid), for the travel model. */
  zoneKind: 'urban' | 'periurban' | 'rural';
}

/** Active technicians having every required skill of the service and serving one of the address's zones. */
export async function eligibleTechnicians(
  db: Db,
  serviceId: string,
  address: ResolvedAddress,
): Promise<EligibleTechnician[]> {
  const rows = await findEligibleTechnicians(db, serviceId, address.zoneIds);
  return rows.map(eligibleTechnicianFrom);
}

export function eligibleTechnicianFrom(r: EligibleTechnicianRow): EligibleTechnician {
  return {
    id: r.id,
    name: r.name,
    skills: r.skills,
    home: { lat: r.homeLat, lon: r.homeLon },
    zoneKind: r.homeZoneKind ?? 'periurban',
  };
}
