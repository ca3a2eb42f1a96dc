/**
 * A caller who rings about "my appointment" usually wants it moved. Booking them the same service
 * again, the panel says what is already planned and offers to move that visit instead; another
 * service says nothing.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP } from './helpers.js';
import { bookedOnWebsite, deskSuite, openDesk } from './desk-page.js';

let booked: { id: string; reference: string };
let service: { id: string; name: string };

const desk = deskSuite(async ({ stack }) => {
  ({ service, booking: booked } = await bookedOnWebsite(
    stack,
    { name: 'Paul Girard', phone: '06 98 76 54 31', email: 'paul.girard@example.fr' },
    (days) => days[2]!.windows[0]!,
  ));
});

describe('booking a caller the same service again', () => {
  it('says what is planned and moves it instead, in one click', async () => {
    const { page, errors } = await openDesk(desk, DESKTOP, { query: '?phone=%2B33698765431' });
    await page.getByRole('article', { name: 'Paul Girard' }).waitFor();
    await page.keyboard.press('Alt+N');
    const panel = page.getByRole('region', { name: /Nouveau rendez-vous · Paul Girard/ });
    await panel.locator('button.window').first().waitFor({ timeout: 15_000 });
    const planned = panel.locator('.notice.planned');
    await expect
      .poll(() => planned.textContent())
      .toMatch(
        new RegExp(
          `^Déjà prévu pour ce client : ${service.name}, \\w+ \\d+ [^,]+, \\d+:\\d\\d–\\d+:\\d\\d \\(${booked.reference}\\)\\.`,
        ),
      );
    // Booking stays one key away: the first window still has focus.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.classList.contains('window')))
      .toBe(true);
    await page.screenshot({ path: 'test-artifacts/desk-already-planned-1280.png' });

    // Another service: nothing to say.
    const other = await panel
      .getByLabel('Prestation')
      .locator('option:not([disabled])')
      .evaluateAll(
        (options, id) => options.map((o) => (o as HTMLOptionElement).value).find((v) => v !== id),
        service.id,
      );
    await panel.getByLabel('Prestation').selectOption(other!);
    await expect.poll(() => planned.count()).toBe(0);
    await panel.getByLabel('Prestation').selectOption(service.id);

    await planned.getByRole('button', { name: 'Déplacer cette visite' }).click();
    await page.getByRole('region', { name: `Déplacer ${booked.reference}` }).waitFor();
    expect(errors).toEqual([]);
  });
});
