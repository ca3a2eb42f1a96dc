/** What the widget's browser tests share: the host page in a fresh context, axe, screenshots. */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ARTIFACTS, DESKTOP, seriousA11yViolations, type Stack } from './helpers.js';
import type { BrowserSuite } from './suite.js';

export { ARTIFACTS };

export interface HostPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  /** The widget's element on the page. */
  w: Locator;
}

export const widget = (page: Page) => page.locator('tournee-booking');

/** The embedding site with the widget, in a context of its own (closed after the test). */
export async function openHostPage(
  suite: BrowserSuite,
  query: Record<string, string> = {},
  viewport = DESKTOP,
  setup?: (context: BrowserContext) => Promise<void>,
): Promise<HostPage> {
  const context = await suite.browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  suite.closeAfterTest(context);
  await setup?.(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${suite.stack.hostOrigin}/?${new URLSearchParams(query)}`);
  return { page, context, errors, w: widget(page) };
}

/** The address step: postal code and street, then the windows asked for. */
export async function seeWindows(w: Locator, postcode: string, line: string): Promise<void> {
  await w.locator('#postcode').fill(postcode);
  await w.locator('#line').fill(line);
  await w.getByRole('button', { name: 'Voir les créneaux' }).click();
}

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
