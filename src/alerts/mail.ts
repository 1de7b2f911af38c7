/**
 * Category email (login alerts, alert firings, weekly reports, tax-lot reviews, rebalancing
 * reminders), delivered from the BullMQ queue "notify-email". It is recorded in auth's
 * transactional outbox (`email_outbox`, kind `notify`) in the same database transaction as what
 * it announces, and relayed to the queue after commit (NotifyOutbox). A job names the user, the
 * email category and the message; the worker reads the user's address and settings when it
 * sends, so an unsubscribe that lands after the job was queued still stops the email.
 *
 * Every message carries a one-click unsubscribe link for its category (RFC 8058: the
 * `List-Unsubscribe` header with an https URL and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`,
 * the same link in the body). The link's token is an HMAC of user and category with a key derived
 * from the server secret: nothing to store, nothing to guess, and it only ever turns one kind of
 * email off.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import { createRequire } from 'node:module';
import { mfaKeys, type Config, type MfaKeyConfig } from '../config.js';
import {
  EMAIL_CATEGORIES,
  EmailOutbox,
  deliverOnce,
  openCategoryEmailJob,
  userContact,
  userExists,
  type CategoryEmailJob,
  type EmailCategory,
  type SealedCategoryEmailJob,
} from '../auth/index.js';
import { BackgroundTasks } from '../platform/background.js';
import { QUEUE_NAMES, openWorker } from '../platform/queues.js';
import { createDb, type Db, type Prisma } from '../platform/db.js';
import type { RunningWorker } from '../platform/queues.js';

/** nodemailer, loaded at the first transport: only the worker sends mail (saves ~2 MB elsewhere). */
const nodemailer = () => createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');

export type { EmailCategory };
export type NotifyEmailJob = CategoryEmailJob;

/** The email_settings column of each category. */
export const SETTING_OF = {
  LOGIN_ALERTS: 'loginAlerts',
  ALERTS: 'alerts',
  WEEKLY_REPORTS: 'weeklyReports',
  TAX_LOT_REVIEWS: 'taxLotReviews',
  REBALANCING_REMINDERS: 'rebalancingReminders',
} as const satisfies Record<EmailCategory, string>;

const CATEGORY_NAME: Record<EmailCategory, string> = {
  LOGIN_ALERTS: 'new sign-in alerts',
  ALERTS: 'price and portfolio alerts',
  WEEKLY_REPORTS: 'weekly risk reports',
  TAX_LOT_REVIEWS: 'tax-lot reviews',
  REBALANCING_REMINDERS: 'rebalancing reminders',
};

// ------------------------------------------------------------------------------ unsubscribe tokens

function unsubscribeKey(masterKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, 'foliograph', 'email-unsubscribe-v1', 32));
}

