/**
 * A customer who leaves the page gives their held window back at once (the widget releases the
 * hold on pagehide with a keepalive request), instead of keeping it from others for five minutes.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite } from './suite.js';
import { openHostPage, seeWindows } from './widget-page.js';

const suite = browserSuite();

describe('leaving the page', () => {
  it('releases the hold on the chosen window', async () => {
    const db = suite.stack.testDb.handle.db;
    const opened = await openHostPage(suite, { service: 'depannage' });
    const { w } = opened;
    await seeWindows(w, '69003', '12 rue Garibaldi');
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
