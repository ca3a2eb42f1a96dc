/**
 * The booking widget in real Chromium, embedded by a site on another origin:
 * a keyboard-only booking end to end (database and technician feed checked),
 * the 409 path, the postcode and empty states, host-CSS isolation, the demo
 * page under the service's CSP, and axe-core at every step. Screenshots at
 * phone and desktop widths go to test-artifacts/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ical from 'node-ical';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/auth.js';
import { solveChallenge } from '../../src/domain/challenge.js';
import { createMessaging } from '../../src/domain/messages/messaging.js';
import { feedTokenOf } from '../helpers/database.js';
import { drainOutbox } from '../helpers/outbox.js';
import { ARTIFACTS, DESKTOP, PHONE, deepFocus, tabTo } from './helpers.js';
import { browserSuite } from './suite.js';
import { expectAccessible, screenshot, seeWindows, serviceIds, widget } from './widget-page.js';

/** The service's data folder: with no SMTP server, the e-mails it sends are kept there and shown at /dev/mail. */
const dataDir = mkdtempSync(join(tmpdir(), 'widget-browser-'));
// Registered before the suite's afterAll, so it runs once the service is closed.
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const suite = browserSuite({ env: { TOURNEE_DATA_DIR: dataDir } });

async function openHostPage(
  query: Record<string, string> = {},
  viewport = DESKTOP,
): Promise<{ page: Page; errors: string[] }> {
  const context = await suite.browser.newContext({
    viewport,
    locale: 'fr-FR',
    timezoneId: 'America/New_York',
  });
  suite.closeAfterTest(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  // Everything the page's own window has before the widget loads: the widget must add nothing but its element.
  await page.addInitScript(() => {
    (window as unknown as { __globals: string[] }).__globals = Object.getOwnPropertyNames(window);
  });
  await page.goto(`${suite.stack.hostOrigin}/?${new URLSearchParams(query)}`);
  return { page, errors };
}

/** A service's windows at 69003, as the widget asks for them. */
async function slotsAt69003(
  serviceId: string,
): Promise<{ days: { date: string; windows: { start: string; end: string }[] }[] }> {
  return (await fetch(`${suite.stack.apiOrigin}/v1/slots?serviceId=${serviceId}&postcode=69003`)).json();
}

/** Books a window from outside the browser, as another customer would, with a solved proof of work. */
async function bookFromOutside(
  serviceId: string,
  window: { start: string; end: string },
  n: number,
): Promise<{ status: number; body: { manageUrl?: string; booking?: { id: string; reference: string } } }> {
  const { challenge, difficulty } = (await (await fetch(`${suite.stack.apiOrigin}/v1/challenge`)).json()) as {
    challenge: string;
    difficulty: number;
  };
  const response = await fetch(`${suite.stack.apiOrigin}/v1/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify({
      serviceId,
      window,
      customer: { name: `Autre client ${n}`, phone: '06 98 76 54 32', email: `autre${n}@example.fr` },
      address: { line: `${n} rue Garibaldi`, postcode: '69003', city: 'Lyon 3e' },
      consent: true,
      website: '',
      pow: { challenge, nonce: solveChallenge(challenge, difficulty) },
      locale: 'fr',
    }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { manageUrl?: string; booking?: { id: string; reference: string } },
  };
}

/** Globals this test itself adds: its own probes and axe-core (which brings core-js). */
const TEST_GLOBALS = ['__globals', '__booked', 'axe', '__core-js_shared__'];

const FRENCH_WINDOW =
  /^(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2} (mars|avril|mai), \d\d:\d\d–\d\d:\d\d$/;

describe('booking widget in Chromium, embedded on another origin', () => {
  it('books a visit with the keyboard only, and the booking reaches the database and the technician feed', async () => {
    const { page, errors } = await openHostPage();
    await page.evaluate(() => {
      document.addEventListener('tournee:booked', (e) => {
        (window as unknown as { __booked: unknown }).__booked = (e as CustomEvent).detail;
      });
    });
    const w = widget(page);

    // Step 1: the services, with their prices (French law: price incl. VAT and travel fee shown up front).
    await expect.poll(() => w.locator('input[name=service]').count()).toBe(7);
    await expect.poll(() => w.locator('.price').first().textContent()).toContain('TTC');
    await expectAccessible(page, 'service step');
    await screenshot(page, 'service-desktop');

    await tabTo(page, /INPUT#service-.*\[name=service\]/);
    await page.keyboard.press('Space'); // the first service: Dépannage électrique
    await tabTo(page, /BUTTON/);
    await page.keyboard.press('Enter');

    // Step 2: postcode and address; the heading takes focus so screen readers hear the new step.
    await expect.poll(() => deepFocus(page)).toBe('H3#step-title');
    await tabTo(page, /INPUT#postcode/);
    await page.keyboard.type('690');
    await page.keyboard.press('Tab');
    // Leaving a half-typed postcode shows the error next to it, tied to the input.
    await expect.poll(() => w.locator('#postcode').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => w.locator('#postcode-err').textContent()).toContain('5 chiffres');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('End'); // focus by keyboard selects the text: continue after it
    await page.keyboard.type('03');
    await page.keyboard.press('Tab');
    await page.keyboard.type('12 rue Garibaldi');
    await expectAccessible(page, 'address step');
    await page.keyboard.press('Enter');

    // Step 3: days as tabs with a roving tabindex, windows as a native radio group.
    const tabs = w.locator('[role=tablist] [role=tab]');
    await expect.poll(() => tabs.count(), { timeout: 10_000 }).toBeGreaterThan(3);
    await expect.poll(() => w.locator('[role=tab][tabindex="0"]').count()).toBe(1);
    await expectAccessible(page, 'slots step');
    await screenshot(page, 'slots-desktop');
    await tabTo(page, /\[role=tab\]/);
    const firstDay = await deepFocus(page);
    await page.keyboard.press('ArrowRight');
    const secondDay = await deepFocus(page);
    expect(secondDay).not.toBe(firstDay);
    await expect
      .poll(() => w.locator('[role=tab][aria-selected=true]').getAttribute('id'))
      .toBe(secondDay.match(/#([^[]+)/)![1]);
    // The live region says which day is shown and how many windows it has.
    await expect
      .poll(() => w.locator('[role=status]').textContent())
      .toMatch(/^\w+ \d{1,2}(er)? \w+\u00a0: \d créneaux? disponibles?$/u);
    await page.keyboard.press('End');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    expect(await deepFocus(page)).toBe(secondDay);

    await tabTo(page, /INPUT#window-0/);
    await page.keyboard.press('Space');
    const chosenLabel = (await w.locator('input[name=window]:checked + span').textContent())!;
    expect(chosenLabel).toMatch(/^\d\d:\d\d–\d\d:\d\d$/);
    await tabTo(page, /BUTTON/);
    await page.keyboard.press('Enter');

    // Step 4: contact details; a wrong phone is refused on submit, announced and focused.
    await expect.poll(() => deepFocus(page)).toBe('H3#step-title');
    await tabTo(page, /INPUT#name/);
    await page.keyboard.type('Marie Dubois');
    await page.keyboard.press('Tab');
    await page.keyboard.type('12 34');
    await page.keyboard.press('Tab');
    await page.keyboard.type('marie.dubois@example.fr');
    await page.keyboard.press('Tab');
    expect(await w.locator('#city').inputValue()).toBe('Lyon 3e'); // prefilled from the slots answer
    await page.keyboard.press('Tab');
    await page.keyboard.type('Code porte 1234, 3e étage');
    await tabTo(page, /INPUT#consent/); // the honeypot is never reached by Tab
    await page.keyboard.press('Space');
    await tabTo(page, /BUTTON/);
    await page.keyboard.press('Enter');
    await expect.poll(() => w.locator('[role=alert]').textContent()).toBe('Un champ est à corriger.');
    await expect.poll(() => deepFocus(page)).toBe('INPUT#phone[name=phone]');
    expect(await w.locator('#phone').getAttribute('aria-describedby')).toBe('phone-err');
    await expectAccessible(page, 'details step with an error');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('06 12 34 56 78');
    // The change cut-off is stated before booking, with the phone to call after it.
    expect(await w.locator('#cutoff-note').textContent()).toBe(
      'Vous pourrez modifier ou annuler en ligne jusqu’à 24\u00a0h avant l’arrivée du technicien\u202f; ensuite, appelez-nous au 04 78 00 12 34.',
    );
    expect(await w.locator('#cutoff-note a').getAttribute('href')).toBe('tel:0478001234');
    await tabTo(page, /BUTTON/);
    await screenshot(page, 'details-desktop');
    await page.keyboard.press('Enter');

    // Confirmation: reference, the French-formatted window, the .ics and manage links.
    await expect.poll(() => w.locator('h3').textContent(), { timeout: 15_000 }).toBe('Rendez-vous confirmé');
    const reference = (await w.locator('dd').first().textContent())!;
    const windowText = (await w.locator('dd').nth(2).textContent())!;
    expect(windowText).toMatch(FRENCH_WINDOW);
    expect(windowText.endsWith(chosenLabel)).toBe(true);
    const icsUrl = (await w.getByRole('link', { name: 'Ajouter à mon agenda' }).getAttribute('href'))!;
    const manageUrl = (await w.getByRole('link', { name: /Modifier ou annuler/ }).getAttribute('href'))!;
    expect(await w.getByText(/^Modifiable ou annulable en ligne jusqu’au /).textContent()).toMatch(
      /^Modifiable ou annulable en ligne jusqu’au \w+ \d{1,2}(er)? \w+ à \d\d:\d\d\.$/u,
    );
    expect(manageUrl).toMatch(new RegExp(`^${suite.stack.apiOrigin}/manage#[0-9a-f-]{36}\\.`));
    await expectAccessible(page, 'confirmation');
    await screenshot(page, 'confirmation-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'confirmation-phone');
    await page.screenshot({ path: `${ARTIFACTS}/host-page-phone.png`, fullPage: true });

    // The host page heard about it.
    const booked = (await page.evaluate(
      () => (window as unknown as { __booked: { id: string; reference: string } }).__booked,
    ))!;
    expect(booked.reference).toBe(reference);

    // In the database, as the customer typed it, booked from the web.
    const visit = await suite.stack.testDb.handle.db
      .selectFrom('visits')
      .innerJoin('technicians', 'technicians.id', 'visits.technician_id')
      .select([
        'visits.id',
        'customer_name',
        'customer_phone',
        'customer_email',
        'address_line',
        'postcode',
        'city',
        'notes',
        'channel',
        'status',
        'window_start',
        'window_end',
        'technician_id',
      ])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(visit).toMatchObject({
      id: booked.id,
      customer_name: 'Marie Dubois',
      customer_phone: '06 12 34 56 78',
      customer_email: 'marie.dubois@example.fr',
      address_line: '12 rue Garibaldi',
      postcode: '69003',
      city: 'Lyon 3e',
      notes: 'Code porte 1234, 3e étage',
      channel: 'web',
      status: 'booked',
    });
    expect((visit.window_end.getTime() - visit.window_start.getTime()) / 60_000).toBe(120);

    // In the assigned technician's calendar feed.
    const feed = await fetch(
      `${suite.stack.apiOrigin}/v1/feeds/technicians/${feedTokenOf(visit.technician_id)}.ics`,
    );
    expect(feed.status).toBe(200);
    const events = Object.values(ical.sync.parseICS(await feed.text())).filter(
      (c) => c?.type === 'VEVENT',
    ) as ical.VEvent[];
    const event = events.find((e) => String(e.description ?? '').includes(reference));
    expect(event, `no event with ${reference} in the technician feed`).toBeDefined();
    expect(new Date(event!.start).getTime()).toBeGreaterThanOrEqual(visit.window_start.getTime());

    // The customer's .ics link works.
    const ics = await fetch(icsUrl);
    expect(ics.status).toBe(200);
    expect(await ics.text()).toContain(reference);

    // Nothing leaked into the page's globals, and nothing went wrong in the console.
    const leaked = await page.evaluate((ignored) => {
      const before = new Set((window as unknown as { __globals: string[] }).__globals);
      return Object.getOwnPropertyNames(window).filter(
        (name) => !before.has(name) && !ignored.includes(name),
      );
    }, TEST_GLOBALS);
    expect(leaked).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows fresh windows when the chosen one is taken meanwhile (409), keeping what the customer typed', async () => {
    const { page } = await openHostPage({ service: 'entretien-pac' }, PHONE);
    const w = widget(page);
    const serviceId = (await serviceIds(suite.stack))['entretien-pac']!;

    // Preselected service: the flow opens on the address step.
    await seeWindows(w, '69003', '5 place Bellecour');
    // On a phone the windows are below the days: a tapped day brings them into view.
    await w.locator('[role=tab]').nth(1).click();
    await expect
      .poll(() =>
        w.locator('#windows').evaluate((el) => el.getBoundingClientRect().bottom <= window.innerHeight),
      )
      .toBe(true);
    await w.locator('#window-0').check();
    await screenshot(page, 'slots-phone');
    const firstDay = (await w.locator('[role=tab][aria-selected=true]').getAttribute('id'))!.replace(
      'day-',
      '',
    );
    const slots = await slotsAt69003(serviceId);
    const taken = slots.days.find((d) => d.date === firstDay)!.windows[0]!;
    await w.getByRole('button', { name: 'Continuer' }).click();
    await w.locator('#name').fill('Jean Mercier');
    // A number from a country the company does not call back is refused with the ones it does;
    // a Swiss one is fine (the demo company takes +32 and +41), and the e-mail is optional.
    await w.locator('#consent').check();
    await w.locator('#phone').fill('+49 30 1234567');
    await w.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await expect
      .poll(() => w.locator('#phone-err').textContent())
      .toBe('Nous rappelons uniquement les numéros +33, +32, +41.');
    await w.locator('#phone').fill('+41 22 345 67 89');
    expect(await w.locator('label[for=email]').textContent()).toBe('E-mail (facultatif)');
    await screenshot(page, 'details-phone');

    // Meanwhile other customers take every technician's share of that window.
    let status = 201;
    for (let n = 1; status === 201 && n <= 12; n++)
      status = (await bookFromOutside(serviceId, taken, n)).status;
    expect(status).toBe(409);

    await w.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await expect
      .poll(() => w.locator('[role=alert]').textContent(), { timeout: 15_000 })
      .toMatch(/^Ce créneau vient d’être réservé/);
    await expect.poll(() => deepFocus(page)).toBe('H3#step-title');
    const offered = await w
      .locator('input[name=window]')
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(offered).not.toContain(taken.start);
    await expectAccessible(page, 'after a 409');
    await screenshot(page, 'conflict-phone');

    await w.locator('#window-0').check();
    await w.getByRole('button', { name: 'Continuer' }).click();
    // What the customer typed is still there.
    expect(await w.locator('#name').inputValue()).toBe('Jean Mercier');
    expect(await w.locator('#consent').isChecked()).toBe(true);
    await w.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await expect.poll(() => w.locator('h3').textContent(), { timeout: 15_000 }).toBe('Rendez-vous confirmé');
    const reference = (await w.locator('dd').first().textContent())!;
    const visit = await suite.stack.testDb.handle.db
      .selectFrom('visits')
      .select(['customer_name', 'customer_phone', 'customer_email', 'window_start'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(visit).toMatchObject({
      customer_name: 'Jean Mercier',
      customer_phone: '+41 22 345 67 89',
      customer_email: null,
    });
    expect(visit.window_start.getTime()).not.toBe(new Date(taken.start).getTime());
  });
  it('isolates itself from the host page CSS, speaks English, names the postcode it cannot serve and says when nothing is free', async () => {
    const { page, errors } = await openHostPage({ lang: 'en', accent: '#7a1f5c' });
    const w = widget(page);
    await expect.poll(() => w.locator('h3').textContent()).toBe('What do you need?');

    // The host's `button, input, label { all: unset; … }` and `* { letter-spacing: 3px !important }` stay outside.
    const style = await w.locator('button.btn').evaluate((b) => {
      const s = getComputedStyle(b);
      return {
        font: s.fontFamily,
        transform: s.textTransform,
        spacing: s.letterSpacing,
        background: s.backgroundColor,
        height: b.getBoundingClientRect().height,
      };
    });
    expect(style.font).not.toMatch(/Comic/);
    expect(style.transform).toBe('none');
    expect(style.spacing).toBe('normal');
    expect(style.background).toBe('rgb(122, 31, 92)'); // the accent attribute
    expect(style.height).toBeGreaterThanOrEqual(24); // WCAG 2.2 target size
    // …and the widget's styles stay inside: the host's paragraphs are untouched.
    expect(await page.locator('.host-note').evaluate((p) => getComputedStyle(p).fontFamily)).toMatch(/Comic/);

    await w.locator('input[name=service]').first().check();
    await w.getByRole('button', { name: 'Continue' }).click();
    await w.locator('#postcode').fill('75001');
    await w.locator('#line').fill('1 rue de Rivoli');
    await w.getByRole('button', { name: 'See available times' }).click();
    // The service's answer, shown next to the field, announced (politely: it is an answer, not an
    // error, and it is said once, not again in a banner), with focus on the field.
    await expect.poll(() => w.locator('#postcode-err').textContent()).toBe('We do not serve 75001.');
    await expect.poll(() => w.locator('[role=status]').textContent()).toBe('We do not serve 75001.');
    expect(await w.locator('[role=alert]').textContent()).toBe('');
    await expect.poll(() => deepFocus(page)).toBe('INPUT#postcode[name=postcode]');
    await expectAccessible(page, 'postcode refused');

    // Loading state while the windows come, then the empty state with the company phone.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/v1/slots?*', async (route) => {
      await held;
      await route.fulfill({
        status: 200,
        headers: { 'access-control-allow-origin': suite.stack.hostOrigin },
        contentType: 'application/json',
        json: {
          serviceId: 'x',
          postcode: '69003',
          city: 'Lyon 3e',
          timezone: 'Europe/Paris',
          from: '2026-03-25',
          to: '2026-04-07',
          days: [],
        },
      });
    });
    await w.locator('#postcode').fill('69003');
    await w.getByRole('button', { name: 'See available times' }).click();
    await expect.poll(() => w.locator('.loading[aria-busy=true]').count()).toBe(1);
    release();
    await expect
      .poll(() => w.locator('.info').textContent())
      .toBe(
        'No time available until Tuesday 7 April.Call us on 04 78 00 12 34.Or leave us your number: we will call you back.Call me back',
      );
    expect(await w.getByRole('link', { name: '04 78 00 12 34' }).getAttribute('href')).toBe('tel:0478001234');
    await expectAccessible(page, 'no window');
    // Chromium logs every non-2xx response (none expected: an unserved postcode is a 200 with a reason).
    expect(errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
  });

  it('runs on the demo site at / under the service’s own CSP', async () => {
    const context = await suite.browser.newContext({ viewport: DESKTOP });
    suite.closeAfterTest(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const response = await page.goto(`${suite.stack.apiOrigin}/`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    const w = widget(page);
    await expect.poll(() => w.locator('input[name=service]').count()).toBe(7);
    expect(await page.locator('footer').textContent()).toContain('04 78 00 12 34');
    await page.screenshot({ path: `${ARTIFACTS}/demo-site-desktop.png`, fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: `${ARTIFACTS}/demo-site-phone.png`, fullPage: true });
    // No CSP violation (Chromium reports them as console errors); axe is not injected here: the CSP forbids it.
    expect(errors).toEqual([]);
  });
  it('lets the customer move and then cancel the booking from the manage link', async () => {
    const serviceId = (await serviceIds(suite.stack)).depannage!;
    const slots = await slotsAt69003(serviceId);
    const booked = await bookFromOutside(serviceId, slots.days.at(-1)!.windows[0]!, 99);
    expect(booked.status).toBe(201);
    const id = booked.body.booking!.id;

    // The service's own pages forbid inline scripts, so axe can only be injected with the CSP bypassed here.
    const context = await suite.browser.newContext({
      viewport: PHONE,
      bypassCSP: true,
      timezoneId: 'Asia/Tokyo',
    });
    suite.closeAfterTest(context);
    const page = await context.newPage();
    await page.goto(booked.body.manageUrl!);
    const w = widget(page);
    await expect.poll(() => w.locator('dd').nth(1).textContent()).toBe('Confirmé');
    expect(await w.locator('dd').nth(3).textContent()).toMatch(FRENCH_WINDOW);
    await expectAccessible(page, 'manage view');
    await screenshot(page, 'manage-phone');

    await w.getByRole('button', { name: 'Changer de créneau' }).click();
    await w.locator('[role=tab]').first().focus();
    await page.keyboard.press('ArrowRight');
    await w.locator('#window-0').check();
    const target = await w.locator('#window-0').inputValue();
    await expectAccessible(page, 'manage reschedule');
    await w.getByRole('button', { name: 'Confirmer ce créneau' }).click();
    await expect
      // A reschedule is a booking (solver and write) like the first one: as long a wait as it gets.
      .poll(() => w.locator('[role=status]').textContent(), { timeout: 15_000 })
      .toMatch(/^Votre rendez-vous est déplacé\u00a0: /);
    // The new time goes to the calendar: a fresh .ics of the moved visit, fetched with the manage
    // token in a header (never in a URL) and handed over as a file.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      w.getByRole('button', { name: 'Ajouter le nouveau créneau à mon agenda' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^visite-DE-[A-Z0-9]+\.ics$/);
    const icsText = await readFile((await download.path())!, 'utf8');
    expect(icsText).toContain('BEGIN:VEVENT');
    await screenshot(page, 'manage-moved-phone');
    const moved = await suite.stack.testDb.handle.db
      .selectFrom('visits')
      .select(['window_start', 'status', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(moved.window_start.getTime()).toBe(new Date(target).getTime());

    await w.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
    await expect.poll(() => deepFocus(page)).toBe('BUTTON#cancel-yes');
    await page.keyboard.press('Enter');
    await expect.poll(() => w.locator('dd').nth(1).textContent()).toBe('Annulé');
    expect(await w.getByRole('button', { name: 'Changer de créneau' }).count()).toBe(0);
    await screenshot(page, 'manage-cancelled-phone');
    const cancelled = await suite.stack.testDb.handle.db
      .selectFrom('visits')
      .select(['status'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(cancelled.status).toBe('cancelled');

    // Booking again: the flow opens on the address, already filled in, with the same service.
    await w.getByRole('button', { name: 'Reprendre rendez-vous' }).click();
    await expect.poll(() => w.locator('#postcode').inputValue()).toBe('69003');
    expect(await w.locator('#line').inputValue()).toBe('99 rue Garibaldi');
    expect(await w.locator('.summary strong').textContent()).toBe('Dépannage électrique');

    // A wrong token or a malformed link shows a sentence for people, never a developer string.
    for (const fragment of [`${id}.not-the-token`, 'abc.def']) {
      await page.goto(`${suite.stack.apiOrigin}/manage#${fragment}`);
      await page.reload();
      await expect.poll(() => w.locator('[role=alert]').textContent()).toBe('Ce lien n’est pas valide.');
      expect(await w.locator('section').textContent()).not.toMatch(/params|uuid|invalid/i);
    }
    await screenshot(page, 'manage-bad-link-phone');
  });

  it('booked less than 24 h ahead, the confirmation gives the phone instead of a change deadline already past', async () => {
    const { page, errors } = await openHostPage({ service: 'depannage' });
    const w = widget(page);
    await seeWindows(w, '69003', '5 rue Garibaldi');
    // The first day is today (two hours' notice for a breakdown): its first window is hours away.
    await w.locator('#window-0').check({ timeout: 10_000 });
    await w.getByRole('button', { name: 'Continuer' }).click();
    await w.locator('#name').fill('Léa Fabre');
    await w.locator('#phone').fill('06 22 33 44 55');
    await w.locator('#consent').check();
    await w.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await expect.poll(() => w.locator('h3').textContent(), { timeout: 15_000 }).toBe('Rendez-vous confirmé');
    expect(await w.getByText(/^Modifiable ou annulable en ligne/).count()).toBe(0);
    expect(await w.locator('#too-late').textContent()).toBe(
      'Ce rendez-vous commence dans moins de 24\u00a0h\u00a0: il ne peut plus être modifié ni annulé en ligne. Pour le changer, appelez-nous au 04 78 00 12 34.',
    );
    expect(await w.locator('#too-late a').getAttribute('href')).toBe('tel:0478001234');
    await expectAccessible(page, 'confirmation inside the cut-off');
    await screenshot(page, 'confirmation-too-late-desktop');
    expect(errors).toEqual([]);
  });

  it('opens the manage link of the confirmation e-mail shown at /dev/mail in a tab where the booking shows', async () => {
    const serviceId = (await serviceIds(suite.stack)).depannage!;
    const slots = await slotsAt69003(serviceId);
    const booked = await bookFromOutside(serviceId, slots.days.at(-1)!.windows.at(-1)!, 55);
    expect(booked.status).toBe(201);
    const { token } = await createApiToken(suite.stack.testDb.handle.db, 'admin', 'Lead');
    // The outbox sends the confirmation, into the data folder /dev/mail reads (no SMTP server).
    const messaging = createMessaging(suite.stack.testDb.handle.db, {
      dataDir,
      publicUrl: suite.stack.apiOrigin,
      allowPrivateWebhooks: false,
      clock: () => suite.stack.now,
    });
    try {
      await drainOutbox(messaging);
    } finally {
      await messaging.close();
    }

    const context = await suite.browser.newContext({ viewport: DESKTOP });
    suite.closeAfterTest(context);
    const page = await context.newPage();
    await page.goto(`${suite.stack.apiOrigin}/dev/mail?token=${encodeURIComponent(token)}`);
    await page
      .getByRole('link', {
        name: new RegExp(`^Rendez-vous confirmé.*\\(${booked.body.booking!.reference}\\)`),
      })
      .click();
    const [manage] = await Promise.all([
      context.waitForEvent('page', { timeout: 10_000 }),
      page.frameLocator('iframe').getByRole('link', { name: 'Modifier ou annuler le rendez-vous' }).click(),
    ]);
    // Followed inside the sandboxed preview, the manage page ran no script and stayed blank.
    expect(manage.url()).toBe(booked.body.manageUrl);
    await expect.poll(() => widget(manage).locator('dd').nth(1).textContent()).toBe('Confirmé');
    await manage.screenshot({ path: `${ARTIFACTS}/dev-mail-manage-link.png` });
  }, 30_000);

  it('on the manage page: header links keep the booking, and past the cut-off the actions give way to the phone', async () => {
    const serviceId = (await serviceIds(suite.stack)).depannage!;
    const slots = await slotsAt69003(serviceId);
    // A window more than two days ahead: changeable now, until time moves on.
    const window = slots.days
      .flatMap((d) => d.windows)
      .find((w) => Date.parse(w.start) > suite.stack.now.getTime() + 48 * 3_600_000)!;
    const booked = await bookFromOutside(serviceId, window, 77);
    expect(booked.status).toBe(201);

    const context = await suite.browser.newContext({ viewport: DESKTOP });
    suite.closeAfterTest(context);
    const page = await context.newPage();
    await page.goto(booked.body.manageUrl!);
    const w = widget(page);
    await expect.poll(() => w.locator('dd').nth(1).textContent()).toBe('Confirmé');
    expect(await page.locator('nav a', { hasText: 'Rendez-vous' }).getAttribute('href')).toBe(
      '/#rendez-vous',
    );
    await page.locator('nav a', { hasText: 'Contact' }).click();
    // The page scrolls to the contact details and the address keeps the manage key (a reload still works).
    await expect
      .poll(() =>
        page.evaluate(() => document.getElementById('contact')!.getBoundingClientRect().top < innerHeight),
      )
      .toBe(true);
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(new URL(booked.body.manageUrl!).hash);
    expect(await w.locator('dd').nth(1).textContent()).toBe('Confirmé');
    expect(await w.locator('[role=alert]').textContent()).toBe('');

    // The customer opens the cancel question; meanwhile time passes to within 24 h of the visit.
    await w.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
    const before = suite.stack.now.getTime();
    suite.stack.now.setTime(Date.parse(window.start) - 2 * 3_600_000);
    try {
      await w.getByRole('button', { name: 'Oui, annuler' }).click();
      await expect
        .poll(() => w.locator('[role=alert]').textContent())
        .toMatch(/^Les modifications en ligne sont possibles jusqu’à 24 h avant le créneau/);
      // The refused button is gone; the reason and a phone link replace the actions.
      await expect.poll(() => w.getByRole('button', { name: 'Oui, annuler' }).count()).toBe(0);
      expect(await w.getByRole('button', { name: 'Changer de créneau' }).count()).toBe(0);
      await expect.poll(() => w.locator('#too-late').textContent()).toMatch(/moins de 24\u00a0h/);
      expect(await w.locator('#too-late a').getAttribute('href')).toBe('tel:0478001234');
      await screenshot(page, 'manage-too-late-desktop');
      await page.setViewportSize(PHONE);
      await screenshot(page, 'manage-too-late-phone');
      // Opened afresh, the page offers no action either.
      await page.reload();
      await expect.poll(() => w.locator('#too-late').count()).toBe(1);
      expect(await w.getByRole('button', { name: 'Annuler le rendez-vous' }).count()).toBe(0);
    } finally {
      suite.stack.now.setTime(before);
    }
  });
});
