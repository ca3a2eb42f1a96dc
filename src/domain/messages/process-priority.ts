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
 * The outbox process's nice level by how long its oldest waiting work has waited: 19 (the CPU
 * nothing else wants) while it keeps up; past a second, 10 (CFS weight 110 against 1024 at nice 0:
 * about a tenth of a core the bookings also want, so it takes its share from other background work
 * — on a shared host, tests at nice 5, solvers at 15 — before it takes from bookings); past 10 s, 5;
 * past 30 s, the instance's own level. At nice 19 alone, bench:outbox at 50 bookings/s had commit →
 * delivery p95 at 2.7 s (03:11) and tens of seconds on a busy host; raised to 0 at once after a
 * second, a saturated host's bookings paid for every message (bench:outbox-ab at 8 clients, 05:10,
 * load 14: p95 ratio 1.40 against 1.10 at 19). The levels rise with the age: a backlog that lasts
 * means the host cannot deliver without taking from the bookings, and messages must still go.
 */
export const OUTBOX_CATCH_UP: readonly { afterMs: number; nice: number }[] = [
  { afterMs: 30_000, nice: 0 },
  { afterMs: 10_000, nice: 5 },
  { afterMs: 1_000, nice: 10 },
];

/** The nice level for the outbox process when its oldest waiting work is `backlogAgeMs` old (undefined: none). */
export function outboxNiceFor(backlogAgeMs: number | undefined): number {
  if (backlogAgeMs === undefined) return OUTBOX_PROCESS_NICE;
  return OUTBOX_CATCH_UP.find((step) => backlogAgeMs >= step.afterMs)?.nice ?? OUTBOX_PROCESS_NICE;
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
