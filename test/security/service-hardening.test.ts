import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adminTokenLine, prepareDatabase } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { authenticate } from '../../src/domain/auth.js';
import { buildServer } from '../../src/http/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/** Issue 18 items 3, 4, 7, 9 and the 431 of item 13. */
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tournee-sec-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('bootstrap admin token', () => {
  it('once revoked stays revoked across restarts, and start-up says so in one line', async () => {
    const dataDir = tempDir();
    const token = 'bootstrap-admin-token-for-the-restart-test';
    const config = loadConfig({
      TOURNEE_DATA_DIR: join(dataDir, 'db'),
      TOURNEE_ADMIN_TOKEN: token,
      TOURNEE_DEMO: 'false',
    });
    const first = await prepareDatabase(config);
    expect((await authenticate(first.database.db, token)).ok).toBe(true);
    expect(first.adminTokenRevoked).toBe(false);
    await first.database.db.updateTable('api_tokens').set({ revoked_at: new Date() }).execute();
    await first.database.close();

    const restarted = await prepareDatabase(config);
    try {
      expect(await authenticate(restarted.database.db, token)).toEqual({ ok: false, reason: 'revoked' });
      expect(restarted.adminTokenRevoked).toBe(true);
      const line = adminTokenLine(restarted, config.TOURNEE_DATA_DIR);
      expect(line).toMatch(/revoked/);
      expect(line).not.toContain(token);
      expect(line.split('\n')).toHaveLength(1);
    } finally {
      await restarted.database.close();
    }
  }, 300_000);
});

describe('PGlite data folder', () => {
  it('is 0700 with files 0600, whatever the umask', async () => {
    const dataDir = join(tempDir(), 'data');
    const previous = process.umask(0);
    try {
      const prepared = await prepareDatabase(
        loadConfig({ TOURNEE_DATA_DIR: dataDir, TOURNEE_DEMO: 'false' }),
      );
      await prepared.database.close();
    } finally {
      process.umask(previous);
    }
    const loose: string[] = [];
    const walk = (dir: string) => {
      if ((statSync(dir).mode & 0o777) !== 0o700)
        loose.push(`${dir} ${(statSync(dir).mode & 0o777).toString(8)}`);
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if ((statSync(p).mode & 0o777) !== 0o600)
          loose.push(`${p} ${(statSync(p).mode & 0o777).toString(8)}`);
      }
    };
    walk(dataDir);
    expect(loose.slice(0, 5)).toEqual([]);
  }, 300_000);
});

describe('TOURNEE_TRUST_PROXY', () => {
  let db: TestDatabase;
  afterAll(async () => db?.destroy());

  async function codesFor(env: Record<string, string>): Promise<number[]> {
    db ??= await createTestDatabase({ demo: false });
    const app = await buildServer(
      loadConfig({ TOURNEE_RATE_LIMIT: '2', TOURNEE_PURGE_INTERVAL_MS: '0', ...env }),
      {
        database: db.handle,
        logger: false,
      },
    );
    try {
      const codes: number[] = [];
      // Two customers behind the same proxy (10.0.0.2): two requests each.
      for (const client of ['203.0.113.5', '203.0.113.5', '203.0.113.6', '203.0.113.6'])
        codes.push(
          (
            await app.inject({
              method: 'GET',
              url: '/v1/services',
              remoteAddress: '10.0.0.2',
              headers: { 'x-forwarded-for': client },
            })
          ).statusCode,
        );
      return codes;
    } finally {
      await app.close();
    }
  }

  it('unset: the proxy is the client, everyone behind it shares one bucket', async () => {
    expect(await codesFor({})).toEqual([200, 200, 429, 429]);
  });
  it('a hop count or CIDR list: each customer has their own bucket', async () => {
    expect(await codesFor({ TOURNEE_TRUST_PROXY: '1' })).toEqual([200, 200, 200, 200]);
    expect(await codesFor({ TOURNEE_TRUST_PROXY: '10.0.0.0/8, ::1' })).toEqual([200, 200, 200, 200]);
    // A proxy not in the list is not believed.
    expect(await codesFor({ TOURNEE_TRUST_PROXY: '192.168.0.0/16' })).toEqual([200, 200, 429, 429]);
  });
  it('refuses a value that is neither', () => {
    expect(() => loadConfig({ TOURNEE_TRUST_PROXY: 'yes please' })).toThrow(ConfigError);
    expect(() => loadConfig({ TOURNEE_TRUST_PROXY: '10.0.0.0/40' })).toThrow(ConfigError);
  });
});

describe('slow and oversized requests', () => {
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof buildServer>>;
  let port: number;
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
  });

  async function listening() {
    if (app) return;
    db = await createTestDatabase({ demo: false });
    app = await buildServer(
      loadConfig({
        TOURNEE_REQUEST_TIMEOUT_MS: '1500',
        TOURNEE_HEADERS_TIMEOUT_MS: '1000',
        TOURNEE_KEEPALIVE_TIMEOUT_MS: '500',
        TOURNEE_PURGE_INTERVAL_MS: '0',
      }),
      { database: db.handle, logger: false },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  }

  /** Sends `head` then one byte of `drip` every 200 ms; resolves with what came back and how much was sent. */
  function slowClient(head: string, drip: string): Promise<{ answer: string; sent: number }> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      socket.on('connect', () => {
        socket.write(head);
        timer = setInterval(() => {
          if (sent < drip.length && socket.writable) socket.write(drip[sent++]!);
        }, 200);
      });
      socket.on('data', (d) => (answer += d.toString()));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ answer, sent });
      });
    });
  }

  it('a body trickling in is cut off with 408 problem+json long before it ends', async () => {
    await listening();
    const body = JSON.stringify({ padding: 'x'.repeat(600) });
    const { answer, sent } = await slowClient(
      `POST /v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: slow-body-test-1\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
    );
    expect(sent).toBeLessThan(body.length);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toMatch(/application\/problem\+json/);
  }, 120_000);

  it('headers trickling in are cut off too', async () => {
    await listening();
    const header = 'X-Slow: ' + 'y'.repeat(600) + '\r\n\r\n';
    const { sent, answer } = await slowClient('GET /v1/services HTTP/1.1\r\nHost: x\r\n', header);
    expect(sent).toBeLessThan(header.length);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  }, 120_000);

  it('oversized headers answer 431 as problem+json', async () => {
    await listening();
    const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/v1/services', headers: { 'x-big': 'z'.repeat(40_000) } },
        (r) => {
          let body = '';
          r.on('data', (d) => (body += d));
          r.on('end', () =>
            resolve({ status: r.statusCode!, type: String(r.headers['content-type']), body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(431);
    expect(res.type).toMatch(/application\/problem\+json/);
    expect(JSON.parse(res.body)).toMatchObject({ status: 431 });
  }, 60_000);
});
