import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createApiToken } from '../../src/domain/auth.js';
import { buildServer } from '../../src/http/server.js';
import { createTestDatabase, TEST_TODAY, type TestDatabase } from './database.js';
import { personalValuesIn } from './log-scan.js';

export interface TestApp {
  app: FastifyInstance;
  testDb: TestDatabase;
  config: Config;
  tokens: { admin: string; planner: string; agent: string };
  /** What the service logged (JSON lines): close() fails when one holds a customer's data or a secret. */
  logLines: string[];
  close(): Promise<void>;
}

/**
 * Suites book many times from one address (127.0.0.1) for one customer, and send bad tokens on
 * purpose: the daily booking caps, the proof of work that grows with a client's bookings and the
 * failed sign-in limit are off, as the rate limit is raised. Their own tests turn them on
 * (test/security/booking-caps.test.ts, auth-failures.test.ts).
 */
export const WITHOUT_ABUSE_GUARDS = {
  TOURNEE_BOOKING_CAP_PER_CUSTOMER: '0',
  TOURNEE_BOOKING_CAP_PER_CLIENT: '0',
  TOURNEE_POW_ESCALATION_BITS: '0',
  TOURNEE_AUTH_FAILURE_LIMIT: '0',
} as const;

/** The service on a fresh demo database, with a clock pinned to the morning of TEST_TODAY (Paris). */
export async function createTestApp(
  options: { env?: Record<string, string>; now?: string; demo?: boolean; kind?: 'pglite' | 'postgres' } = {},
): Promise<TestApp> {
  // Every app of the suite logs (info) into memory; close() scans those lines for the database's personal data.
  const logLines: string[] = [];
  const testDb = await createTestDatabase({ demo: options.demo ?? true, kind: options.kind });
  // Tests change zones and hours and query slots right after: no read cache unless a test asks for one.
  const config = loadConfig({
    ...WITHOUT_ABUSE_GUARDS,
    TOURNEE_RATE_LIMIT: '100000',
    LOG_LEVEL: 'info',
    TOURNEE_PUBLIC_ORIGINS: 'http://localhost:5173',
    TOURNEE_READ_CACHE_MS: '0',
    ...options.env,
  });
  const now = new Date(options.now ?? `${TEST_TODAY}T07:00:00Z`);
  const app = await buildServer(config, {
    database: testDb.handle,
    logStream: { write: (line: string) => void logLines.push(line) },
    clock: () => now,
  });
  await app.ready();
  const tokens = {
    admin: (await createApiToken(testDb.handle.db, 'admin', 'test admin')).token,
    planner: (await createApiToken(testDb.handle.db, 'planner', 'test planner')).token,
    agent: (await createApiToken(testDb.handle.db, 'agent', 'test agent')).token,
  };
  return {
    app,
    testDb,
    config,
    tokens,
    logLines,
    async close() {
      await app.close();
      try {
        const leaked = await personalValuesIn(testDb, logLines.join(''));
        if (leaked.length > 0)
          throw new Error(`log lines hold personal data or secrets: ${leaked.slice(0, 5).join(' | ')}`);
      } finally {
        await testDb.destroy();
      }
    },
  };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
