/**
 * Browser-test plumbing: Debian's Chromium driven by playwright-core, the
 * service on a real port, and a "customer website" on ANOTHER origin that
 * embeds the widget exactly as a real site would (module script + element).
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/index.js';
import { WITHOUT_ABUSE_GUARDS } from '../helpers/app.js';
import { buildServer } from '../../src/http/server.js';
import { createTestDatabase, TEST_TODAY, type TestDatabase } from '../helpers/database.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where the browser tests leave their screenshots (git ignores it). */
export const ARTIFACTS = 'test-artifacts';
mkdirSync(ARTIFACTS, { recursive: true });

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** Attributes of <tournee-booking> on the host page, from its query string (?service=…&lang=…). */
const ELEMENT_ATTRIBUTES = ['service', 'lang', 'accent', 'accent-contrast', 'phone'];

function hostPage(apiOrigin: string, query: URLSearchParams): string {
  const attributes = ELEMENT_ATTRIBUTES.filter((name) => query.has(name))
    .map((name) => ` ${name}="${query.get(name)!.replace(/"/g, '&quot;')}"`)
    .join('');
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Site d’un client</title>
<script type="module" src="${apiOrigin}/widget.js"></script>
<style>
  /* A hostile host stylesheet: it must not change anything inside the widget. */
  body { font: 20px/2 "Comic Sans MS", cursive; color: #c00; background: #ffe; }
  button, input, label { all: unset; font-size: 30px; text-transform: uppercase; color: magenta; }
  * { letter-spacing: 3px !important; }
  h2, h3, p { display: none; }
  .host-note { display: block; }
</style></head>
<body>
<a href="#top" id="host-first">Accueil du site hôte</a>
<main><p class="host-note">Réservez en ligne :</p>
<tournee-booking api="${apiOrigin}"${attributes}></tournee-booking>
</main>
<a href="#bottom" id="host-last">Mentions légales</a>
</body></html>`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface Stack {
  app: FastifyInstance;
  testDb: TestDatabase;
  /** Where the service listens, e.g. http://127.0.0.1:41234 */
  apiOrigin: string;
  /** The embedding site's origin: another port, so CORS is really exercised. */
  hostOrigin: string;
  /** The pinned "now" of the service. */
  now: Date;
  close(): Promise<void>;
}

/** A 1×1 pale grey-blue PNG: the tile every zoom level gets from the host's stand-in tile server. */
const TILE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGN48eY9AAWDAsRbmw5iAAAAAElFTkSuQmCC',
  'base64',
);

export interface StackOptions {
  /** Serve map tiles from the host origin (tests run offline): the planner's Leaflet map really loads them. */
  localTiles?: boolean;
}

/**
 * The service on a real port over a fresh demo database, and a host site on another origin.
 * `env` overrides the service's configuration (e.g. no read cache when a test edits the database).
 */
export async function startStack(
  env: Record<string, string> = {},
  options: StackOptions = {},
): Promise<Stack> {
  let apiOrigin = '';
  const host: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://host.invalid');
    if (/^\/tiles\/\d+\/\d+\/\d+\.png$/.test(url.pathname)) {
      response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'max-age=3600' }).end(TILE_PNG);
      return;
    }
    if (url.pathname !== '/') {
      response.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    response
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(hostPage(apiOrigin, url.searchParams));
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const hostOrigin = `http://127.0.0.1:${(host.address() as { port: number }).port}`;

  const testDb = await createTestDatabase({ demo: true });
  const port = await freePort();
  apiOrigin = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: String(port),
    TOURNEE_PUBLIC_URL: apiOrigin,
    TOURNEE_PUBLIC_ORIGINS: hostOrigin,
    TOURNEE_RATE_LIMIT: '100000',
    ...WITHOUT_ABUSE_GUARDS,
    LOG_LEVEL: 'silent',
    ...(options.localTiles ? { TOURNEE_MAP_TILES: `${hostOrigin}/tiles/{z}/{x}/{y}.png` } : {}),
    ...env,
  });
  const now = new Date(`${TEST_TODAY}T07:00:00Z`);
  const app = await buildServer(config, { database: testDb.handle, logger: false, clock: () => now });
  await app.listen({ port, host: '127.0.0.1' });

  return {
    app,
    testDb,
    apiOrigin,
    hostOrigin,
    now,
    async close() {
      await new Promise<void>((resolve) => host.close(() => resolve()));
      await app.close();
      await testDb.destroy();
    },
  };
}

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown; html: string }[];
}

/** Runs axe-core on the widget (its shadow root included) and returns serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: await axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (context: Element) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document.querySelector('tournee-booking')!);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Describes the element that really has focus, through shadow roots: "INPUT#postcode". */
export function deepFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return '';
    const role = el.getAttribute('role');
    return `${el.tagName}${el.id ? `#${el.id}` : ''}${role ? `[role=${role}]` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}`;
  });
}

/** Presses Tab (or Shift+Tab) until focus is on an element whose description matches; fails after `max` presses. */
export async function tabTo(
  page: Page,
  wanted: RegExp,
  options: { back?: boolean; max?: number } = {},
): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < (options.max ?? 25); i++) {
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
    const now = await deepFocus(page);
    if (wanted.test(now)) return;
    seen.push(now);
  }
  throw new Error(`focus never reached ${wanted}; went through ${seen.join(' → ')}`);
}
