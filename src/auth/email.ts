/**
 * Account email, in one place: the messages (text + HTML), the outbox the API hands them to,
 * and the worker part that delivers them.
 *
 * Flow: a mutation records the email in PostgreSQL (src/auth/email-outbox.ts), which relays it
 * to the BullMQ queue "email" (a Redis outage delays it, never loses it). The worker part (src/worker-runtime.ts) renders and sends each job over SMTP_URL, retrying
 * with exponential backoff. Outside production without SMTP_URL it logs the message instead,
 * link included, since that is how a developer gets it.
 *
 * Job payloads in Redis carry no usable secret: the message (address, name, link with its
 * one-time token) is sealed with AES-256-GCM under a key derived (HKDF) from the server key
 * MFA_ENCRYPTION_KEY, which the API and the worker both have; only the kind stays readable (for
 * logs). Read access to Redis is then not enough to reset a password, and a job written into
 * Redis by anyone without the key is refused rather than sent.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { UnrecoverableError } from 'bullmq';
import { createRequire } from 'node:module';
import { mfaKeys, type Config, type MfaKeyConfig } from '../config.js';
import { QUEUE_NAMES, openWorker, type RunningWorker } from '../platform/queues.js';
import { createDb, type Db } from '../platform/db.js';
import { deliverOnce } from './email-delivery.js';

/** nodemailer, loaded at the first transport: only the worker sends mail (saves ~2 MB elsewhere). */
const nodemailer = () => createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');

export type EmailJob =
  | { kind: 'verify-email'; to: string; name: string; link: string }
  | { kind: 'password-reset'; to: string; name: string; link: string }
  | { kind: 'portfolio-invitation'; to: string; inviterName: string; portfolioName: string; permission: string; link: string };

/**
 * Email a user may turn off kind by kind (the email settings): the kinds, and the message as the
 * "notify-email" queue carries it. It names the user, not the address: the notify-email worker
 * (src/alerts/mail.ts, where the settings live) reads the address and the setting when it sends,
 * and adds the RFC 8058 one-click unsubscribe link. Recorded through the outbox (kind `notify`).
 */
export const EMAIL_CATEGORIES = ['LOGIN_ALERTS', 'ALERTS', 'WEEKLY_REPORTS', 'TAX_LOT_REVIEWS', 'REBALANCING_REMINDERS'] as const;
export type EmailCategory = (typeof EMAIL_CATEGORIES)[number];

export interface CategoryEmailJob {
  userId: string;
  category: EmailCategory;
  subject: string;
  paragraphs: string[];
  /** A stored report to attach (its PDF), by id. */
  reportId?: string;
}

/** The login alert's message: a category email, so the loginAlerts setting and the unsubscribe link apply. */
export function loginAlertEmail(
  config: Pick<Config, 'APP_URL'>,
  user: { id: string },
  facts: { device: string; ipAddress: string | null; at: string },
): CategoryEmailJob {
  return {
    userId: user.id,
    category: 'LOGIN_ALERTS',
    subject: 'New sign-in to your foliograph account',
    paragraphs: [
      'Your foliograph account was just signed in to from a device or network it has not used before.',
      `Device: ${facts.device}`,
      `IP address: ${facts.ipAddress ?? 'unknown'}`,
      `Time: ${facts.at}`,
      `If this was you, there is nothing to do. If not, reset your password now: that signs out every session. ${forgotPasswordLink(config)}`,
    ],
  };
}

/** The alert for a personal API token used from an address new to the account (a login alert too). */
export function apiTokenAlertEmail(user: { id: string }, facts: { tokenName: string; ipAddress: string; at: string }): CategoryEmailJob {
  return {
    userId: user.id,
    category: 'LOGIN_ALERTS',
    subject: 'Your foliograph API token was used from a new address',
    paragraphs: [
      'One of your personal API tokens was just used from a network your account has not used before.',
      `API token: ${facts.tokenName}`,
      `IP address: ${facts.ipAddress}`,
      `Time: ${facts.at}`,
      'If this was your script or integration, there is nothing to do. If not, revoke the token now (API tokens, in your account settings).',
    ],
  };
}

