/** What the widget's browser tests share: the host page in a fresh context, axe, screenshots. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ARTIFACTS, DESKTOP, seriousA11yViolations, type Stack } from './helpers.js';

export { ARTIFACTS };

export interface HostPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
}

/** The embedding site with the widget, in a context of its own (closed by the caller). */
export async function openHostPage(
  browser: Browser,
  stack: Stack,
  query: Record<string, string> = {},
  viewport = DESKTOP,
  setup?: (context: BrowserContext) => Promise<void>,
): Promise<HostPage> {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  await setup?.(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${stack.hostOrigin}/?${new URLSearchParams(query)}`);
  return { page, context, errors };
}

export const widget = (page: Page) => page.locator('tournee-booking');

export async function expectAccessible(page: Page, step: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  expect(violations, `axe at ${step}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** The widget alone, at the page's current width. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await widget(page).screenshot({ path: `${ARTIFACTS}/widget-${name}.png` });
}

/** Services of the demo company by slug. */
export async function serviceIds(stack: Stack): Promise<Record<string, string>> {
  const body = (await (await fetch(`${stack.apiOrigin}/v1/services`)).json()) as {
    services: { id: string; slug: string }[];
  };
  return Object.fromEntries(body.services.map((s) => [s.slug, s.id]));
}
