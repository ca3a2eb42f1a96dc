import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessaging, type Messaging } from '../../src/domain/messages/messaging.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { book, bookingPayload, firstService, slotsFor } from '../helpers/booking.js';
import { startReceiver } from './receiver.js';

describe('webhooks', () => {
  let t: TestApp;
  let messaging: Messaging;
  // Real time plus what the test skips ahead: signatures carry a timestamp the receiver checks against its clock.
  let skipped = 0;

  beforeAll(async () => {
    t = await createTestApp({ env: { TOURNEE_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    messaging = createMessaging(t.testDb.handle.db, {
      dataDir: '/nonexistent-mail-dir',
      publicUrl: 'http://tournee.test',
      allowPrivateWebhooks: true,
      clock: () => new Date(Date.now() + skipped),
    });
  });
  afterAll(async () => {
    await messaging?.close();
    await t?.close();
  });

  it('refuses plain http and private addresses unless allowed', async () => {
    const strict = await createTestApp({ demo: false });
    try {
      for (const url of [
        'http://crm.example.com/hook',
        'https://127.0.0.1/hook',
        'https://10.1.2.3/x',
        'https://localhost/x',
      ]) {
        const res = await strict.app.inject({
          method: 'POST',
          url: '/v1/admin/webhooks',
          headers: bearer(strict.tokens.admin),
          payload: { url, events: ['booking.created'] },
        });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().field).toBe('body.url');
      }
      const ok = await strict.app.inject({
        method: 'POST',
        url: '/v1/admin/webhooks',
        headers: bearer(strict.tokens.admin),
        payload: { url: 'https://crm.example.com/hook', events: ['booking.created'] },
      });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().secret).toMatch(/^whsec_/);
      const list = await strict.app.inject({
        method: 'GET',
        url: '/v1/admin/webhooks',
        headers: bearer(strict.tokens.admin),
      });
      expect(list.json().webhooks).toHaveLength(1);
      expect(JSON.stringify(list.json())).not.toContain('whsec_');
      const agent = await strict.app.inject({
        method: 'GET',
        url: '/v1/admin/webhooks',
        headers: bearer(strict.tokens.agent),
      });
      expect(agent.statusCode).toBe(403);
    } finally {
      await strict.close();
    }
  });

  it('delivers booking.created on the third try after two failures, signed per Standard Webhooks', async () => {
    const receiver = await startReceiver((_call, index) => (index < 2 ? 503 : 204));
    try {
      const sub = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/webhooks',
        headers: bearer(t.tokens.admin),
        payload: { url: receiver.url, events: ['booking.created', 'booking.cancelled'] },
      });
      expect(sub.statusCode).toBe(201);
      const { secret, id: webhookId } = sub.json();

      const service = await firstService(t.app, 'depannage');
      const days = await slotsFor(t.app, service.id, '69003');
      const res = await book(t.app, bookingPayload(service.id, days[1]!.windows[0]!, '69003'));
      expect(res.statusCode).toBe(201);
      const bookingId = res.json().booking.id;

      // Attempt 1 fails; the retry waits for its backoff (nothing happens before it), then fails again, then succeeds.
      await messaging.worker.runOnce();
      expect(receiver.calls).toHaveLength(1);
      await messaging.worker.runOnce();
      expect(receiver.calls).toHaveLength(1);
      skipped += 6_000;
      await messaging.worker.runOnce();
      expect(receiver.calls).toHaveLength(2);
      skipped += 11_000;
      await messaging.worker.runOnce();
      expect(receiver.calls).toHaveLength(3);

      const ids = new Set(receiver.calls.map((c) => c.headers['webhook-id']));
      expect(ids.size).toBe(1);
      const last = receiver.calls[2]!;
      const verified = new Webhook(secret).verify(last.body, last.headers as Record<string, string>) as {
        type: string;
        data: { id: string; reference: string };
      };
      expect(verified.type).toBe('booking.created');
      expect(verified.data.id).toBe(bookingId);
      expect(JSON.stringify(verified)).not.toContain('/manage#');
      // A tampered body does not verify.
      expect(() =>
        new Webhook(secret).verify(
          last.body.replace('booking', 'bookinG'),
          last.headers as Record<string, string>,
        ),
      ).toThrow();

      const trace = await t.app.inject({
        method: 'GET',
        url: `/v1/admin/visits/${bookingId}/messages`,
        headers: bearer(t.tokens.agent),
      });
      const hook = trace.json().messages.find((m: { channel: string }) => m.channel === 'webhook');
      expect(hook).toMatchObject({ status: 'sent', attempts: 3, responseStatus: 204 });

      // Dead letter after 24 h of failures, then replayed by an admin with the same id.
      receiver.calls.length = 0;
      const failing = await startReceiver(() => 500);
      try {
        await t.testDb.handle.db
          .updateTable('webhooks')
          .set({ url: failing.url })
          .where('id', '=', webhookId)
          .execute();
        const cancel = await t.app.inject({
          method: 'POST',
          url: `/v1/bookings/${bookingId}/cancel`,
          headers: bearer(t.tokens.agent),
        });
        expect(cancel.statusCode).toBe(200);
        for (let i = 0; i < 40; i++) {
          await messaging.worker.runOnce();
          skipped += 2 * 3_600_000;
        }
        const failed = await t.app.inject({
          method: 'GET',
          url: '/v1/admin/outbox?status=failed',
          headers: bearer(t.tokens.admin),
        });
        const dead = failed.json().messages.find((m: { kind: string }) => m.kind === 'booking.cancelled');
        expect(dead).toBeDefined();
        expect(dead.responseBody.length).toBeLessThanOrEqual(1024);
        expect(failing.calls.length).toBeGreaterThan(5);
        await t.testDb.handle.db
          .updateTable('webhooks')
          .set({ url: receiver.url })
          .where('id', '=', webhookId)
          .execute();
        const replay = await t.app.inject({
          method: 'POST',
          url: `/v1/admin/outbox/${dead.id}/replay`,
          headers: bearer(t.tokens.admin),
        });
        expect(replay.statusCode).toBe(200);
        await messaging.worker.runOnce();
        expect(receiver.calls.map((c) => c.headers['webhook-id'])).toEqual([dead.id]);
        skipped = 0;
      } finally {
        await failing.close();
      }
    } finally {
      await receiver.close();
    }
  });
});
