import { build } from 'esbuild';

/**
 * One minified ES module from a Preact entry point, for a page or an
 * embedding site: the widget and the planner's page are built the same way.
 */
export async function bundleBrowserModule(entryPoint: string, what: string): Promise<string> {
  const result = await build({
    entryPoints: [entryPoint],
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
  if (!output) throw new Error(`esbuild produced no ${what} bundle`);
  return output.text;
}
