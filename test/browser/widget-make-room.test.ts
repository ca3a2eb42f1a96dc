/**
 * Make room in the widget, in real Chromium: on a day whose only windows need a booked visit
 * moved (needsMoves), the customer sees them like any other, goes on without a hold (a hold moves
 * nobody), and booking one moves the visit in the way to the other technician, inside its window.
 */
import { describe, expect, it } from 'vitest';
import { movableDay, type MovableDay } from '../bookings/make-room-fixture.js';
import { PHONE } from './helpers.js';
import { browserSuite } from './suite.js';
import { expectAccessible, openHostPage, screenshot, seeWindows } from './widget-page.js';

let f: MovableDay;
const DAY = '2026-03-30';

const suite = browserSuite({ env: { TOURNEE_READ_CACHE_MS: '0' } }, async ({ stack }) => {
  f = await movableDay(stack.testDb.handle.db, { suffix: 'widget', postcode: '73100', day: DAY });
  // The heat-pump technician is away until then: the full Monday is the customer's first option
  // (make-room searches the days before the first ordinary window).
  await stack.testDb.handle.db
    .insertInto('availability_exceptions')
    .values({
      technician_id: f.heatPumpTechnician.id,
      kind: 'absence',
      starts_at: new Date('2026-03-24T23:00:00Z'),
      ends_at: new Date('2026-03-29T22:00:00Z'),
      reason: 'formation',
    })
    .execute();
});

describe('make-room windows in the widget', () => {
  it('shows them like any other and books one, moving the visit in the way', async () => {
    const offered = (await (
      await fetch(
        `${suite.stack.apiOrigin}/v1/slots?serviceId=${f.heatPumpServiceId}&postcode=${f.postcode}&from=${DAY}&to=${DAY}`,
      )
    ).json()) as { days: { windows: { start: string; needsMoves?: true }[] }[] };
    const needingMoves = offered.days[0]!.windows;
    expect(needingMoves.length).toBeGreaterThan(0);
    expect(needingMoves.every((w) => w.needsMoves)).toBe(true);

    const { page, w, errors } = await openHostPage(suite, { service: 'pac-job-widget' }, PHONE);
    await seeWindows(w, f.postcode, '3 rue de Boigne');
    // The first day offered, and selected: its windows are all make-room ones.
    await expect.poll(() => w.locator(`#day-${DAY}`).getAttribute('aria-selected')).toBe('true');
    // The same list as the API's, with nothing that sets them apart for the customer.
    const shown = await w
      .locator('input[name=window]')
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(shown).toEqual(needingMoves.map((x) => x.start));
    expect(await w.locator('#windows').textContent()).not.toMatch(/needsMoves|déplac/i);
    await expectAccessible(page, 'make-room windows');
    await screenshot(page, 'make-room-windows-phone');

    await w.locator('#window-0').check();
    await w.getByRole('button', { name: 'Continuer' }).click();
    await expect.poll(() => w.locator('#name').count()).toBe(1);
    // No hold for a window that needs moves: nothing would keep it, the booking makes the room.
    expect(await w.locator('#hold-note').count()).toBe(0);
    const db = suite.stack.testDb.handle.db;
    const holds = await db
      .selectFrom('holds')
      .select('id')
      .where('service_id', '=', f.heatPumpServiceId)
      .execute();
    expect(holds).toEqual([]);

    await w.locator('#name').fill('Lucie Favre');
    await w.locator('#phone').fill('06 12 34 56 78');
    if ((await w.locator('#city').inputValue()) === '') await w.locator('#city').fill('Chambéry');
    await w.locator('#consent').check();
    await w.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await expect.poll(() => w.locator('h3').textContent(), { timeout: 15_000 }).toBe('Rendez-vous confirmé');
    await screenshot(page, 'make-room-booked-phone');

    const reference = (await w.locator('dd').first().textContent())!;
    const booked = await db
      .selectFrom('visits')
      .select(['technician_id', 'window_start'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(booked).toEqual({ technician_id: f.heatPumpTechnician.id, window_start: new Date(shown[0]!) });
    const repair = await db
      .selectFrom('visits')
      .select(['technician_id', 'planned_start', 'window_start', 'window_end'])
      .where('id', '=', f.repairs[0]!.id)
      .executeTakeFirstOrThrow();
    expect(repair.technician_id).toBe(f.electrician.id);
    expect(repair.planned_start.getTime()).toBeGreaterThanOrEqual(repair.window_start.getTime());
    expect(repair.planned_start.getTime()).toBeLessThanOrEqual(repair.window_end.getTime());
    expect(errors).toEqual([]);
  });
});
