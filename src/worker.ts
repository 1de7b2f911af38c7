/** The worker process (`npm run worker`): jobs and the price feed, no HTTP API. */
import pino from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { collectDefaultMetrics } from 'prom-client';
import { cycleLogLevelOnSignal, loggerOptions } from './platform/logger.js';
import { processRegistry } from './platform/metrics.js';
import { startMetricsServer } from './platform/metrics-server.js';
import { startTracing } from './platform/tracing.js';
import { startErrorTracking } from './platform/error-tracking.js';
import { startWorker } from './worker-runtime.js';
import { MigrationError, assertSchemaKnown } from './platform/migrate.js';
import { APP_VERSION } from './platform/paths.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? `foliograph worker cannot start: ${error.message}` : error);
  process.exit(1);
}
try {
  await assertSchemaKnown(config.DATABASE_URL);
} catch (error) {
  console.error(error instanceof MigrationError ? `foliograph worker cannot start: ${error.message}` : error);
  process.exit(1);
}
const log = pino(loggerOptions(config.LOG_LEVEL, config.production, config.LOG_FORMAT));
cycleLogLevelOnSignal(log, config.LOG_LEVEL);
const tracing = await startTracing(config, 'foliograph-worker');
const errorTracking = await startErrorTracking(config, { component: 'worker', release: APP_VERSION });
const worker = await startWorker(config, log);
// The worker's /metrics (jobs, process) on METRICS_PORT; Kubernetes probes that port too.
collectDefaultMetrics({ register: processRegistry });
const metricsServer =
  config.METRICS_PORT > 0
    ? await startMetricsServer({ registry: null, port: config.METRICS_PORT, host: config.HOST, token: config.METRICS_TOKEN })
    : null;
if (metricsServer) log.info(`metrics: http://${config.HOST}:${metricsServer.port}/metrics`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'worker shutting down');
    void worker
      .close()
      .then(() => metricsServer?.close())
      .then(() => tracing?.shutdown())
      .then(() => errorTracking?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
