import type { Db } from '../../db/database.js';
import { recordOutcomes, type RecordedOutcome } from '../../db/outbox.js';

interface Waiting extends RecordedOutcome {
  resolve(recorded: boolean): void;
  reject(error: unknown): void;
}

/**
 * Records delivery outcomes as a group commit does: outcomes that come in while a write is on its
 * way go together in the next one, so a busy worker writes a few statements a second instead of
 * one per message, and a lone message is still recorded at once. Each caller learns whether its
 * own outcome was recorded (its claim still held).
 */
export class OutcomeBatcher {
  private waiting: Waiting[] = [];
  private writing: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  record(entry: RecordedOutcome): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...entry, resolve, reject });
      this.writing ??= this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    // Let the deliveries finishing in this turn of the event loop join the first write.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        const recorded = await recordOutcomes(this.db, batch);
        for (const entry of batch) entry.resolve(recorded.has(entry.claimed.id));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.writing = undefined;
  }
}
