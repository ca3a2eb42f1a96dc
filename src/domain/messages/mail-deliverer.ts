import type { Db } from '../../db/database.js';
import { findScheduledVisit } from '../../db/message-schedule.js';
import { messageCompany, type MessageCompany } from './company.js';
import { hasOptedOut, satisfactionAnswerOf } from '../../db/satisfaction.js';
import type { MessageRow } from '../../db/schema.js';
import type { Attempt, Deliverer } from '../outbox/delivery.js';
import type { VisitEventData } from '../outbox/visit-events.js';
import { customerMail } from './customer-mail.js';
import { messageLinkSecret, optOutToken, surveyToken } from './links.js';
import type { EmailKind } from './templates.js';
import { PermanentMailError, type MailTransport } from './transport.js';

export interface MailSettings {
  /** The From address, "Name <address>" or a bare address; also the invitation's ORGANIZER. */
  from?: string;
  publicUrl: string;
}

interface EmailPayload {
  kind: EmailKind;
  visit: VisitEventData;
  manageUrl?: string;
}

const TRANSACTIONAL: ReadonlySet<EmailKind> = new Set(['confirmation', 'change', 'cancellation', 'reminder']);

/**
 * E-mails to customers: composed at delivery from the message's snapshot of the visit, French
 * unless the booking's locale is en, text + HTML, with the calendar invitation for confirmations,
 * changes and cancellations. Reminders and surveys are checked against the visit as it is now.
 */
export class MailDeliverer implements Deliverer {
  private company: { value: MessageCompany; at: number } | undefined;
  private readonly host: string;

  constructor(
    private readonly db: Db,
    private readonly transport: MailTransport,
    private readonly settings: MailSettings,
  ) {
    this.host = new URL(settings.publicUrl).hostname;
  }

  private async companyNow(now: Date): Promise<MessageCompany> {
    if (!this.company || now.getTime() - this.company.at > 10_000 || now.getTime() < this.company.at) {
      this.company = { value: await messageCompany(this.db), at: now.getTime() };
    }
    return this.company.value;
  }

  /** Whether a scheduled message still makes sense (the visit may have been cancelled, moved or answered since). */
  private async stillWanted(kind: EmailKind, payload: EmailPayload, to: string): Promise<string | null> {
    if (kind === 'reminder') {
      const visit = await findScheduledVisit(this.db, payload.visit.id);
      if (!visit || visit.status !== 'booked') return 'visit no longer booked';
      if (Date.parse(payload.visit.window.start) !== visit.window_start.getTime()) return 'visit moved';
    }
    if (kind === 'survey' || kind === 'survey_followup') {
      if (await satisfactionAnswerOf(this.db, payload.visit.id)) return 'already answered';
      if (await hasOptedOut(this.db, to)) return 'customer opted out';
    }
    return null;
  }

  async deliver(message: MessageRow, now: Date): Promise<Attempt> {
    const payload = message.payload as unknown as EmailPayload;
    const kind = payload.kind;
    try {
      const unwanted = await this.stillWanted(kind, payload, message.recipient);
      if (unwanted) return { outcome: 'skipped', reason: unwanted };
      const company = await this.companyNow(now);
      const from = this.settings.from ?? `${company.name} <noreply@${this.host}>`;
      const transactional = TRANSACTIONAL.has(kind);
      let ratingUrls: string[] | undefined;
      let unsubscribeUrl: string | undefined;
      if (!transactional) {
        const secret = await messageLinkSecret(this.db);
        const token = surveyToken(secret, payload.visit.id);
        ratingUrls = [1, 2, 3, 4, 5].map(
          (n) => `${this.settings.publicUrl}/satisfaction?t=${token}&note=${n}`,
        );
        unsubscribeUrl = `${this.settings.publicUrl}/unsubscribe?t=${optOutToken(secret, message.recipient)}`;
      }
      const mail = customerMail({
        kind,
        visit: payload.visit,
        company,
        from,
        recipient: message.recipient,
        messageId: `<${message.id}@${this.host}>`,
        publicUrl: this.settings.publicUrl,
        manageUrl: payload.manageUrl,
        ratingUrls,
        unsubscribeUrl,
        now,
      });
      await this.transport.send(mail);
      // The manage link is a secret: once the e-mail left, the trace does not keep it.
      const { manageUrl, ...kept } = payload;
      return { outcome: 'sent', ...(manageUrl ? { payload: { ...kept, manageLinkSent: true } } : {}) };
    } catch (error) {
      if (error instanceof PermanentMailError) return { outcome: 'failed', error: error.message };
      return { outcome: 'retry', error: (error as Error).message };
    }
  }
}
