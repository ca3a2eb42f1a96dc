/** Bundles the desk page's script into one ES module with esbuild; the service serves it at /desk.js. */
import { fileURLToPath } from 'node:url';
import { bundleBrowserModule } from '../build/browser-bundle.js';

export function buildDeskBundle(): Promise<string> {
  return bundleBrowserModule(fileURLToPath(new URL('./index.tsx', import.meta.url)), 'desk');
}
