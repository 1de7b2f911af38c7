/** The worker process (`npm run worker`): jobs and the price feed, no HTTP API. */
import pino from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { loggerOptions } from './platform/logger.js';
import { startWorker } from './worker-runtime.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? `foliograph worker cannot start: ${error.message}` : error);
  process.exit(1);
}
const log = pino(loggerOptions(config.LOG_LEVEL, config.production, config.LOG_FORMAT));
const worker = await startWorker(config, log);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'worker shutting down');
    void worker.close().then(() => process.exit(0), () => process.exit(1));
  });
}
