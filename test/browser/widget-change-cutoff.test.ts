/**
 * A window inside the 24 h change cut-off (a breakdown booked for this afternoon): the slots answer
 * marks it, the details step says before booking that it will not be changeable online and gives
 * the phone, and the confirmation does not offer the change/cancel link the service would refuse.
 * A window beyond the cut-off keeps the "up to 24 h before" sentence and the link. Moving a booking
 * into one, the manage page says the same before the customer confirms.
 */
import { describe, expect, it } from 'vitest';
import { book, bookingPayload } from '../helpers/booking.js';
import { browserSuite } from './suite.js';
import { ARTIFACTS, expectAccessible, openHostPage, seeWindows, serviceIds, widget } from './widget-page.js';

const suite = browserSuite();

interface Day {
  date: string;
  windows: { start: string; end: string; withinChangeCutoff?: true }[];
}

async function depannageDays(): Promise<Day[]> {
  const ids = await serviceIds(suite.stack);
  const res = await fetch(
    `${suite.stack.apiOrigin}/v1/slots?serviceId=${ids.depannage}&postcode=69003&range=horizon`,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { days: Day[] }).days;
}

describe('windows inside the change cut-off', () => {
  it('are marked in the slots answer, and only they', async () => {
    const days = await depannageDays();
    const cutoff = suite.stack.now.getTime() + 24 * 3_600_000;
    const windows = days.flatMap((d) => d.windows);
    const inside = windows.filter((w) => Date.parse(w.start) < cutoff);
    // The pinned morning offers a breakdown today: some windows are inside, most are not.
    expect(inside.length).toBeGreaterThan(0);
    expect(windows.length).toBeGreaterThan(inside.length);
    for (const w of windows)
      expect(w.withinChangeCutoff, w.start).toBe(Date.parse(w.start) < cutoff ? true : undefined);
  });

  it('say before booking that the visit cannot be changed online, and confirm it without the change link', async () => {
    const { page, errors, w } = await openHostPage(suite, { service: 'depannage' });
    await seeWindows(w, '69003', '5 rue Garibaldi');
    // The first day is today (two hours' notice for a breakdown): its first window is hours away.
    await w.locator('#window-0').check({ timeout: 10_000 });
    await w.getByRole('button', { name: 'Continuer' }).click();
    const note = w.locator('#cutoff-note');
    await note.waitFor();
    expect(await note.textContent()).toBe(
      'Ce créneau commence dans moins de 24\u00a0h\u00a0: une fois réservé, il ne pourra plus être modifié ni annulé en ligne. Pour le changer, appelez-nous au 04 78 00 12 34.',
    );
    expect(await note.locator('a').getAttribute('href')).toBe('tel:0478001234');
    await w.locator('#name').fill('Léa Fabre');
    await w.locator('#phone').fill('06 22 33 44 55');
    await w.locator('#consent').check();
    await expectAccessible(page, 'details inside the cut-off');
    await widget(page).screenshot({ path: `${ARTIFACTS}/widget-details-inside-cutoff-desktop.png` });
    await w.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await expect.poll(() => w.locator('h3').textContent(), { timeout: 15_000 }).toBe('Rendez-vous confirmé');
    // The phone, not a link to a page that could only refuse the change.
    await w.locator('#too-late').waitFor();
    expect(await w.getByRole('link', { name: /Modifier ou annuler/ }).count()).toBe(0);
    expect(await w.getByRole('link', { name: 'Ajouter à mon agenda' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('beyond the cut-off, keep "up to 24 h before" and the change link', async () => {
    const days = await depannageDays();
    const cutoff = suite.stack.now.getTime() + 24 * 3_600_000;
    const later = days.findIndex((d) => d.windows.every((x) => Date.parse(x.start) >= cutoff));
    expect(later).toBeGreaterThan(0);
    const { errors, w } = await openHostPage(suite, { service: 'depannage' });
    await seeWindows(w, '69003', '5 rue Garibaldi');
    await w.locator(`#day-${days[later]!.date}`).click({ timeout: 10_000 });
    await expect
      .poll(() => w.locator(`#day-${days[later]!.date}`).getAttribute('aria-selected'))
      .toBe('true');
    await w.locator('#window-0').check();
    await w.getByRole('button', { name: 'Continuer' }).click();
    const note = w.locator('#cutoff-note');
    await note.waitFor();
    expect(await note.textContent()).toMatch(
      /^Vous pourrez modifier ou annuler en ligne jusqu’à 24\u00a0h avant/,
    );
    await w.locator('#name').fill('Noé Garnier');
    await w.locator('#phone').fill('06 22 33 44 56');
    await w.locator('#consent').check();
    await w.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await expect.poll(() => w.locator('h3').textContent(), { timeout: 15_000 }).toBe('Rendez-vous confirmé');
    expect(await w.getByRole('link', { name: /Modifier ou annuler/ }).count()).toBe(1);
    expect(await w.locator('#too-late').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('moving a booking into one, the manage page says it before the customer confirms', async () => {
    const days = await depannageDays();
    const ids = await serviceIds(suite.stack);
    const res = await book(
      suite.stack.app,
      bookingPayload(ids.depannage!, days.at(-1)!.windows[0]!, '69003'),
    );
    expect(res.statusCode, res.body).toBe(201);
    const context = await suite.browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    suite.closeAfterTest(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(res.json().manageUrl as string);
    const w = widget(page);
    await w.getByRole('button', { name: 'Changer de créneau' }).click();
    // The first day offered is today: its windows are inside the cut-off.
    await w.locator('#window-0').check({ timeout: 15_000 });
    const note = w.locator('#cutoff-note');
    await expect
      .poll(() => note.textContent())
      .toBe(
        'Ce créneau commence dans moins de 24\u00a0h\u00a0: une fois réservé, il ne pourra plus être modifié ni annulé en ligne. Pour le changer, appelez-nous au 04 78 00 12 34.',
      );
    await widget(page).screenshot({ path: `${ARTIFACTS}/widget-manage-inside-cutoff.png` });
    // A later day: nothing to warn about.
    await w.locator('[role=tab]').nth(3).click();
    await w.locator('#window-0').check();
    expect(await note.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
