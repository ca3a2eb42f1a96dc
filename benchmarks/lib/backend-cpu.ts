import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database.js';
import { processCpuMs } from './machine.js';

/**
 * CPU time of the PostgreSQL backends serving the connections named `applicationName` (every
 * instance of a cluster), over a phase. Backends come and go with the pools, so they are listed and
 * read every `everyMs`: one that opens during the phase counts from zero (its start-up is the phase's
 * work), one that closes keeps what it was last seen at (at most `everyMs` of its work is lost; pools
 * keep idle connections 30 s).
 */
export class BackendCpu {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: DatabaseHandle,
    private readonly applicationName: string,
    private readonly everyMs = 250,
  ) {}

  private async sample(first: boolean): Promise<void> {
    const { rows } = await sql<{ pid: number }>`
      SELECT pid FROM pg_stat_activity WHERE application_name = ${this.applicationName}`.execute(
      this.handle.db,
    );
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (Number.isNaN(ms)) continue;
      if (!this.base.has(pid)) this.base.set(pid, first ? ms : 0);
      this.last.set(pid, ms);
    }
  }

  async start(): Promise<void> {
    await this.sample(true);
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample(false)).catch(() => undefined);
    }, this.everyMs);
  }

  /** Milliseconds of CPU the backends used since start(). */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    let total = 0;
    for (const [pid, ms] of this.last) total += ms - (this.base.get(pid) ?? 0);
    return total;
  }
}
