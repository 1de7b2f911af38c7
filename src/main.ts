/**
 * The API process: read config, migrate, build, listen; stop cleanly on SIGTERM/SIGINT.
 * Outside production it also runs the worker's jobs in-process (RUN_WORKER_IN_PROCESS), so
 * `npm start` is the whole system.
 */
import pino from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { cycleLogLevelOnSignal, loggerOptions } from './platform/logger.js';
import { startMetricsServer } from './platform/metrics-server.js';
import { MigrationError, ensureDatabase, migrate } from './platform/migrate.js';
import { startTracing } from './platform/tracing.js';
import { startErrorTracking } from './platform/error-tracking.js';
import { APP_VERSION } from './platform/paths.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`foliograph cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
// Before anything opens a connection, so Prisma, Redis and BullMQ are traced from the start.
const tracing = await startTracing(config, 'foliograph-api');
const errorTracking = await startErrorTracking(config, { component: 'api', release: APP_VERSION });
// Migration lines are JSON log lines like every other (the app's logger does not exist yet).
const migrationLog = pino(loggerOptions(config.LOG_LEVEL, config.production, config.LOG_FORMAT)).child({ component: 'migrate' });
await ensureDatabase(config.DATABASE_URL, (m) => migrationLog.info(m));
await migrate(config.DATABASE_URL, (m) => migrationLog.info(m)).catch((error: unknown) => {
  // A schema this build cannot serve from (newer, or a failed migration): say why, no stack trace.
  if (!(error instanceof MigrationError)) throw error;
  migrationLog.fatal(`foliograph cannot start: ${error.message}`);
  process.exit(1);
});

const app = await buildApp(config);
// SIGUSR2: the configured level, then debug, then trace, then back (docs/operations.md).
cycleLogLevelOnSignal(app.log, config.LOG_LEVEL);
// The seed and the worker's side (BullMQ processors, PDF rendering, SMTP, the price feed) are
// imported only when this process uses them: a production API process does not, and loading
// them cost its idle memory.
const seed = config.SEED_DEMO ? await import('./seed.js') : null;
if (seed && (await seed.seedDemo(app.services.db))) {
  const { DEMO_EMAIL, DEMO_PASSWORD } = seed;
  app.log.info(
    { email: DEMO_EMAIL },
    `seeded a demo account: sign in with the login mutation, email "${DEMO_EMAIL}", password "${DEMO_PASSWORD}"`,
  );
}
const worker = config.RUN_WORKER_IN_PROCESS ? await (await import('./worker-runtime.js')).startWorker(config, app.log) : null;

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  // First drain: keep serving while /ready says 503, so the balancer stops sending here before
  // the listener closes (requests sent just before the signal are answered, not reset).
  if (config.SHUTDOWN_DRAIN_MS > 0) {
    app.lifecycle.draining = true;
    app.log.info({ signal, drainMs: config.SHUTDOWN_DRAIN_MS }, 'shutting down: draining (/ready answers 503)');
    await new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DRAIN_MS));
  }
  app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
  const timer = setTimeout(() => {
    app.log.error('shutdown timed out; exiting');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  timer.unref();
  try {
    app.lifecycle.draining = true;
    await app.close();
    await worker?.close();
    await metricsServer?.close();
    await tracing?.shutdown();
    await errorTracking?.close();
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'error during shutdown');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

await app.listen({ port: config.PORT, host: config.HOST });
const metricsServer =
  config.METRICS_PORT > 0
    ? await startMetricsServer({
        registry: app.services.metrics.registry,
        port: config.METRICS_PORT,
        host: config.HOST,
        token: config.METRICS_TOKEN,
      })
    : null;
if (metricsServer) app.log.info(`metrics: http://${config.HOST}:${metricsServer.port}/metrics`);
if (!config.production) app.log.info(`GraphiQL: http://localhost:${config.PORT}/graphiql`);
