import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { onEventEnqueued } from '../outbox/enqueue.js';
import { DEFAULT_OUTBOX_POLL_MS, type WorkerLog } from '../outbox/worker.js';
import { revived, type FromOutbox, type OutboxProcessData, type ToOutbox } from './outbox-channel.js';
import { Gauge } from 'prom-client';
import { registry } from '../../observability/metrics.js';
import {
  OUTBOX_CATCH_UP,
  OUTBOX_PROCESS_NICE,
  outboxLevelFor,
  probeSchedIdle,
  setProcessNice,
  PolicySetter,
  type OutboxLevel,
} from './process-priority.js';

/**
 * A stop waits this long for the run under way, then kills the process (what it was delivering is
 * delivered again after the restart, receivers dedupe): well within main.ts's forced exit 10 s
 * after the drain, so a stuck delivery cannot turn a clean shutdown into exit 1.
 */
const STOP_TIMEOUT_MS = 5_000;
const RESTART_DELAYS_MS = [1_000, 5_000, 30_000];
/**
 * Wakes are sent at most this often: one message over the channel for the events committed
 * meanwhile, not one per booking. The worker gathers 150 ms of events after a wake anyway.
 */
const WAKE_EVERY_MS = 20;
/** How often the instance looks at the outbox's backlog age to set its priority (a comparison; a syscall per thread only on a change). */
const PRIORITY_EVERY_MS = 100;

/** The outbox process's scheduling as the instance last set it (one series at 1: the current one). */
const outboxScheduling = new Gauge({
  name: 'tournee_outbox_process_scheduling',
  help: 'How the outbox process (tournee-outbox) is scheduled now (1; the others 0): policy "idle" (Linux SCHED_IDLE, while it keeps up) or "other" at the nice level it has (19 while it keeps up where SCHED_IDLE is not available; 10, 5, 0 while a backlog is older than 1, 10, 30 s)',
  labelNames: ['policy', 'nice'] as const,
  registers: [registry],
});

/**
 * The outbox worker (e-mails, webhooks, reminders, surveys) in a child process of this instance,
 * on PostgreSQL, every thread of it at nice 19 (outbox-child.ts).
 *
 * It was a worker thread of the instance, itself at nice 19; but a worker thread shares the
 * process's V8 platform threads, which compile (TurboFan) and collect garbage for every isolate of
 * the process, at the instance's priority. bench:outbox-ab at 1 client, with the scheduler's own
 * record (perf sched) of who ran while the booking's threads waited for a CPU: those helper threads
 * used 7.6 ms more CPU per booking with the worker on (14.7 → 22.3 ms) than off, more than the
 * niced thread itself (11.7), and the booking's threads waited behind them more than behind it.
 * In a process of its own, its compiler, collector and libuv threads are its own, at its level.
 *
 * It has its own pool (two connections), so nothing changes for the guarantees: leases, SKIP
 * LOCKED, retries, dead letters are the database's, as with any other instance's worker. A process
 * that dies is started again (1 s, 5 s, then every 30 s); one whose instance dies (even SIGKILLed)
 * sees its channel close and exits at once, as in a crash.
 *
 * While it keeps up its threads run under SCHED_IDLE (Linux, where the instance may take them out
 * of it again: probeSchedIdle), else at nice 19: a booking's thread that wakes takes the CPU from it
 * at once (outboxLevelFor). Its priority rises with the age of what waits: the instance, which
 * always gets the CPU, knows when it committed events the process has not yet seen, and the process
 * tells it after each run since when work has waited; from a second on the instance raises every
 * thread of it to SCHED_OTHER, by nice steps up to its own level (OUTBOX_CATCH_UP), and lowers it
 * again once it has caught up. The process alone could not: starved, it would notice late. Raising
 * needs CAP_SYS_NICE or RLIMIT_NICE; without, it stays at nice 19 (said once in the log).
 */
