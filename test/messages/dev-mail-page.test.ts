import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessaging } from '../../src/domain/messages/messaging.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';
import { drainOutbox } from '../helpers/outbox.js';

/** /dev/mail as the demo's visitor meets it: first empty, then with the confirmation of their booking. */
describe('/dev/mail, the demo e-mail preview', () => {
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tournee-dev-mail-'));
    t = await createTestApp({ env: { TOURNEE_DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('asks for an admin token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/dev/mail' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const planner = await t.app.inject({
      method: 'GET',
      url: '/dev/mail',
      headers: bearer(t.tokens.planner),
    });
    expect(planner.statusCode).toBe(403);
  });

  it('empty, it says where to book to see one; after a booking it lists the confirmation', async () => {
    const empty = await t.app.inject({ method: 'GET', url: '/dev/mail', headers: bearer(t.tokens.admin) });
    expect(empty.statusCode).toBe(200);
    // The demo visitor who opens the preview first is told what to do, with the way there.
    expect(empty.body).toContain('Aucun e-mail pour l’instant');
    expect(empty.body).toMatch(
      /<a href="\/#rendez-vous"[^>]*>Prenez un rendez-vous sur la page de démo<\/a>/,
    );

    const service = await firstService(t.app, 'depannage');
    const window = (await slotsFor(t.app, service.id, '69003'))[1]!.windows[0]!;
    const booked = await book(t.app, bookingPayload(service.id, window, '69003'));
    expect(booked.statusCode).toBe(201);
    const { reference } = (booked.json() as { booking: { reference: string } }).booking;
    const messaging = createMessaging(t.testDb.handle.db, {
      dataDir,
      publicUrl: 'http://tournee.test',
      allowPrivateWebhooks: false,
      clock: () => new Date(),
    });
    try {
      await drainOutbox(messaging);
    } finally {
      await messaging.close();
    }

    const listed = await t.app.inject({
      method: 'GET',
      url: `/dev/mail?token=${encodeURIComponent(t.tokens.admin)}`,
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain('Aucun e-mail pour l’instant');
    expect(listed.body).toMatch(new RegExp(`Rendez-vous confirmé[^<]*\\(${reference}\\)`));
  });
});
