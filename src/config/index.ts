import { isIP } from 'node:net';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const originList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/ })));

/** "2" (hops) or "10.0.0.0/8, 192.168.1.10" (proxy addresses and ranges). */
const trustProxy = z
  .string()
  .trim()
  .refine(
    (raw) =>
      /^\d{1,2}$/.test(raw) ||
      raw.split(',').every((part) => {
        const [address, bits, ...rest] = part.trim().split('/');
        const family = isIP(address ?? '');
        if (!family || rest.length) return false;
        if (bits === undefined) return true;
        const n = Number(bits);
        return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
      }),
    'must be a hop count (e.g. 1) or a comma-separated list of proxy addresses or CIDR ranges',
  )
  .transform((raw): number | string[] =>
    /^\d{1,2}$/.test(raw) ? Number(raw) : raw.split(',').map((p) => p.trim()),
  );

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, the service talks to this PostgreSQL; otherwise it runs an embedded PGlite in TOURNEE_DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Schema to use inside DATABASE_URL (tests isolate runs with one schema each). */
  TOURNEE_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('public'),
  TOURNEE_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  TOURNEE_DATA_DIR: z.string().min(1).default('./.data'),
  TOURNEE_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  TOURNEE_TIMEZONE: z
    .string()
    .default('Europe/Paris')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'is not an IANA time zone'),
  TOURNEE_PUBLIC_ORIGINS: originList.default([]),
  /** Public base URL used in links (manage links, .ics links, feed URLs). */
  TOURNEE_PUBLIC_URL: z.url().optional(),
  /** Load the demo company into an empty database. */
  TOURNEE_DEMO: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Requests per minute per client IP on public routes. */
  TOURNEE_RATE_LIMIT: z.coerce.number().int().min(1).default(300),
  /**
   * How long slot queries may reuse settings, zones, technicians and working hours (ms) before a
   * background re-read; bookings always re-read. 0 = never. A safety net only: a committed change to
   * any of them is seen by the next slot request (reference_changes, migration 0019), so the default
   * is the longest allowed. At 2 s, every slot request of a booking cycle found some of its entries
   * due (one per postal code, service, technician and span) and re-read them: 2.5 of its 9.5 round
   * trips a cycle (bench:booking-cpu).
   */
  TOURNEE_READ_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(60_000),
  /** Leading zero bits of the booking proof of work (anti-spam); 0 disables it. */
  TOURNEE_POW_DIFFICULTY: z.coerce.number().int().min(0).max(24).default(14),
  /** Failed bearer-token attempts per client address and minute before it gets 429 (per instance); 0 = no limit. */
  TOURNEE_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(0).max(100_000).default(20),
  /** Online bookings one customer (same phone or e-mail) may make in 24 h; 0 = no cap. Staff bookings never count. */
  TOURNEE_BOOKING_CAP_PER_CUSTOMER: z.coerce.number().int().min(0).max(1000).default(3),
  /** Online bookings one client network address may make in 24 h; 0 = no cap (an office or a shared
   * mobile-carrier address books for several people: keep it above the per-customer cap). */
  TOURNEE_BOOKING_CAP_PER_CLIENT: z.coerce.number().int().min(0).max(10_000).default(8),
  /** Extra proof-of-work bits per online booking the same client made in the last hour (the first one is free). */
  TOURNEE_POW_ESCALATION_BITS: z.coerce.number().int().min(0).max(8).default(2),
  /** Base URL of a BAN-compatible address search (e.g. https://api-adresse.data.gouv.fr); unset = offline, bookings sit at the postal-code centroid. */
  TOURNEE_GEOCODER_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Map tiles of the planner's page ({z}/{x}/{y}, optional {s}); "off" = the offline drawing only. */
  TOURNEE_MAP_TILES: z
    .string()
    .default('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png')
    .refine(
      (v) =>
        v === 'off' || (/^https?:\/\/[^/]+\//.test(v) && ['{z}', '{x}', '{y}'].every((p) => v.includes(p))),
      'must be an http(s) URL template with {z}, {x} and {y}, or "off"',
    ),
  /** Credit shown on the map, required by the tile provider's licence. */
  TOURNEE_MAP_ATTRIBUTION: z.string().max(300).default('© les contributeurs d’OpenStreetMap'),
  /** When set, /metrics is served without a token on this port (bound to HOST) instead of on PORT with an admin token. */
  TOURNEE_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** After SIGTERM, how long /ready answers 503 while requests are still served, so the load balancer
   * stops sending new ones before the listener closes. */
  TOURNEE_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  /** Which proxies to believe about the client's address (X-Forwarded-For): unset = none (the socket's peer is the
   * client); a hop count ("1" behind one nginx); or addresses/CIDR ranges of the proxies ("10.0.0.0/8,127.0.0.1"). */
  TOURNEE_TRUST_PROXY: trustProxy.optional(),
  /** Whole request (headers and body) must arrive within this (ms): a client sending one byte every 10 s is cut off. */
  TOURNEE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Headers must arrive within this (ms); at most TOURNEE_REQUEST_TIMEOUT_MS. */
  TOURNEE_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** An idle keep-alive connection is closed after this (ms). */
  TOURNEE_KEEPALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** A socket with no traffic at all is closed after this (ms). */
  TOURNEE_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /** How often expired idempotency keys and spent challenges are purged (ms); 0 = never (another instance does it). */
  TOURNEE_PURGE_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  /** SMTP server for e-mails (smtp:// or smtps://, credentials in the URL); unset = kept in TOURNEE_DATA_DIR/mail and shown at /dev/mail. */
  TOURNEE_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** From address of e-mails ("Name <address>" or an address); default: the company's name at noreply@ the public host. */
  TOURNEE_MAIL_FROM: z
    .string()
    .max(200)
    .regex(
      /^([^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/,
      'must be an address or "Name <address>"',
    )
    .optional(),
  /** Allow webhook URLs over http and into private networks (tests, on-premise receivers). */
  TOURNEE_WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Offer windows that need a few booked visits moved (make-room) on days with nothing else; "false" turns it off. */
  TOURNEE_MAKE_ROOM: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Run the outbox worker (e-mails, webhooks, reminders, surveys) in this instance. */
  TOURNEE_OUTBOX_WORKER: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** How long a worker holds a message it is delivering; a crashed worker's messages go again after it. */
  TOURNEE_OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(11).max(3600).default(60),
  /** How often an idle worker looks for due messages (ms). */
  TOURNEE_OUTBOX_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(500),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export type Config = z.infer<typeof configSchema>;

/** Node refuses a headers timeout longer than the request timeout. */
const timeoutsConsistent = (c: Config) => c.TOURNEE_HEADERS_TIMEOUT_MS <= c.TOURNEE_REQUEST_TIMEOUT_MS;

export class ConfigError extends Error {}

/** Validates the environment; the error names every bad variable on one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  if (!timeoutsConsistent(parsed.data))
    throw new ConfigError(
      'Invalid configuration: TOURNEE_HEADERS_TIMEOUT_MS: must not exceed TOURNEE_REQUEST_TIMEOUT_MS',
    );
  return parsed.data;
}

export function publicBaseUrl(config: Config): string {
  return (
    config.TOURNEE_PUBLIC_URL ??
    `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`
  ).replace(/\/$/, '');
}
