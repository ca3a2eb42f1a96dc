import type { Config } from '../config/index.js';
import type { DatabaseHandle, Db } from '../db/database.js';

/** What every route plugin receives: configuration and the database. */
export interface AppContext {
  config: Config;
  db: Db;
  database: DatabaseHandle;
  /** Base URL used to build absolute links (manage, .ics, feeds). */
  publicUrl: string;
  /** The current instant (pinned in tests). */
  clock: () => Date;
}
