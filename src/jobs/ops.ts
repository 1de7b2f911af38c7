/**
 * Operating the queues from the API process: Prometheus metrics per queue and the operators'
 * dashboard (bull-board).
 *
 * Metrics (on /metrics), opened lazily at the first scrape so an API that is never scraped
 * holds no extra Redis connections:
 * - `foliograph_queue_jobs{queue,state}`: jobs waiting, active, delayed, completed and failed
 *   (failed = the dead letters: jobs that used every attempt), read from Redis at each scrape;
 * - `foliograph_queue_job_duration_seconds{queue}`: processing time of each job that completes,
 *   from BullMQ's event stream (every replica observes every job, so aggregate with max, not sum).
 *
 * Dashboard: `/admin/queues` when QUEUE_DASHBOARD is on (the default outside production) and
 * OPERATOR_TOKEN is set; every request must carry that token, as `Authorization: Bearer <token>`
 * or HTTP Basic with any user name and the token as password (what a browser prompts for).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Config } from '../config.js';
import { bullConnection } from '../platform/redis.js';
import { QUEUE_NAMES, queuePrefix } from '../platform/queues.js';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
/**
 * How long a scrape waits for the queue counts (Prometheus gives up after 10 s). BullMQ's
 * connections wait for Redis rather than fail, so without a bound a Redis outage would hang
 * /metrics, and with it every other metric (foliograph_redis_up included, the one that says
 * Redis is down); while a connection is known to be reconnecting it is not asked at all.
 */
const COUNTS_TIMEOUT_MS = 5000;

function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([promise.catch(() => null), timeout]).finally(() => clearTimeout(timer));
}

export class QueueOps {
  private queues: Queue[] | null = null;
  private readonly queueConnections = new Map<Queue, ReturnType<typeof bullConnection>>();
  private events: QueueEvents[] = [];
  private readonly connections: Array<ReturnType<typeof bullConnection>> = [];
  private readonly duration: Histogram<'queue'>;

  constructor(
    private readonly config: Config,
    registry: Registry,
  ) {
    // collect() runs with `this` bound to the gauge, so it reaches the queues through `ops`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const ops = this;
    new Gauge({
      name: 'foliograph_queue_jobs',
      help: 'Jobs per queue and state (failed: used every attempt, kept as dead letters)',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        const queues = ops.open();
        const all = await Promise.all(
          queues.map((queue) => {
            const status = ops.queueConnections.get(queue)?.status;
            return status === 'reconnecting' || status === 'end' ? null : within(queue.getJobCounts(...STATES), COUNTS_TIMEOUT_MS);
          }),
        );
        queues.forEach((queue, i) => {
          const counts = all[i];
          // Unknown while Redis does not answer: no stale figure is reported.
          for (const state of STATES)
            if (counts) this.set({ queue: queue.name, state }, counts[state] ?? 0);
            else this.remove({ queue: queue.name, state });
        });
      },
    });
    this.duration = new Histogram({
      name: 'foliograph_queue_job_duration_seconds',
      help: 'Processing time of completed jobs, per queue',
      labelNames: ['queue'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    });
  }

  /** The queues (opened on first use), for metrics and the dashboard. */
  open(): Queue[] {
    if (this.queues) return this.queues;
    const prefix = queuePrefix(this.config);
    this.queues = Object.values(QUEUE_NAMES).map((name) => {
      const connection = bullConnection(this.config.REDIS_URL);
      this.connections.push(connection);
      const queue = new Queue(name, { connection, prefix });
      this.queueConnections.set(queue, connection);
      return queue;
    });
    for (const queue of this.queues) {
      const connection = bullConnection(this.config.REDIS_URL);
      this.connections.push(connection);
      const events = new QueueEvents(queue.name, { connection, prefix });
      events.on('completed', ({ jobId }) => {
        void queue.getJob(jobId).then(
          (job) => {
            if (job?.processedOn && job.finishedOn) this.duration.observe({ queue: queue.name }, (job.finishedOn - job.processedOn) / 1000);
          },
          () => {},
        );
      });
      events.on('error', () => {});
      this.events.push(events);
    }
    return this.queues;
  }

  async close(): Promise<void> {
    await Promise.all(this.events.map((e) => e.close().catch(() => {})));
    await Promise.all((this.queues ?? []).map((q) => q.close().catch(() => {})));
    for (const connection of this.connections) await connection.quit().catch(() => connection.disconnect());
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when the Authorization header carries the operator token (Bearer, or Basic password). */
export function isOperator(authorization: string | undefined, token: string): boolean {
  if (!authorization) return false;
  let given: string | null = null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (bearer) given = bearer[1]!;
  const basic = /^Basic\s+(\S+)$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    given = decoded.slice(decoded.indexOf(':') + 1);
  }
  return given !== null && timingSafeEqual(digest(given), digest(token));
}

export const DASHBOARD_PATH = '/admin/queues';

/** Mounts bull-board behind the operator token; false when it is off or has no token. */
export async function registerQueueDashboard(app: FastifyInstance, config: Config, ops: QueueOps): Promise<boolean> {
  if (!config.QUEUE_DASHBOARD) return false;
  const token = config.OPERATOR_TOKEN;
  if (!token) {
    app.log.info('queue dashboard off: set OPERATOR_TOKEN to serve it at /admin/queues');
    return false;
  }
  // Imported only when the dashboard is served (off by default in production): bull-board costs
  // ~10 MB of memory in a process that never serves it.
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/fastify'),
  ]);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: ops.open().map((queue) => new BullMQAdapter(queue)), serverAdapter });
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      if (!isOperator(request.headers.authorization, token)) {
        return reply
          .status(401)
          .header('www-authenticate', 'Basic realm="foliograph queues"')
          .send({ error: 'operator credential required' });
      }
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
  return true;
}
