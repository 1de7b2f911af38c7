/**
 * Nothing queued is lost, nothing is sent twice (issue 21): outbox rows stay until the worker
 * sends them, so an empty Redis (restarted while the worker was stopped) gets them queued again;
 * a job retried after its send (a worker killed past the commit) or an announcement recorded
 * again (a report job re-run after BullMQ forgot the first job) is not sent again.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { uniqueEmail } from '../../test/auth.js';
import { startMailbox, type Mailbox } from '../../test/mailbox.js';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { createTestUser } from '../../test/users.js';
import { startNotifyEmailWorker } from '../alerts/index.js';
import type { RunningWorker } from '../platform/queues.js';
import { startEmailWorker } from './email.js';

let mailbox: Mailbox;
let t: TestApp;
beforeAll(async () => {
  mailbox = await startMailbox();
  t = await startTestApp({ env: { SMTP_URL: mailbox.url, EMAIL_REQUEUE_AFTER_MS: '500' } });
});
afterAll(async () => {
  await t?.close();
  await mailbox?.close();
});

const sentTo = (to: string) => mailbox.messages.filter((m) => m.to.includes(to)).length;

/** Deletes every BullMQ key of this deployment: Redis restarted empty. */
async function emptyRedisQueues(): Promise<void> {
  const redis = new Redis(t.config.REDIS_URL);
  try {
    const keys = await redis.keys(`${t.config.REDIS_PREFIX}bull:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

async function withWorker<T>(start: () => Promise<RunningWorker>, run: () => Promise<T>): Promise<T> {
  const worker = await start();
  try {
    return await run();
  } finally {
    await worker.close();
  }
}

describe('the email outbox', () => {
  it('queues again what an empty Redis lost while the worker was stopped, and sends each once', async () => {
    const { outbox } = t.app.services.auth;
    const addresses = Array.from({ length: 6 }, (_, i) => uniqueEmail(`lost-${i}`));
    for (const to of addresses) await outbox.send({ kind: 'password-reset', to, name: 'Lost', link: 'https://app.example.test/reset' });
    await vi.waitFor(async () => expect(await outbox.queue.getWaitingCount()).toBe(6), { timeout: 15_000, interval: 100 });
    await emptyRedisQueues();

    await withWorker(
      () => startEmailWorker(t.config, t.app.log),
      async () => {
        await vi.waitFor(() => expect(addresses.every((to) => sentTo(to) >= 1)).toBe(true), { timeout: 30_000, interval: 200 });
        // Queued again after it was sent, with a retry of the same job: still once.
        const [first] = addresses;
        const row = (await t.app.services.db.emailOutbox.findMany({ where: { sentAt: { not: null } } })).find((r) =>
          JSON.stringify(r.payload).includes(first!),
        )!;
        await outbox.queue.add('password-reset', (row.job as { data: never }).data, { jobId: `retry-${row.id}` });
        await vi.waitFor(async () => expect(await outbox.queue.getJobState(`retry-${row.id}`)).toBe('completed'), { timeout: 10_000 });
      },
    );
    expect(addresses.map(sentTo)).toEqual(addresses.map(() => 1));
    expect(await t.app.services.db.emailOutbox.count({ where: { sentAt: null } })).toBe(0);
  }, 60_000);

  it('sends an announcement recorded twice once, even after BullMQ forgot the first job', async () => {
    const user = await createTestUser(t);
    const { outbox } = t.app.services.auth;
    const notice = { userId: user.id, category: 'WEEKLY_REPORTS' as const, subject: 'Your weekly risk report: twice?', paragraphs: ['x'] };
    const sentinel = { ...notice, subject: 'Sentinel' };
    await withWorker(
      () => startNotifyEmailWorker(t.config, t.app.log),
      async () => {
        await outbox.record({ kind: 'notify', jobId: `report-once-${user.id}`, job: notice });
        await mailbox.waitFor((m) => m.to.includes(user.email) && m.subject === notice.subject, 15_000);
        // BullMQ keeps only so many completed jobs (removeOnComplete): the first one is gone.
        await vi.waitFor(async () => expect(await outbox.notifyQueue.getJobState(`report-once-${user.id}`)).toBe('completed'));
        await (await outbox.notifyQueue.getJob(`report-once-${user.id}`))!.remove();
        await outbox.record({ kind: 'notify', jobId: `report-once-${user.id}`, job: notice });
        await outbox.record({ kind: 'notify', jobId: `sentinel-${user.id}`, job: sentinel });
        await mailbox.waitFor((m) => m.to.includes(user.email) && m.subject === 'Sentinel', 15_000);
        // Let a relay sweep and a re-queue pass.
        await new Promise((resolve) => setTimeout(resolve, 6_000));
      },
    );
    expect(mailbox.messages.filter((m) => m.to.includes(user.email) && m.subject === notice.subject)).toHaveLength(1);
  }, 60_000);
});
