/**
 * A customer who leaves the page gives their held window back at once (the widget releases the
 * hold on pagehide with a keepalive request), instead of keeping it from others for five minutes.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startStack, type Stack } from './helpers.js';
import { openHostPage, widget } from './widget-page.js';

let stack: Stack;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchChromium()]);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.close();
});

describe('leaving the page', () => {
  it('releases the hold on the chosen window', async () => {
    const db = stack.testDb.handle.db;
    const opened = await openHostPage(browser, stack, { service: 'depannage' });
    context = opened.context;
    const w = widget(opened.page);
    await w.locator('#postcode').fill('69003');
    await w.locator('#line').fill('12 rue Garibaldi');
    await w.getByRole('button', { name: 'Voir les créneaux' }).click();
    await w.locator('#window-0').check();
    const start = new Date(await w.locator('#window-0').inputValue());
    await w.getByRole('button', { name: 'Continuer' }).click();

    const live = () =>
      db
        .selectFrom('holds')
        .select(['id', 'released_at'])
        .where('window_start', '=', start)
        .executeTakeFirst();
    await expect.poll(async () => (await live())?.released_at, { timeout: 15_000 }).toBeNull();
    // The customer leaves once the page says the window is kept: the row can be committed before
    // the widget has the hold's answer (under load), and a hold the page does not know it cannot give back.
    await w.locator('#hold-note').waitFor();

    await opened.page.goto('about:blank');
    await expect.poll(async () => (await live())?.released_at, { timeout: 15_000 }).toBeInstanceOf(Date);
    expect(opened.errors).toEqual([]);
  });
});
