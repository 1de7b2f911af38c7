/**
 * The transactional email outbox. A request that promises an email records it in the table
 * `email_outbox` (in its own transaction when it has one) before it answers; the relay here
 * queues rows on BullMQ and marks them queued, and the worker marks a row sent in the
 * transaction of its send (`deliverOnce`). A row is kept until it is sent (issue 21: rows
 * deleted once queued were lost when Redis restarted empty), so:
 * - a crash right after the answer, or Redis being down, delays the email instead of losing it:
 *   the relay runs right after each request, and every API instance sweeps the table every few
 *   seconds (rows are claimed with FOR UPDATE SKIP LOCKED, so instances never relay one at once);
 * - a row queued but not sent after EMAIL_REQUEUE_AFTER_MS is queued again with the same job id and
 *   payload: a no-op while BullMQ still holds the job, a new job when Redis lost it;
 * - a row sent is never sent again: the worker locks it, sends, and marks it sent in one
 *   transaction, and skips rows already marked. Notify rows carry their job id as a unique
 *   dedupe key, so an announcement recorded twice (a report job re-run after a worker was
 *   killed) is one email even after BullMQ forgot the first job. Sent rows go after a week.
 *
 * Rows carry no secrets: a reset or verification link is issued when the row is relayed, in
 * the relay's transaction, and kept only sealed (as queued). Category email (kind `notify`:
 * login alerts, and the alerts and reports domains' email, recorded in the transaction of what
 * they announce) is relayed to the "notify-email" queue under its own job id, so one
 * announcement is one job. That also keeps requestPasswordReset's answer the same, one INSERT,
 * whether or not the address has an account.
 */
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Config } from '../config.js';
import type { BackgroundTasks } from '../platform/background.js';
import { QUEUE_NAMES, openQueue, type OpenQueue } from '../platform/queues.js';
import { createDb, type Db, type Prisma } from '../platform/db.js';
import { isRedisOutage } from '../platform/redis.js';
import {
  resetPasswordLink,
  sealCategoryEmailJob,
  sealEmailJob,
  verifyEmailLink,
  type CategoryEmailJob,
  type EmailJob,
  type SealedCategoryEmailJob,
  type SealedEmailJob,
} from './email.js';
import { OneTimeTokens } from './one-time-tokens.js';

/** What a row promises. */
export type OutboxEntry =
  /** A message complete as it is (login alert). */
  | { kind: 'send'; job: EmailJob }
  /** A reset link for the account of this address, if there is one. */
  | { kind: 'password-reset'; email: string }
  /** A new verification link for this user (replacing earlier ones). */
  | { kind: 'verify-email'; userId: string }
  /** A category email for the notify-email queue; `jobId` names what it announces (once-only). */
  | { kind: 'notify'; jobId: string; job: CategoryEmailJob };

type DbClient = Db | Prisma.TransactionClient;

/** Rows relayed per transaction. */
const BATCH = 50;
/** How often each instance looks for rows left behind (a crash, an outage). */
export const OUTBOX_SWEEP_MS = 5000;
/** A queue that does not answer in this time counts as down (the rows wait for the next sweep). */
const QUEUE_ADD_TIMEOUT_MS = 2000;
/** Sent rows are kept this long, so an announcement recorded again is recognised (days). */
const KEEP_SENT_DAYS = 7;

/** The job a row was queued as, kept (sealed) to queue it again as it was. */
interface QueuedJob {
  queue: 'email' | 'notify';
  name: string;
  jobId: string;
  data: (SealedEmailJob | SealedCategoryEmailJob) & { outboxId: string };
}

