/**
 * What the planner's page says when the service refuses, in real Chromium: French sentences that
 * name the field as the panel labels it, never a request field's name, and that input marked
 * (aria-invalid, described by the error). The absence's « Motif » with a tab pasted into it; an
 * urgent job due at an hour already past, then with a phone number that is none; a move by hand to
 * a time outside the promise. At 1280×800 and 390×844; screenshots in test-artifacts/.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { TEST_TODAY } from '../helpers/database.js';
import { ARTIFACTS, DESKTOP, PHONE } from './helpers.js';
import { dayJson, openPlanner, plannerSuite } from './planner-page.js';

const planner = plannerSuite();
/** A request field's own name shown to Gaëtan. */
const RAW_FIELD = /\b[a-z]+[A-Z]\w*\b|\b(body|query|params)\.|«\s*[a-z]\w*\s*»/;

/** The page's error and whether `label`'s input is the one marked and described by it. */
async function refusal(page: Page, region: string, label: string) {
  const panel = page.getByRole('region', { name: region });
  const alert = panel.getByRole('alert');
  await alert.waitFor();
  const input = panel.getByLabel(label, { exact: true });
  const id = await alert.getAttribute('id');
  return {
    text: (await alert.textContent()) ?? '',
    marked: await input.getAttribute('aria-invalid'),
    describedBy: await input.getAttribute('aria-describedby'),
    id,
    others: await panel.locator('[aria-invalid=true]').count(),
  };
}

