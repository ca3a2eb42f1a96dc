import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';

export interface CpuTicks {
  steal: number;
  total: number;
  /** Ticks the machine spent working (not idle, not waiting for I/O), both cores together. */
  busy: number;
}

/** Whole-machine CPU counters from /proc/stat: on a shared VM, time stolen by the host explains latency tails. */
export function cpuTicks(): CpuTicks {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { steal: fields[7] ?? 0, total, busy: total - (fields[3] ?? 0) - (fields[4] ?? 0) };
  } catch {
    return { steal: 0, total: 0, busy: 0 };
  }
}

/** Share of the machine's CPU time the host took since `before`, in %. */
export function stealPercent(before: CpuTicks): number {
  const now = cpuTicks();
  return now.total > before.total ? (100 * (now.steal - before.steal)) / (now.total - before.total) : 0;
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (10 ms ticks). On a
 * shared machine a process's own CPU per request is steadier than its requests/s: others' load lengthens
 * the wait, not the work.
 */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** The ids of a process's children (from /proc/<pid>/stat's parent field). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return children;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return children;
}

/** The children of a process whose command name (/proc/<pid>/comm) is `name`, e.g. an instance's outbox process. */
export function childrenNamed(pid: number, name: string): number[] {
  return childPids(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, 'utf8').trim() === name;
    } catch {
      return false; // ended meanwhile
    }
  });
}

/** A process's nice level (its main thread's), NaN once it is gone. */
export function niceOf(pid: number): number {
  try {
    return getPriority(pid);
  } catch {
    return NaN;
  }
}

/** A process's scheduling policy (its main thread's; field 41 of /proc/<pid>/stat: 0 SCHED_OTHER, 5 SCHED_IDLE), NaN once gone. */
export function policyOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
  } catch {
    return NaN;
  }
}

/**
 * CPU time (ms) of a process and of its children now alive (an instance's outbox worker runs in a
 * child process of it, outbox-process.ts). A child that exited in between is not counted.
 */
export function processTreeCpuMs(pid: number): number {
  return childPids(pid).reduce((sum, child) => sum + (processTreeCpuMs(child) || 0), processCpuMs(pid));
}
