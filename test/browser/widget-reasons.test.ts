/**
 * No dead ends, in real Chromium: each reason the service gives for having no window is worded
 * (French and English) with a next step — the areas served, the services bookable at the
 * postcode, the first free day and later ones up to the horizon, the phone, "Être rappelé".
 * Screenshots at 1280×800 and 390×844 go to test-artifacts/.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/local-time.js';
import { formatDay } from '../../src/widget/i18n.js';
import { DAYS_PER_PAGE } from '../../src/widget/pickers.js';
import { TEST_TODAY } from '../helpers/database.js';
import { DESKTOP, PHONE, deepFocus } from './helpers.js';
import { browserSuite } from './suite.js';
import { expectAccessible, openHostPage, screenshot, seeWindows, serviceIds } from './widget-page.js';

let services: Record<string, string>;

// No read cache: these tests change the company's calendar and services between searches.
const suite = browserSuite({ env: { TOURNEE_READ_CACHE_MS: '0' } }, async ({ stack }) => {
  services = await serviceIds(stack);
});

const open = (query: Record<string, string> = {}, viewport = DESKTOP) => openHostPage(suite, query, viewport);

const TEL = 'tel:0478001234';

describe('the widget says why there is no window, and what to do next', () => {
  it('zone not served: the areas we serve, the phone and "Être rappelé", at both widths', async () => {
    const { page, w, errors } = await open({ service: 'depannage' });
    await seeWindows(w, '75001', '1 rue de Rivoli');

    await expect
      .poll(() => w.locator('#postcode-err').textContent())
      .toBe('Nous n’intervenons pas dans le 75001.');
    await expect.poll(() => deepFocus(page)).toBe('INPUT#postcode[name=postcode]');
    // Said once, by the field: not again in a red banner above the form.
    expect(await w.locator('[role=alert]').textContent()).toBe('');
    const reason = w.locator('#reason');
    expect(await reason.locator('p').first().textContent()).toBe(
      'Nous intervenons dans ces secteurs\u00a0: Beaujolais, Est lyonnais, Lyon intra-muros, Ouest et Monts d’Or, Sud lyonnais.',
    );
    expect(await reason.getByRole('link', { name: '04 78 00 12 34' }).getAttribute('href')).toBe(TEL);
    expect(await reason.textContent()).toContain('Ou laissez-nous votre numéro\u00a0: nous vous rappelons.');
    await expectAccessible(page, 'zone not served');
    await screenshot(page, 'reason-zone-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'reason-zone-phone');

    // "Être rappelé" opens a short form: name, phone, a message; back returns to the address.
    await reason.getByRole('button', { name: 'Être rappelé' }).click();
    await expect.poll(() => w.locator('h3').textContent()).toBe('Être rappelé');
    await expect.poll(() => deepFocus(page)).toBe('H3#step-title');
    expect(await w.locator('form > p').first().textContent()).toBe(
      'Laissez vos coordonnées\u00a0: nous vous rappelons pour voir ce qui est possible chez vous.',
    );
    expect(await w.locator('input#name, input#phone, textarea#message').count()).toBe(3);
    await expectAccessible(page, 'callback form');
    await screenshot(page, 'callback-form-phone');
    await w.getByRole('button', { name: 'Retour' }).click();
    await expect.poll(() => w.locator('#postcode').inputValue()).toBe('75001');
    expect(errors).toEqual([]);
  });

  it('service not offered here (in English): why, where it is, and the services bookable at that postcode', async () => {
    const { page, w } = await open({ lang: 'en' });
    // Anyone may rather talk to us, from the first step.
    await w.getByRole('button', { name: 'Call me back' }).click();
    await expect
      .poll(() => w.locator('form > p').first().textContent())
      .toBe('Leave your details: we will call you back.');
    await w.getByRole('button', { name: 'Back', exact: true }).click();
    await w.getByRole('radio', { name: /Entretien de pompe à chaleur/ }).check();
    await w.getByRole('button', { name: 'Continue' }).click();
    await w.locator('#postcode').fill('69220');
    await w.locator('#line').fill('2 place de la Mairie');
    await w.getByRole('button', { name: 'See available times' }).click();

    const reason = w.locator('#reason');
    await expect
      .poll(() => reason.locator('p').first().textContent(), { timeout: 10_000 })
      .toBe('This service is not offered in 69220: none of our technicians qualified for it works there.');
    expect(await reason.textContent()).toMatch(/It is offered in these areas: .*Ouest et Monts d’Or/);
    expect(await reason.textContent()).not.toMatch(/areas: [^.]*Beaujolais/);
    // The services at 69220: bookable ones to choose instead, the others marked with why.
    await expect.poll(() => reason.locator('.here li').count()).toBe(7);
    expect(await reason.locator('.here li', { hasText: 'Entretien de pompe à chaleur' }).textContent()).toBe(
      'Entretien de pompe à chaleur — Not offered in 69220',
    );
    expect(await reason.getByRole('link', { name: '04 78 00 12 34' }).getAttribute('href')).toBe(TEL);
    await expectAccessible(page, 'service not offered here');
    await screenshot(page, 'reason-service-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'reason-service-phone');
    await page.setViewportSize(DESKTOP);

    // Back on the services, the one not offered at 69220 says so.
    await w.getByRole('button', { name: 'Back', exact: true }).click();
    await w.getByRole('button', { name: 'Back', exact: true }).click();
    expect(
      await w
        .locator('.choice', { hasText: 'Entretien de pompe à chaleur' })
        .locator('.not-here')
        .textContent(),
    ).toBe('Not offered in 69220');
    expect(await w.locator('.not-here').count()).toBeGreaterThanOrEqual(1);
    await w.getByRole('button', { name: 'Continue' }).click();
    await w.getByRole('button', { name: 'See available times' }).click();

    // Choosing a service offered there shows its windows at once.
    await reason.getByRole('button', { name: 'Dépannage électrique' }).click();
    await expect.poll(() => w.locator('[role=tab]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await w.locator('.summary strong').textContent()).toBe('Dépannage électrique');
    expect(await w.locator('.first').textContent()).toMatch(/^First available: \w+ \d{1,2} \w+$/);
  });

  it('asks the whole horizon: the first free day, then "Plus tard" up to 42 days ahead', async () => {
    const { page, w } = await open({ service: 'prises-eclairage' }, PHONE);
    await seeWindows(w, '69003', '12 rue Garibaldi');
    await expect.poll(() => w.locator('[role=tab]').count(), { timeout: 20_000 }).toBe(DAYS_PER_PAGE);

    const all = (await (
      await fetch(
        `${suite.stack.apiOrigin}/v1/slots?serviceId=${services['prises-eclairage']}&postcode=69003&range=horizon`,
      )
    ).json()) as { to: string; days: { date: string }[] };
    expect(all.to).toBe(addDays(TEST_TODAY, 42));
    expect(await w.locator('.first').textContent()).toBe(
      `Premier créneau\u00a0: ${formatDay(all.days[0]!.date, 'fr')}`,
    );
    await expectAccessible(page, 'first page of days');
    await screenshot(page, 'days-first-phone');

    const later = w.getByRole('button', { name: /Plus tard/ });
    const pages = Math.ceil(all.days.length / DAYS_PER_PAGE);
    for (let i = 1; i < pages; i++) await later.click();
    expect(await later.getAttribute('aria-disabled')).toBe('true');
    const lastShown = (await w.locator('[role=tab]').last().getAttribute('id'))!.replace('day-', '');
    expect(lastShown).toBe(all.days.at(-1)!.date);
    expect(lastShown > addDays(TEST_TODAY, 31)).toBe(true);
    await screenshot(page, 'days-last-phone');

    // The keyboard crosses pages too: Home goes back to the first day, focus following.
    await w.locator('[role=tab][aria-selected=true]').focus();
    await page.keyboard.press('Home');
    await expect.poll(() => deepFocus(page)).toBe(`BUTTON#day-${all.days[0]!.date}[role=tab]`);
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'days-first-desktop');
  });

  it('fully booked and too soon: worded, with the phone and a call back', async () => {
    const db = suite.stack.testDb.handle.db;
    // The company closed for the whole horizon: every technician is there, none is free.
    const closure = await db
      .insertInto('availability_exceptions')
      .values({
        technician_id: null,
        kind: 'closure',
        starts_at: new Date(`${TEST_TODAY}T00:00:00Z`),
        ends_at: new Date(`${addDays(TEST_TODAY, 60)}T00:00:00Z`),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    try {
      const { page, w } = await open({ service: 'depannage' });
      await seeWindows(w, '69003', '12 rue Garibaldi');
      const reason = w.locator('#reason');
      await expect
        .poll(() => reason.locator('p').first().textContent(), { timeout: 20_000 })
        .toBe(`Tous nos créneaux sont pris jusqu’au ${formatDay(addDays(TEST_TODAY, 14), 'fr')}.`);
      expect(await reason.getByRole('link', { name: '04 78 00 12 34' }).getAttribute('href')).toBe(TEL);
      await expectAccessible(page, 'fully booked');
      await screenshot(page, 'reason-full-desktop');
      await reason.getByRole('button', { name: 'Être rappelé' }).click();
      expect(await w.locator('form > p').first().textContent()).toBe(
        'Laissez vos coordonnées\u00a0: nous vous rappelons pour trouver un créneau avec vous.',
      );
    } finally {
      await db.deleteFrom('availability_exceptions').where('id', '=', closure.id).execute();
    }

    // A quote visit whose notice is longer than its horizon: nothing is ever far enough ahead.
    const before = await db
      .selectFrom('services')
      .select('min_notice_minutes')
      .where('id', '=', services.devis!)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('services')
      .set({ min_notice_minutes: 60 * 24 * 90 })
      .where('id', '=', services.devis!)
      .execute();
    try {
      await suite.closeTestContexts();
      const { page, w } = await open({ service: 'devis' }, PHONE);
      await seeWindows(w, '69003', '12 rue Garibaldi');
      const reason = w.locator('#reason');
      await expect
        .poll(() => reason.locator('p').first().textContent(), { timeout: 20_000 })
        .toBe('Les prochains créneaux sont trop proches pour réserver cette intervention en ligne.');
      expect(await reason.getByRole('button', { name: 'Être rappelé' }).count()).toBe(1);
      await screenshot(page, 'reason-too-soon-phone');
    } finally {
      await db
        .updateTable('services')
        .set({ min_notice_minutes: before.min_notice_minutes })
        .where('id', '=', services.devis!)
        .execute();
    }
  });
});
