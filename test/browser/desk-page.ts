/** What the desk's newer browser tests share: the desk opened with an agent token in a fresh context. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApiToken } from '../../src/domain/auth.js';
import type { Stack } from './helpers.js';

export interface DeskPage {
  page: Page;
  context: BrowserContext;
  /** Page errors, console errors and answers ≥ 400 other than `expected` statuses. */
  errors: string[];
}

export async function agentToken(stack: Stack): Promise<string> {
  return (await createApiToken(stack.testDb.handle.db, 'agent', 'Claire')).token;
}

/** /desk in its own context (closed by the caller), the token entered as Claire enters it. */
export async function openDesk(
  browser: Browser,
  stack: Stack,
  token: string,
  viewport: { width: number; height: number },
  options: { query?: string; expected?: number[] } = {},
): Promise<DeskPage> {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on(
    'console',
    (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && errors.push(m.text()),
  );
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico') && !options.expected?.includes(r.status()))
      errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${stack.apiOrigin}/desk${options.query ?? ''}`);
  await page.getByLabel('Jeton d’accès (agent)').fill(token);
  await page.keyboard.press('Enter');
  await page.getByRole('combobox', { name: /Rechercher un client/ }).waitFor();
  return { page, context, errors };
}
