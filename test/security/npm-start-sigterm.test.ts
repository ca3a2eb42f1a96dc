import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceProcess } from '../helpers/service-process.js';

/**
 * Issue 18 item 6: SIGTERM sent to what `npm start` started reaches the
 * server, which finishes the request in flight, closes, and exits; nothing
 * keeps serving behind npm's back.
 */
const url = process.env.DATABASE_URL;
const schema = `t_sigterm_${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe.skipIf(!url)('npm start and SIGTERM', () => {
  it('drains the request in flight, closes, and leaves nothing listening', async () => {
    const service = await startServiceProcess(
      {
        DATABASE_URL: url!,
        TOURNEE_DB_SCHEMA: schema,
        TOURNEE_DEMO: 'false',
        TOURNEE_PURGE_INTERVAL_MS: '0',
      },
      'npm',
    );
    const { port, exited } = service;

    // A request in flight: headers sent, body not yet complete.
    const body = JSON.stringify({ serviceId: 'not-a-uuid' });
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    const answered = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write(
      `POST /v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: sigterm-test-1\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await new Promise((r) => setTimeout(r, 300));

    service.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.end(body.slice(5));
    await answered;
    // The request that was in flight got its answer (a 400 for the bad id), not a reset connection.
    expect(answer).toMatch(/^HTTP\/1\.1 400/);

    // npm re-raises the signal its script ended on, or exits 0: either way it is gone…
    expect(['SIGTERM', 'code 0']).toContain(await exited);
    // …and so is the server: nothing answers on its port any more.
    expect(await portAnswers(port)).toBe(false);
  }, 240_000);
});
