/**
 * The background side of foliograph: BullMQ processors and schedules, and the market price feed.
 * `npm run worker` runs it alone (production: once per deployment); `npm start` runs it inside
 * the API process outside production. Each domain registers its part in `startWorker`.
 */
import type { FastifyBaseLogger } from 'fastify';
import { startEmailWorker } from './auth/index.js';
import type { Config } from './config.js';
import { startMaintenanceWorker } from './jobs/index.js';
import { startPriceFeed } from './market/index.js';
import { heldSymbolsExcept } from './ledger/index.js';
import type { RunningWorker } from './platform/queues.js';
import { startNotificationsAndReports } from './reports/index.js';

export type { RunningWorker };

type WorkerPart = (config: Config, log: FastifyBaseLogger) => Promise<RunningWorker>;

/** The price feed, told who holds what by the ledger (market does not read the ledger's tables). */
const startFeed: WorkerPart = (config, log) => startPriceFeed(config, log, heldSymbolsExcept);

/** Domains' background parts, in start order. */
const parts: WorkerPart[] = [startEmailWorker, startFeed, startMaintenanceWorker, startNotificationsAndReports];

export async function startWorker(config: Config, log: FastifyBaseLogger): Promise<RunningWorker> {
  const running: RunningWorker[] = [];
  // Stops the parts in reverse start order: a later part may rely on an earlier one.
  const closeRunning = async () => {
    for (const r of running.splice(0).reverse()) await r.close();
  };
  try {
    for (const part of parts) running.push(await part(config, log));
  } catch (error) {
    // Do not leave the parts that did start holding connections and timers.
    await closeRunning().catch((closeError: unknown) => log.error({ err: closeError }, 'closing the started worker parts failed'));
    throw error;
  }
  log.info({ parts: running.length }, 'worker started');
  return { close: closeRunning };
}
