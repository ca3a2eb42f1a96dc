import type { Db } from '../../db/database.js';
import { readOutboxBacklog, type OutboxBacklog } from '../../db/outbox-backlog.js';

/** What waits in the outbox now (the metrics' outbox gauges). */
export function outboxBacklog(db: Db): Promise<OutboxBacklog> {
  return readOutboxBacklog(db);
}
