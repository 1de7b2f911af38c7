// `npm run db:migrate` (and the Kubernetes migration Job, the compose `migrate` service): create
// the database if needed, then apply pending migrations. Every line is a JSON log line like the
// API's, so log pipelines parse them alike.
import pino from 'pino';
import { loadConfig, ConfigError } from '../config.js';
import { loggerOptions } from './logger.js';
import { ensureDatabase, migrate } from './migrate.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  pino(loggerOptions('info', true)).fatal(
    error instanceof ConfigError ? { problems: error.problems } : { err: error },
    'invalid configuration',
  );
  process.exit(1);
}
const log = pino(loggerOptions(config.LOG_LEVEL, config.production, config.LOG_FORMAT)).child({ component: 'migrate' });
try {
  await ensureDatabase(config.DATABASE_URL, (m) => log.info(m));
  const result = await migrate(config.DATABASE_URL, (m) => log.info(m));
  log.info(
    { applied: result.applied.length, alreadyApplied: result.alreadyApplied },
    result.applied.length === 0
      ? `database is up to date (${result.alreadyApplied} migrations applied)`
      : `applied ${result.applied.length} migration(s)`,
  );
} catch (error) {
  log.fatal({ err: error }, `migration failed: ${(error as Error).message}`);
  process.exit(1);
}
