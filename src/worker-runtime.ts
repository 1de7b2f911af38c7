/**
 * The background side of foliograph: BullMQ processors and schedules, and the market price feed.
 * `npm run worker` runs it alone (production: once per deployment); `npm start` runs it inside
 * the API process outside production. Each domain registers its part in `startWorker`.
 */
import type { FastifyBaseLogger } from 'fastify';
import { startEmailWorker } from './auth/email.js';
import type { Config } from './config.js';
import { startPriceFeed } from './market/feed.js';

export interface RunningWorker {
  close(): Promise<void>;
}

type WorkerPart = (config: Config, log: FastifyBaseLogger) => Promise<RunningWorker>;

/** Domains' background parts, in start order. */
const parts: WorkerPart[] = [startEmailWorker, startPriceFeed];

export async function startWorker(config: Config, log: FastifyBaseLogger): Promise<RunningWorker> {
  const running: RunningWorker[] = [];
  for (const part of parts) running.push(await part(config, log));
  log.info({ parts: running.length }, 'worker started');
  return {
    async close() {
      for (const r of running.reverse()) await r.close();
    },
  };
}
