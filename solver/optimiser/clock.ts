/**
 * The clock a search budget is measured on. `wall` (the default) is what a
 * caller waits for. `thread-cpu` counts only the CPU time of the calling
 * thread (Linux /proc/thread-self/stat, 10 ms resolution): on a shared,
 * overloaded machine it gives each run the same amount of work whatever
 * else runs, so benchmark figures can be compared between runs. Where the
 * file cannot be read it falls back to the wall clock.
 */
import { readFileSync } from 'node:fs';

export type ClockKind = 'wall' | 'thread-cpu';

export interface Clock {
  kind: ClockKind;
  /** Milliseconds on this clock (arbitrary origin). */
  now(): number;
  /**
   * Wall-clock seconds that match `ms` on this clock at the pace seen so far
   * (the MIP solver only knows wall-clock limits).
   */
  wallSeconds(ms: number): number;
}

/** Wall milliseconds between two reads of the thread's CPU time. */
const READ_EVERY_MS = 1;

/** Clock ticks per second of /proc times: 100 on every mainstream Linux build. */
const TICKS_PER_SECOND = 100;

function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name (which may contain spaces) — utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

export function makeClock(kind: ClockKind = 'wall'): Clock {
  const wallStart = performance.now();
  if (kind === 'thread-cpu' && threadCpuMs() !== undefined) {
    const cpuStart = threadCpuMs()!;
    let last = cpuStart;
    let lastWall = wallStart;
    return {
      kind,
      now: () => {
        const wall = performance.now();
        // The counter moves in 10 ms steps and reading it costs a file read (~10 % of a search that asks
        // every iteration, seen in a profile of bench:vrptw --cpu): read it at most once per wall millisecond.
        if (wall - lastWall < READ_EVERY_MS) return last;
        const cpu = threadCpuMs();
        // Should the file become unreadable, time still moves on (by the wall clock): a search never hangs.
        last = cpu ?? last + (wall - lastWall);
        lastWall = wall;
        return last;
      },
      wallSeconds: (ms) => {
        const cpu = (threadCpuMs() ?? cpuStart) - cpuStart;
        const wall = performance.now() - wallStart;
        // Early on (or at 10 ms resolution) the pace is unknown: assume no contention.
        const pace = cpu >= 50 ? Math.min(100, Math.max(1, wall / cpu)) : 1;
        return (ms * pace) / 1000;
      },
    };
  }
  return { kind: 'wall', now: () => performance.now(), wallSeconds: (ms) => ms / 1000 };
}
