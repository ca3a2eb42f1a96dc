import type { Transaction } from 'kysely';
import type { Db } from './database.js';
import type { Database, WebhookRow } from './schema.js';

type Executor = Db | Transaction<Database>;

export async function insertWebhook(
  db: Executor,
  webhook: { url: string; events: string[]; secret: string },
): Promise<WebhookRow> {
  return db.insertInto('webhooks').values(webhook).returningAll().executeTakeFirstOrThrow();
}

export async function listWebhooks(db: Executor): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

/** Subscriptions that want this event type. */
export async function webhooksFor(db: Executor, eventType: string): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where((eb) => eb(eb.val(eventType), '=', eb.fn.any('events')))
    .execute();
}

export async function findWebhook(db: Executor, id: string): Promise<WebhookRow | undefined> {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Several subscriptions in one query (a batch of webhook messages). */
export async function findWebhooks(db: Executor, ids: string[]): Promise<WebhookRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('webhooks').selectAll().where('id', 'in', ids).execute();
}

/** Soft delete: messages already made keep their trace; no new message is made for it. */
export async function deleteWebhook(db: Executor, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('webhooks')
    .set({ deleted_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
