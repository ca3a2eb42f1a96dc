import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import cors from '@fastify/cors';
import helmet from 'helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { publicBaseUrl, type Config } from '../config/index.js';
import { openDatabase, type DatabaseHandle } from '../db/database.js';
import { BanGeocoder } from '../domain/geocoding.js';
import { startHousekeeping } from '../domain/housekeeping.js';
import { createMessaging } from '../domain/messages/messaging.js';
import { OutboxProcess } from '../domain/messages/outbox-process.js';
import { CachedReads, freshReads } from '../domain/slot-reads.js';
import { KeptFeeds } from '../domain/kept-feeds.js';
import type { AppContext, Lifecycle } from './context.js';
import { registerMetrics } from './metrics.js';
import { answerClientError, HttpProblem, registerProblemHandlers, sendProblem } from './problem.js';
import { serializeError } from './log-serializers.js';
import { redactUrl } from './redact.js';
import { registerScopes } from './scopes.js';
import { registerTextGuard } from './text-guard.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set draining before a stop: /ready answers 503 while requests are still served. */
    lifecycle: Lifecycle;
  }
}

export interface BuildServerOptions {
  /** An already open database (tests, the CLI); otherwise one is opened from the config and closed with the server. */
  database?: DatabaseHandle;
  /** false silences the logger; defaults to the config's LOG_LEVEL on stdout. */
  logger?: boolean;
  /** Where log lines go instead of stdout (tests read them to check nothing secret is logged). */
  logStream?: { write(line: string): void };
  /** The current instant; tests pin it so notice periods and horizons are reproducible. */
  clock?: () => Date;
  /** Start the outbox worker (e-mails, webhooks, reminders, surveys) in this instance; tests drive it themselves. */
  outboxWorker?: boolean;
}

/**
 * The headers a Connect-style middleware sets on a response, found by running it once on a stand-in
 * that records them. Only for middleware whose headers never depend on the request (helmet with a
 * fixed policy): it must finish at once, without error, having only set or removed headers.
 */
