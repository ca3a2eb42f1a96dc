import type { Db } from '../../src/db/database.js';
import { localDaySpan } from '../../src/domain/booking-problem.js';

/**
 * Every booked visit planned on `date` (the company's day, Paris), as the database has it, in the
 * order of the day; `notStarted` keeps only those still at progress 'planned'.
 */
export function bookedVisitsOn(db: Db, date: string, options: { notStarted?: boolean } = {}) {
  const span = localDaySpan(date, date, 'Europe/Paris');
  return db
    .selectFrom('visits')
    .selectAll()
    .where('status', '=', 'booked')
    .$if(options.notStarted === true, (q) => q.where('progress', '=', 'planned'))
    .where('planned_start', '<', span.to)
    .where('planned_end', '>', span.from)
    .orderBy('planned_start')
    .orderBy('id')
    .execute();
}
