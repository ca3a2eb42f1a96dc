import { findWebhook, findWebhooks } from '../../db/webhooks.js';
import type { Db } from '../../db/database.js';
import type { MessageRow, WebhookRow } from '../../db/schema.js';
import type { Attempt, Deliverer } from '../outbox/delivery.js';
import { checkWebhookUrl, resolvesPublicly } from './address-guard.js';
import { postJson } from './http-post.js';
import { signatureHeaders } from './signature.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Response bodies are kept for the trace up to this size, never more. */
export const KEPT_RESPONSE_BYTES = 1024;

/** Signed POSTs (Standard Webhooks) to the subscriptions' URLs. */
export class WebhookDeliverer implements Deliverer<Map<string, WebhookRow>> {
  constructor(
    private readonly db: Db,
    private readonly options: { allowPrivate: boolean; timeoutMs?: number },
  ) {}

  /** The batch's subscriptions in one query. */
  async prepare(messages: MessageRow[]): Promise<Map<string, WebhookRow>> {
    const ids = [...new Set(messages.flatMap((m) => (m.webhook_id ? [m.webhook_id] : [])))];
    return new Map((await findWebhooks(this.db, ids)).map((w) => [w.id, w]));
  }

  async deliver(message: MessageRow, now: Date, prepared?: Map<string, WebhookRow>): Promise<Attempt> {
    const webhook = !message.webhook_id
      ? undefined
      : prepared
        ? prepared.get(message.webhook_id)
        : await findWebhook(this.db, message.webhook_id);
    if (!webhook || webhook.deleted_at) return { outcome: 'skipped', reason: 'subscription deleted' };
    const rule = checkWebhookUrl(webhook.url, this.options.allowPrivate);
    if (!rule.ok) return { outcome: 'failed', error: `url ${rule.reason}` };
    if (!this.options.allowPrivate) {
      const resolved = await resolvesPublicly(webhook.url);
      if (!resolved.ok) return { outcome: 'retry', error: `url ${resolved.reason}` };
    }
    const body = JSON.stringify(message.payload);
    try {
      // A redirect could lead into the private network: postJson follows none (a 3xx is a failure).
      const answer = await postJson(
        new URL(webhook.url),
        {
          'content-type': 'application/json',
          'user-agent': 'Tournee-Webhooks/1',
          ...signatureHeaders(webhook.secret, message.id, body, now),
        },
        body,
        { timeoutMs: this.options.timeoutMs ?? WEBHOOK_TIMEOUT_MS, keepBytes: KEPT_RESPONSE_BYTES },
      );
      if (answer.status >= 200 && answer.status < 300) {
        return { outcome: 'sent', responseStatus: answer.status, responseBody: answer.body };
      }
      return {
        outcome: 'retry',
        error: `HTTP ${answer.status}`,
        responseStatus: answer.status,
        responseBody: answer.body,
      };
    } catch (error) {
      const name = (error as Error).name;
      return {
        outcome: 'retry',
        error: name === 'TimeoutError' ? 'timed out after 10 s' : `network: ${(error as Error).message}`,
      };
    }
  }
}
