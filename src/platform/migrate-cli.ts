// `npm run db:migrate`: create the database if needed, then apply pending migrations.
import { loadConfig, ConfigError } from '../config.js';
import { ensureDatabase, migrate } from './migrate.js';

try {
  const config = loadConfig();
  await ensureDatabase(config.DATABASE_URL, console.log);
  const result = await migrate(config.DATABASE_URL, console.log);
  console.log(
    result.applied.length === 0
      ? `database is up to date (${result.alreadyApplied} migrations applied)`
      : `applied ${result.applied.length} migration(s)`,
  );
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`);
  process.exit(1);
}