/** What the email queue holds: the job sealed (v1.<iv>.<tag>.<ciphertext>, base64url), its kind in clear. */
export interface SealedEmailJob {
  kind: EmailJob['kind'];
  sealed: string;
}

/**
 * What the notify-email queue holds: a category email sealed the same way, its category in clear.
 * Login alerts carry an IP address and a device, the others portfolio names and figures: Redis
 * (often shared, often backed up in the clear) holds none of it readable.
 */
export interface SealedCategoryEmailJob {
  category: EmailCategory;
  sealed: string;
}

function emailJobKey(masterKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, 'foliograph-email', 'email-job-aes-256-gcm-v1', 32));
}

/** AES-256-GCM under the email job key, `label` bound in as associated data. */
function seal(config: MfaKeyConfig, label: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', emailJobKey(config.MFA_ENCRYPTION_KEY), iv);
  cipher.setAAD(Buffer.from(label));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'))].join('.');
}

/**
 * The value `seal` sealed under the same label; throws on anything not sealed with this server's
 * key or one of MFA_PREVIOUS_KEYS (jobs queued before a key rotation still go out).
 */
function unseal(config: MfaKeyConfig, label: string, sealed: unknown): unknown {
  const [version, iv, tag, ciphertext] = String(sealed ?? '').split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('email job is not sealed');
  let failure: unknown;
  for (const key of mfaKeys(config)) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', emailJobKey(key), Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(label));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return JSON.parse(Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8'));
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** Seals a job for the queue; its kind is bound in as associated data. */
export function sealEmailJob(config: MfaKeyConfig, job: EmailJob): SealedEmailJob {
  return { kind: job.kind, sealed: seal(config, job.kind, job) };
}

/** The job inside a sealed payload; throws on anything not sealed with this server's key. */
export function openEmailJob(config: MfaKeyConfig, payload: SealedEmailJob): EmailJob {
  const job = unseal(config, String(payload?.kind), payload?.sealed) as EmailJob;
  if (job.kind !== payload.kind) throw new Error('email job kind mismatch');
  return job;
}

/** Seals a category email for the notify-email queue (its own label, so neither queue's job opens as the other's). */
export function sealCategoryEmailJob(config: MfaKeyConfig, job: CategoryEmailJob): SealedCategoryEmailJob {
  return { category: job.category, sealed: seal(config, `notify:${job.category}`, job) };
}

/** The category email inside a sealed payload; throws on anything not sealed with this server's key. */
export function openCategoryEmailJob(config: MfaKeyConfig, payload: SealedCategoryEmailJob): CategoryEmailJob {
  const job = unseal(config, `notify:${String(payload?.category)}`, payload?.sealed) as CategoryEmailJob;
  if (job.category !== payload.category) throw new Error('email job category mismatch');
  return job;
}

export interface RenderedEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The action link the message carries, if any (logged in development). */
  link?: string;
}

export function verifyEmailLink(config: Pick<Config, 'APP_URL'>, token: string): string {
  return appLink(config, '/verify-email', token);
}

export function resetPasswordLink(config: Pick<Config, 'APP_URL'>, token: string): string {
  return appLink(config, '/reset-password', token);
}

