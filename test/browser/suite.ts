/**
 * The lifecycle every browser test file shares: the stack (service on a real port + database) and
 * Chromium started once for the file and closed after it, and each browser context a test opens
 * closed after that test, passed or not, so that one test's page never sees another's.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { TokenRole } from '../../src/db/schema.js';
import { createApiToken } from '../../src/domain/auth.js';
import { launchChromium, startStack, type Stack, type StackOptions } from './helpers.js';

export interface BrowserSuite {
  /** Started in the file's beforeAll: read it inside hooks and tests, not at the top of the file. */
  readonly stack: Stack;
  readonly browser: Browser;
  /** The token of `signIn`, minted in beforeAll (there is none without it). */
  readonly token: string;
  /** Closes `context` once the running test has ended. */
  closeAfterTest(context: BrowserContext): void;
  /** Closes now the contexts the running test has opened so far (as its end would). */
  closeTestContexts(): Promise<void>;
  /** JSON to the service with the token (POST when there is a body); the caller checks the answer. */
  send(path: string, init?: { method?: string; body?: unknown }): Promise<globalThis.Response>;
}

export interface SuiteOptions {
  /** The service's configuration overrides, as startStack takes them. */
  env?: Record<string, string>;
  stack?: StackOptions;
  /** Whose API token the tests use: Claire at the desk, Gaëtan in the planner. */
  signIn?: { role: TokenRole; name: string };
}

/**
 * Registers the file's beforeAll/afterAll/afterEach and returns their handles. `prepare` runs in the
 * same beforeAll once all is up (the file's own data), so it never races the stack's start.
 */
export function browserSuite(
  options: SuiteOptions = {},
  prepare?: (suite: BrowserSuite) => Promise<void>,
): BrowserSuite {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  let token: string | undefined;
  const contexts: BrowserContext[] = [];
  const suite: BrowserSuite = {
    get stack() {
      if (!stack) throw new Error('the stack is started in beforeAll');
      return stack;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is launched in beforeAll');
      return browser;
    },
    get token() {
      if (token === undefined) throw new Error('no token: the suite has no signIn, or beforeAll has not run');
      return token;
    },
    closeAfterTest(context) {
      contexts.push(context);
    },
    async closeTestContexts() {
      for (const context of contexts.splice(0)) await context.close();
    },
    send(path, init = {}) {
      return fetch(`${suite.stack.apiOrigin}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          authorization: `Bearer ${suite.token}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    },
  };
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(options.env, options.stack), launchChromium()]);
    if (options.signIn)
      token = (await createApiToken(stack.testDb.handle.db, options.signIn.role, options.signIn.name)).token;
    await prepare?.(suite);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  afterEach(() => suite.closeTestContexts());
  return suite;
}

/** POSTs `body` with the suite's token and checks the service created it (201); the answer's JSON. */
export async function postCreated<T = unknown>(suite: BrowserSuite, path: string, body: unknown): Promise<T> {
  const res = await suite.send(path, { body });
  expect(res.status).toBe(201);
  return (await res.json()) as T;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Page errors, console errors, and answers ≥ 400 other than /favicon.ico and those the test expects. */
  errors: string[];
}

/**
 * A blank page in a context of its own (closed after the test), in French, whose errors are
 * collected from its first request on. `expected` names the answers ≥ 400 a test provokes on purpose.
 */
export async function watchedPage(
  suite: BrowserSuite,
  viewport: { width: number; height: number },
  timezoneId: string,
  expected: (response: Response) => boolean = () => false,
): Promise<WatchedPage> {
  const context = await suite.browser.newContext({ viewport, locale: 'fr-FR', timezoneId });
  suite.closeAfterTest(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Failed loads are judged by their answer below, where the expected ones are known.
  page.on(
    'console',
    (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(m.text()),
  );
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico') && !expected(r))
      errors.push(`${r.status()} ${r.url()}`);
  });
  return { page, context, errors };
}

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | undefined;

/**
 * axe-core over the whole document (the desk's and planner's pages): serious and critical
 * violations, one "rule: target html" per element.
 */
export async function seriousPageViolations(page: Page): Promise<string[]> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Through the DevTools protocol: the pages' CSP (script-src 'self') rightly refuses an inline script tag.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (c: Document) => Promise<{
            violations: { id: string; impact: string | null; nodes: { target: unknown; html: string }[] }[];
          }>;
        };
      }
    ).axe;
    const { violations } = await axe.run(document);
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${JSON.stringify(n.target)} ${n.html.slice(0, 120)}`));
  });
}
