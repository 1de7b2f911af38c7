/**
 * The transactional email outbox. A request that promises an email records it in the table
 * `email_outbox` (in its own transaction when it has one) before it answers; the relay here
 * moves rows to the BullMQ "email" queue and deletes them in one database transaction. So a
 * crash right after the answer, or Redis being down, delays the email instead of losing it:
 * the relay runs right after each request, and every API instance sweeps the table every few
 * seconds (rows are claimed with FOR UPDATE SKIP LOCKED, so instances never send one twice at
 * once; a crash between queueing and commit may, rarely, send one twice).
 *
 * Rows carry no secrets: a reset or verification link is issued when the row is relayed, in
 * the relay's transaction. Category email (kind `notify`: login alerts, and the alerts and
 * reports domains' email, recorded in the transaction of what they announce) is relayed to the
 * "notify-email" queue under its own job id, so one announcement is one job. That also keeps requestPasswordReset's answer the same, one INSERT,
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
      const any = await this.sweepProbe.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM email_outbox) AS any').then(
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
    await (db ?? this.deps.db).emailOutbox.create({ data: { kind: entry.kind, payload: entry as unknown as Prisma.InputJsonValue } });
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
          const rows = await tx.$queryRaw<Array<{ id: string; payload: OutboxEntry }>>`
            SELECT id, payload FROM email_outbox ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
          if (rows.length === 0) {
            this.failing = false;
            return 0;
          }
          const jobs: Array<{ id: string; job: EmailJob }> = [];
          const notices: Array<{ jobId: string; job: CategoryEmailJob }> = [];
          for (const row of rows) {
            if (row.payload.kind === 'notify') {
              notices.push({ jobId: row.payload.jobId, job: row.payload.job });
              continue;
            }
            const job = await this.jobFor(row.payload, tx);
            if (job) jobs.push({ id: row.id, job });
          }
          if (jobs.length > 0) {
            // The row id is the job id: BullMQ ignores a second add of a job it still holds.
            await withTimeout(
              this.open.queue.addBulk(
                jobs.map(({ id, job }) => ({ name: job.kind, data: sealEmailJob(this.deps.config, job), opts: { jobId: id } })),
              ),
            );
          }
          if (notices.length > 0) {
            await withTimeout(
              this.notify.queue.addBulk(
                notices.map(({ jobId, job }) => ({
                  name: job.category,
                  data: sealCategoryEmailJob(this.deps.config, job),
                  opts: { jobId },
                })),
              ),
            );
          }
          await tx.emailOutbox.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
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
