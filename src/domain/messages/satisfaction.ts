import type { Db } from '../../db/database.js';
import { findScheduledVisit } from '../../db/message-schedule.js';
import { insertSatisfactionAnswer, optOut, satisfactionAnswerOf } from '../../db/satisfaction.js';
import { emailOfOptOutToken, messageLinkSecret, visitOfSurveyToken } from './links.js';

export interface SurveyPage {
  visitId: string;
  locale: 'fr' | 'en';
  reference: string;
  serviceName: string;
  answered: { rating: number } | null;
}

/** The visit behind a survey link, or null for a forged or mangled link. */
export async function openSurvey(db: Db, token: string): Promise<SurveyPage | null> {
  const visitId = visitOfSurveyToken(await messageLinkSecret(db), token);
  if (!visitId) return null;
  const visit = await findScheduledVisit(db, visitId);
  if (!visit || visit.status !== 'done') return null;
  const answer = await satisfactionAnswerOf(db, visitId);
  return {
    visitId,
    locale: visit.locale,
    reference: visit.reference,
    serviceName: visit.service_name,
    answered: answer ? { rating: answer.rating } : null,
  };
}

export type SurveyOutcome = 'stored' | 'already-answered' | 'invalid';

/** Stores the rating and comment once: the link is single-use (a second answer changes nothing). */
export async function answerSurvey(
  db: Db,
  input: { token: string; rating: number; comment: string; now: Date },
): Promise<SurveyOutcome> {
  const survey = await openSurvey(db, input.token);
  if (!survey) return 'invalid';
  const stored = await insertSatisfactionAnswer(db, {
    visitId: survey.visitId,
    rating: input.rating,
    comment: input.comment.trim().slice(0, 2000),
    at: input.now,
  });
  return stored ? 'stored' : 'already-answered';
}

/** One-click unsubscribe from surveys (RFC 8058). false for a forged link. */
export async function unsubscribe(db: Db, token: string, now: Date): Promise<boolean> {
  const email = emailOfOptOutToken(await messageLinkSecret(db), token);
  if (!email) return false;
  await optOut(db, email, now);
  return true;
}

export async function validOptOutToken(db: Db, token: string): Promise<boolean> {
  return emailOfOptOutToken(await messageLinkSecret(db), token) !== null;
}
