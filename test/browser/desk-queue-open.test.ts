/**
 * The request Claire opened from the queue (« Fiche ») stays marked there while its caller's card is
 * open: aria-current on its row, a « Fiche ouverte » tag and its own colours, and on the card among
 * the caller's open requests (« Ouverte depuis la file »), on a 1280×800 desk and
 * on a 390×844 phone. Opening another request moves the mark; opening another caller from the search
 * takes it away (she no longer works on that request). Screenshots in test-artifacts/.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DESKTOP, PHONE } from './helpers.js';
import { deskSuite, openDesk } from './desk-page.js';

const CALLERS = [
  ['Hélène Vasseur', '06 71 42 18 90'],
  ['Jo Bas', '06 71 42 18 91'],
  ['Marie-Christine Delacroix', '06 71 42 18 92'],
] as const;

const desk = deskSuite(async () => {
  for (const [name, phone] of CALLERS) {
    const res = await desk.send('/v1/requests', {
      body: { kind: 'callback', name, phone, message: `Rappeler ${name}` },
    });
    expect(res.status).toBe(201);
  }
});

const row = (page: Page, name: string) => page.locator('ul.requests li', { hasText: `Rappeler ${name}` });

/** The rows marked as open, by caller's name. */
const marked = (page: Page) =>
  page
    .locator('ul.requests li[aria-current="true"]')
    .evaluateAll((lis) => lis.map((li) => li.querySelector('strong')!.textContent));

async function openFromQueue(page: Page, name: string): Promise<void> {
  await row(page, name).getByRole('button', { name: 'Fiche' }).click();
  await page.getByRole('article', { name }).waitFor();
}

describe('the request opened from the queue', () => {
  for (const [label, viewport] of [
    ['1280×800', DESKTOP],
    ['390×844', PHONE],
  ] as const)
    it(`is marked in the queue while its caller's card is open (${label})`, async () => {
      const { page, errors } = await openDesk(desk, viewport);
      await expect.poll(() => page.locator('ul.requests li').count()).toBe(CALLERS.length);
      expect(await marked(page)).toEqual([]);

      await openFromQueue(page, 'Jo Bas');
      await expect.poll(() => marked(page)).toEqual(['Jo Bas']);
      const jo = row(page, 'Jo Bas');
      const tag = jo.locator('.open-tag');
      expect(await tag.textContent()).toBe('Fiche ouverte');
      expect(await jo.getAttribute('aria-label')).toMatch(/, fiche ouverte$/);
      // Seen, not only announced: the row's colours differ from an unmarked one's.
      const look = (name: string) =>
        row(page, name).evaluate((li) => {
          const s = getComputedStyle(li);
          return `${s.backgroundColor} ${s.borderLeftWidth} ${s.borderLeftColor}`;
        });
      expect(await look('Jo Bas')).not.toBe(await look('Hélène Vasseur'));
      // On the card too, among the caller's open requests.
      const onCard = page.getByRole('article', { name: 'Jo Bas' }).locator('.requests-mini li');
      expect(await onCard.filter({ has: page.locator('.open-tag') }).count()).toBe(1);
      expect(await onCard.first().getAttribute('aria-current')).toBe('true');
      expect(await onCard.first().locator('.open-tag').textContent()).toBe('Ouverte depuis la file');
      await jo.scrollIntoViewIfNeeded();
      expect(await tag.isVisible()).toBe(true);
      const box = (await jo.boundingBox())!;
      // The whole row on screen, within the page's width (no sideways scrolling on a phone).
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: `${ARTIFACTS}/desk-queue-open-${viewport.width}.png` });

      // Another request opened: the mark follows.
      await openFromQueue(page, 'Hélène Vasseur');
      await expect.poll(() => marked(page)).toEqual(['Hélène Vasseur']);
      expect(await jo.locator('.open-tag').count()).toBe(0);

      // Another caller opened from the search: she no longer answers that request.
      const search = page.getByRole('combobox', { name: /Rechercher un client/ });
      await search.fill('Delacroix');
      await page.getByRole('option', { name: /Marie-Christine Delacroix/ }).click();
      await page.getByRole('article', { name: 'Marie-Christine Delacroix' }).waitFor();
      await expect.poll(() => marked(page)).toEqual([]);
      expect(
        await page
          .getByRole('article', { name: 'Marie-Christine Delacroix' })
          .locator('[aria-current]')
          .count(),
      ).toBe(0);
      expect(errors).toEqual([]);
    });
});