/** The notify-email queue's job options (its worker: src/alerts/mail.ts). */
const NOTIFY_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 5000 },
  // Kept a day, so a relay that queues a row again (crash before delete) adds nothing.
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export class EmailOutbox {
  private readonly open: OpenQueue<SealedEmailJob>;
  private readonly notify: OpenQueue<SealedCategoryEmailJob>;
  /**
   * The relay's own small pool: sweeping and relaying never wait behind (or count among) the
   * statements of requests. Created when there is something to relay: a Prisma client of its
   * own costs an API process ~40 MB of memory (its query compiler), and most processes never
   * record an email. Until then the sweep asks `sweepProbe`, one plain connection.
   */
  private relayClient: { db: Db; tokens: OneTimeTokens } | null = null;
  private readonly sweepProbe: pg.Pool;
  private readonly sweepTimer: NodeJS.Timeout;
  private draining: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private failing = false;

  constructor(
    private readonly deps: { config: Config; db: Db; logger: FastifyBaseLogger },
    private readonly tasks: BackgroundTasks,
  ) {
    this.open = openQueue<SealedEmailJob>(
      QUEUE_NAMES.email,
      deps.config,
      {
        attempts: 6,
        // 5 s, 10 s, 20 s, 40 s, 80 s: rides out an SMTP restart without hammering it.
        backoff: { type: 'exponential', delay: 5000 },
        // A sent job is kept a day (sealed: Redis holds no readable token), because its id is
        // the outbox row's: a relay that dies after queueing but before deleting the row queues
        // it again, and BullMQ ignores the second add only while it still holds the first job.
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
      deps.logger,
    );
    this.notify = openQueue<SealedCategoryEmailJob>(QUEUE_NAMES.notifyEmail, deps.config, NOTIFY_JOB_OPTIONS, deps.logger);
    this.sweepProbe = new pg.Pool({ connectionString: deps.config.DATABASE_URL, max: 1, idleTimeoutMillis: 2 * OUTBOX_SWEEP_MS });
    // An idle connection that drops (a PostgreSQL restart) must not crash the process.
    this.sweepProbe.on('error', () => {});
    this.sweepTimer = setInterval(() => void this.sweep(), OUTBOX_SWEEP_MS);
    this.sweepTimer.unref();
  }

  private get relay(): { db: Db; tokens: OneTimeTokens } {
    if (!this.relayClient) {
      const db = createDb({ url: this.deps.config.DATABASE_URL, poolSize: 2 });
      this.relayClient = { db, tokens: new OneTimeTokens(db) };
    }
    return this.relayClient;
  }

  /** The periodic sweep: relays rows left behind; without a relay client yet, only if there are any. */
  private async sweep(): Promise<void> {
    if (!this.relayClient) {
      const any = await this.sweepProbe
        .query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM email_outbox WHERE sent_at IS NULL) AS any')
        .then(
          (result) => result.rows[0]?.any === true,
          // PostgreSQL unreachable: the relay's own run reports it (once per run of failures).
          () => true,
        );
      if (!any || this.closed) return;
    }
    this.flush();
  }

  get queue(): OpenQueue<SealedEmailJob>['queue'] {
    return this.open.queue;
  }

  /** The notify-email queue that `notify` rows are relayed to. */
  get notifyQueue(): OpenQueue<SealedCategoryEmailJob>['queue'] {
    return this.notify.queue;
  }

  /**
   * Records an email to send. Inside a transaction (`db` = its client), call `flush()` once it
   * has committed; without one the row is written now and relayed right after.
   */
  async record(entry: OutboxEntry, db?: Prisma.TransactionClient): Promise<void> {
    // An announcement already recorded (sent or not) is not recorded again.
    await (db ?? this.deps.db).emailOutbox.createMany({
      data: [
        {
          kind: entry.kind,
          payload: entry as unknown as Prisma.InputJsonValue,
          dedupeKey: entry.kind === 'notify' ? entry.jobId : null,
        },
      ],
      skipDuplicates: true,
    });
    if (!db) this.flush();
  }

  /** A complete message (kept for callers that build one): recorded, then relayed. */
  send(job: EmailJob, db?: Prisma.TransactionClient): Promise<void> {
    return this.record({ kind: 'send', job }, db);
  }

  /** Relays what is recorded, in the background (BackgroundTasks: shutdown waits for it). */
  flush(): void {
    if (this.closed) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    const run = async () => {
      do {
        this.again = false;
        while ((await this.relayBatch()) === BATCH);
      } while (this.again && !this.closed);
    };
    this.draining = new Promise<void>((resolve) => {
      this.tasks.run('email-outbox', async () => {
        try {
          await run();
        } finally {
          this.draining = null;
          resolve();
        }
      });
    });
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.draining;
    this.closed = true;
    await this.open.close();
    await this.notify.close();
    await this.relayClient?.db.$disconnect();
    await this.sweepProbe.end();
  }

  /** Relays up to BATCH rows in one transaction; returns how many. */
  private async relayBatch(): Promise<number> {
    try {
      return await this.relay.db.$transaction(
        async (tx) => {
          const requeueBefore = new Date(Date.now() - this.deps.config.EMAIL_REQUEUE_AFTER_MS);
          const rows = await tx.$queryRaw<Array<{ id: string; payload: OutboxEntry; job: QueuedJob | null }>>`
            SELECT id, payload, job FROM email_outbox
            WHERE sent_at IS NULL AND (queued_at IS NULL OR queued_at < ${requeueBefore})
            ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
          if (rows.length === 0) {
            this.failing = false;
            return 0;
          }
          const queued: Array<{ id: string; job: QueuedJob }> = [];
          const nothingToSend: string[] = [];
          for (const row of rows) {
            const job = row.job ?? (await this.queuedJobFor(row.id, row.payload, tx));
            if (job) queued.push({ id: row.id, job });
            else nothingToSend.push(row.id);
          }
          const ofQueue = (queue: QueuedJob['queue']) =>
            queued
              .filter(({ job }) => job.queue === queue)
              .map(({ job }) => ({ name: job.name, data: job.data, opts: { jobId: job.jobId } }));
          // The job id is fixed per row: BullMQ ignores a second add of a job it still holds.
          const add = async (queue: QueuedJob['queue']) => {
            const jobs = ofQueue(queue);
            if (jobs.length === 0) return;
            if (queue === 'email')
              await withTimeout(this.open.queue.addBulk(jobs.map((job) => ({ ...job, data: job.data as SealedEmailJob }))));
            else await withTimeout(this.notify.queue.addBulk(jobs.map((job) => ({ ...job, data: job.data as SealedCategoryEmailJob }))));
          };
          await add('email');
          await add('notify');
          for (const { id, job } of queued) {
            await tx.emailOutbox.update({ where: { id }, data: { queuedAt: new Date(), job: job as unknown as Prisma.InputJsonValue } });
          }
          if (nothingToSend.length > 0) {
            await tx.emailOutbox.updateMany({ where: { id: { in: nothingToSend } }, data: { sentAt: new Date() } });
          }
          await tx.emailOutbox.deleteMany({ where: { sentAt: { lt: new Date(Date.now() - KEEP_SENT_DAYS * 24 * 3600 * 1000) } } });
          this.failing = false;
          return rows.length;
        },
        { timeout: QUEUE_ADD_TIMEOUT_MS + 3000 },
      );
    } catch (error) {
      // Redis or PostgreSQL down: the rows stay and the next sweep tries again. A Redis outage
      // is logged by its connection; anything else once per run of failures.
      if (!isRedisOutage(error) && !this.failing) this.deps.logger.warn({ err: error }, 'email outbox: relaying failed; will retry');
      this.failing = true;
      return 0;
    }
  }

  /** The job a row is queued as (sealed), or null when there is nothing to send. */
  private async queuedJobFor(id: string, entry: OutboxEntry, tx: DbClient): Promise<QueuedJob | null> {
    const { config } = this.deps;
    if (entry.kind === 'notify') {
      return {
        queue: 'notify',
        name: entry.job.category,
        jobId: entry.jobId,
        data: { ...sealCategoryEmailJob(config, entry.job), outboxId: id },
      };
    }
    const job = await this.jobFor(entry, tx);
    // The row id is the job id.
    return job ? { queue: 'email', name: job.kind, jobId: id, data: { ...sealEmailJob(config, job), outboxId: id } } : null;
  }

  private async jobFor(entry: Exclude<OutboxEntry, { kind: 'notify' }>, tx: DbClient): Promise<EmailJob | null> {
    const { config } = this.deps;
    switch (entry.kind) {
      case 'send':
        return entry.job;
      case 'password-reset': {
        const user = await tx.user.findUnique({ where: { email: entry.email } });
        if (!user) return null;
        const { token } = await this.relay.tokens.issue(user.id, 'PASSWORD_RESET', { replacePrevious: true, db: tx });
        return { kind: 'password-reset', to: user.email, name: user.name, link: resetPasswordLink(config, token) };
      }
      case 'verify-email': {
        const user = await tx.user.findUnique({ where: { id: entry.userId } });
        if (!user || user.emailVerified) return null;
        const { token } = await this.relay.tokens.issue(user.id, 'EMAIL_VERIFICATION', { replacePrevious: true, db: tx });
        return { kind: 'verify-email', to: user.email, name: user.name, link: verifyEmailLink(config, token) };
      }
    }
  }
}

async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('Command timed out (email queue)')), QUEUE_ADD_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
