/**
 * What the service refuses, the desk says in French, naming the field as Claire's forms do — never
 * "body.email: Invalid email address". The values are ones her forms let through: an e-mail without
 * a domain (the browser's own check accepts it), a street pasted with a tab, a search pasted from
 * an e-mail. test/desk/desk-problems.test.ts sweeps every route and field; this is the page.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP } from './helpers.js';
import { deskSuite, openDesk } from './desk-page.js';

const desk = deskSuite();

describe('the desk’s refusals in French', () => {
  it('says what is wrong with a new caller’s e-mail and street, on the field', async () => {
    const { page, errors } = await openDesk(desk, DESKTOP, { expected: [400] });
    await page.keyboard.press('/');
    await page.keyboard.type('07 12 13 14 15');
    await page.getByRole('option', { name: /Nouveau client/ }).click();
    const form = page.getByRole('region', { name: 'Nouveau client' });
    await form.getByLabel('Nom').fill('Jean Martin');
    await form.getByLabel('E-mail (facultatif)').fill('jean.martin@localhost');
    await form.getByLabel('Rue').fill('8 rue\tGaribaldi');
    await form.getByLabel('Code postal').fill('69006');
    await form.getByLabel('Ville').fill('Lyon');
    await form.getByRole('button', { name: 'Créer la fiche' }).click();
    const alert = form.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toBe(
        'L’adresse e-mail n’est pas valide : il faut un @ suivi d’un domaine complet (exemple : prenom.nom@exemple.fr). ' +
          'La rue contient un caractère invisible (tabulation, saut de ligne ou caractère spécial venu d’un copier-coller) : retapez ce texte.',
      );
    expect(await form.getByLabel('E-mail (facultatif)').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: 'test-artifacts/desk-problem-new-caller-1280.png' });

    await form.getByLabel('E-mail (facultatif)').fill('jean.martin@example.fr');
    await form.getByLabel('Rue').fill('8 rue Garibaldi');
    await form.getByRole('button', { name: 'Créer la fiche' }).click();
    await page.getByRole('article', { name: 'Jean Martin' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('says a pasted search is too long, and an e-mail corrected on the card is not valid', async () => {
    const { page, errors } = await openDesk(desk, DESKTOP, { expected: [400] });
    const search = page.getByRole('combobox', { name: /Rechercher un client/ });
    await search.fill(
      `Bonjour, je vous écris au sujet de ma facture ${'et de la borne de recharge '.repeat(4)}`,
    );
    await expect
      .poll(() => page.locator('.search .notice.error').textContent())
      .toBe('La recherche ne peut pas dépasser 100 caractères : raccourcissez ce texte.');

    // The caller the first test created (or created now, should this test run alone).
    await search.fill('07 12 13 14 15');
    const option = page.getByRole('option', { name: /Jean Martin|Nouveau client/ }).first();
    await option.waitFor();
    if (/Nouveau client/.test((await option.textContent()) ?? '')) {
      await option.click();
      const form = page.getByRole('region', { name: 'Nouveau client' });
      await form.getByLabel('Nom').fill('Jean Martin');
      await form.getByRole('button', { name: 'Créer la fiche' }).click();
    } else await option.click();
    const card = page.getByRole('article', { name: 'Jean Martin' });
    await card.getByRole('button', { name: 'Modifier les coordonnées' }).click();
    const contact = page.getByRole('form', { name: 'Coordonnées du client' });
    await contact.getByLabel('E-mail (facultatif)').fill('jean@localhost');
    await contact.getByRole('button', { name: 'Enregistrer' }).click();
    await expect
      .poll(() => contact.getByRole('alert').textContent())
      .toBe(
        'L’adresse e-mail n’est pas valide : il faut un @ suivi d’un domaine complet (exemple : prenom.nom@exemple.fr).',
      );
    expect(await contact.getByLabel('E-mail (facultatif)').getAttribute('aria-invalid')).toBe('true');
    expect(errors).toEqual([]);
  });
});