function headersOf(
  middleware: (req: never, res: never, next: (error?: unknown) => void) => void,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  middleware({} as never, recorder as never, (error) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  if (!finished) throw new Error('security headers: the middleware did not finish synchronously');
  return headers;
}

/** TOURNEE_TRUST_PROXY for Fastify: a hop count believes that many proxies; a list, those addresses. */
function trustedProxies(
  setting: number | string[] | undefined,
): boolean | string[] | ((a: string, hop: number) => boolean) {
  if (setting === undefined) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return setting;
}

export async function buildServer(
  config: Config,
  options: BuildServerOptions = {},
): Promise<FastifyInstance> {
  const ownsDatabase = !options.database;
  const database =
    options.database ??
    (await openDatabase({
      url: config.DATABASE_URL,
      schema: config.TOURNEE_DB_SCHEMA,
      poolSize: config.TOURNEE_DB_POOL_SIZE,
      dataDir: config.TOURNEE_DATA_DIR,
    }));

  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.LOG_LEVEL,
            ...(options.logStream ? { stream: options.logStream } : {}),
            redact: {
              paths: ['req.headers.authorization', 'req.headers["x-manage-token"]', 'req.headers.cookie'],
              censor: '[redacted]',
            },
            serializers: {
              err: serializeError,
              error: serializeError,
              req: (req: { method: string; url: string; id: string }) => ({
                method: req.method,
                url: redactUrl(req.url),
                id: req.id,
              }),
            },
          },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: 256 * 1024,
    trustProxy: trustedProxies(config.TOURNEE_TRUST_PROXY),
    // Slow clients cannot hold a connection: whole request, headers, idle keep-alive, idle socket.
    requestTimeout: config.TOURNEE_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.TOURNEE_KEEPALIVE_TIMEOUT_MS,
    connectionTimeout: config.TOURNEE_CONNECTION_TIMEOUT_MS,
    serverFactory: (handler) =>
      createHttpServer(
        {
          requestTimeout: config.TOURNEE_REQUEST_TIMEOUT_MS,
          headersTimeout: config.TOURNEE_HEADERS_TIMEOUT_MS,
          keepAliveTimeout: config.TOURNEE_KEEPALIVE_TIMEOUT_MS,
          // Node checks those deadlines every 30 s by default: a 1 s limit would really be 31 s.
          connectionsCheckingInterval: Math.min(30_000, Math.max(50, config.TOURNEE_HEADERS_TIMEOUT_MS / 4)),
        },
        handler,
      ),
    // Errors Node's parser raises before Fastify sees a request (431, 408, malformed): problem+json too.
    clientErrorHandler: answerClientError,
    return503OnClosing: true,
    // Router-level rejections (bad URL encoding, over-long path parameters) answer problem+json too.
    frameworkErrors: (error, _request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      void sendProblem(
        reply,
        new HttpProblem(status, status === 414 ? 'URI too long' : 'Invalid request', error.message, {
          field: 'path',
        }),
      );
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  registerTextGuard(app);

  const lifecycle: Lifecycle = { draining: false };
  app.decorate('lifecycle', lifecycle);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // A draining instance asks clients and the balancer not to reuse this connection, so no request
    // is sent on it after the listener closes.
    if (lifecycle.draining) reply.header('connection', 'close');
  });

  // Helmet's middleware built once: @fastify/helmet built it again for every request (its options
  // parsed, its CSP string joined), ~2 % of the service's CPU per booking in node --cpu-prof.
  const securityHeaders = helmet({
    // The widget is embedded by other sites and the pages load our own module scripts only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'self'"],
        // Only where the service is really served over https; on plain http it would break every page.
        upgradeInsecureRequests: publicBaseUrl(config).startsWith('https:') ? [] : null,
      },
    },
    hsts: publicBaseUrl(config).startsWith('https:'),
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  // Its headers are the same for every response (no per-request nonce): taken once from a dry run,
  // then handed to each reply as Fastify headers, which Node writes in one pass with the route's own
  // (set on the raw response, they cost 11 validated setHeader calls a request and sent Fastify's
  // headers through writeHead's merge: ~3 % of a booking cycle's main-thread CPU, --cpu-prof).
  const securityHeaderValues = headersOf(securityHeaders);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaderValues);
    done();
  });

  await app.register(cors, {
    origin: (origin, callback) => {
      // Same-origin and non-browser requests carry no Origin header.
      if (!origin) return callback(null, true);
      callback(null, config.TOURNEE_PUBLIC_ORIGINS.includes(origin));
    },
    methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['content-type', 'idempotency-key', 'x-manage-token', 'authorization'],
    exposedHeaders: ['x-request-id', 'retry-after', 'etag'],
    maxAge: 600,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tournée API',
        version: '0.1.0',
        description: 'Booking and route planning for field-service technicians.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const cachedReads =
    config.TOURNEE_READ_CACHE_MS > 0 ? new CachedReads(database.db, config.TOURNEE_READ_CACHE_MS) : undefined;
  const ctx: AppContext = {
    config,
    db: database.db,
    database,
    publicUrl: publicBaseUrl(config),
    slotReads: cachedReads ?? freshReads(database.db),
    ...(cachedReads ? { keptFeeds: new KeptFeeds(cachedReads.bookedRoutes) } : {}),
    geocoder: config.TOURNEE_GEOCODER_URL ? new BanGeocoder(config.TOURNEE_GEOCODER_URL) : undefined,
    lifecycle,
    clock: options.clock ?? (() => new Date()),
  };
  app.decorate('ctx', ctx);
  await registerMetrics(app, ctx);
  await registerScopes(app);

  if (config.TOURNEE_PURGE_INTERVAL_MS > 0) {
    const housekeeper = startHousekeeping(database.db, {
      intervalMs: config.TOURNEE_PURGE_INTERVAL_MS,
      clock: ctx.clock,
      onError: (error) => app.log.warn({ err: error }, 'purge of expired keys failed'),
    });
    app.addHook('onClose', () => housekeeper.stop());
  }

  if (options.outboxWorker) {
    const messagingOptions = {
      smtpUrl: config.TOURNEE_SMTP_URL,
      mailFrom: config.TOURNEE_MAIL_FROM,
      dataDir: config.TOURNEE_DATA_DIR,
      publicUrl: ctx.publicUrl,
      allowPrivateWebhooks: config.TOURNEE_WEBHOOK_ALLOW_PRIVATE,
      leaseMs: config.TOURNEE_OUTBOX_LEASE_SECONDS * 1000,
      pollMs: config.TOURNEE_OUTBOX_POLL_MS,
    };
    if (database.kind === 'postgres' && config.DATABASE_URL && !options.clock) {
      // On PostgreSQL, in a child process of this instance at nice 19 (outbox-process.ts): composing
      // messages never holds up a request, and its pool of two connections commits without waiting
      // for the disk.
      const outbox = new OutboxProcess(
        { url: config.DATABASE_URL, schema: config.TOURNEE_DB_SCHEMA, messaging: messagingOptions },
        app.log,
      );
      app.addHook('onReady', async () => outbox.start());
      app.addHook('onClose', async () => outbox.stop());
    } else {
      // In this thread: the embedded database (one connection), or a test's own clock. On
      // PostgreSQL the worker still has its own pool, whose commits do not wait for the disk
      // (synchronous_commit = off): its claims, outcomes and dispatches never queue a booking's
      // commit behind a WAL flush of theirs. Losing one in a database crash is harmless: the
      // message is delivered again under the same id (ids come from dedupe keys), which the
      // receivers dedupe on, as after any crash mid-delivery.
      const workerDatabase =
        database.kind === 'postgres' && config.DATABASE_URL
          ? await openDatabase({
              url: config.DATABASE_URL,
              schema: config.TOURNEE_DB_SCHEMA,
              poolSize: 2,
              synchronousCommit: false,
            })
          : undefined;
      const messaging = createMessaging((workerDatabase ?? database).db, {
        ...messagingOptions,
        clock: ctx.clock,
        log: app.log,
      });
      app.addHook('onReady', async () => messaging.worker.start());
      // Before the database closes: the delivery in progress records its outcome first.
      app.addHook('onClose', async () => {
        await messaging.close();
        await workerDatabase?.close();
      });
    }
  }

  if (ownsDatabase) app.addHook('onClose', async () => database.close());
  return app;
}
