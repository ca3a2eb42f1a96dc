/** What the desk's browser tests share: the stack with Claire's agent token, the desk opened in a fresh context. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { book, bookingPayload, firstService, slotsFor, type Slot } from '../helpers/booking.js';
import type { Stack } from './helpers.js';
import {
  browserSuite,
  watchedPage,
  type BrowserSuite,
  type SuiteOptions,
  type WatchedPage,
} from './suite.js';

export type DeskPage = WatchedPage;

/**
 * A breakdown visit at 69003 booked on the website, as its customer would (checked created);
 * `pick` chooses its window among the days offered.
 */
export async function bookedOnWebsite(
  stack: Stack,
  customer: { name: string; phone: string; email: string },
  pick: (days: { date: string; windows: Slot[] }[]) => Slot,
): Promise<{
  service: { id: string; name: string };
  booking: { id: string; reference: string; window: Slot };
}> {
  const service = await firstService(stack.app, 'depannage');
  const days = await slotsFor(stack.app, service.id, '69003');
  const res = await book(stack.app, bookingPayload(service.id, pick(days), '69003', { customer }));
  expect(res.statusCode).toBe(201);
  return { service, booking: res.json().booking };
}

/**
 * The stack, Chromium and Claire's agent token for the file (its hooks registered here); `prepare`
 * adds the file's callers and requests once the token is minted.
 */
export function deskSuite(
  prepare?: (desk: BrowserSuite) => Promise<void>,
  options: Omit<SuiteOptions, 'signIn'> = {},
): BrowserSuite {
  return browserSuite({ ...options, signIn: { role: 'agent', name: 'Claire' } }, prepare);
}

/**
 * /desk in a context of its own (closed after the test), errors collected, not signed in yet.
 * `expected` lists the statuses ≥ 400 the test provokes on purpose.
 */
export async function deskPage(
  desk: BrowserSuite,
  viewport: { width: number; height: number },
  options: { query?: string; expected?: number[]; beforeLoad?: (page: Page) => void } = {},
): Promise<DeskPage> {
  const opened = await watchedPage(desk, viewport, 'Europe/Paris', (r) =>
    Boolean(options.expected?.includes(r.status())),
  );
  options.beforeLoad?.(opened.page);
  await opened.page.goto(`${desk.stack.apiOrigin}/desk${options.query ?? ''}`);
  return opened;
}

/** The search box is there once the desk has taken the token. */
export const deskReady = (page: Page) =>
  page.getByRole('combobox', { name: /Rechercher un client/ }).waitFor();

/** /desk as deskPage opens it, the token entered as Claire enters it. */
export async function openDesk(
  desk: BrowserSuite,
  viewport: { width: number; height: number },
  options: { query?: string; expected?: number[] } = {},
): Promise<DeskPage> {
  const opened = await deskPage(desk, viewport, options);
  await opened.page.getByLabel('Jeton d’accès (agent)').fill(desk.token);
  await opened.page.keyboard.press('Enter');
  await deskReady(opened.page);
  return opened;
}
