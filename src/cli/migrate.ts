import { ConfigError, loadConfig } from '../config/index.js';
import { openConfiguredDatabase } from '../app.js';
import { migrate } from '../db/migrate.js';

try {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  try {
    const { applied } = await migrate(database.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(
    error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`,
  );
  process.exit(1);
}
