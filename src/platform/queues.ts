/**
 * BullMQ plumbing: queue names and the one way to open a queue (producer side, in the API) or a
 * worker (consumer side, in the worker process). Every queue lives under config.REDIS_PREFIX, so
 * deployments and test files sharing one Redis never see each other's jobs.
 */
import { Queue, Worker, type DefaultJobOptions, type Processor } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { bullConnection, isRedisConnectionError, OutageLog, type Redis } from './redis.js';

type Log = Pick<FastifyBaseLogger, 'warn' | 'info'>;
import { reportError } from './error-tracking.js';
import { jobMetrics } from './metrics.js';
import { bullmqTelemetry } from './tracing.js';

export const QUEUE_NAMES = {
  /** Outgoing email (src/auth/email.ts renders and sends it). */
  email: 'email',
  /** Scheduled housekeeping (src/jobs/maintenance.ts). */
  maintenance: 'maintenance',
  /** Alert, report and reminder email, honouring each user's email settings (src/alerts/mail.ts). */
  notifyEmail: 'notify-email',
  /** Daily snapshots, weekly reports, rebalancing reminders (src/reports/jobs.ts). */
  reports: 'reports',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** BullMQ's own key prefix: `<REDIS_PREFIX>bull:<queue>:...`. */
export function queuePrefix(config: Pick<Config, 'REDIS_PREFIX'>): string {
  return `${config.REDIS_PREFIX}bull`;
}

export interface OpenQueue<T> {
  queue: Queue<T>;
  /** Its own connection: 'ready' fires again after every reconnect. */
  connection: Redis;
  close(): Promise<void>;
}

/**
 * A producer: adding a job fails at once while Redis is down (no offline queue), so a caller
 * keeps the job elsewhere (the email outbox) or tells the client, instead of waiting.
 */
export function openQueue<T>(name: QueueName, config: Config, defaultJobOptions: DefaultJobOptions, log?: Log): OpenQueue<T> {
  // BullMQ does not close a connection it was handed, so the connection is closed here.
  const connection = bullConnection(config.REDIS_URL, { name: `foliograph:queue:${name}`, log, offlineQueue: false });
  const queue = new Queue<T>(name, { connection, prefix: queuePrefix(config), defaultJobOptions, telemetry: bullmqTelemetry() });
  // The connection logs an outage once; BullMQ re-emits each of its errors here.
  queue.on('error', (error) => {
    if (!isRedisConnectionError(error)) log?.warn({ err: error, queue: name }, 'queue error');
  });
  return {
    queue,
    connection,
    async close() {
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

export interface OpenWorker<T> {
  worker: Worker<T>;
  close(): Promise<void>;
}

export function openWorker<T>(name: QueueName, config: Config, processor: Processor<T>, concurrency = 5, log?: Log): OpenWorker<T> {
  const connection = bullConnection(config.REDIS_URL, { name: `foliograph:worker:${name}`, log });
  const worker = new Worker<T>(name, processor, { connection, prefix: queuePrefix(config), concurrency, telemetry: bullmqTelemetry() });
  const outage = new OutageLog(log, `worker:${name}`);
  worker.on('error', (error) =>
    isRedisConnectionError(error) ? outage.failed(error) : log?.warn({ err: error, queue: name }, 'worker error'),
  );
  connection.on('ready', () => outage.recovered());
  const finished = (outcome: 'completed' | 'failed', job: { processedOn?: number; finishedOn?: number } | undefined) => {
    jobMetrics.jobs.inc({ queue: name, outcome });
    if (job?.processedOn && job.finishedOn) jobMetrics.jobDuration.observe({ queue: name }, (job.finishedOn - job.processedOn) / 1000);
  };
  worker.on('completed', (job) => finished('completed', job));
  worker.on('failed', (job, error) => {
    finished('failed', job);
    reportError(error, { queue: name, job: job?.name, attemptsMade: job?.attemptsMade });
  });
  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/** A started background part (a queue worker, the price feed): the worker runtime stops it on shutdown. */
export interface RunningWorker {
  close(): Promise<void>;
}
