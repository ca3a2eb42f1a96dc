import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createApiToken } from '../../src/domain/auth.js';
import { buildServer } from '../../src/http/server.js';
import { createTestDatabase, TEST_TODAY, type TestDatabase } from './database.js';

export interface TestApp {
  app: FastifyInstance;
  testDb: TestDatabase;
  config: Config;
  tokens: { admin: string; planner: string; agent: string };
  close(): Promise<void>;
}

/** The service on a fresh demo database, with a clock pinned to the morning of TEST_TODAY (Paris). */
export async function createTestApp(
  options: { env?: Record<string, string>; now?: string; demo?: boolean } = {},
): Promise<TestApp> {
  const testDb = await createTestDatabase({ demo: options.demo ?? true });
  // Tests change zones and hours and query slots right after: no read cache unless a test asks for one.
  const config = loadConfig({
    TOURNEE_RATE_LIMIT: '100000',
    LOG_LEVEL: 'silent',
    TOURNEE_PUBLIC_ORIGINS: 'http://localhost:5173',
    TOURNEE_READ_CACHE_MS: '0',
    ...options.env,
  });
  const now = new Date(options.now ?? `${TEST_TODAY}T07:00:00Z`);
  const app = await buildServer(config, { database: testDb.handle, logger: false, clock: () => now });
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
    async close() {
      await app.close();
      await testDb.destroy();
    },
  };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
