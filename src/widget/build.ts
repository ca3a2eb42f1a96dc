/**
 * Bundles the widget into one minified ES module with esbuild. The service
 * calls buildWidgetBundle() once and serves the result at /widget.js;
 * `npm run build:widget` writes dist/widget.js and prints its size against
 * the 25 kB gzip budget.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleBrowserModule } from '../build/browser-bundle.js';

export const WIDGET_GZIP_BUDGET = 25 * 1024;

export function buildWidgetBundle(): Promise<string> {
  return bundleBrowserModule(fileURLToPath(new URL('./index.tsx', import.meta.url)), 'widget');
}

export function gzipSize(code: string): number {
  return gzipSync(code, { level: 9 }).length;
}

async function main(): Promise<void> {
  const code = await buildWidgetBundle();
  const out = fileURLToPath(new URL('../../dist/widget.js', import.meta.url));
  await mkdir(fileURLToPath(new URL('../../dist/', import.meta.url)), { recursive: true });
  await writeFile(out, code);
  const raw = Buffer.byteLength(code);
  const gzip = gzipSize(code);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  console.log(`dist/widget.js: ${kb(raw)} raw, ${kb(gzip)} gzip (budget ${kb(WIDGET_GZIP_BUDGET)} gzip)`);
  if (gzip > WIDGET_GZIP_BUDGET) {
    console.error('widget bundle is over its gzip budget');
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
