/**
 * Scheduled housekeeping in the worker (registered in src/worker-runtime.ts): every hour it
 * deletes auth rows that can no longer do anything (src/auth/cleanup.ts) and logs how many.
 *
 * The schedule is a BullMQ job scheduler on the "maintenance" queue. Every worker upserts it at
 * start under one fixed id, so however many workers run (or restart) there is one scheduler and
 * one job per hour, taken by whichever worker is free; upserting an unchanged scheduler keeps its
 * next run where it was. A new scheduler runs its first job at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import { deleteStaleAuthRows } from '../auth/index.js';
import type { Config } from '../config.js';
import { createDb } from '../platform/db.js';
import type { RunningWorker } from '../platform/queues.js';
import { QUEUE_NAMES, openQueue, openWorker } from '../platform/queues.js';

/** The scheduler's id and the name of the jobs it creates. */
export const AUTH_CLEANUP_JOB = 'auth-cleanup';
export const AUTH_CLEANUP_EVERY_MS = 60 * 60 * 1000;

export async function startMaintenanceWorker(config: Config, log: FastifyBaseLogger): Promise<RunningWorker> {
  const db = createDb({ url: config.DATABASE_URL, poolSize: 2 });
  let closing = false;
  const producer = openQueue(QUEUE_NAMES.maintenance, config, {}, log);
  const consumer = openWorker(
    QUEUE_NAMES.maintenance,
    config,
    async (job) => {
      if (job.name !== AUTH_CLEANUP_JOB) throw new Error(`unknown maintenance job "${job.name}"`);
      const started = performance.now();
      const deleted = await deleteStaleAuthRows(db);
      log.info(
        { event: 'maintenance.auth_cleanup', deleted, ms: Math.round(performance.now() - started) },
        'auth cleanup: stale rows deleted',
      );
      return deleted;
    },
    1,
    log,
  );
  consumer.worker.on('failed', (job, error) => log.warn({ err: error, jobId: job?.id, job: job?.name }, 'maintenance job failed'));
  const schedule = () =>
    producer.queue.upsertJobScheduler(
      AUTH_CLEANUP_JOB,
      { every: AUTH_CLEANUP_EVERY_MS },
      {
        name: AUTH_CLEANUP_JOB,
        // A failed run is simply retried by the next one; keep a day of history to look at.
        opts: { attempts: 1, removeOnComplete: { count: 24 }, removeOnFail: { count: 24 } },
      },
    );
  try {
    await schedule();
    await consumer.worker.waitUntilReady();
  } catch (error) {
    await close();
    throw error;
  }
  // After a reconnect Redis may be a new, empty one (restarted without persistence, failed
  // over): upsert again. An unchanged scheduler keeps its next run, so this costs nothing.
  producer.connection.on('ready', () => {
    if (closing) return;
    schedule().then(
      () => log.info({ scheduler: AUTH_CLEANUP_JOB }, 'maintenance schedule checked after a Redis reconnect'),
      (error: unknown) => log.warn({ err: error }, 'could not re-create the maintenance schedule after a Redis reconnect'),
    );
  });

  async function close(): Promise<void> {
    closing = true;
    await consumer.close();
    await producer.close();
    await db.$disconnect();
  }
  return { close };
}
