/** What the planner's browser tests share: the stack with Gaëtan's planner token, the page signed in, the day's routes. */
import type { Response } from 'playwright-core';
import { expect } from 'vitest';
import {
  browserSuite,
  watchedPage,
  type BrowserSuite,
  type SuiteOptions,
  type WatchedPage,
} from './suite.js';

export interface StopJson {
  visitId: string;
  reference: string;
  window: { start: string; end: string };
  planned: { start: string; end: string };
  idleMinutes: number;
}

export interface DayJson {
  technicians: { id: string; name: string }[];
  current: { routes: { technicianId: string; stops: StopJson[] }[] };
}

/** The stack, Chromium and Gaëtan's planner token for the file (its hooks registered here). */
export function plannerSuite(options: Omit<SuiteOptions, 'signIn'> = {}): BrowserSuite {
  return browserSuite({ ...options, signIn: { role: 'planner', name: 'Gaëtan' } });
}

/**
 * /planner signed in, in its own context (closed after the test). The browser runs in New York:
 * every time shown must still be the company's (Paris). `search` is the page's query (with a
 * `date`, the day's timeline is waited for); `expected` accepts the answers ≥ 400 the test provokes.
 */
export async function openPlanner(
  planner: BrowserSuite,
  viewport: { width: number; height: number },
  options: { search?: Record<string, string>; expected?: (response: Response) => boolean } = {},
): Promise<WatchedPage> {
  const search = options.search ?? {};
  const opened = await watchedPage(planner, viewport, 'America/New_York', options.expected);
  const { page } = opened;
  await page.goto(`${planner.stack.apiOrigin}/planner?${new URLSearchParams(search)}`);
  await page.getByLabel('Jeton d’accès (planificateur)').fill(planner.token);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  if (search.date) await page.locator('.timeline').waitFor({ state: 'attached' });
  return opened;
}

/** The day's routes as GET /v1/admin/routes gives them. */
export async function dayJson(planner: BrowserSuite, date: string): Promise<DayJson> {
  const res = await planner.send(`/v1/admin/routes?date=${date}`);
  expect(res.status).toBe(200);
  return (await res.json()) as DayJson;
}
