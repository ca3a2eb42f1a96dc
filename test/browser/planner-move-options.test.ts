/**
 * The move dialog's suggestions in real Chromium: opening the dialog lists
 * where the visit fits (technician, day, arrival, driving added), one click
 * fills the move, "Déplacer" moves it (database and timeline agree); a time
 * typed by hand outside the promise still gets the refusal with its reason;
 * a visit with no place gets room made for it, as a proposal to apply.
 * On a 390×844 phone the dialog works from the day list and from « À
 * placer » (an absent technician's visit), and the workload table reads
 * without sideways scrolling, with a proposal's figures too. Screenshots
 * (1280×800, 390×844) go to test-artifacts/.
 */
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DESKTOP, PHONE } from './helpers.js';
import { dayJson, openPlanner, plannerSuite } from './planner-page.js';
import { postCreated, seriousPageViolations as seriousViolations } from './suite.js';

const DAY = '2026-03-26';

const planner = plannerSuite();

async function visitRow(id: string) {
  return planner.stack.testDb.handle.db
    .selectFrom('visits')
    .select(['technician_id', 'planned_start', 'version', 'unassigned_reason'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

const hhmm = (iso: string | number) =>
  new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' }).format(
    new Date(iso),
  );

const openDay = (
  viewport: { width: number; height: number },
  date = DAY,
  search: Record<string, string> = {},
) => openPlanner(planner, viewport, { search: { date, ...search } });

describe('planner page: move suggestions', () => {
  it('lists where a visit fits, fills the move in one click, and moves it; a time typed outside the promise is refused', async () => {
    const { page, errors } = await openDay(DESKTOP);
    const day = await dayJson(planner, DAY);
    const route = day.current.routes.find((r) => r.stops.length >= 3)!;
    const stop = route.stops[1]!;
    const before = await visitRow(stop.visitId);

    await page.locator(`.tl-visit[data-visit="${stop.visitId}"]`).click();
    await page.locator('.details-wide').getByRole('button', { name: 'Déplacer…' }).click();
    const dialog = page.getByRole('dialog', { name: `Déplacer ${stop.reference}` });
    const suggestions = dialog.locator('button.suggestion');
    await suggestions.first().waitFor();
    expect(await suggestions.count()).toBeGreaterThan(1);
    await page.screenshot({ path: `${ARTIFACTS}/planner-move-options-desktop.png` });

    // Each line: a technician of the day, the day, an arrival inside the promise, the driving it adds.
    const names = new Set(day.technicians.map((t) => t.name));
    for (const line of await suggestions.all()) {
      expect(names.has((await line.locator('.sg-name').textContent()) ?? '')).toBe(true);
      expect(await line.locator('.sg-day').textContent()).toBe('jeu. 26 mars');
      expect(await line.locator('.sg-drive').textContent()).toMatch(
        /^(trajet inchangé|[+−]\d+ min de trajet)$/,
      );
      const start = Date.parse((await line.getAttribute('data-start'))!);
      expect(start).toBeGreaterThanOrEqual(Date.parse(stop.window.start));
      expect(start).toBeLessThanOrEqual(Date.parse(stop.window.end));
      expect(await line.locator('.sg-time').textContent()).toBe(hhmm(start));
    }
    // Read out as one line: "Lucas Moreau 10:00 jeu. 26 mars −13 min de trajet".
    expect(
      await dialog
        .getByRole('button', {
          name: /^\S.* \d\d:\d\d jeu\. 26 mars (trajet inchangé|[+−]\d+ min de trajet)$/,
        })
        .count(),
    ).toBe(await suggestions.count());
    expect(await seriousViolations(page)).toEqual([]);

    // By hand, outside the promised window: the existing refusal and its reason.
    const time = dialog.getByLabel('Heure d’arrivée');
    await time.fill(hhmm(Date.parse(stop.window.end) + 60 * 60_000));
    await expect
      .poll(() => dialog.locator('.verdict').textContent())
      .toMatch(/^Impossible : .*hors du créneau promis \d\d:\d\d–\d\d:\d\d/);
    expect(await dialog.getByRole('button', { name: 'Déplacer', exact: true }).isDisabled()).toBe(true);

    // One click on the first suggestion fills the technician and the time; the check agrees.
    const first = suggestions.first();
    const technicianId = (await first.getAttribute('data-technician'))!;
    const start = (await first.getAttribute('data-start'))!;
    await first.click();
    expect(await dialog.getByLabel('Technicien').inputValue()).toBe(technicianId);
    expect(await time.inputValue()).toBe(hhmm(start));
    expect(await first.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => dialog.locator('.verdict').textContent()).toMatch(/^Possible : /);
    await page.screenshot({ path: `${ARTIFACTS}/planner-move-options-picked.png` });

    const moved = page.waitForResponse(
      (r) => r.url().endsWith(`/v1/admin/visits/${stop.visitId}`) && r.request().method() === 'PATCH',
    );
    await dialog.getByRole('button', { name: 'Déplacer', exact: true }).click();
    expect((await moved).status()).toBe(200);
    await page.getByText(new RegExp(`^${stop.reference} déplacée :`)).waitFor();
    const after = await visitRow(stop.visitId);
    expect(after.technician_id).toBe(technicianId);
    expect(after.planned_start.getTime()).toBe(Date.parse(start));
    expect(after.version).toBe(before.version + 1);
    await page
      .locator(`.tl-row[data-technician="${technicianId}"] .tl-visit[data-visit="${stop.visitId}"]`)
      .waitFor();
    expect(await dialog.count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('picking a technician by hand lists the times they could take it; one click fills the time', async () => {
    const date = '2026-03-31';
    const day = await dayJson(planner, date);
    const { page, errors } = await openDay(DESKTOP, date);
    const db = planner.stack.testDb.handle.db;
    const [skills, needs] = await Promise.all([
      db.selectFrom('technician_skills').select(['technician_id', 'skill_code']).execute(),
      db.selectFrom('service_skills').select(['service_id', 'skill_code']).execute(),
    ]);
    // A visit with a feasible other technician (the second suggestion's) and one lacking the skill.
    for (const route of day.current.routes)
      for (const stop of route.stops) {
        const res = await planner.send(`/v1/admin/visits/${stop.visitId}/move-options`);
        const other = ((await res.json()) as { options: { technicianId: string }[] }).options.find(
          (o) => o.technicianId !== route.technicianId,
        );
        const row = await db
          .selectFrom('visits')
          .select('service_id')
          .where('id', '=', stop.visitId)
          .executeTakeFirstOrThrow();
        const needed = needs.filter((n) => n.service_id === row.service_id).map((n) => n.skill_code);
        const unskilled = day.technicians.find((t) =>
          needed.some((k) => !skills.some((x) => x.technician_id === t.id && x.skill_code === k)),
        );
        if (!other || !unskilled) continue;

        await page.locator(`.tl-visit[data-visit="${stop.visitId}"]`).click();
        await page.locator('.details-wide').getByRole('button', { name: 'Déplacer…' }).click();
        const dialog = page.getByRole('dialog', { name: `Déplacer ${stop.reference}` });
        await dialog.locator('button.suggestion').first().waitFor();
        const name = (id: string) => day.technicians.find((t) => t.id === id)!.name;

        await dialog.getByLabel('Technicien').selectOption(unskilled.id);
        await dialog
          .getByText(`Aucune heure possible chez ${name(unskilled.id)} dans le créneau promis.`)
          .waitFor();

        await dialog.getByLabel('Technicien').selectOption(other.technicianId);
        const times = dialog.getByRole('list', {
          name: `Heures possibles chez ${name(other.technicianId)} (trajet ajouté à la journée) :`,
        });
        const choices = times.getByRole('button');
        await choices.first().waitFor();
        const last = choices.last();
        const start = (await last.getAttribute('data-start'))!;
        expect(Date.parse(start)).toBeGreaterThanOrEqual(Date.parse(stop.window.start));
        expect(Date.parse(start)).toBeLessThanOrEqual(Date.parse(stop.window.end));
        await last.click();
        expect(await dialog.getByLabel('Heure d’arrivée').inputValue()).toBe(hhmm(start));
        expect(await last.textContent()).toMatch(/^\d\d:\d\d [+−±]\d+ min$/);
        await expect.poll(() => dialog.locator('.verdict').textContent()).toMatch(/^Possible : /);
        expect(await seriousViolations(page)).toEqual([]);
        await page.screenshot({ path: `${ARTIFACTS}/planner-move-options-technician-times.png` });
        await dialog.getByRole('button', { name: 'Déplacer', exact: true }).click();
        await page.getByText(new RegExp(`^${stop.reference} déplacée :`)).waitFor();
        const after = await visitRow(stop.visitId);
        expect(after.technician_id).toBe(other.technicianId);
        expect(after.planned_start.getTime()).toBe(Date.parse(start));
        expect(errors).toEqual([]);
        return;
      }
    throw new Error('no visit with another feasible technician and an unskilled one');
  });

  it('makes room for a visit that fits nowhere: a proposal moving others inside their windows, applied', async () => {
    const date = '2026-04-01';
    // A visit the dialog has no place for, and room can be made for (asked as the page will ask).
    let stuck: { visitId: string; reference: string; to: { technicianId: string } } | undefined;
    for (const route of (await dayJson(planner, date)).current.routes) {
      for (const stop of route.stops) {
        const res = await planner.send(`/v1/admin/visits/${stop.visitId}/move-options`);
        if (((await res.json()) as { options: unknown[] }).options.length > 0) continue;
        const room = await planner.send(`/v1/admin/visits/${stop.visitId}/make-room`, { method: 'POST' });
        if (room.status !== 201) continue;
        const plan = (await room.json()) as { changes: { visitId: string; to: { technicianId: string } }[] };
        stuck = { ...stop, to: plan.changes.find((c) => c.visitId === stop.visitId)!.to };
        break;
      }
      if (stuck) break;
    }
    expect(stuck).toBeDefined();

    const { page, errors } = await openDay(DESKTOP, date);
    await page.locator(`.tl-visit[data-visit="${stuck!.visitId}"]`).click();
    await page.locator('.details-wide').getByRole('button', { name: 'Déplacer…' }).click();
    const dialog = page.getByRole('dialog', { name: `Déplacer ${stuck!.reference}` });
    await dialog.getByText(/^Aucune place libre dans le créneau promis/).waitFor();
    expect(await dialog.locator('button.suggestion').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/planner-make-room-dialog.png` });
    const asked = page.waitForResponse((r) =>
      r.url().endsWith(`/v1/admin/visits/${stuck!.visitId}/make-room`),
    );
    await dialog.getByRole('button', { name: 'Faire de la place…' }).click();
    const plan = (await (await asked).json()) as {
      changes: { visitId: string; to: { technicianId: string; start: string } }[];
    };
    expect(await dialog.count()).toBe(0);
    await page
      .getByText(`Place proposée pour ${stuck!.reference} : vérifiez les changements, puis appliquez.`)
      .waitFor();
    expect(await page.getByRole('button', { name: 'Proposé' }).getAttribute('aria-pressed')).toBe('true');
    await page.locator(`.changes li[data-visit="${stuck!.visitId}"]`).waitFor();
    expect(await page.locator('.changes li').count()).toBe(plan.changes.length);
    await page.screenshot({ path: `${ARTIFACTS}/planner-make-room-proposal.png`, fullPage: true });

    await page.getByRole('button', { name: 'Appliquer le plan' }).click();
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByText(/^Plan appliqué/).waitFor();
    for (const change of plan.changes) {
      const row = await visitRow(change.visitId);
      expect(row.technician_id).toBe(change.to.technicianId);
      expect(row.planned_start.getTime()).toBe(Date.parse(change.to.start));
    }
    await page
      .locator(
        `.tl-row[data-technician="${stuck!.to.technicianId}"] .tl-visit[data-visit="${stuck!.visitId}"]`,
      )
      .waitFor();
    expect(errors).toEqual([]);
  });

  it('on a phone: the move dialog from the day list, its suggestions filling the move', async () => {
    const { page, errors } = await openDay(PHONE);
    const visit = page.locator('.day-list .dl-visit').nth(1);
    const visitId = (await visit.getAttribute('data-visit'))!;
    await visit.click();
    await page.locator('.day-list').getByRole('button', { name: 'Déplacer…' }).click();
    const dialog = page.getByRole('dialog');
    const first = dialog.locator('button.suggestion').first();
    await first.waitFor();
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: `${ARTIFACTS}/planner-move-options-phone.png` });
    const technicianId = (await first.getAttribute('data-technician'))!;
    const start = (await first.getAttribute('data-start'))!;
    await first.click();
    await expect.poll(() => dialog.locator('.verdict').textContent()).toMatch(/^Possible : /);
    // The suggestion hands the focus to "Déplacer": Entrée confirms.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()))
      .toBe('Déplacer');
    await page.keyboard.press('Enter');
    await page.getByText(/ déplacée : /).waitFor();
    const after = await visitRow(visitId);
    expect(after.technician_id).toBe(technicianId);
    expect(after.planned_start.getTime()).toBe(Date.parse(start));
    expect(errors).toEqual([]);
  });

  it('on a phone: places a visit of an absent technician from « À placer », the dialog opening on the best place', async () => {
    const date = '2026-03-27';
    const before = await dayJson(planner, date);
    const route = before.current.routes.find((r) => r.stops.length >= 2)!;
    await postCreated(planner, '/v1/admin/availability/exceptions', {
      kind: 'absence',
      technicianId: route.technicianId,
      from: date,
    });

    const { page, errors } = await openDay(PHONE, date);
    const lane = page.getByRole('region', { name: /^À placer \(\d+\)/ });
    const card = lane.locator('.ua-card').first();
    await card.waitFor();
    const visitId = (await card.getAttribute('data-visit'))!;
    const reference = route.stops.find((s) => s.visitId === visitId)!.reference;
    await card.getByRole('button', { name: 'Placer…' }).click();
    // Nothing to move it from: it is placed.
    const dialog = page.getByRole('dialog', { name: `Placer ${reference}` });
    const suggestions = dialog.locator('button.suggestion');
    await suggestions.first().waitFor();
    // The absent technician is never offered.
    for (const line of await suggestions.all())
      expect(await line.getAttribute('data-technician')).not.toBe(route.technicianId);
    // Its own technician is away: the dialog opens on the best place found, not on a guess.
    const first = suggestions.first();
    const technicianId = (await first.getAttribute('data-technician'))!;
    const start = (await first.getAttribute('data-start'))!;
    await expect.poll(() => first.getAttribute('aria-pressed')).toBe('true');
    expect(await dialog.getByLabel('Technicien').inputValue()).toBe(technicianId);
    expect(await dialog.getByLabel('Heure d’arrivée').inputValue()).toBe(hhmm(start));
    await expect.poll(() => dialog.locator('.verdict').textContent()).toMatch(/^Possible : /);
    await page.screenshot({ path: `${ARTIFACTS}/planner-move-options-unassigned-phone.png` });
    await dialog.getByRole('button', { name: 'Placer', exact: true }).click();
    await page.getByText(/ déplacée : /).waitFor();
    await expect.poll(() => lane.locator(`.ua-card[data-visit="${visitId}"]`).count()).toBe(0);
    const after = await visitRow(visitId);
    expect(after.unassigned_reason).toBeNull();
    expect(after.technician_id).toBe(technicianId);
    expect(after.planned_start.getTime()).toBe(Date.parse(start));
    await page
      .locator(`.day-list .dl-tech[data-technician="${technicianId}"] [data-visit="${visitId}"]`)
      .waitFor();
    expect(errors).toEqual([]);
  });

  it('on a phone: the workload table reads without sideways scrolling, a proposal’s figures too', async () => {
    const { page, errors } = await openDay(PHONE, DAY, { limitMs: '1500' });
    await page.locator('.day-list .dl-visit').first().waitFor();
    const workloads = page.locator('.workloads');

    async function readable(): Promise<void> {
      const scroll = workloads.locator('.scroll');
      expect(await scroll.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        PHONE.width,
      );
      const rows = workloads.locator('tbody tr');
      expect(await rows.count()).toBeGreaterThan(5);
      // Every figure inside the screen, whole (wrapped, not cut), under its label.
      for (const cell of await workloads.locator('tbody td').all()) {
        const fit = await cell.evaluate((el) => ({
          right: el.getBoundingClientRect().right,
          cut: el.scrollWidth > el.clientWidth,
          label: getComputedStyle(el, '::before').content,
        }));
        expect(fit.right).toBeLessThanOrEqual(PHONE.width);
        expect(fit.cut).toBe(false);
        expect(fit.label).toMatch(/^"(Visites|Heures|Distance|Attente)"$/);
      }
    }

    await workloads.scrollIntoViewIfNeeded();
    await readable();
    expect(await seriousViolations(page)).toEqual([]);
    await workloads.screenshot({ path: `${ARTIFACTS}/planner-workloads-phone.png` });

    const proposed = page.waitForResponse(
      (r) => r.url().endsWith('/v1/admin/plans') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Proposer une optimisation' }).click();
    expect((await proposed).status()).toBe(201);
    await page.getByRole('button', { name: 'Proposé' }).waitFor();
    await workloads.scrollIntoViewIfNeeded();
    await readable();
    await workloads.screenshot({ path: `${ARTIFACTS}/planner-workloads-phone-proposal.png` });
    await page.screenshot({ path: `${ARTIFACTS}/planner-phone-proposal.png`, fullPage: true });

    // Wide again, the table is a table: one row a technician, the labels in its header.
    await page.setViewportSize(DESKTOP);
    expect(
      await workloads
        .locator('tbody td')
        .first()
        .evaluate((el) => getComputedStyle(el).display),
    ).toBe('table-cell');
    expect(await workloads.locator('thead').isVisible()).toBe(true);
    await workloads.screenshot({ path: `${ARTIFACTS}/planner-workloads-desktop-proposal.png` });
    expect(errors).toEqual([]);
  });
});
