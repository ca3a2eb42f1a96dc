/**
 * Moving a visit, its own window is shown where it is among the offered ones, marked "(actuel)" and
 * not offered: picked by mistake it was accepted as a move to the same time (200, the visit rewritten),
 * and Claire could not see where the visit stood while she read the options to the caller.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP } from './helpers.js';
import { bookedOnWebsite, deskSuite, openDesk } from './desk-page.js';

let booked: { id: string; reference: string; window: { start: string; end: string } };

const desk = deskSuite(async ({ stack }) => {
  ({ booking: booked } = await bookedOnWebsite(
    stack,
    { name: 'Paul Girard', phone: '06 98 76 54 31', email: 'paul.girard@example.fr' },
    (days) => days[2]!.windows[1]!,
  ));
});

const clock = (iso: string) => iso.slice(11, 16).replace(/^0/, '');

describe('moving a visit', () => {
  it('shows its own window in place, marked and not offered', async () => {
    const { page, errors } = await openDesk(desk, DESKTOP, { query: '?phone=%2B33698765431' });
    const visit = page.locator(`li[data-visit="${booked.id}"]`);
    await visit.getByRole('button', { name: 'Déplacer' }).click();
    const panel = page.getByRole('region', { name: `Déplacer ${booked.reference}` });
    await panel.locator('button.window').first().waitFor({ timeout: 15_000 });
    const date = booked.window.start.slice(0, 10);
    const [y, m, d] = date.split('-').map(Number);
    const dayLabel = new Intl.DateTimeFormat('fr-FR', {
      weekday: 'long',
      day: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    }).format(new Date(Date.UTC(y!, m! - 1, d!)));
    const times = `${clock(booked.window.start)}–${clock(booked.window.end)}`;
    const theDay = panel.getByRole('group', { name: new RegExp(`^${dayLabel.split(' ')[0]} ${d} `) });
    const current = theDay.locator('button.window.current');
    expect(await current.textContent()).toBe(`${times} (actuel)`);
    expect(await current.isDisabled()).toBe(true);
    // Nowhere else on its day is the same time offered.
    expect(
      await theDay.locator('button.window:not(.current)', { hasText: new RegExp(`^${times}$`) }).count(),
    ).toBe(0);
    // The keyboard starts on a window it can take.
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.disabled))
      .toBe(false);
    await page.screenshot({ path: 'test-artifacts/desk-move-current-1280.png' });
    expect(errors).toEqual([]);
  });
});
