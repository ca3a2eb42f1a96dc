import { ConfigError, loadConfig, publicBaseUrl } from './config/index.js';
import { adminTokenLine, prepareDatabase } from './app.js';
import { buildServer } from './http/server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const prepared = await prepareDatabase(config);
  const app = await buildServer(config, {
    database: prepared.database,
    outboxWorker: config.TOURNEE_OUTBOX_WORKER,
  });
  app.addHook('onClose', async () => prepared.database.close());

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    // Readiness turns 503 first; the balancer stops sending new requests within its check interval,
    // then the listener closes and in-flight requests finish before the pool closes.
    app.lifecycle.draining = true;
    const delay = signal === 'SIGTERM' ? config.TOURNEE_DRAIN_DELAY_MS : 0;
    app.log.info({ signal, drainDelayMs: delay }, 'shutting down: draining requests');
    const forced = setTimeout(() => process.exit(1), delay + 10_000).unref();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    await app.close();
    clearTimeout(forced);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const base = publicBaseUrl({ ...config, PORT: port });
  const database = config.DATABASE_URL
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${config.TOURNEE_DATA_DIR}`;
  const lines = [
    '',
    `Tournée is running — ${database}`,
    prepared.migrationsApplied.length
      ? `  migrations applied: ${prepared.migrationsApplied.join(', ')}`
      : undefined,
    prepared.demoLoaded
      ? `  demo company loaded: ${prepared.demoLoaded.technicians} technicians, ${prepared.demoLoaded.visits} visits, ${prepared.demoLoaded.requests} requests waiting at the desk`
      : undefined,
    `  public demo page : ${base}/`,
    `  customer desk    : ${base}/desk`,
    `  planner's page   : ${base}/planner`,
    config.TOURNEE_SMTP_URL
      ? `  e-mails          : sent through ${new URL(config.TOURNEE_SMTP_URL).host}`
      : `  e-mails (preview): ${base}/dev/mail?token=<admin token> (kept, not sent: no TOURNEE_SMTP_URL)`,
    `  API docs         : ${base}/docs`,
    `  health           : ${base}/health (liveness), ${base}/ready (readiness)`,
    adminTokenLine(prepared, config.TOURNEE_DATA_DIR),
    '',
  ].filter((l) => l !== undefined);
  // Printed on stdout for the person who started the service, not through the logger.
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error) => {
  console.error(`Tournée failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