export function unsubscribeToken(config: MfaKeyConfig, userId: string, category: EmailCategory): string {
  const payload = Buffer.from(`${userId}.${category}`).toString('base64url');
  const mac = createHmac('sha256', unsubscribeKey(config.MFA_ENCRYPTION_KEY)).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

/**
 * The user and category a token names, or null for anything we did not sign (with the current
 * key or one of MFA_PREVIOUS_KEYS: links in emails sent before a key rotation keep working).
 */
export function readUnsubscribeToken(config: MfaKeyConfig, token: string): { userId: string; category: EmailCategory } | null {
  if (token.length > 300) return null;
  const [payload, mac, ...rest] = token.split('.');
  if (!payload || !mac || rest.length > 0) return null;
  const given = Buffer.from(mac, 'base64url');
  const signed = mfaKeys(config).some((key) => {
    const expected = createHmac('sha256', unsubscribeKey(key)).update(payload).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!signed) return null;
  const [userId, category] = Buffer.from(payload, 'base64url').toString('utf8').split('.');
  if (!userId || !(EMAIL_CATEGORIES as readonly string[]).includes(category ?? '')) return null;
  return { userId, category: category as EmailCategory };
}

export function unsubscribeUrl(config: MfaKeyConfig & Pick<Config, 'PUBLIC_URL'>, userId: string, category: EmailCategory): string {
  const url = new URL('/email/unsubscribe', config.PUBLIC_URL);
  url.searchParams.set('token', unsubscribeToken(config, userId, category));
  return url.toString();
}

/** Turns one category of email off for the user; false when the user is gone. */
export async function unsubscribe(db: Db, userId: string, category: EmailCategory): Promise<boolean> {
  if (!(await userExists(db, userId))) return false;
  const column = SETTING_OF[category];
  await db.emailSettings.upsert({ where: { userId }, create: { userId, [column]: false }, update: { [column]: false } });
  return true;
}

/** Whether the user wants this category of email (no settings row: yes). */
export async function wantsEmail(db: Db, userId: string, category: EmailCategory): Promise<boolean> {
  const settings = await db.emailSettings.findUnique({ where: { userId } });
  return settings ? settings[SETTING_OF[category]] : true;
}

// ------------------------------------------------------------------------------ the queue

/**
 * Producer side (worker): records category email in the outbox, in the caller's transaction
 * when given (call `flush()` after it commits), and relays it to the notify-email queue.
 */
export class NotifyOutbox {
  private constructor(
    private readonly outbox: EmailOutbox,
    private readonly tasks: BackgroundTasks,
  ) {}

  static open(config: Config, db: Db, log: FastifyBaseLogger): NotifyOutbox {
    const tasks = new BackgroundTasks(log);
    return new NotifyOutbox(new EmailOutbox({ config, db, logger: log }, tasks), tasks);
  }

  get queue(): EmailOutbox['notifyQueue'] {
    return this.outbox.notifyQueue;
  }

  /**
   * `jobId` names what the email announces: one job per id. Inside a transaction (`tx`) the
   * email exists exactly when the transaction commits.
   */
  async send(job: NotifyEmailJob, jobId: string, tx?: Prisma.TransactionClient): Promise<void> {
    await this.outbox.record({ kind: 'notify', jobId, job }, tx);
  }

  /** Relays what was recorded in transactions that have committed. */
  flush(): void {
    this.outbox.flush();
  }

  async close(): Promise<void> {
    await this.tasks.idle();
    await this.outbox.close();
  }
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface RenderedNotifyEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export function renderNotifyEmail(config: Config, job: NotifyEmailJob, user: { email: string; name: string }): RenderedNotifyEmail {
  const link = unsubscribeUrl(config, job.userId, job.category);
  const footer = `You get this email because ${CATEGORY_NAME[job.category]} are on for your account. Unsubscribe from them with one click: ${link}`;
  const paragraphs = [`Hi ${user.name},`, ...job.paragraphs];
  return {
    to: user.email,
    subject: job.subject,
    text: `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`,
    html: `<!doctype html>
<html><body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1f2328;max-width:560px;margin:24px auto">
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<p style="color:#57606a;font-size:13px">You get this email because ${escapeHtml(CATEGORY_NAME[job.category])} are on for your account.
<a href="${escapeHtml(link)}">Unsubscribe from them</a>.</p>
</body></html>`,
    headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

/** A PDF attached to a notification email, as an email job's `reportId` names it. */
export interface EmailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

/**
 * Loads the attachment a job's `reportId` names; null when there is none. Reports owns the rows
 * and supplies it (reports is above alerts), so alerts never reads the reports table.
 */
export type EmailAttachmentLoader = (db: Db, reportId: string) => Promise<EmailAttachment | null>;

/**
 * The worker part that sends queued notification email over SMTP_URL (logged without it outside
 * production). Without `loadAttachment` an email is sent without the report it names.
 */
export async function startNotifyEmailWorker(
  config: Config,
  log: FastifyBaseLogger,
  shared?: { db: Db },
  loadAttachment?: EmailAttachmentLoader,
): Promise<RunningWorker> {
  const db = shared?.db ?? createDb({ url: config.DATABASE_URL, poolSize: 2 });
  const transport = config.SMTP_URL ? nodemailer().createTransport(config.SMTP_URL) : null;
  if (!transport && config.production) throw new Error('SMTP_URL is required in production');
  const open = openWorker<SealedCategoryEmailJob & { outboxId?: string }>(QUEUE_NAMES.notifyEmail, config, async (job) => {
    let notice: NotifyEmailJob;
    try {
      notice = openCategoryEmailJob(config, job.data);
    } catch (error) {
      // Not ours (another key, or written into Redis by hand): never send it, never retry it.
      throw new UnrecoverableError(`notification email job ${job.id} refused: ${(error as Error).message}`);
    }
    const { userId, category } = notice;
    const user = await userContact(db, userId);
    // Nothing to send is settled too: the row is marked, so it is not queued again.
    const settle = () => deliverOnce(db, job.data.outboxId, async () => {});
    if (!user) {
      await settle();
      return { sent: false, reason: 'no such user' };
    }
    if (!(await wantsEmail(db, userId, category))) {
      await settle();
      return { sent: false, reason: 'unsubscribed' };
    }
    const email = renderNotifyEmail(config, notice, user);
    const attachment = notice.reportId && loadAttachment ? await loadAttachment(db, notice.reportId) : null;
    const attachments = attachment ? [attachment] : [];
    // Once per outbox row (one per announcement: a report emailed to a user), whatever retried
    // or queued the job again (src/auth/email-delivery.ts).
    const sent = await deliverOnce(db, job.data.outboxId, async () => {
      if (!transport) {
        log.info(
          { event: 'email.logged', to: email.to, subject: email.subject },
          `email not sent (SMTP_URL is not set): "${email.subject}" to ${email.to}\n${email.text}`,
        );
      } else {
        await transport.sendMail({
          from: config.MAIL_FROM,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          headers: email.headers,
          attachments,
        });
      }
    });
    return sent ? { sent: true } : { sent: false, reason: 'already sent' };
  });
  open.worker.on('failed', (job, error) =>
    log.warn({ err: error, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'notification email failed'),
  );
  open.worker.on('error', (error) => log.error({ err: error }, 'notification email worker error'));
  await open.worker.waitUntilReady();
  return {
    async close() {
      await open.close();
      transport?.close();
      if (!shared) await db.$disconnect();
    },
  };
}
