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
  /** How long slot queries may reuse settings, zones, technicians and working hours (ms); bookings always re-read. 0 = never. */
  TOURNEE_READ_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** Leading zero bits of the booking proof of work (anti-spam); 0 disables it. */
  TOURNEE_POW_DIFFICULTY: z.coerce.number().int().min(0).max(24).default(14),
  /** Base URL of a BAN-compatible address search (e.g. https://api-adresse.data.gouv.fr); unset = offline, bookings sit at the postal-code centroid. */
  TOURNEE_GEOCODER_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** When set, /metrics is served without a token on this port (bound to HOST) instead of on PORT with an admin token. */
  TOURNEE_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** After SIGTERM, how long /ready answers 503 while requests are still served, so the load balancer
   * stops sending new ones before the listener closes. */
  TOURNEE_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Validates the environment; the error names every bad variable on one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export function publicBaseUrl(config: Config): string {
  return (
    config.TOURNEE_PUBLIC_URL ??
    `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`
  ).replace(/\/$/, '');
}
