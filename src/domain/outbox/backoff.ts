/** Retries keep going this long after a message was made, then it is dead-lettered (status failed). */
export const RETRY_WINDOW_MS = 24 * 3_600_000;
const FIRST_DELAY_MS = 5_000;
const LONGEST_DELAY_MS = 2 * 3_600_000;

/**
 * When to try again after `attempts` failed attempts: exponential (5 s, 10 s, 20 s … capped at 2 h)
 * with "equal jitter" (half fixed, half random), so messages failing together do not retry in step
 * against a receiver that is coming back up. null once the next try would fall past `giveUpAt`.
 */
export function nextAttemptAt(
  attempts: number,
  now: Date,
  giveUpAt: Date,
  random: () => number = Math.random,
): Date | null {
  const exponential = Math.min(LONGEST_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  const delay = exponential / 2 + (exponential / 2) * random();
  const next = new Date(now.getTime() + delay);
  return next.getTime() > giveUpAt.getTime() ? null : next;
}
