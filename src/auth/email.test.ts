import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ChangePasswordDocument,
  LoginDocument,
  MeDocument,
  RefreshTokenDocument,
  RequestEmailVerificationDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  VerifyEmailDocument,
} from '../../schema/sdk/graphql.js';
import { GOOD_PASSWORD, from, lockoutOf, loginTokens, registerUser, uniqueEmail } from '../../test/auth.js';
import { lockoutKey } from './brute-force.js';
import { errorCode, redisDump, startTestApp, type TestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { startMailbox, type Mailbox, type ReceivedMail } from '../../test/mailbox.js';
import { loadConfig } from '../config.js';
import type { RunningWorker } from '../worker-runtime.js';
import { createMailer, renderEmail, sealEmailJob, startEmailWorker } from './email.js';
import { sha256Hex } from './opaque.js';

let mailbox: Mailbox;
let worker: RunningWorker;
afterAll(async () => {
  await mailbox?.close();
});
beforeAll(async () => {
  mailbox = await startMailbox();
});
const t = useTestApp(() => ({ env: { TRUST_PROXY: '1', SMTP_URL: mailbox.url, APP_URL: 'https://app.example.test' } }));
beforeAll(async () => {
  worker = await startEmailWorker(t.config, t.app.log);
});
afterAll(async () => {
  await worker?.close();
});

const mailTo = (to: string, subject: RegExp) => (m: ReceivedMail) => m.to.includes(to) && subject.test(m.subject);
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

/** Everything requested so far has been handed to the queue and delivered (or dropped). */
async function settled(app: TestApp = t): Promise<void> {
  await app.app.services.auth.background.idle();
  await vi.waitFor(
    async () => {
      const counts = await app.app.services.auth.outbox.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      expect(Object.values(counts).reduce((x, y) => x + y, 0)).toBe(0);
    },
    { timeout: 15_000, interval: 50 },
  );
}

describe('email verification', () => {
  it('register sends a link that verifies the address once', async () => {
    const { email, auth } = await registerUser(t);
    const mail = await mailbox.waitFor(mailTo(email, /Confirm your email/));
    const link = mail.links.find((l) => l.startsWith('https://app.example.test/verify-email?token='));
    expect(link).toBeDefined();
    expect(mail.body).toContain('Content-Type: text/html');
    expect(mail.body).toContain('Content-Type: text/plain');
    const token = tokenOf(link!);
    expect(token).toMatch(/^[\w-]{43}$/);
    // Stored hashed, expiring in 24 hours.
    const row = await t.app.services.db.oneTimeToken.findUniqueOrThrow({ where: { tokenHash: sha256Hex(token) } });
    expect(row.purpose).toBe('EMAIL_VERIFICATION');
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(row.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);

    expect((await t.gql(VerifyEmailDocument, { token })).data).toEqual({ verifyEmail: true });
    expect((await t.gql(MeDocument, {}, { token: auth.accessToken })).data?.me?.emailVerified).toBe(true);
    const again = await t.gql(VerifyEmailDocument, { token });
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.extensions?.details).toEqual([{ field: 'token', message: 'is invalid, expired or already used' }]);
    // Nothing left to verify.
    expect((await t.gql(RequestEmailVerificationDocument, {}, { token: auth.accessToken })).data).toEqual({
      requestEmailVerification: false,
    });
  });

  it('a new link replaces the old one, and links expire', async () => {
    const { email, auth } = await registerUser(t);
    const first = tokenOf((await mailbox.waitFor(mailTo(email, /Confirm your email/))).links[0]!);
    expect(errorCode(await t.gql(RequestEmailVerificationDocument))).toBe('UNAUTHENTICATED');
    expect((await t.gql(RequestEmailVerificationDocument, {}, { token: auth.accessToken })).data).toEqual({
      requestEmailVerification: true,
    });
    await vi.waitFor(() => expect(mailbox.messages.filter(mailTo(email, /Confirm your email/))).toHaveLength(2));
    const second = tokenOf(mailbox.messages.filter(mailTo(email, /Confirm your email/))[1]!.links[0]!);
    expect(second).not.toBe(first);
    expect(errorCode(await t.gql(VerifyEmailDocument, { token: first }))).toBe('BAD_USER_INPUT');

    await t.app.services.db.oneTimeToken.update({
      where: { tokenHash: sha256Hex(second) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(errorCode(await t.gql(VerifyEmailDocument, { token: second }))).toBe('BAD_USER_INPUT');
    expect((await t.gql(MeDocument, {}, { token: auth.accessToken })).data?.me?.emailVerified).toBe(false);
  });
});

describe('password reset', () => {
  it('emails a one-hour link that sets a new password once, ends every session and clears a lockout', async () => {
    const { email, auth } = await registerUser(t);
    const other = await loginTokens(t, email, GOOD_PASSWORD);
    await t.app.services.db.signInLockout.create({
      data: { emailHash: lockoutKey(email), failedAttempts: 7, lockedUntil: new Date(Date.now() + 600_000) },
    });

    expect((await t.gql(RequestPasswordResetDocument, { email: email.toUpperCase() }, from('198.51.100.40'))).data).toEqual({
      requestPasswordReset: true,
    });
    const mail = await mailbox.waitFor(mailTo(email, /Reset your foliograph password/));
    const link = mail.links.find((l) => l.startsWith('https://app.example.test/reset-password?token='))!;
    const token = tokenOf(link);
    const row = await t.app.services.db.oneTimeToken.findUniqueOrThrow({ where: { tokenHash: sha256Hex(token) } });
    expect(row.purpose).toBe('PASSWORD_RESET');
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(row.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);

    // A weak new password is refused without spending the link.
    const weak = await t.gql(ResetPasswordDocument, { token, newPassword: 'password1' });
    expect(weak.errors?.[0]?.extensions?.details).toEqual([{ field: 'newPassword', message: 'must be at least 10 characters' }]);
    const newPassword = 'Fresh-start-password-42';
    expect((await t.gql(ResetPasswordDocument, { token, newPassword })).data).toEqual({ resetPassword: true });

    for (const session of [auth, other]) {
      expect((await t.gql(MeDocument, {}, { token: session.accessToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(errorCode(await t.gql(RefreshTokenDocument, { refreshToken: session.refreshToken }))).toBe('UNAUTHENTICATED');
    }
    expect(errorCode(await t.gql(ResetPasswordDocument, { token, newPassword: 'Another-password-43' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(LoginDocument, { input: { email, password: GOOD_PASSWORD } }, from('198.51.100.41')))).toBe(
      'UNAUTHENTICATED',
    );
    const fresh = await loginTokens(t, email, newPassword, '198.51.100.42');
    expect(fresh.user.emailVerified).toBe(true);
    expect(await lockoutOf(t, email)).toBeNull();
  });

  it('an expired link is refused', async () => {
    const { email } = await registerUser(t);
    await t.gql(RequestPasswordResetDocument, { email }, from('198.51.100.50'));
    const token = tokenOf((await mailbox.waitFor(mailTo(email, /Reset your/))).links[0]!);
    await t.app.services.db.oneTimeToken.update({
      where: { tokenHash: sha256Hex(token) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(errorCode(await t.gql(ResetPasswordDocument, { token, newPassword: 'Fresh-start-password-42' }))).toBe('BAD_USER_INPUT');
  });

  it('for an unknown email answers true all the same and sends nothing', async () => {
    const nobody = uniqueEmail('nobody');
    const { email: somebody } = await registerUser(t);
    await settled();
    const before = mailbox.messages.length;
    expect((await t.gql(RequestPasswordResetDocument, { email: nobody }, from('198.51.100.60'))).data).toEqual({
      requestPasswordReset: true,
    });
    expect((await t.gql(RequestPasswordResetDocument, { email: somebody }, from('198.51.100.61'))).data).toEqual({
      requestPasswordReset: true,
    });
    await mailbox.waitFor(mailTo(somebody, /Reset your/));
    await settled();
    expect(mailbox.messages.slice(before).map((m) => m.to)).toEqual([[somebody]]);
  });

  it('is limited to 5 requests per address and per IP in 15 minutes', async () => {
    const { email } = await registerUser(t);
    for (let i = 0; i < 5; i++) {
      expect((await t.gql(RequestPasswordResetDocument, { email }, from(`198.51.100.${70 + i}`))).data).toEqual({
        requestPasswordReset: true,
      });
    }
    const limited = await t.gql(RequestPasswordResetDocument, { email }, from('198.51.100.79'));
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    expect(limited.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(800);
    for (let i = 0; i < 5; i++) await t.gql(RequestPasswordResetDocument, { email: uniqueEmail() }, from('198.51.100.80'));
    expect(errorCode(await t.gql(RequestPasswordResetDocument, { email: uniqueEmail() }, from('198.51.100.80')))).toBe('RATE_LIMITED');
  });
});

describe('changePassword', () => {
  it('checks the current password, then ends every other session and keeps this one', async () => {
    const { email, auth } = await registerUser(t);
    const other = await loginTokens(t, email, GOOD_PASSWORD);
    const change = (currentPassword: string, newPassword: string) =>
      t.gql(ChangePasswordDocument, { currentPassword, newPassword }, { token: auth.accessToken, ...from('198.51.100.90') });

    const wrong = await change('Not-my-password-1', 'Brand-new-password-7');
    expect(wrong.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      details: [{ field: 'currentPassword', message: 'is incorrect' }],
    });
    const common = await change(GOOD_PASSWORD, 'password123');
    expect(common.errors?.[0]?.extensions?.details).toEqual([
      { field: 'newPassword', message: 'is too common; choose a password that is hard to guess' },
    ]);
    expect(errorCode(await t.gql(ChangePasswordDocument, { currentPassword: GOOD_PASSWORD, newPassword: 'Brand-new-password-7' }))).toBe(
      'UNAUTHENTICATED',
    );

    expect((await change(GOOD_PASSWORD, 'Brand-new-password-7')).data).toEqual({ changePassword: true });
    expect((await t.gql(MeDocument, {}, { token: auth.accessToken })).data?.me?.email).toBe(email);
    expect((await t.gql(MeDocument, {}, { token: other.accessToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(RefreshTokenDocument, { refreshToken: other.refreshToken }))).toBe('UNAUTHENTICATED');
    await loginTokens(t, email, 'Brand-new-password-7');
  });
});

describe('delivery', () => {
  it('retries with backoff when the SMTP server refuses, without holding up the mutation', async () => {
    const busy = await startMailbox({ refuseFirst: 1 });
    const app = await startTestApp({ env: { SMTP_URL: busy.url } });
    const busyWorker = await startEmailWorker(app.config, app.app.log);
    try {
      const started = performance.now();
      const { email } = await registerUser(app);
      expect(performance.now() - started).toBeLessThan(2_000);
      const mail = await busy.waitFor(mailTo(email, /Confirm your email/), 20_000);
      expect(busy.refused).toBe(1);
      expect(mail.links[0]).toMatch(/\/verify-email\?token=/);
    } finally {
      await busyWorker.close();
      await app.close();
      await busy.close();
    }
  }, 30_000);

  it('outside production without SMTP_URL, emails go to the log with their link', async () => {
    const info = vi.fn();
    const log = { info } as unknown as FastifyBaseLogger;
    const mailer = createMailer(loadConfig({ NODE_ENV: 'development' }), log);
    const link = 'http://localhost:5173/verify-email?token=abc';
    await mailer.deliver(renderEmail({ kind: 'verify-email', to: 'dev@example.com', name: 'Dev', link }));
    expect(info).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'email.logged', to: 'dev@example.com', link }),
      expect.stringContaining(link),
    );
  });

  it('escapes names in HTML', () => {
    const mail = renderEmail({
      kind: 'password-reset',
      to: 'x@example.com',
      name: '<script>alert(1)</script>',
      link: 'https://a.test/reset-password?token=t',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });
});

describe('job payloads in Redis', () => {
  it('carry no link, token or address, and the emails still arrive with working links', async () => {
    // An app whose jobs nobody takes yet, so they sit in Redis to be read.
    const app = await startTestApp({ env: { SMTP_URL: mailbox.url, APP_URL: 'https://app.example.test' } });
    let appWorker: RunningWorker | undefined;
    try {
      const { email } = await registerUser(app);
      expect((await app.gql(RequestPasswordResetDocument, { email })).data).toEqual({ requestPasswordReset: true });
      await app.app.services.auth.background.idle();
      await vi.waitFor(async () => expect(await app.app.services.auth.outbox.queue.getWaitingCount()).toBe(2), { timeout: 5_000 });
      const stored = await redisDump(app);
      expect(stored).toContain('password-reset');

      appWorker = await startEmailWorker(app.config, app.app.log);
      const verification = await mailbox.waitFor(mailTo(email, /Confirm your email/));
      const reset = await mailbox.waitFor(mailTo(email, /Reset your foliograph password/));
      const tokens = [verification, reset].map((mail) => tokenOf(mail.links.find((l) => l.includes('token='))!));
      for (const secret of [...tokens, 'token=', 'app.example.test', email, 'Test Person']) {
        expect(stored).not.toContain(secret);
      }
      // The links work: the payload was sealed, not lost.
      expect((await app.gql(VerifyEmailDocument, { token: tokens[0]! })).data).toEqual({ verifyEmail: true });
      expect((await app.gql(ResetPasswordDocument, { token: tokens[1]!, newPassword: 'Sealed-and-delivered-77' })).data).toEqual({
        resetPassword: true,
      });
    } finally {
      await appWorker?.close();
      await app.close();
    }
  }, 30_000);

  it('an instance that never recorded an email still relays rows another one left behind (the sweep)', async () => {
    // Its relay's own Prisma client is created only when the sweep finds a row (email-outbox.ts).
    const app = await startTestApp({ env: { SMTP_URL: mailbox.url } });
    try {
      const to = uniqueEmail('left-behind');
      const job = { kind: 'password-reset', to, name: 'Left Behind', link: 'https://app.example.test/reset' };
      await app.app.services.db.emailOutbox.create({ data: { kind: 'send', payload: { kind: 'send', job } as never } });
      await vi.waitFor(async () => expect(await app.app.services.db.emailOutbox.count({ where: { queuedAt: null } })).toBe(0), {
        timeout: 15_000,
        interval: 200,
      });
      expect(await app.app.services.auth.outbox.queue.getWaitingCount()).toBe(1);
    } finally {
      await app.close();
    }
  }, 30_000);

  it('a job not sealed with the server key is refused, not sent', async () => {
    const app = await startTestApp({ env: { SMTP_URL: mailbox.url } });
    const appWorker = await startEmailWorker(app.config, app.app.log);
    try {
      const to = uniqueEmail('forged');
      const forged = sealEmailJob(
        { MFA_ENCRYPTION_KEY: 'somebody-else-s-key-0000000000000000' },
        { kind: 'password-reset', to, name: 'X', link: 'https://evil.test/' },
      );
      const queue = app.app.services.auth.outbox.queue;
      const plain = await queue.add('password-reset', { kind: 'password-reset', to, name: 'X', link: 'https://evil.test/' } as never);
      const wrongKey = await queue.add('password-reset', forged);
      for (const job of [plain, wrongKey]) {
        await vi.waitFor(async () => expect(await queue.getJobState(job.id!)).toBe('failed'), { timeout: 5_000 });
        expect((await queue.getJob(job.id!))!.attemptsMade).toBe(1);
      }
      expect(mailbox.messages.some((m) => m.to.includes(to))).toBe(false);
    } finally {
      await appWorker.close();
      await app.close();
    }
  });
});
