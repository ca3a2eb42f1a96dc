import { DateTime } from 'luxon';
import type { Db } from '../../db/database.js';
import { doneVisitsWithoutAnswer, visitsNeedingReminder, wasSent } from '../../db/message-schedule.js';
import { findMessageCompany } from './company.js';
import { insertMessages, type NewMessage } from '../../db/outbox.js';
import { RETRY_WINDOW_MS } from '../outbox/backoff.js';
import { visitEventData } from '../outbox/visit-events.js';
import type { Scheduled } from '../outbox/worker.js';
import type { ScheduledVisit } from '../../db/message-schedule.js';

/** Local hour from which the satisfaction surveys of the day leave. */
export const SURVEY_HOUR = 10;
export const SURVEY_AFTER_DAYS = 2;
export const FOLLOW_UP_AFTER_DAYS = 7;

function emailMessage(
  visit: ScheduledVisit,
  kind: string,
  dedupeKey: string,
  timezone: string,
  now: Date,
  giveUpAt: Date,
): NewMessage {
  return {
    dedupeKey,
    outboxId: null,
    channel: 'email',
    kind,
    aggregate: 'visit',
    aggregateId: visit.id,
    recipient: visit.customer_email!,
    payload: {
      kind,
      visit: visitEventData(
        visit,
        { name: visit.service_name, priceLabel: visit.service_price_label },
        timezone,
      ),
    },
    nextAttemptAt: now,
    giveUpAt,
  };
}

/**
 * Day-before reminders and satisfaction surveys, decided from the visits themselves each time the
 * worker runs (by its clock): a message's dedupe key makes it once-only across runs and instances.
 * - reminder: from the company's reminder hour, for tomorrow's booked visits booked ≥ 24 h ahead;
 *   keyed on the window, so a visit moved to another day gets the reminder of its new day.
 * - survey: from 10:00 on D+2 after the visit was marked done; follow-up on D+7 if still unanswered.
 */
export class MessageSchedule implements Scheduled {
  constructor(private readonly db: Db) {}

  async run(now: Date): Promise<number> {
    // A database with no company yet (started without the demo, not set up): nothing is booked.
    const company = await findMessageCompany(this.db);
    if (!company) return 0;
    const zone = company.timezone;
    const local = DateTime.fromJSDate(now, { zone });
    const messages: NewMessage[] = [];

    if (local.hour >= company.reminderHour) {
      const tomorrow = local.plus({ days: 1 }).startOf('day');
      const visits = await visitsNeedingReminder(
        this.db,
        tomorrow.toJSDate(),
        tomorrow.plus({ days: 1 }).toJSDate(),
      );
      for (const visit of visits) {
        // Useless once the window opened: it dies then rather than after 24 h.
        const giveUp = new Date(Math.min(visit.window_start.getTime(), now.getTime() + RETRY_WINDOW_MS));
        messages.push(
          emailMessage(
            visit,
            'reminder',
            `reminder:${visit.id}:${visit.window_start.getTime()}`,
            zone,
            now,
            giveUp,
          ),
        );
      }
    }

    if (local.hour >= SURVEY_HOUR) {
      const today = local.startOf('day');
      const giveUp = new Date(now.getTime() + RETRY_WINDOW_MS);
      // Done on D = today - 2 (and a few days before, in case the service was down on the day).
      const surveys = await doneVisitsWithoutAnswer(
        this.db,
        today.minus({ days: SURVEY_AFTER_DAYS + 3 }).toJSDate(),
        today.minus({ days: SURVEY_AFTER_DAYS - 1 }).toJSDate(),
      );
      for (const visit of surveys) {
        messages.push(emailMessage(visit, 'survey', `survey:${visit.id}`, zone, now, giveUp));
      }
      const followUps = await doneVisitsWithoutAnswer(
        this.db,
        today.minus({ days: FOLLOW_UP_AFTER_DAYS + 3 }).toJSDate(),
        today.minus({ days: FOLLOW_UP_AFTER_DAYS - 1 }).toJSDate(),
      );
      for (const visit of followUps) {
        if (!(await wasSent(this.db, visit.id, 'survey'))) continue;
        messages.push(
          emailMessage(visit, 'survey_followup', `survey-followup:${visit.id}`, zone, now, giveUp),
        );
      }
    }
    return insertMessages(this.db, messages);
  }
}
