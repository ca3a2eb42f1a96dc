/**
 * The planner's page in real Chromium against the service on a real port:
 * sign in with a planner token, pick a day, propose, see the changes and the
 * gains, apply after confirming, and find the visits moved in the database.
 * Also: a proposal made stale by a change elsewhere is refused with a
 * message to re-plan. Screenshots go to test-artifacts/.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DESKTOP } from './helpers.js';
import { openPlanner, plannerSuite } from './planner-page.js';

const planner = plannerSuite();

interface ChangeJson {
  visitId: string;
  to: { technicianId: string; start: string };
}

/** A 409 from /apply may be the expected answer; a small optimiser budget keeps the suite fast. */
const open = () =>
  openPlanner(
    planner,
    { ...DESKTOP, height: 1100 },
    {
      search: { limitMs: '1200' },
      expected: (r) => r.status() === 409 && r.url().includes('/apply'),
    },
  );

async function showDay(page: Page, date: string): Promise<void> {
  await page.getByLabel('Tournées du').fill(date);
  const loaded = page.waitForResponse(
    (r) => r.url().includes(`/v1/admin/routes?date=${date}`) && r.status() === 200,
  );
  await page.getByRole('button', { name: 'Afficher' }).click();
  await loaded;
  await page.locator('.tl-row[data-technician]').first().waitFor();
}

async function proposeInPage(page: Page): Promise<{ id: string; changes: ChangeJson[] }> {
  const answered = page.waitForResponse(
    (r) => r.url().endsWith('/v1/admin/plans') && r.request().method() === 'POST',
  );
  await page.getByRole('button', { name: 'Proposer une optimisation' }).click();
  const response = await answered;
  expect(response.status()).toBe(201);
  const plan = (await response.json()) as { id: string; changes: ChangeJson[] };
  await page.getByRole('heading', { name: /^Changements \(\d+\)$/ }).waitFor();
  return plan;
}

describe('planner page', () => {
  it('loads a day, proposes, shows the difference, applies, and the database changes', async () => {
    const { page, errors } = await open();
    await showDay(page, '2026-03-26');
    expect(await page.locator('.tl-row[data-technician]').count()).toBeGreaterThan(5);
    expect(await page.locator('.tl-visit').count()).toBeGreaterThan(5);
    expect(await page.locator('svg.map polyline.map-route').count()).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('table.totals caption').textContent())
      .toMatch(/Totaux de la journée/);
    await page.screenshot({ path: `${ARTIFACTS}/planner-current.png`, fullPage: true });

    const plan = await proposeInPage(page);
    expect(plan.changes.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.changes li').count()).toBe(plan.changes.length);
    expect(
      await page.getByRole('heading', { name: `Changements (${plan.changes.length})` }).isVisible(),
    ).toBe(true);
    // Current vs proposed side by side, with a positive gain on driving time.
    const travelRow = page.locator('tr[data-figure="travelMinutes"] td');
    expect(await travelRow.count()).toBe(3);
    expect(await travelRow.nth(2).getAttribute('class')).toBe('gain');
    // The proposed view outlines the visits that move, on the timeline and on the map.
    expect(await page.getByRole('button', { name: 'Proposé' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('.tl-visit.changed').count()).toBe(plan.changes.length);
    expect(await page.locator('svg.map circle.changed').count()).toBe(plan.changes.length);
    await page.screenshot({ path: `${ARTIFACTS}/planner-proposed.png`, fullPage: true });

    await page.getByRole('button', { name: 'Appliquer le plan' }).click();
    await page.getByRole('alertdialog').waitFor();
    const applied = page.waitForResponse((r) => r.url().endsWith(`/v1/admin/plans/${plan.id}/apply`));
    await page.getByRole('button', { name: 'Confirmer' }).click();
    expect((await applied).status()).toBe(200);
    await page.getByText(/^Plan appliqué : \d+ visites? modifiées?/).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/planner-applied.png`, fullPage: true });

    const rows = await planner.stack.testDb.handle.db
      .selectFrom('visits')
      .select(['id', 'technician_id', 'planned_start', 'version'])
      .where(
        'id',
        'in',
        plan.changes.map((c) => c.visitId),
      )
      .execute();
    expect(rows.length).toBe(plan.changes.length);
    for (const change of plan.changes) {
      const row = rows.find((r) => r.id === change.visitId)!;
      expect(row.technician_id).toBe(change.to.technicianId);
      expect(row.planned_start.getTime()).toBe(Date.parse(change.to.start));
      expect(row.version).toBeGreaterThan(1);
    }
    const stored = await planner.stack.testDb.handle.db
      .selectFrom('plans')
      .select('status')
      .where('id', '=', plan.id)
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe('applied');

    // Pin one of the moved visits from its block on the timeline.
    const pinned = plan.changes[0]!.visitId;
    await page.locator(`.tl-visit[data-visit="${pinned}"]`).click();
    await page.getByRole('button', { name: 'Épingler' }).click();
    await page.getByText(/est épinglée : l’optimiseur ne la déplacera pas/).waitFor();
    await page.locator(`.tl-visit.pinned[data-visit="${pinned}"]`).waitFor();
    const pinnedRow = await planner.stack.testDb.handle.db
      .selectFrom('visits')
      .select('pinned')
      .where('id', '=', pinned)
      .executeTakeFirstOrThrow();
    expect(pinnedRow.pinned).toBe(true);
    expect(errors).toEqual([]);
  });

  it('tells Gaëtan to re-plan when the day changed after the proposal', async () => {
    const { page, errors } = await open();
    await showDay(page, '2026-03-30');
    const plan = await proposeInPage(page);
    expect(plan.changes.length).toBeGreaterThan(0);

    // Meanwhile someone pins a visit of that day (any change bumps its version).
    const moved = plan.changes[0]!.visitId;
    const res = await planner.send(`/v1/admin/visits/${moved}`, { method: 'PATCH', body: { pinned: true } });
    expect(res.status).toBe(200);
    const before = await planner.stack.testDb.handle.db
      .selectFrom('visits')
      .select(['id', 'technician_id', 'planned_start', 'version'])
      .orderBy('id')
      .execute();

    await page.getByRole('button', { name: 'Appliquer le plan' }).click();
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /relancez une optimisation/i })
      .waitFor();
    await page.getByText('Cette proposition est périmée : relancez une optimisation.').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/planner-stale.png`, fullPage: true });

    const after = await planner.stack.testDb.handle.db
      .selectFrom('visits')
      .select(['id', 'technician_id', 'planned_start', 'version'])
      .orderBy('id')
      .execute();
    expect(after).toEqual(before);
    expect(errors).toEqual([]);
  });

  it('serves the page under the CSP with no inline script', async () => {
    const res = await fetch(`${planner.stack.apiOrigin}/planner`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/planner.js"></script>');
    expect(html.match(/<script/g)?.length).toBe(1);
    const js = await fetch(`${planner.stack.apiOrigin}/planner.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });
});
