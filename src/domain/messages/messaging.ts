import type { Db } from '../../db/database.js';
import { OutboxWorker, type OutboxWorkerOptions, type WorkerLog } from '../outbox/worker.js';
import { WebhookDeliverer } from '../webhooks/deliver.js';
import { MailDeliverer } from './mail-deliverer.js';
import { MessageSchedule } from './schedule.js';
import { folderTransport, smtpTransport, type MailTransport } from './transport.js';

export interface MessagingOptions {
  smtpUrl?: string;
  mailFrom?: string;
  dataDir: string;
  publicUrl: string;
  allowPrivateWebhooks: boolean;
  leaseMs?: number;
  pollMs?: number;
  pauseMs?: number;
  catchUpAfterMs?: number;
  clock?: () => Date;
  log?: WorkerLog;
  onProgress?: OutboxWorkerOptions['onProgress'];
}

export interface Messaging {
  worker: OutboxWorker;
  mail: MailTransport;
  close(): Promise<void>;
}

/** The outbox worker with its e-mail and webhook deliverers and the reminder/survey schedule. */
export function createMessaging(db: Db, options: MessagingOptions): Messaging {
  const mail = options.smtpUrl ? smtpTransport(options.smtpUrl) : folderTransport(options.dataDir);
  const worker = new OutboxWorker(db, {
    deliverers: {
      email: new MailDeliverer(db, mail, { from: options.mailFrom, publicUrl: options.publicUrl }),
      webhook: new WebhookDeliverer(db, { allowPrivate: options.allowPrivateWebhooks }),
    },
    scheduled: [new MessageSchedule(db)],
    clock: options.clock,
    leaseMs: options.leaseMs,
    pollMs: options.pollMs,
    pauseMs: options.pauseMs,
    catchUpAfterMs: options.catchUpAfterMs,
    log: options.log,
    onProgress: options.onProgress,
  });
  return {
    worker,
    mail,
    async close() {
      await worker.stop();
      mail.close();
    },
  };
}
