// Entry of the optimiser's worker thread. Under tsx (npm start, benchmarks)
// and vitest, a worker does not inherit the TypeScript loader in time for its
// entry module, so register tsx here and then import the TypeScript entry.
// A compiled (.js) entry needs no loader.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