export class OutboxProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** When the first event of the wake being gathered (WAKE_EVERY_MS) was committed. */
  private gatheringSince: number | undefined;
  /** Wakes sent and not yet seen by the process (their commit times, oldest first). */
  private unseenWakes: number[] = [];
  /** Since when work has waited, as the process last said (undefined: caught up). */
  private backlogSince: number | undefined;
  private priorityTimer: NodeJS.Timeout | undefined;
  /** The level the process runs at: SCHED_OTHER at nice 19 as it sets itself when it starts. */
  private applied: OutboxLevel = OUTBOX_PROCESS_NICE;
  /** A change of level under way (chrt runs as a process of its own). */
  private changing: Promise<void> | undefined;
  private raiseRefused = false;
  /** The kernel refused to take the threads out of SCHED_IDLE (though probeSchedIdle said it would). */
  private leaveRefused = false;
  /** The process's level may not be what `applied` says (it set its own as it started). */
  private resync = false;
  /** When the process last reported (ready, or a run's progress); undefined until it is ready. */
  private heardAt: number | undefined;
  /** Whether SCHED_IDLE may be used (probeSchedIdle, asked once at the first start); until known, nice 19. */
  private schedIdle: 'usable' | 'refused' | 'absent' | undefined;

  private readonly policies = new PolicySetter();
  /** The worker's poll (it runs, and reports, at least this often). */
  private readonly pollMs: number;

  constructor(
    private readonly data: OutboxProcessData,
    private readonly log: WorkerLog,
  ) {
    this.pollMs = data.messaging.pollMs ?? DEFAULT_OUTBOX_POLL_MS;
  }

  /** The running process's id (benchmarks read its CPU). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.child || this.stopping) return;
    this.unsubscribe ??= onEventEnqueued(() => this.wake());
    if (process.platform === 'linux' && this.schedIdle === undefined) {
      void probeSchedIdle().then((answer) => {
        this.schedIdle = answer;
        const steps = OUTBOX_CATCH_UP.map((s) => `nice ${s.nice} past ${s.afterMs / 1000} s`)
          .reverse()
          .join(', ');
        this.log.info(
          { schedIdle: answer },
          answer === 'usable'
            ? `outbox process under SCHED_IDLE while it keeps up (bookings take the CPU from it at once); SCHED_OTHER at ${steps} of backlog`
            : `outbox process at nice 19 while it keeps up: SCHED_IDLE not used (${answer === 'absent' ? 'no chrt (util-linux) on this host' : 'the instance could not take its threads out of it again for the catch-up: that needs CAP_SYS_NICE or RLIMIT_NICE (LimitNICE=)'}); ${steps} of backlog`,
        );
      });
    }
    this.spawn();
  }

  private wake(): void {
    if (this.wakeTimer) return;
    // The wake itself comes 5 ms after the commit (wakeWorkersSoon).
    this.gatheringSince = Date.now() - 5;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      const at = this.gatheringSince!;
      this.gatheringSince = undefined;
      if (this.child?.connected) this.unseenWakes.push(at);
      this.post({ type: 'wake', at });
    }, WAKE_EVERY_MS);
    this.wakeTimer.unref();
  }

  /**
   * How long the oldest work the outbox process has to do has waited (ms), or undefined if none.
   * Besides what this instance committed and what the process said, its silence: once ready it
   * reports after every run, and runs at least every poll, so a process not heard from for longer
   * than that is starved (or in a slow delivery) and counts as behind by the time past it. That is
   * how work this instance did not commit (another instance's events, retries, reminders, a dead
   * worker's lease ending) raises it when the host leaves it no CPU to say so itself: under
   * SCHED_IDLE beside busy threads it may get none for seconds.
   */
  backlogAgeMs(now = Date.now()): number | undefined {
    const quietUntil = this.heardAt === undefined ? Infinity : this.heardAt + this.pollMs;
    const oldest = Math.min(
      this.backlogSince ?? Infinity,
      this.unseenWakes[0] ?? Infinity,
      this.gatheringSince ?? Infinity,
      now > quietUntil ? quietUntil : Infinity,
    );
    return oldest === Infinity ? undefined : Math.max(0, now - oldest);
  }

  /** The process's level now: 'idle' (SCHED_IDLE), or its nice level under SCHED_OTHER (19, or raised while it catches up). */
  get level(): OutboxLevel {
    return this.applied;
  }

  /**
   * What `wanted` comes to here: 'idle' is nice 19 without SCHED_IDLE, and until the process is
   * ready (starting it, modules compiled, is its dearest work: at nice 19 as before); a raise is
   * nice 19 once refused.
   */
  private possible(wanted: OutboxLevel): OutboxLevel {
    if (wanted === 'idle') {
      return this.schedIdle === 'usable' && this.heardAt !== undefined ? 'idle' : OUTBOX_PROCESS_NICE;
    }
    return this.raiseRefused ? OUTBOX_PROCESS_NICE : wanted;
  }

  private adjustPriority(): void {
    const pid = this.child?.pid;
    if (!pid || this.stopping || this.changing || (this.applied === 'idle' && this.leaveRefused)) return;
    const target = this.possible(outboxLevelFor(this.backlogAgeMs()));
    if (target === this.applied && !this.resync) return;
    this.resync = false;
    this.changing = this.apply(pid, target).finally(() => (this.changing = undefined));
  }

  /**
   * Sets every thread of process `pid` to `target`. Its nice level first (under SCHED_IDLE a nice
   * level is kept, unused), then the policy when it changes. Leaving SCHED_IDLE (to the catch-up, or
   * to stop) is what probeSchedIdle found allowed; a nice raise refused leaves it at nice 19.
   */
  private async apply(pid: number, target: OutboxLevel): Promise<void> {
    const nice = target === 'idle' ? OUTBOX_PROCESS_NICE : target;
    const result = setProcessNice(pid, nice);
    if (result === 'gone') return;
    let reached: OutboxLevel = result === 'set' ? nice : OUTBOX_PROCESS_NICE;
    if (result === 'refused') {
      this.raiseRefused = true;
      this.log.info(
        { nice },
        'outbox process kept at nice 19: raising it needs CAP_SYS_NICE or RLIMIT_NICE (LimitNICE=)',
      );
    }
    if (target === 'idle' || this.applied === 'idle') {
      const policy = await this.policies.set(pid, target === 'idle' ? 'idle' : 'other');
      if (policy === 'gone') return;
      if (policy === 'set' && target === 'idle') reached = 'idle';
      if (policy !== 'set') {
        if (target === 'idle') this.schedIdle = policy === 'absent' ? 'absent' : 'refused';
        else {
          reached = 'idle';
          this.leaveRefused = true;
        }
        this.log.warn({ policy, target }, `outbox process: chrt could not set its scheduling (${policy})`);
      }
    }
    if (this.child?.pid !== pid) return; // restarted meanwhile: the new process starts at 19
    this.setApplied(reached);
  }

  private setApplied(level: OutboxLevel): void {
    this.applied = level;
    outboxScheduling.reset();
    outboxScheduling.set(
      {
        policy: level === 'idle' ? 'idle' : 'other',
        nice: String(level === 'idle' ? OUTBOX_PROCESS_NICE : level),
      },
      1,
    );
  }

  private post(message: ToOutbox): void {
    const child = this.child;
    if (child?.connected) child.send(message, (error) => void error);
  }

  private spawn(): void {
    const child = spawnOutbox();
    this.child = child;
    // A new process runs through everything waiting at its start; it sets its own level (19) first.
    this.unseenWakes = [];
    this.backlogSince = undefined;
    this.heardAt = undefined;
    this.resync = false;
    this.setApplied(OUTBOX_PROCESS_NICE);
    if (!this.priorityTimer && process.platform === 'linux') {
      this.priorityTimer = setInterval(() => this.adjustPriority(), PRIORITY_EVERY_MS);
      this.priorityTimer.unref();
    }
    child.on('message', (message: FromOutbox) => {
      if (message.type === 'progress' && this.child === child) {
        this.heardAt = Date.now();
        this.backlogSince = message.backlogSince ?? undefined;
        const seen = message.seenWake;
        if (seen !== null) this.unseenWakes = this.unseenWakes.filter((at) => at > seen);
      }
      if (message.type === 'log') {
        const fields = Object.fromEntries(Object.entries(message.fields).map(([k, v]) => [k, revived(v)]));
        this.log[message.level](fields, message.message);
      }
      if (message.type === 'ready' && this.child === child) {
        this.restarts = 0;
        this.heardAt = Date.now();
        // It lowered itself to nice 19 as it started, before or after a raise the instance made
        // meanwhile: set again whatever it should be.
        this.resync = true;
      }
    });
    child.on('error', (error) =>
      this.log.error(
        { err: String(error), stack: error.stack },
        'outbox process failed; deliveries wait for its restart',
      ),
    );
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.stopping) return;
      this.log.error({ code, signal }, 'outbox process exited; deliveries wait for its restart');
      const delay = RESTART_DELAYS_MS[Math.min(this.restarts++, RESTART_DELAYS_MS.length - 1)]!;
      this.restartTimer = setTimeout(() => this.spawn(), delay);
      this.restartTimer.unref();
    });
    this.post({ type: 'start', data: this.data });
  }

  /** Stops the process after its run in progress has recorded its outcomes (at most 15 s, then it is killed). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.priorityTimer) clearInterval(this.priorityTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.policies.close();
      return;
    }
    // It exits by itself once its run is recorded and its pool closed (outbox-child.ts).
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Under SCHED_IDLE or at nice 19 on a loaded host the process may get no CPU for seconds:
    // stopping is short work that the instance's own shutdown waits for, so it runs at the
    // instance's priority.
    await this.changing;
    const top = this.possible(outboxLevelFor(Infinity));
    if (child.pid && top !== this.applied) await this.apply(child.pid, top);
    this.policies.close();
    this.post({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (late) {
      child.kill('SIGKILL');
      await exited;
    }
    this.child = undefined;
  }
}

function spawnOutbox(): ChildProcess {
  const source = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./outbox-child.${source ? 'ts' : 'js'}`, import.meta.url));
  // Run from TypeScript sources (npm start: node --import tsx; tests): the child registers tsx's
  // loader too. Its flags are its own, not the instance's (a profiler's, a test runner's).
  const execArgv = source
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
    : [];
  return fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
