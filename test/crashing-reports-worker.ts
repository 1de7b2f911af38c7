/**
 * A reports worker that stops dead in its first snapshot batch (for the "a job killed mid-run"
 * test): it prints `batch <written>` after the first batch is stored and waits to be SIGKILLed.
 * Configured from the environment like the real worker.
 */
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from '../src/config.js';
import { startReportsWorker } from '../src/reports/index.js';

const config = loadConfig();
const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
await startReportsWorker(config, log, {
  catchUp: false,
  batchSize: Number(process.env.BATCH_SIZE ?? 2),
  lockDurationMs: 1000,
  stalledIntervalMs: 500,
  afterSnapshotBatch: async (progress) => {
    process.stdout.write(`batch ${progress.written}\n`);
    await new Promise(() => {});
  },
});
process.stdout.write('ready\n');
