/**
 * Answering a request from the queue: "Pas de créneau" for a heat-pump service at 69003, from a
 * caller with no address on file. "Fiche", then Alt+N: the booking opens on the request's service
 * and postal code with its windows (it opened empty, and Claire retyped what the request already
 * said), the street is asked, and the booking closes the request in one click.
 */
import { describe, expect, it } from 'vitest';
import { firstService } from '../helpers/booking.js';
import { DESKTOP, PHONE } from './helpers.js';
import { deskSuite, openDesk } from './desk-page.js';
import { postCreated } from './suite.js';

let service: { id: string; name: string };

const desk = deskSuite(async () => {
  service = await firstService(desk.stack.app, 'depannage');
  // Both about the breakdown service at 69003, taken on the phone.
  for (const [kind, name, phone, text] of [
    [
      'no_window',
      'Marc Roux',
      '07 68 23 45 09',
      'Pas de créneau avant vendredi pour le tableau qui disjoncte',
    ],
    ['callback', 'Léa Noir', '07 68 23 45 08', 'Rappeler Léa Noir pour une prise qui chauffe'],
  ])
    await postCreated(desk, '/v1/admin/requests', {
      kind,
      customer: { name, phone },
      text,
      serviceId: service.id,
      postcode: '69003',
      channel: 'phone',
    });
});

describe('booking from a request in the queue', () => {
  it('opens on the request’s service and postal code, and closes the request with the booking', async () => {
    const { page, errors } = await openDesk(desk, DESKTOP);
    const item = page.locator('ul.requests li', { hasText: 'Pas de créneau avant vendredi' });
    await item.getByRole('button', { name: 'Fiche' }).click();
    await page.getByRole('article', { name: 'Marc Roux' }).waitFor();
    await page.keyboard.press('Alt+N');
    const panel = page.getByRole('region', { name: /Nouveau rendez-vous · Marc Roux/ });
    await panel.waitFor();
    await expect.poll(() => panel.getByLabel('Code postal').inputValue()).toBe('69003');
    await panel.getByText('Créneaux à Lyon 3e (69003)', { exact: false }).waitFor();
    expect(await panel.getByLabel('Prestation').inputValue()).toBe(service.id);
    await page.screenshot({ path: 'test-artifacts/desk-request-booking-1280.png', fullPage: true });

    await panel.locator('button.window').first().click();
    await panel.getByRole('button', { name: 'Réserver ce créneau' }).click();
    await expect.poll(() => panel.locator('.notice.error').textContent()).toMatch(/^Saisissez la rue/);
    await panel.getByLabel('Rue').fill('14 rue Paul Bert');
    const consent = panel.getByLabel(/Le client accepte/);
    if (await consent.count()) await consent.check();
    await panel.getByRole('button', { name: 'Réserver ce créneau' }).click();
    const close = page.getByRole('button', { name: /^Clore la demande DM-\w+ avec ce rendez-vous$/ });
    await close.click();
    await page.getByText(/^Demande DM-\w+ close : rendez-vous DE-\w+\.$/).waitFor();
    await item.waitFor({ state: 'detached' });
    const visit = await desk.stack.testDb.handle.db
      .selectFrom('visits')
      .select(['service_id', 'postcode', 'address_line'])
      .where('customer_name', '=', 'Marc Roux')
      .executeTakeFirstOrThrow();
    expect(visit).toEqual({ service_id: service.id, postcode: '69003', address_line: '14 rue Paul Bert' });
    expect(errors).toEqual([]);
  });

  it('on a phone, asks for the missing street where Claire sees it: under the field, not below the windows', async () => {
    const { page, errors } = await openDesk(desk, PHONE);
    const item = page.locator('ul.requests li', { hasText: 'Rappeler Léa Noir' });
    await item.getByRole('button', { name: 'Fiche' }).click();
    await page.getByRole('article', { name: 'Léa Noir' }).waitFor();
    await page.getByRole('button', { name: /Nouveau rendez-vous/ }).click();
    const panel = page.getByRole('region', { name: /Nouveau rendez-vous · Léa Noir/ });
    await panel.locator('button.window').first().click({ timeout: 15_000 });
    await panel.getByRole('button', { name: 'Réserver ce créneau' }).click();
    const street = panel.getByLabel('Rue');
    await expect.poll(() => street.evaluate((el) => el === document.activeElement)).toBe(true);
    const said = panel.getByRole('alert');
    await expect.poll(() => said.textContent()).toMatch(/^Saisissez la rue/);
    // Focus brought the street into view; the reason is on the same screen, tied to the field.
    const box = (await said.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
    expect(await street.getAttribute('aria-describedby')).toBe(await said.getAttribute('id'));
    await page.screenshot({ path: 'test-artifacts/desk-missing-street-390.png' });
    await street.fill('2 rue Paul Bert');
    await expect.poll(() => said.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
