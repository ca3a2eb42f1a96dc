/**
 * Booking a caller a window that starts within the customers' 24 h change cut-off, the desk says
 * before booking that the caller will not be able to change or cancel it online (the slots answer
 * marks such windows): Claire tells them now, not the confirmation e-mail later.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP } from './helpers.js';
import { deskSuite, openDesk } from './desk-page.js';
import { postCreated } from './suite.js';

const desk = deskSuite(async () => {
  await postCreated(desk, '/v1/admin/customers', {
    name: 'Rose Dumas',
    phone: '06 44 55 66 74',
    address: { street: '5 rue Garibaldi', postcode: '69003', city: 'Lyon 3e' },
  });
});

describe('a window inside the change cut-off, at the desk', () => {
  it('is said before booking; a later one is not', async () => {
    const { page, errors } = await openDesk(desk, DESKTOP, { query: '?phone=%2B33644556674' });
    await page.getByRole('article', { name: 'Rose Dumas' }).waitFor();
    await page.keyboard.press('Alt+N');
    const panel = page.getByRole('region', { name: /Nouveau rendez-vous · Rose Dumas/ });
    const days = panel.locator('.slot-day');
    await days.first().locator('button.window').first().waitFor({ timeout: 15_000 });
    // The pinned morning: the first day shown is today (the desk has no minimum notice).
    await days.first().locator('button.window').first().click();
    const note = panel.locator('p.cutoff');
    await expect
      .poll(() => note.textContent())
      .toBe(
        'Dans moins de 24 h : le client ne pourra ni le modifier ni l’annuler en ligne, seulement en nous appelant.',
      );
    await page.screenshot({ path: 'test-artifacts/desk-cutoff-1280.png' });
    await days.nth(2).locator('button.window').first().click();
    await expect.poll(() => note.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
