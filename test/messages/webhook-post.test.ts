import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../../src/domain/webhooks/http-post.js';

describe('webhook POST', () => {
  let server: Server;
  let base: string;
  const redirected: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/hang') return; // never answers
        if (req.url === '/redirect') return res.writeHead(302, { location: '/elsewhere' }).end();
        if (req.url === '/elsewhere') {
          redirected.push(req.url);
          return res.writeHead(204).end();
        }
        if (req.url === '/long') return res.writeHead(500).end('é'.repeat(3000));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, timeoutMs = 10_000) =>
    postJson(new URL(path, base), { 'content-type': 'application/json' }, '{"a":1}', {
      timeoutMs,
      keepBytes: 1024,
    });

  it('gives up on a receiver that does not answer, as a timeout', async () => {
    await expect(post('/hang', 300)).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('does not follow a redirect', async () => {
    expect((await post('/redirect')).status).toBe(302);
    expect(redirected).toEqual([]);
  });

  it('keeps at most the first 1 KB of the answer, and the next call still goes', async () => {
    const answer = await post('/long');
    expect(answer.status).toBe(500);
    expect(answer.body.length).toBeLessThanOrEqual(1024);
    expect(answer.body).toBe('é'.repeat(512));
    expect(await post('/ok')).toEqual({ status: 200, body: 'ok' });
  });
});
