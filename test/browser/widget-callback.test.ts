/**
 * "Être rappelé" in real Chromium: the callback form checks what it needs, sends the request
 * with a proof of work (POST /v1/requests), confirms with the reference, and the request is in
 * the desk's queue with the right kind. Screenshots in test-artifacts/.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, deepFocus } from './helpers.js';
import { browserSuite } from './suite.js';
import { expectAccessible, openHostPage, screenshot, seeWindows, serviceIds } from './widget-page.js';

let services: Record<string, string>;

const suite = browserSuite({}, async ({ stack }) => {
  services = await serviceIds(stack);
});

const open = (query: Record<string, string>, viewport = PHONE) => openHostPage(suite, query, viewport);

describe('Être rappelé', () => {
  it('"Être rappelé" reaches the desk’s queue: a request of the right kind, with a confirmation', async () => {
    const { page, w, errors } = await open({ service: 'entretien-pac' }, PHONE);
    await seeWindows(w, '69220', '2 place de la Mairie');
    await w.locator('#reason').getByRole('button', { name: 'Être rappelé' }).click();
    await expect.poll(() => w.locator('h3').textContent()).toBe('Être rappelé');

    // Sent empty: the two required fields are named, the first one focused.
    await w.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await expect.poll(() => w.locator('[role=alert]').textContent()).toBe('2 champs sont à corriger.');
    await expect.poll(() => deepFocus(page)).toBe('INPUT#name[name=name]');
    await w.locator('#name').fill('Paul Girard');
    await w.locator('#phone').fill('06 11 22 33 44');
    await w.locator('#message').fill('Entretien annuel de ma pompe à chaleur, plutôt le matin.');
    await w.getByRole('button', { name: 'Envoyer ma demande' }).click();

    await expect.poll(() => w.locator('h3').textContent(), { timeout: 15_000 }).toBe('Demande envoyée');
    const reference = (await w.locator('dd').first().textContent())!;
    expect(await w.locator('dl + p').textContent()).toBe(
      'Nous vous rappelons au 06 11 22 33 44 dès que possible, aux heures d’ouverture.',
    );
    await expectAccessible(page, 'callback sent');
    await screenshot(page, 'callback-sent-phone');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'callback-sent-desktop');
    const { rows } = await sql<{
      kind: string;
      postcode: string;
      service_id: string;
      text: string;
      channel: string;
      status: string;
    }>`select kind, postcode, service_id, text, channel, status from requests where reference = ${reference}`.execute(
      suite.stack.testDb.handle.db,
    );
    expect(rows).toEqual([
      {
        kind: 'out_of_area',
        postcode: '69220',
        service_id: services['entretien-pac'],
        text: 'Entretien annuel de ma pompe à chaleur, plutôt le matin.',
        channel: 'web',
        status: 'new',
      },
    ]);
    expect(errors).toEqual([]);
  });
});