function appLink(config: Pick<Config, 'APP_URL'>, path: string, token?: string): string {
  const url = new URL(path, config.APP_URL);
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

export function invitationLink(config: Pick<Config, 'APP_URL'>, token: string): string {
  return appLink(config, '/invitations', token);
}

export function forgotPasswordLink(config: Pick<Config, 'APP_URL'>): string {
  return appLink(config, '/reset-password');
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function layout(title: string, paragraphs: string[], action?: { label: string; href: string }): string {
  const button = action
    ? `<p><a href="${escapeHtml(action.href)}" style="display:inline-block;padding:10px 18px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:6px">${escapeHtml(action.label)}</a></p>
<p style="color:#57606a;font-size:13px">Or paste this link into your browser:<br>${escapeHtml(action.href)}</p>`
    : '';
  return `<!doctype html>
<html><body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1f2328;max-width:560px;margin:24px auto">
<h2>${escapeHtml(title)}</h2>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${button}
<p style="color:#57606a;font-size:13px">foliograph</p>
</body></html>`;
}

/** The message for a job: subject, plain text and HTML. */
export function renderEmail(job: EmailJob): RenderedEmail {
  switch (job.kind) {
    case 'verify-email': {
      const intro = [`Hi ${job.name},`, 'Please confirm that this is your email address. The link works once and expires in 24 hours.'];
      return {
        to: job.to,
        subject: 'Confirm your email address for foliograph',
        text: `${intro.join('\n\n')}\n\n${job.link}\n\nIf you did not create a foliograph account, ignore this message.\n`,
        html: layout('Confirm your email address', [...intro, 'If you did not create a foliograph account, ignore this message.'], {
          label: 'Confirm email address',
          href: job.link,
        }),
        link: job.link,
      };
    }
    case 'password-reset': {
      const intro = [
        `Hi ${job.name},`,
        'Someone asked to reset the password of your foliograph account. The link works once and expires in 1 hour.',
      ];
      const outro = 'If it was not you, ignore this message: your password stays as it is.';
      return {
        to: job.to,
        subject: 'Reset your foliograph password',
        text: `${intro.join('\n\n')}\n\n${job.link}\n\n${outro}\n`,
        html: layout('Reset your password', [...intro, outro], { label: 'Choose a new password', href: job.link }),
        link: job.link,
      };
    }
    case 'portfolio-invitation': {
      const intro = [
        `${job.inviterName} invited you to the portfolio "${job.portfolioName}" on foliograph (${job.permission.toLowerCase()} access).`,
        'Create an account with this email address, or sign in and open the link, to join. The invitation expires in 14 days.',
      ];
      return {
        to: job.to,
        subject: `${job.inviterName} shared a portfolio with you on foliograph`,
        text: `${intro.join('\n\n')}\n\n${job.link}\n\nIf you do not know ${job.inviterName}, ignore this message.\n`,
        html: layout('You are invited to a portfolio', intro, { label: 'Open the invitation', href: job.link }),
        link: job.link,
      };
    }
  }
}

export type Deliver = (email: RenderedEmail) => Promise<void>;

/** Sends over SMTP_URL; outside production without it, logs the message instead. */
export function createMailer(config: Config, log: FastifyBaseLogger): { deliver: Deliver; close(): void } {
  if (!config.SMTP_URL) {
    if (config.production) throw new Error('SMTP_URL is required in production');
    return {
      deliver: async (email) => {
        log.info(
          { event: 'email.logged', to: email.to, subject: email.subject, link: email.link },
          `email not sent (SMTP_URL is not set): "${email.subject}" to ${email.to}\n${email.text}`,
        );
      },
      close: () => {},
    };
  }
  const transport = nodemailer().createTransport(config.SMTP_URL);
  return {
    deliver: async (email) => {
      await transport.sendMail({ from: config.MAIL_FROM, to: email.to, subject: email.subject, text: email.text, html: email.html });
    },
    close: () => transport.close(),
  };
}

/** The worker part that delivers queued email (registered in src/worker-runtime.ts). */
export async function startEmailWorker(config: Config, log: FastifyBaseLogger, shared?: { db: Db }): Promise<RunningWorker> {
  const mailer = createMailer(config, log);
  // Each send marks its outbox row sent in the send's transaction (./email-delivery.ts).
  const db = shared?.db ?? createDb({ url: config.DATABASE_URL, poolSize: 2 });
  const open = openWorker<SealedEmailJob & { outboxId?: string }>(
    QUEUE_NAMES.email,
    config,
    async (job) => {
      let email: EmailJob;
      try {
        email = openEmailJob(config, job.data);
      } catch (error) {
        // Not ours (another key, or written into Redis by hand): never send it, never retry it.
        throw new UnrecoverableError(`email job ${job.id} refused: ${(error as Error).message}`);
      }
      await deliverOnce(db, job.data.outboxId, () => mailer.deliver(renderEmail(email)));
    },
    5,
    log,
  );
  open.worker.on('failed', (job, error) => {
    log.warn({ err: error, jobId: job?.id, kind: job?.data.kind, attemptsMade: job?.attemptsMade }, 'email delivery failed');
  });
  await open.worker.waitUntilReady();
  return {
    async close() {
      await open.close();
      mailer.close();
      if (!shared) await db.$disconnect();
    },
  };
}
