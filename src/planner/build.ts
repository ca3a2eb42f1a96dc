/** Bundles the planner page's script into one ES module with esbuild; the service serves it at /planner.js. */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export async function buildPlannerBundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./index.tsx', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no planner bundle');
  return output.text;
}
