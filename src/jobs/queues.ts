/**
 * BullMQ plumbing: queue names and the one way to open a queue (producer side, in the API) or a
 * worker (consumer side, in the worker process). Every queue lives under config.REDIS_PREFIX, so
 * deployments and test files sharing one Redis never see each other's jobs.
 */
import { Queue, Worker, type DefaultJobOptions, type Processor } from 'bullmq';
import type { Config } from '../config.js';
import { bullConnection } from '../platform/redis.js';

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
  close(): Promise<void>;
}

export function openQueue<T>(name: QueueName, config: Config, defaultJobOptions: DefaultJobOptions): OpenQueue<T> {
  // BullMQ does not close a connection it was handed, so the connection is closed here.
  const connection = bullConnection(config.REDIS_URL);
  const queue = new Queue<T>(name, { connection, prefix: queuePrefix(config), defaultJobOptions });
  return {
    queue,
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

export function openWorker<T>(name: QueueName, config: Config, processor: Processor<T>, concurrency = 5): OpenWorker<T> {
  const connection = bullConnection(config.REDIS_URL);
  const worker = new Worker<T>(name, processor, { connection, prefix: queuePrefix(config), concurrency });
  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
