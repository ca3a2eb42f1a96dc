/**
 * On a phone the queue is screens below the caller's card: once Claire has dealt with a caller's
 * request (from "Fiche"), she closes it on the card, with its reason, without hunting for it in
 * the queue; the queue and the card both follow.
 */
import { describe, expect, it } from 'vitest';
import { PHONE } from './helpers.js';
import { deskSuite, openDesk } from './desk-page.js';
import { postCreated } from './suite.js';

const desk = deskSuite(async () => {
  for (const [name, phone] of [
    ['Yves Caron', '06 44 55 66 75'],
    ['Inès Roche', '06 44 55 66 78'],
  ]) {
    await postCreated(desk, '/v1/admin/requests', {
      kind: 'callback',
      customer: { name, phone },
      text: `Rappeler ${name}`,
      channel: 'phone',
    });
  }
});

describe('closing a request from the caller’s card', () => {
  it('closes it with a reason; the card and the queue follow', async () => {
    const { page, errors } = await openDesk(desk, PHONE);
    const inQueue = page.locator('ul.requests li', { hasText: 'Rappeler Inès Roche' });
    await inQueue.getByRole('button', { name: 'Fiche' }).click();
    const card = page.getByRole('article', { name: 'Inès Roche' });
    await card.waitFor();
    const onCard = card.locator('.requests-mini li', { hasText: 'Rappeler Inès Roche' });
    await onCard.getByRole('button', { name: 'Clore…' }).click();
    const form = onCard.getByRole('form', { name: /^Clore DM-/ });
    await expect
      .poll(() => form.getByLabel('Raison').evaluate((el) => el === document.activeElement))
      .toBe(true);
    await page.screenshot({ path: 'test-artifacts/desk-card-close-390.png' });
    await page.keyboard.type('Rappelée, passera au comptoir');
    await page.keyboard.press('Enter');
    await page.getByText(/^Demande DM-\w+ \(Inès Roche\) close : traitée\.$/).waitFor();
    await card.getByText('Aucune demande ouverte.').waitFor();
    await inQueue.waitFor({ state: 'detached' });
    // The other caller's request is still waiting.
    expect(await page.locator('ul.requests li', { hasText: 'Rappeler Yves Caron' }).count()).toBe(1);
    const closed = await desk.stack.testDb.handle.db
      .selectFrom('requests')
      .select(['status', 'close_reason'])
      .where('text', '=', 'Rappeler Inès Roche')
      .executeTakeFirstOrThrow();
    expect(closed).toEqual({ status: 'done', close_reason: 'Rappelée, passera au comptoir' });
    expect(errors).toEqual([]);
  });
});
