import { readlinkSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The outbox thread's name as `top -H`, `ps -L` and /proc show it (at most 15 characters). */
export const OUTBOX_THREAD_NAME = 'tournee-outbox';

/**
 * The nice level the outbox thread runs at. Its work (composing e-mails, webhooks) may wait a
 * second; a booking may not. At 19 the kernel gives it ~1.5 % of a core against a runnable thread
 * of this process at 0 (weights 15 against 1024), so when the event loop serving requests wakes
 * it runs at once, and the outbox takes what the bookings leave.
 */
export const OUTBOX_THREAD_NICE = 19;

export interface BackgroundThread {
  /** The kernel's id of this thread, when the platform tells it (Linux). */
  tid?: number;
  /** The nice level set, when it could be set. */
  nice?: number;
}

/**
 * Names the calling thread and lowers its scheduling priority, on Linux, where the nice level is a
 * thread's own (setpriority on a thread id applies to that thread only). Lowering one's own
 * priority needs no privilege. Elsewhere (or without /proc) it does nothing: the thread then runs
 * at the process's priority. With autogroups (a desktop kernel's default) nice weighs threads of
 * one session against each other only: other processes' share, PostgreSQL's included, is unchanged.
 */
export function runAsBackgroundThread(name: string, nice: number): BackgroundThread {
  let tid: number;
  try {
    // /proc/thread-self is a link to /proc/<pid>/task/<tid> of the thread reading it.
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return {};
  } catch {
    return {};
  }
  try {
    writeFileSync(`/proc/thread-self/comm`, name.slice(0, 15));
  } catch {
    // a name is for people reading top; without it the thread works the same
  }
  try {
    setPriority(tid, nice);
    return { tid, nice };
  } catch {
    return { tid };
  }
}
