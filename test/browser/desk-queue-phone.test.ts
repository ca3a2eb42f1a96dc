/**
 * The queue on a phone reads like a list: on every request the caller's name follows its kind from
 * the left (spread across the width, a wrapped line put it at the right edge, some names left and
 * some right), and the customer's preferred time sits right under the request's text.
 */
import { describe, expect, it } from 'vitest';
import { PHONE } from './helpers.js';
import { deskSuite, openDesk } from './desk-page.js';
import { postCreated } from './suite.js';

const desk = deskSuite(async () => {
  // As the widget's "Être rappelé" records them (with a preferred time), sent with the agent's token.
  for (const [name, phone, preferredTime] of [
    ['Hélène Vasseur', '06 71 42 18 90', null],
    ['Jo Bas', '06 71 42 18 91', 'mercredi après 16 h'],
    ['Marie-Christine Delacroix-Fontaine', '06 71 42 18 92', null],
  ] as const) {
    await postCreated(desk, '/v1/requests', {
      kind: 'callback',
      name,
      phone,
      message: `Rappeler ${name}`,
      preferredTime,
    });
  }
});

describe('the queue on a phone', () => {
  it('puts every caller’s name right after the request’s kind', async () => {
    const { page, errors } = await openDesk(desk, PHONE);
    const items = page.locator('ul.requests li');
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(3);
    const layout = await items.evaluateAll((lis) =>
      lis.map((li) => {
        const kind = li.querySelector('.kind')!.getBoundingClientRect();
        const name = li.querySelector('strong')!.getBoundingClientRect();
        return {
          text: li.querySelector('strong')!.textContent,
          gap: name.left - kind.right,
          top: name.top - kind.top,
          indent: name.left - kind.left,
        };
      }),
    );
    for (const l of layout) {
      // Beside the kind, or (a long name) at the start of the next line: never out at the right edge.
      if (Math.abs(l.top) < 12) expect(l.gap, l.text!).toBeLessThanOrEqual(12);
      else expect(Math.abs(l.indent), l.text!).toBeLessThanOrEqual(2);
    }
    const jo = items.filter({ hasText: 'Jo Bas' });
    const gap = await jo.evaluate((li) => {
      const text = li.querySelector('.req-text')!.getBoundingClientRect();
      const preferred = [...li.querySelectorAll('p.sub')].find((p) =>
        p.textContent!.startsWith('Préférence'),
      )!;
      return preferred.getBoundingClientRect().top - text.bottom;
    });
    expect(gap).toBeLessThanOrEqual(6);
    await page.screenshot({ path: 'test-artifacts/desk-queue-390.png', fullPage: true });
    expect(errors).toEqual([]);
  });
});
