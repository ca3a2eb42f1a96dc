/** Bundles the planner page's script into one ES module with esbuild; the service serves it at /planner.js. */
import { fileURLToPath } from 'node:url';
import { bundleBrowserModule } from '../build/browser-bundle.js';

export function buildPlannerBundle(): Promise<string> {
  return bundleBrowserModule(fileURLToPath(new URL('./index.tsx', import.meta.url)), 'planner');
}
