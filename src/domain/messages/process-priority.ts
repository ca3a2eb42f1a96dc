import { readdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The outbox process's name as `top`, `ps -L` and /proc show it (at most 15 characters). */
export const OUTBOX_PROCESS_NAME = 'tournee-outbox';

/**
 * The nice level the outbox process runs at. Its work (composing e-mails, webhooks) may wait a
 * second; a booking may not. At 19 the kernel gives it ~1.5 % of a core against a runnable thread
 * at 0 (weights 15 against 1024), so when the instance's event loop wakes it runs at once, and the
 * outbox takes what the bookings leave.
 */
export const OUTBOX_PROCESS_NICE = 19;

/**
 * Messages waiting longer than this raise the outbox process to the instance's level
 * (OUTBOX_CATCH_UP_NICE) until it has caught up: at nice 19 it gets the CPU nothing else wants,
 * and on a busy host (the bookings' bursts, other work even at nice 5 or 15) that was too little
 * for too long: bench:outbox at 50 bookings/s, commit to delivery p95 2.7 s, 52 s at load 10–20.
 * A second of waiting is what the worker's own gathering and a burst of bookings explain.
 */
export const OUTBOX_CATCH_UP_AFTER_MS = 1_000;
export const OUTBOX_CATCH_UP_NICE = 0;

/** The nice level for the outbox process when its oldest waiting work is `backlogAgeMs` old (undefined: none). */
export function outboxNiceFor(backlogAgeMs: number | undefined): number {
  return backlogAgeMs !== undefined && backlogAgeMs >= OUTBOX_CATCH_UP_AFTER_MS
    ? OUTBOX_CATCH_UP_NICE
    : OUTBOX_PROCESS_NICE;
}

/**
 * Sets every thread of process `pid` to `nice` (Linux: by thread id, as a nice level is a thread's
 * own). Lowering one's priority needs no privilege; raising it needs CAP_SYS_NICE or an RLIMIT_NICE
 * that allows it (systemd LimitNICE=, ulimit -e): without, 'refused'. 'gone' when the process is.
 */
export function setProcessNice(pid: number, nice: number): 'set' | 'refused' | 'gone' {
  let tids: number[];
  try {
    tids = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return 'gone';
  }
  let set = 0;
  for (const tid of tids) {
    try {
      setPriority(tid, nice);
      set++;
    } catch (error) {
      const code = (error as { code?: string; info?: { code?: string } }).info?.code;
      if (code === 'EACCES' || code === 'EPERM') return 'refused';
      // a thread that ended meanwhile
    }
  }
  return set > 0 ? 'set' : 'gone';
}

export interface BackgroundProcess {
  /** The threads lowered (Linux: every thread the process has when called). */
  threads: number;
  /** The nice level set, when it could be set. */
  nice?: number;
}

/**
 * Lowers the scheduling priority of every thread of this process (and names its main thread). On
 * Linux a nice level is a thread's own: setpriority on the process id changes its main thread only,
 * and the threads Node started before any of our code ran (V8's compiler and garbage-collector
 * helpers, libuv's) would stay at the instance's level; so each is lowered by its id. Threads made
 * later inherit the level of the thread that makes them. Lowering one's own priority needs no
 * privilege. Elsewhere (no /proc) the process's level is set, which there covers its threads.
 */
export function runAsBackgroundProcess(name: string, nice: number): BackgroundProcess {
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task').map(Number);
  } catch {
    try {
      setPriority(nice);
      return { threads: 1, nice };
    } catch {
      return { threads: 0 };
    }
  }
  try {
    writeFileSync('/proc/self/comm', name.slice(0, 15));
  } catch {
    // a name is for people reading top; without it the process works the same
  }
  let lowered = 0;
  for (const tid of tids) {
    try {
      setPriority(tid, nice);
      lowered++;
    } catch {
      // a thread that ended meanwhile
    }
  }
  return lowered > 0 ? { threads: lowered, nice } : { threads: 0 };
}
