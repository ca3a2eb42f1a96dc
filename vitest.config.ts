import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel but keep the pool small so Postgres and Chromium tests do not starve.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
