import type { Interval } from '../../solver/problem.js';
import type { WindowGridEntry } from '../db/schema.js';
import { addDays, instantAt, localDateOf, localIso } from './local-time.js';

export interface WindowRules {
  timezone: string;
  grid: WindowGridEntry[];
  /** Length of the service's arrival window, minutes. */
  windowMinutes: number;
  minNoticeMinutes: number;
  /** Last bookable day, counted from today (the smaller of the service's and the company's horizon). */
  horizonDays: number;
}

const dayWindowCache = new Map<string, Interval[]>();

/** One day's grid windows for a window length: pure, so kept (every slot request asks for the same days). */
function dayWindows(rules: WindowRules, day: string): Interval[] {
  const key = `${rules.timezone}|${rules.windowMinutes}|${day}|${rules.grid.map((g) => `${g.start}-${g.end}`).join(',')}`;
  let windows = dayWindowCache.get(key);
  if (!windows) {
    const gridEnd = rules.grid.reduce((max, g) => (g.end > max ? g.end : max), '00:00');
    const dayEnd = instantAt(day, gridEnd, rules.timezone);
    windows = [];
    for (const entry of rules.grid) {
      const start = instantAt(day, entry.start, rules.timezone);
      const end = start + rules.windowMinutes * 60;
      if (end <= dayEnd) windows.push({ start, end });
    }
    if (dayWindowCache.size > 20_000) dayWindowCache.clear();
    dayWindowCache.set(key, windows);
  }
  return windows;
}

/**
 * The arrival windows a customer may be offered between two local dates
 * (inclusive), as Unix-second intervals: one window per grid start, of the
 * service's length, never past the day's last grid end, respecting the
 * minimum notice and the horizon. Built from local wall-clock times, so
 * 08:00–10:00 stays 08:00–10:00 on clock-change days.
 */
export function candidateWindows(
  rules: WindowRules,
  fromDate: string,
  toDate: string,
  now: Date,
  ignoreNotice = false,
): Interval[] {
  const zone = rules.timezone;
  const nowSeconds = now.getTime() / 1000;
  const today = localDateOf(nowSeconds, zone);
  const earliestStart = ignoreNotice ? nowSeconds : nowSeconds + rules.minNoticeMinutes * 60;
  const lastDay = addDays(today, rules.horizonDays);
  const last = toDate < lastDay ? toDate : lastDay;
  const windows: Interval[] = [];
  for (let day = fromDate > today ? fromDate : today; day <= last; day = addDays(day, 1)) {
    for (const w of dayWindows(rules, day))
      if (w.start >= earliestStart) windows.push({ start: w.start, end: w.end });
  }
  return windows;
}

export interface DayOfWindows {
  date: string;
  /**
   * `needsMoves`: offered by moving booked visits (make-room); the booking re-runs it under the locks.
   * `withinChangeCutoff`: starts within the customers' change cut-off (see markChangeCutoff).
   */
  windows: { start: string; end: string; needsMoves?: true; withinChangeCutoff?: true }[];
}

/** Groups windows by local day, in time order, without duplicates. */
export function groupByDay(windows: Interval[], timezone: string): DayOfWindows[] {
  const unique = new Map<string, Interval>();
  for (const w of windows) unique.set(`${w.start}-${w.end}`, w);
  const days = new Map<string, DayOfWindows>();
  for (const w of [...unique.values()].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const date = localDateOf(w.start, timezone);
    const day = days.get(date) ?? { date, windows: [] };
    day.windows.push({ start: localIso(w.start, timezone), end: localIso(w.end, timezone) });
    days.set(date, day);
  }
  return [...days.values()];
}