describe('planner page: refusals name the field in French', () => {
  for (const [label, viewport] of [
    ['1280×800', DESKTOP],
    ['390×844', PHONE],
  ] as const)
    it(`absence and urgent forms say which field, and mark it (${label})`, async () => {
      // The refusals this test provokes; any other answer ≥ 400 fails it.
      const { page, errors } = await openPlanner(planner, viewport, {
        search: { date: TEST_TODAY },
        expected: (r) =>
          r.status() === 400 &&
          /\/v1\/admin\/(availability\/exceptions|urgent\/options|urgent)$/.test(r.url()),
      });

      await page.getByRole('button', { name: 'Absence' }).click();
      const absence = page.getByRole('region', { name: 'Absences' });
      await absence.getByLabel('Motif (facultatif)').fill('Rendez-vous\tmédical');
      await absence.getByRole('button', { name: 'Enregistrer l’absence' }).click();
      const motif = await refusal(page, 'Absences', 'Motif (facultatif)');
      expect(motif.text).toMatch(/^Le motif contient un caractère invisible/);
      expect(motif.text).not.toMatch(RAW_FIELD);
      expect(motif).toMatchObject({ marked: 'true', describedBy: motif.id, others: 1 });
      await absence.getByLabel('Motif (facultatif)').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/planner-refusal-absence-${viewport.width}.png` });
      await absence.getByRole('button', { name: 'Fermer' }).click();

      await page.getByRole('button', { name: 'Urgence' }).click();
      const urgent = page.getByRole('region', { name: 'Urgence' });
      await urgent.getByLabel('Adresse').fill('12 rue de la République');
      await urgent.getByLabel('Code postal').fill('69002');
      await urgent.getByLabel('Ville').fill('Lyon');
      await urgent.getByLabel('Client').fill('Mme Urgence');
      await urgent.getByLabel('Téléphone').fill('06 12 34 56 78');
      // The service's now is 08:00 in Paris: 07:30 has passed.
      await urgent.getByLabel('À faire avant').fill('07:30');
      await urgent.getByRole('button', { name: 'Chercher les options' }).click();
      const deadline = await refusal(page, 'Urgence', 'À faire avant');
      expect(deadline.text).toBe(
        'L’heure « À faire avant » est déjà passée : indiquez une heure plus tard que maintenant.',
      );
      expect(deadline).toMatchObject({ marked: 'true', describedBy: deadline.id, others: 1 });
      await urgent.getByLabel('À faire avant').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/planner-refusal-urgent-${viewport.width}.png` });

      // Corrected, the mark goes with the error; a phone number that is none is refused on creating.
      await urgent.getByLabel('À faire avant').fill('16:00');
      await urgent.getByLabel('Téléphone').fill('12');
      await urgent.getByRole('button', { name: 'Chercher les options' }).click();
      const choose = urgent.getByRole('button', { name: 'Choisir' }).first();
      await choose.waitFor();
      expect(await urgent.locator('[aria-invalid=true]').count()).toBe(0);
      await choose.click();
      const phone = await refusal(page, 'Urgence', 'Téléphone');
      expect(phone.text).toMatch(/^Le numéro de téléphone n’est pas valide/);
      expect(phone).toMatchObject({ marked: 'true', describedBy: phone.id, others: 1 });
      expect(errors).toEqual([]);
    });

  it('a move by hand is refused with its reason in French, the field at fault marked', async () => {
    const { page, errors } = await openPlanner(planner, DESKTOP, { search: { date: '2026-03-26' } });
    const day = await dayJson(planner, '2026-03-26');
    const stop = day.current.routes.find((r) => r.stops.length >= 2)!.stops[0]!;
    await page.locator(`.tl-visit[data-visit="${stop.visitId}"]`).click();
    await page.locator('.details-wide').getByRole('button', { name: 'Déplacer…' }).click();
    const dialog = page.getByRole('dialog', { name: `Déplacer ${stop.reference}` });
    await dialog.getByLabel('Heure d’arrivée').fill('19:00');
    const verdict = dialog.locator('.verdict');
    await expect.poll(() => verdict.textContent()).toMatch(/^Impossible : /);
    const text = (await verdict.textContent())!;
    expect(text).toMatch(/hors du créneau promis \d\d:\d\d–\d\d:\d\d/);
    expect(text).not.toMatch(RAW_FIELD);
    expect(await dialog.getByRole('button', { name: 'Déplacer', exact: true }).isDisabled()).toBe(true);
    const time = dialog.getByLabel('Heure d’arrivée');
    const technician = dialog.getByLabel('Technicien', { exact: true });
    expect(await time.getAttribute('aria-invalid')).toBe('true');
    expect(await time.getAttribute('aria-describedby')).toBe(await verdict.getAttribute('id'));
    expect(await technician.getAttribute('aria-invalid')).toBeNull();
    await page.screenshot({ path: `${ARTIFACTS}/planner-refusal-move-1280.png` });

    // At a time inside the promise, on a technician absent that day: the technician is at fault.
    const route = day.current.routes.find((r) => r.stops.some((s) => s.visitId === stop.visitId))!;
    const away = day.technicians.find((t) => t.id !== route.technicianId)!;
    const absent = await planner.send('/v1/admin/availability/exceptions', {
      body: { kind: 'absence', technicianId: away.id, from: '2026-03-26' },
    });
    expect(absent.status).toBe(201);
    await technician.selectOption({ label: away.name });
    await time.fill(
      new Date(stop.planned.start).toLocaleTimeString('fr-FR', {
        hour: '2-digit',
        minute: '2-digit',
        timeZone: 'Europe/Paris',
      }),
    );
    await expect.poll(() => verdict.textContent()).toBe('Impossible : technicien absent ce jour-là');
    expect(await technician.getAttribute('aria-invalid')).toBe('true');
    expect(await time.getAttribute('aria-invalid')).toBeNull();
    expect(errors).toEqual([]);
  });

  it('room refused is said in the move dialog, beside « Faire de la place… » (1280×800 and 390×844)', async () => {
    const date = '2026-04-01';
    // Visits the dialog has no place for, as the page asks.
    const stuck: { visitId: string; reference: string }[] = [];
    for (const route of (await dayJson(planner, date)).current.routes)
      for (const stop of route.stops) {
        if (stuck.length === 2) break;
        const res = await planner.send(`/v1/admin/visits/${stop.visitId}/move-options`);
        if (((await res.json()) as { options: unknown[] }).options.length === 0) stuck.push(stop);
      }
    expect(stuck).toHaveLength(2);
    for (const [viewport, visit] of [
      [DESKTOP, stuck[0]!],
      [PHONE, stuck[1]!],
    ] as const) {
      const { page, errors } = await openPlanner(planner, viewport, {
        search: { date },
        expected: (r) =>
          r.status() === 409 && r.url().endsWith(`/v1/admin/visits/${visit.visitId}/make-room`),
      });
      const list = viewport === PHONE ? '.day-list .dl-visit' : '.tl-visit';
      await page.locator(`${list}[data-visit="${visit.visitId}"]`).click();
      await page
        .locator(viewport === PHONE ? '.day-list' : '.details-wide')
        .getByRole('button', { name: 'Déplacer…' })
        .click();
      const dialog = page.getByRole('dialog', { name: `Déplacer ${visit.reference}` });
      const makeRoom = dialog.getByRole('button', { name: 'Faire de la place…' });
      await makeRoom.waitFor();
      // Meanwhile the technician set off: no room can be made for it any more.
      const row = await planner.stack.testDb.handle.db
        .selectFrom('visits')
        .select('version')
        .where('id', '=', visit.visitId)
        .executeTakeFirstOrThrow();
      const started = await planner.send(`/v1/admin/visits/${visit.visitId}`, {
        method: 'PATCH',
        body: { progress: 'en_route', version: row.version },
      });
      expect(started.status).toBe(200);
      await makeRoom.click();
      const alert = dialog.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toBe(
        'Cette visite a commencé (ou est passée) : elle ne se déplace plus.',
      );
      expect(await makeRoom.isEnabled()).toBe(true);
      await alert.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/planner-refusal-make-room-${viewport.width}.png` });
      expect(errors).toEqual([]);
    }
  });

  it('on a phone: the move dialog from the day list marks the time refused', async () => {
    const { page, errors } = await openPlanner(planner, PHONE, { search: { date: '2026-03-26' } });
    await page.locator('.day-list .dl-visit').nth(1).click();
    await page.locator('.day-list').getByRole('button', { name: 'Déplacer…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Heure d’arrivée').fill('19:00');
    await expect.poll(() => dialog.locator('.verdict').textContent()).toMatch(/^Impossible : /);
    expect(await dialog.getByLabel('Heure d’arrivée').getAttribute('aria-invalid')).toBe('true');
    const box = (await dialog.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await dialog.locator('.verdict').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/planner-refusal-move-390.png` });
    expect(errors).toEqual([]);
  });
});
