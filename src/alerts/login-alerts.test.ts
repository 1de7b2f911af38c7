/**
 * Login alerts are category email (LOGIN_ALERTS): recorded in the outbox by auth, delivered by
 * the notify-email worker, which honours the loginAlerts setting and adds RFC 8058 headers.
 */
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FIREFOX_MAC, GOOD_PASSWORD, SAFARI_IPHONE, from, loginTokens, registerUser } from '../../test/auth.js';
import { redisDump, startTestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { startMailbox, type Mailbox, type ReceivedMail } from '../../test/mailbox.js';
import { ok } from '../../test/portfolios.js';
import { startNotifyEmailWorker } from './index.js';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
let mailbox: Mailbox;
let mailer: { close(): Promise<void> };

afterAll(async () => {
  await mailbox?.close();
});
beforeAll(async () => {
  mailbox = await startMailbox();
});
const t = useTestApp(() => ({ env: { TRUST_PROXY: '1', SMTP_URL: mailbox.url, APP_URL: 'https://app.example.test' } }));
beforeAll(async () => {
  mailer = await startNotifyEmailWorker(t.config, log);
});
afterAll(async () => {
  await mailer?.close();
});

const loginAlertTo = (to: string) => (m: ReceivedMail) => m.to.includes(to) && /New sign-in/.test(m.subject);

/** Every login alert recorded so far has been relayed and sent (or dropped). */
async function settled(): Promise<void> {
  await t.app.services.auth.background.idle();
  await vi.waitFor(
    async () => {
      expect(await t.app.services.db.emailOutbox.count({ where: { queuedAt: null } })).toBe(0);
      const counts = await t.app.services.auth.outbox.notifyQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      expect(Object.values(counts).reduce((x, y) => x + y, 0)).toBe(0);
    },
    { timeout: 15_000, interval: 50 },
  );
}

describe('login alerts', () => {
  it('are sent for a sign-in from a device or IP address the account has not used before', async () => {
    const { email } = await registerUser(t, { ip: '192.0.2.10' }); // Firefox on macOS
    const alerts = () => mailbox.messages.filter(loginAlertTo(email));

    await loginTokens(t, email, GOOD_PASSWORD, '192.0.2.10', FIREFOX_MAC);
    await settled();
    expect(alerts()).toHaveLength(0);

    await loginTokens(t, email, GOOD_PASSWORD, '192.0.2.10', SAFARI_IPHONE);
    const newDevice = await mailbox.waitFor(loginAlertTo(email));
    expect(newDevice.body).toContain('Device: Mobile Safari on iOS');
    expect(newDevice.body).toContain('IP address: 192.0.2.10');
    expect(newDevice.links).toContain('https://app.example.test/reset-password');

    await loginTokens(t, email, GOOD_PASSWORD, '192.0.2.99', FIREFOX_MAC);
    await vi.waitFor(() => expect(alerts()).toHaveLength(2));
    expect(alerts()[1]!.body).toContain('IP address: 192.0.2.99');

    // Both are known now.
    await loginTokens(t, email, GOOD_PASSWORD, '192.0.2.99', SAFARI_IPHONE);
    await settled();
    expect(alerts()).toHaveLength(2);
  });

  it('carry a one-click unsubscribe (RFC 8058) that turns login alerts off, and the setting is honoured', async () => {
    const { email, auth } = await registerUser(t, { ip: '192.0.2.20' });
    await loginTokens(t, email, GOOD_PASSWORD, '192.0.2.21', FIREFOX_MAC);
    const mail = await mailbox.waitFor(loginAlertTo(email));
    const header = /^List-Unsubscribe: <([^>]+)>/m.exec(mail.body.replace(/\r?\n[ \t]+/g, ' '));
    expect(header).not.toBeNull();
    expect(mail.body).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    const link = new URL(header![1]!);
    expect(mail.links).toContain(link.toString());

    // What a mail client posts for one click.
    const done = await t.app.inject({
      method: 'POST',
      url: `${link.pathname}${link.search}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(done.statusCode).toBe(200);
    const settings = ok(await t.gql<any>(`{ emailSettings { loginAlerts alerts } }`, {}, { token: auth.accessToken })).emailSettings;
    expect(settings).toEqual({ loginAlerts: false, alerts: true });

    // A new device again: no email now.
    await loginTokens(t, email, GOOD_PASSWORD, '192.0.2.22', SAFARI_IPHONE);
    await settled();
    expect(mailbox.messages.filter(loginAlertTo(email))).toHaveLength(1);

    // Turned on in the settings, the next new device is announced again.
    ok(await t.gql(`mutation { updateEmailSettings(input: { loginAlerts: true }) { loginAlerts } }`, {}, { token: auth.accessToken }));
    await loginTokens(t, email, GOOD_PASSWORD, '192.0.2.23', SAFARI_IPHONE);
    await vi.waitFor(() => expect(mailbox.messages.filter(loginAlertTo(email))).toHaveLength(2), { timeout: 15_000 });
  });
});

describe('API token alerts', () => {
  it('are sent when a personal API token is used from an address the account has not used, once per new address', async () => {
    const { email, auth } = await registerUser(t, { ip: '192.0.2.30' });
    const accessToken = auth.accessToken;
    const alerts = () =>
      mailbox.messages.filter((m: ReceivedMail) => m.to.includes(email) && /API token was used from a new address/.test(m.subject));
    const created = await t.gql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "nightly <sync>", scopes: [READ] }) { token } }`,
      {},
      { token: accessToken, ...from('192.0.2.30') },
    );
    const secret = created.data!.createApiToken.token;
    const me = (ip: string) => t.gql(`{ me { id } }`, {}, { token: secret, ...from(ip) });

    // From where the user signed in: nothing to report.
    await me('192.0.2.30');
    await settled();
    expect(alerts()).toHaveLength(0);

    // From a server the account never used, twice at once: one alert.
    await Promise.all([me('203.0.113.77'), me('203.0.113.77')]);
    const alert = await mailbox.waitFor(
      (m: ReceivedMail) => m.to.includes(email) && /API token was used from a new address/.test(m.subject),
    );
    expect(alert.body).toContain('API token: nightly <sync>');
    expect(alert.body).toContain('IP address: 203.0.113.77');
    expect(alert.body).toContain('nightly &lt;sync&gt;');
    await me('203.0.113.77');
    await settled();
    expect(alerts()).toHaveLength(1);
  });
});

describe('login alert jobs in Redis', () => {
  it('hold no address, device or name readable, and the alert still arrives whole', async () => {
    // An app whose notify-email jobs nobody takes yet, so they sit in Redis to be read.
    const app = await startTestApp({ env: { TRUST_PROXY: '1', SMTP_URL: mailbox.url, APP_URL: 'https://app.example.test' } });
    let worker: { close(): Promise<void> } | undefined;
    try {
      const { email } = await registerUser(app, { ip: '198.51.100.40' });
      await loginTokens(app, email, GOOD_PASSWORD, '198.51.100.41', SAFARI_IPHONE);
      await app.app.services.auth.background.idle();
      await vi.waitFor(async () => expect(await app.app.services.auth.outbox.notifyQueue.getWaitingCount()).toBe(1), {
        timeout: 10_000,
      });
      const stored = await redisDump(app);
      expect(stored).toContain('LOGIN_ALERTS');
      for (const secret of ['198.51.100.41', 'Mobile Safari', 'Test Person', email, 'New sign-in']) expect(stored).not.toContain(secret);

      worker = await startNotifyEmailWorker(app.config, log);
      const alert = await mailbox.waitFor(loginAlertTo(email));
      expect(alert.body).toContain('IP address: 198.51.100.41');
      expect(alert.body).toContain('Device: Mobile Safari on iOS');
    } finally {
      await worker?.close();
      await app.close();
    }
  }, 30_000);

  it('a job not sealed with the server key is refused, not sent', async () => {
    const { email, auth } = await registerUser(t, { ip: '198.51.100.50' });
    const userId = auth.user.id;
    const job = { userId, category: 'LOGIN_ALERTS' as const, subject: 'Forged sign-in alert', paragraphs: ['Click https://evil.test/'] };
    const queue = t.app.services.auth.outbox.notifyQueue;
    const plain = await queue.add('LOGIN_ALERTS', job as never);
    const forged = await queue.add('LOGIN_ALERTS', { category: 'LOGIN_ALERTS', sealed: 'v1.AAAA.AAAA.AAAA' });
    for (const added of [plain, forged]) {
      await vi.waitFor(async () => expect(await queue.getJobState(added.id!)).toBe('failed'), { timeout: 5_000 });
      expect((await queue.getJob(added.id!))!.attemptsMade).toBe(1);
    }
    expect(mailbox.messages.some((m) => m.to.includes(email) && /Forged/.test(m.subject))).toBe(false);
  });
});
