import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database belongs to one process at a time. A second process opening the same
 * folder (the token CLI while `npm start` runs) gets its own copy in memory: what it writes is
 * never seen by the running service and is lost when that one next writes. The first process
 * leaves its pid in the folder; another live process finds it and is refused.
 */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the embedded database in ${dataDir} is open in another process (pid ${pid})`);
  }
}

const LOCK_FILE = 'tournee.pid';
const holders = new Map<string, number>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Throws DataDirInUseError when another live process holds the folder (a stale pid file is ignored). */
export function assertDataDirFree(dataDir: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim());
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
    throw new DataDirInUseError(dataDir, pid);
}

/** Marks the folder as this process's until the returned release is called (re-entrant in one process). */
export function holdDataDir(dataDir: string): () => void {
  const count = holders.get(dataDir) ?? 0;
  if (count === 0) writeFileSync(join(dataDir, LOCK_FILE), `${process.pid}\n`, { mode: 0o600 });
  holders.set(dataDir, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (holders.get(dataDir) ?? 1) - 1;
    if (left > 0) {
      holders.set(dataDir, left);
      return;
    }
    holders.delete(dataDir);
    try {
      unlinkSync(join(dataDir, LOCK_FILE));
    } catch {
      // already gone: nothing to release
    }
  };
}
