/**
 * The widget's proof of work: solved from the challenge the windows' answer carried, so a customer's
 * booking needs no GET /v1/challenge; a client whose recent bookings raised its difficulty is refused
 * once (body.pow) and books with the harder challenge that endpoint then gives.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite } from './suite.js';
import { openHostPage, seeWindows } from './widget-page.js';

const suite = browserSuite({
  // Every booking from this browser (one address) raises the next one's difficulty by 2 bits.
  env: { TOURNEE_POW_DIFFICULTY: '4', TOURNEE_POW_ESCALATION_BITS: '2' },
});

/** Books the day's first window through the widget; what it asked of the service on the way. */
async function bookThroughWidget(day: number, name: string, phone: string) {
  const opened = await openHostPage(suite, { service: 'depannage' });
  const asked: string[] = [];
  opened.page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === suite.stack.apiOrigin) asked.push(`${r.method()} ${url.pathname}`);
  });
  const bookings: number[] = [];
  opened.page.on('response', (r) => {
    if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/bookings')
      bookings.push(r.status());
  });
  const { w } = opened;
  await seeWindows(w, '69003', '12 rue Garibaldi');
  await w.locator('[role=tab]').nth(day).click();
  await w.locator('#window-0').check();
  const start = await w.locator('#window-0').inputValue();
  await w.getByRole('button', { name: 'Continuer' }).click();
  await w.locator('#name').fill(name);
  await w.locator('#phone').fill(phone);
  await w.locator('#consent').check();
  await w.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
  await expect.poll(() => w.locator('h3').textContent(), { timeout: 20_000 }).toBe('Rendez-vous confirmé');
  const reference = (await w.locator('dd').first().textContent())!;
  const visit = await suite.stack.testDb.handle.db
    .selectFrom('visits')
    .select(['window_start', 'customer_name'])
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  expect(visit).toEqual({ window_start: new Date(start), customer_name: name });
  expect(opened.errors).toEqual([]);
  return { asked, bookings };
}

describe('the proof of work', () => {
  it('comes with the windows: a first booking asks for no challenge of its own', async () => {
    const { asked, bookings } = await bookThroughWidget(1, 'Claire Martin', '06 12 34 56 78');
    expect(asked).toContain('GET /v1/slots');
    expect(asked).not.toContain('GET /v1/challenge');
    expect(bookings).toEqual([201]);
  });

  it('a client that booked in the last hour is refused the base one, then books with GET /v1/challenge’s', async () => {
    const { asked, bookings } = await bookThroughWidget(2, 'Paul Garnier', '06 98 76 54 32');
    expect(bookings).toEqual([422, 201]);
    expect(asked.filter((a) => a === 'GET /v1/challenge')).toHaveLength(1);
  });
});
