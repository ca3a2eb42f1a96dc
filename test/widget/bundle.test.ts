import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidgetBundle, gzipSize, WIDGET_GZIP_BUDGET } from '../../src/widget/build.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('widget bundle', () => {
  it('is one ES module under the 25 kB gzip budget, with no eval and no dynamic code', async () => {
    const code = await buildWidgetBundle();
    expect(gzipSize(code)).toBeLessThan(WIDGET_GZIP_BUDGET);
    expect(code).not.toMatch(/\beval\(|new Function\(/);
    expect(code).toContain('customElements.define("tournee-booking"');
    // No dynamic imports: one file, one request.
    expect(code).not.toMatch(/\bimport\(/);
  });
});

describe('GET /widget.js and the demo site', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ demo: false });
  });
  afterAll(async () => t?.close());

  it('serves the module to any site with a strong ETag, cache headers and cross-origin permission', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { origin: 'https://not-listed.example' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);

    const again = await t.app.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves the demo site: the widget by one external module script, no inline script, the company phone', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain('type="module" src="/widget.js"');
    expect(scripts[0]![2]).toBe('');
    expect(html).toContain('<tournee-booking');
    expect(html).toContain('04 78 00 12 34');
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers either
  });

  it('serves the manage page: the widget in manage mode, not indexed, the token never in the URL path', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/manage' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<tournee-booking manage');
    expect(res.body).toContain('<meta name="robots" content="noindex">');
    expect([...res.body.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1])).toEqual(['']);
  });
});
