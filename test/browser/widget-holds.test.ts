/**
 * Hold while typing, in real Chromium: going on with a window holds it (POST /v1/holds), the
 * time left is shown, the hold is renewed once as it runs out, and the booking consumes it; a
 * window another customer took before the hold shows the alternatives. The browser's clock is
 * the service's pinned clock (both moved together), so no test waits for minutes to pass.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { solveChallenge } from '../../src/domain/challenge.js';
import { DESKTOP, PHONE } from './helpers.js';
import { browserSuite } from './suite.js';
import { expectAccessible, openHostPage, screenshot, seeWindows, serviceIds } from './widget-page.js';

let services: Record<string, string>;
let pinned: number;

const suite = browserSuite({}, async ({ stack }) => {
  services = await serviceIds(stack);
  pinned = stack.now.getTime();
});
// Registered after the suite's, so it runs before the test's contexts are closed.
afterEach(() => {
  suite.stack.now.setTime(pinned);
});

/** A JSON request from another customer's address (127.0.0.2): the widget's holds count for it. */
function fromElsewhere(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, suite.stack.apiOrigin);
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress: '127.0.0.2',
        headers: body ? { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() } : {},
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, json: text ? JSON.parse(text) : null }),
        );
      },
    );
    request.on('error', reject);
    request.end(body ? JSON.stringify(body) : undefined);
  });
}

async function bookElsewhere(serviceId: string, window: { start: string; end: string }, n: number) {
  const { json } = await fromElsewhere('GET', '/v1/challenge');
  const { challenge, difficulty } = json as { challenge: string; difficulty: number };
  return fromElsewhere('POST', '/v1/bookings', {
    serviceId,
    window,
    customer: { name: `Voisin ${n}`, phone: '06 98 76 54 32' },
    address: { line: `${n} cours Gambetta`, postcode: '69003', city: 'Lyon 3e' },
    consent: true,
    pow: { challenge, nonce: solveChallenge(challenge, difficulty) },
  });
}

const open = (query: Record<string, string>, viewport = DESKTOP) =>
  openHostPage(suite, query, viewport, async (c) => {
    // This device's clock is the service's.
    await c.clock.install({ time: suite.stack.now });
  });

describe('the window chosen is held while the customer types', () => {
  it('holds, shows the time left, renews once, and the booking consumes the hold', async () => {
    const db = suite.stack.testDb.handle.db;
    const { page, w } = await open({ service: 'depannage' }, PHONE);
    await seeWindows(w, '69003', '12 rue Garibaldi');
    await w.locator('[role=tab]').nth(1).click();
    await w.locator('#window-0').check();
    const start = await w.locator('#window-0').inputValue();
    await w.getByRole('button', { name: 'Continuer' }).click();

    await expect
      .poll(() => w.locator('#hold-note').textContent())
      .toBe('Ce créneau vous est réservé pendant encore 5\u00a0min, le temps de compléter.');
    const hold = await db
      .selectFrom('holds')
      .selectAll()
      .where('window_start', '=', new Date(start))
      .where('released_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(hold).toMatchObject({ renewed: false, service_id: services.depannage, postcode: '69003' });
    expect(hold.expires_at.getTime() - suite.stack.now.getTime()).toBe(5 * 60_000);
    await expectAccessible(page, 'details with a hold');
    await screenshot(page, 'hold-phone');

    // The customer is still typing four minutes later: the hold is renewed, once.
    const before = suite.stack.now.getTime();
    try {
      suite.stack.now.setTime(before + 250_000);
      await page.clock.fastForward(250_000);
      await w.locator('#name').fill('Claire Martin');
      await expect
        .poll(
          async () =>
            (
              await db
                .selectFrom('holds')
                .select('renewed')
                .where('id', '=', hold.id)
                .executeTakeFirstOrThrow()
            ).renewed,
        )
        .toBe(true);
      await expect
        .poll(() => w.locator('#hold-note').textContent())
        .toBe('Ce créneau vous est réservé pendant encore 5\u00a0min, le temps de compléter.');
      // …and not again: past the renewed deadline the note says the window is no longer kept.
      suite.stack.now.setTime(before + 560_000);
      await page.clock.fastForward(310_000);
      await expect
        .poll(() => w.locator('#hold-note').textContent())
        .toBe('Ce créneau n’est plus gardé pour vous\u00a0: il sera confirmé s’il est encore libre.');
      await page.setViewportSize(DESKTOP);
      await screenshot(page, 'hold-expired-desktop');
      const renewed = await db
        .selectFrom('holds')
        .selectAll()
        .where('id', '=', hold.id)
        .executeTakeFirstOrThrow();
      expect(renewed.expires_at.getTime()).toBe(before + 250_000 + 5 * 60_000);
    } finally {
      suite.stack.now.setTime(before);
    }
    // Back before the renewed deadline: the booking consumes the live hold.
    suite.stack.now.setTime(before + 300_000);

    await w.locator('#phone').fill('06 12 34 56 78');
    await w.locator('#consent').check();
    await w.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await expect.poll(() => w.locator('h3').textContent(), { timeout: 15_000 }).toBe('Rendez-vous confirmé');
    const reference = (await w.locator('dd').first().textContent())!;
    const visit = await db
      .selectFrom('visits')
      .select(['window_start', 'customer_name'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(visit).toMatchObject({ window_start: new Date(start), customer_name: 'Claire Martin' });
    // Consumed by the booking: no longer live.
    suite.stack.now.setTime(before);
    const consumed = await db
      .selectFrom('holds')
      .select('released_at')
      .where('id', '=', hold.id)
      .executeTakeFirstOrThrow();
    expect(consumed.released_at).not.toBeNull();
  });

  it('a window taken before it could be held shows the alternatives, and another one holds', async () => {
    const { page, w } = await open({ service: 'entretien-pac' });
    await seeWindows(w, '69003', '5 place Bellecour');
    await w.locator('[role=tab]').nth(2).click();
    await w.locator('#window-0').check();
    const taken = { start: await w.locator('#window-0').inputValue(), end: '' };
    const { json } = await fromElsewhere(
      'GET',
      `/v1/slots?serviceId=${services['entretien-pac']}&postcode=69003&range=horizon`,
    );
    taken.end = (json as { days: { windows: { start: string; end: string }[] }[] }).days
      .flatMap((d) => d.windows)
      .find((x) => x.start === taken.start)!.end;

    // Meanwhile other customers take every technician's share of that window.
    let status = 201;
    for (let n = 1; status === 201 && n <= 12; n++)
      status = (await bookElsewhere(services['entretien-pac']!, taken, n)).status;
    expect(status).toBe(409);

    await w.getByRole('button', { name: 'Continuer' }).click();
    await expect
      .poll(() => w.locator('[role=alert]').textContent(), { timeout: 15_000 })
      .toMatch(/^Ce créneau vient d’être réservé/);
    expect(await w.locator('h3').textContent()).toBe('Quand\u202f?');
    const offered = await w
      .locator('input[name=window]')
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(offered.length).toBeGreaterThan(0);
    expect(offered).not.toContain(taken.start);
    await expectAccessible(page, 'hold refused');
    await screenshot(page, 'hold-taken-desktop');

    // Another window holds fine and the customer goes on.
    await w.locator('#window-0').check();
    await w.getByRole('button', { name: 'Continuer' }).click();
    await expect.poll(() => w.locator('#hold-note').count()).toBe(1);
  });
});
