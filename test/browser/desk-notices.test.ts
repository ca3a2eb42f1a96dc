/**
 * A notice is about the caller whose card was open when it was said: once Claire moves on to
 * another caller (here from the queue's "Fiche", which kept it), "Fiche de … créée" or a booking's
 * "Clore la demande … avec ce rendez-vous" must not stay on screen over someone else's card. While
 * she stays with the same caller (opening a booking for them), it stays.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP } from './helpers.js';
import { deskSuite, openDesk } from './desk-page.js';

const desk = deskSuite(async () => {
  await post('/v1/admin/requests', {
    kind: 'callback',
    customer: { name: 'Odile Perrin', phone: '06 44 55 66 77' },
    text: 'Rappeler Odile Perrin pour la prise du garage',
    channel: 'phone',
  });
  const anne = await post('/v1/admin/customers', {
    name: 'Anne Colin',
    phone: '06 44 55 66 72',
    address: { street: '3 rue Garibaldi', postcode: '69003', city: 'Lyon 3e' },
  });
  await post('/v1/admin/requests', {
    kind: 'no_window',
    customerId: anne.id,
    text: 'Anne Colin voudrait un dépannage cette semaine',
    channel: 'phone',
  });
});

async function post(path: string, body: unknown): Promise<{ id: string; reference?: string }> {
  const res = await desk.send(path, { body });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as { id: string; reference?: string };
}

describe('desk notices follow the caller', () => {
  it('"Fiche … créée" goes when Claire opens another caller from the queue', async () => {
    const { page, errors } = await openDesk(desk, DESKTOP);
    await page.keyboard.press('/');
    await page.keyboard.type('07 21 22 23 24');
    await page.getByRole('option', { name: /Nouveau client/ }).click();
    const form = page.getByRole('region', { name: 'Nouveau client' });
    await form.getByLabel('Nom').fill('Jean Martin');
    await form.getByRole('button', { name: 'Créer la fiche' }).click();
    const created = page.getByText(/^Fiche de Jean Martin créée/);
    await created.waitFor();
    // Still with Jean Martin: booking for him keeps what was said about him.
    await page.keyboard.press('Alt+N');
    await page.getByRole('region', { name: /Nouveau rendez-vous · Jean Martin/ }).waitFor();
    expect(await created.count()).toBe(1);

    const item = page.locator('ul.requests li', { hasText: 'Rappeler Odile Perrin' });
    await item.getByRole('button', { name: 'Fiche' }).click();
    await page.getByRole('article', { name: 'Odile Perrin' }).waitFor();
    await expect.poll(() => created.count()).toBe(0);
    expect(await page.locator('main > p.notice').count()).toBe(0);
    await page.screenshot({ path: 'test-artifacts/desk-notice-moved-on-1280.png' });
    expect(errors).toEqual([]);
  });

  it('a booking’s "Clore la demande" goes with its caller', async () => {
    const { page, errors } = await openDesk(desk, DESKTOP);
    const anne = page.locator('ul.requests li', { hasText: 'Anne Colin voudrait' });
    await anne.getByRole('button', { name: 'Fiche' }).click();
    await page.getByRole('article', { name: 'Anne Colin' }).waitFor();
    await page.keyboard.press('Alt+N');
    const panel = page.getByRole('region', { name: /Nouveau rendez-vous · Anne Colin/ });
    await panel.locator('button.window').first().click({ timeout: 15_000 });
    const consent = panel.getByLabel(/Le client accepte/);
    if (await consent.count()) await consent.check();
    await panel.getByRole('button', { name: 'Réserver ce créneau' }).click();
    const close = page.getByRole('button', { name: /^Clore la demande DM-\w+ avec ce rendez-vous$/ });
    await close.waitFor();
    const booked = page.getByText(/^Rendez-vous DE-\w+ réservé pour Anne Colin/);
    expect(await booked.count()).toBe(1);

    const odile = page.locator('ul.requests li', { hasText: 'Rappeler Odile Perrin' });
    await odile.getByRole('button', { name: 'Fiche' }).click();
    await page.getByRole('article', { name: 'Odile Perrin' }).waitFor();
    await expect.poll(() => close.count()).toBe(0);
    expect(await booked.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
