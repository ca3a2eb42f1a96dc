import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { Readable, Writable } from 'node:stream';

/** The outbox process's name as `top`, `ps -L` and /proc show it (at most 15 characters). */
export const OUTBOX_PROCESS_NAME = 'tournee-outbox';

/**
 * The nice level the outbox process runs at while it keeps up (and starts at). Its work (composing
 * e-mails, webhooks) may wait a second; a booking may not. At 19 the kernel gives it ~1.5 % of a
 * core against a runnable thread at 0 (weights 15 against 1024). On Linux the instance also puts
 * it under SCHED_IDLE where it can (outboxLevelFor), where a nice level is kept but unused.
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

/**
 * How the outbox process's threads are scheduled: 'idle' while it keeps up — SCHED_IDLE on Linux
 * where the instance can take it out again (else nice 19) — or SCHED_OTHER at a nice level while it
 * catches up (OUTBOX_CATCH_UP).
 *
 * Why SCHED_IDLE and not nice 19 alone: the kernel's EEVDF scheduler (Linux 6.6 on) lets a running
 * nice-19 task finish its slice before a nice-0 task that wakes up gets the CPU, so a booking's
 * thread (or its PostgreSQL backend) woken by a reply waited behind the outbox for up to a slice
 * (bench:outbox-ab --sched-trace: ~85 % of the bookings' waits behind the outbox were behind its
 * process). A waking SCHED_OTHER task preempts a SCHED_IDLE one at once, and a CPU running only
 * SCHED_IDLE tasks counts as idle when the kernel places a waking task.
 */
export type OutboxLevel = 'idle' | number;

/** The level for the outbox process when its oldest waiting work is `backlogAgeMs` old (undefined: none). */
export function outboxLevelFor(backlogAgeMs: number | undefined): OutboxLevel {
  if (backlogAgeMs === undefined) return 'idle';
  return OUTBOX_CATCH_UP.find((step) => backlogAgeMs >= step.afterMs)?.nice ?? 'idle';
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

export type PolicyResult = 'set' | 'refused' | 'gone' | 'absent';

/**
 * The policy of every thread of a process (`chrt --all-tasks`): 'idle' (SCHED_IDLE) or 'other'
 * (SCHED_OTHER, at the threads' nice levels). Node has no sched_setscheduler, so util-linux's chrt
 * does it; threads made later inherit the policy of the thread that makes them.
 *
 * Through a small shell started once, which runs chrt for each line it reads, rather than a chrt
 * spawned by the instance for each change: spawning forks the instance, and a fork of a Node
 * process of ~270 MB cost 6-8 ms of its main thread's CPU (child_process.execFile, measured on this
 * host), held up every request meanwhile. The shell is a few hundred kilobytes to fork. It runs at
 * the instance's priority (it must raise a starved outbox at once), reads its lines in order, and
 * ends with its input: when the instance closes it, or dies.
 */
export class PolicySetter {
  private shell: ChildProcessByStdio<Writable, Readable, null> | undefined;
  private readonly waiting: ((result: PolicyResult) => void)[] = [];
  private buffered = '';

  /** 'absent' without chrt (or sh), 'refused' when the kernel says no (leaving SCHED_IDLE: probeSchedIdle), 'gone' with the process. */
  set(pid: number, policy: 'idle' | 'other'): Promise<PolicyResult> {
    const shell = this.started();
    if (!shell) return Promise.resolve('absent');
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      shell.stdin.write(`${policy} ${pid}\n`);
    });
  }

  close(): void {
    this.shell?.stdin.end();
    this.shell = undefined;
  }

  private started() {
    if (this.shell) return this.shell;
    let shell: ChildProcessByStdio<Writable, Readable, null>;
    try {
      shell = spawn('sh', ['-c', POLICY_SHELL], { stdio: ['pipe', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
    const ended = () => {
      if (this.shell === shell) this.shell = undefined;
      for (const resolve of this.waiting.splice(0)) resolve('absent');
    };
    shell.on('error', ended);
    shell.on('exit', ended);
    shell.stdin.on('error', () => undefined);
    shell.stdout.setEncoding('utf8');
    shell.stdout.on('data', (chunk: string) => {
      const lines = (this.buffered + chunk).split('\n');
      this.buffered = lines.pop()!;
      for (const line of lines) this.waiting.shift()?.(line as PolicyResult);
    });
    // Neither keeps the instance alive: it exits when its work is done, the shell with it.
    shell.unref();
    (shell.stdin as unknown as { unref?: () => void }).unref?.();
    (shell.stdout as unknown as { unref?: () => void }).unref?.();
    this.shell = shell;
    return shell;
  }
}

/** Reads "idle|other <pid>" lines, answers each with set, refused, gone or absent. */
const POLICY_SHELL = `command -v chrt >/dev/null 2>&1 || { while read -r policy pid; do echo absent; done; exit; }
while read -r policy pid; do
  if chrt "--$policy" --all-tasks --pid 0 "$pid" >/dev/null 2>&1; then echo set
  elif [ -d "/proc/$pid/task" ]; then echo refused
  else echo gone; fi
done`;

/**
 * Whether this process may put the outbox's threads under SCHED_IDLE: only if it can take them out
 * again for the catch-up. Entering SCHED_IDLE needs no privilege, leaving it does: the kernel allows
 * it with CAP_SYS_NICE, or with an RLIMIT_NICE that allows the thread's nice level (19: LimitNICE=
 * of 1 or more; the catch-up's nice 10 needs 10 anyway). Without, a thread under SCHED_IDLE would
 * stay there whatever its backlog's age, at a fifth of nice 19's weight on a busy host (3 against
 * 15), so the outbox keeps nice 19 alone. Asked of the kernel itself, by a throwaway process that
 * starts at nice 19 under SCHED_IDLE and asks for SCHED_OTHER (as the instance will ask for the
 * outbox's threads; the child inherits its rights and limits). 'absent': no chrt (or no sh).
 */
export function probeSchedIdle(): Promise<'usable' | 'refused' | 'absent'> {
  return new Promise((resolve) => {
    execFile(
      'chrt',
      ['--idle', '0', 'nice', '-n', '19', 'sh', '-c', 'exec chrt --other --pid 0 $$'],
      { timeout: 5_000 },
      (error) => {
        if (!error) resolve('usable');
        else if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error.code === 127) resolve('absent');
        else resolve('refused');
      },
    );
  });
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
