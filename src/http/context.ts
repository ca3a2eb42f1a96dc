import type { Config } from '../config/index.js';
import type { DatabaseHandle, Db } from '../db/database.js';
import type { Geocoder } from '../domain/geocoding.js';
import type { KeptFeeds } from '../domain/kept-feeds.js';
import type { SlotReads } from '../domain/slot-reads.js';

/** The instance's place in its life: draining once a stop was asked for (readiness answers 503). */
export interface Lifecycle {
  draining: boolean;
}

/** What every route plugin reads as `app.ctx`: configuration, the database and shared services. */
export interface AppContext {
  config: Config;
  db: Db;
  database: DatabaseHandle;
  /** Base URL used to build absolute links (manage, .ics, feeds). */
  publicUrl: string;
  /** Reads behind slot queries (cached for TOURNEE_READ_CACHE_MS). */
  slotReads: SlotReads;
  /** Calendar feeds kept until what they show changes; watched with the slot reads, so absent when those are not cached. */
  keptFeeds?: KeptFeeds;
  /** Street-level placement of new bookings (TOURNEE_GEOCODER_URL); undefined offline, when bookings sit at the postal-code centroid. */
  geocoder?: Geocoder;
  lifecycle: Lifecycle;
  /** The current instant (pinned in tests). */
  clock: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Decorated once on the root instance (server.ts); every route plugin reads `app.ctx`. */
    ctx: AppContext;
  }
}
