import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/use-test-app.js';
import { startMailbox, type Mailbox } from '../../test/mailbox.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser } from '../../test/users.js';
import { eventually } from '../../test/ws.js';
import { startNotifyEmailWorker } from '../alerts/index.js';
import { QUEUE_NAMES, openQueue, type OpenQueue } from '../platform/queues.js';
import { REPORT_JOBS, startReportsWorker } from './index.js';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
let mailbox: Mailbox;
let queue: OpenQueue<unknown>;

afterAll(async () => {
  await mailbox?.close();
});
beforeAll(async () => {
  mailbox = await startMailbox();
});
const t = useTestApp(() => ({ env: { SMTP_URL: mailbox.url } }));
beforeAll(async () => {
  queue = openQueue(QUEUE_NAMES.reports, t.config, {});
});
afterAll(async () => {
  await queue?.close();
});

async function run(name: string, data: object, jobId: string) {
  await queue.queue.add(name, data, { jobId });
  return eventually(
    () => queue.queue.getJob(jobId),
    (j) => Boolean(j?.finishedOn),
    30_000,
  );
}

describe('rebalancing reminders', () => {
  it('remind the owner when drift passes the drift alert tolerance, at most once a week per portfolio', async () => {
    const owner = await createTestUser(t);
    const portfolio = await createPortfolio(t, owner, { name: 'Lopsided' });
    await addInvestment(t, owner, portfolio.id, { symbol: 'AAPL', quantity: '100', purchasePrice: '150', purchaseDate: '2024-01-02' });
    await addInvestment(t, owner, portfolio.id, { symbol: 'MSFT', quantity: '1', purchasePrice: '300', purchaseDate: '2024-01-02' });
    ok(
      await t.gql(
        `mutation($p: ID!) { createAlert(input: { condition: PORTFOLIO_DRIFT_ABOVE, portfolioId: $p, threshold: "0.05", targets: [{ key: "AAPL", weight: 0.5 }, { key: "MSFT", weight: 0.5 }] }) { id } }`,
        { p: portfolio.id },
        { token: owner.token },
      ),
    );

    const worker = await startReportsWorker(t.config, log, { catchUp: false });
    const mailer = await startNotifyEmailWorker(t.config, log);
    try {
      expect((await run(REPORT_JOBS.reminders, {}, 'remind-1'))!.returnvalue).toEqual({ reminded: 1 });
      const mail = await mailbox.waitFor((m) => m.to.includes(owner.email));
      expect(mail.subject).toBe('Time to rebalance Lopsided');
      expect(mail.body).toMatch(/SELL [\d.]+ AAPL/);
      expect(mail.body).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
      expect((await run(REPORT_JOBS.reminders, {}, 'remind-2'))!.returnvalue).toEqual({ reminded: 0 });
      expect(await t.app.services.db.notification.count({ where: { userId: owner.id, kind: 'REBALANCING_REMINDER' } })).toBe(1);

      // A week later it may remind again.
      await t.app.services.db.rebalancingReminder.update({
        where: { portfolioId: portfolio.id },
        data: { sentAt: new Date(Date.now() - 8 * 86_400_000) },
      });
      expect((await run(REPORT_JOBS.reminders, {}, 'remind-3'))!.returnvalue).toEqual({ reminded: 1 });
    } finally {
      await mailer.close();
      await worker.close();
    }
  }, 60_000);
});

describe('graceful shutdown', () => {
  it('closing the worker lets the running job finish: nothing is lost or left active', async () => {
    const owner = await createTestUser(t);
    for (let i = 0; i < 3; i++) {
      const p = await createPortfolio(t, owner);
      await addInvestment(t, owner, p.id, { symbol: 'AAPL', quantity: '1', purchasePrice: '150', purchaseDate: '2024-01-02' });
    }
    const total = await t.app.services.db.portfolio.count();
    let batches = 0;
    const worker = await startReportsWorker(t.config, log, {
      catchUp: false,
      batchSize: 1,
      afterSnapshotBatch: async () => {
        batches++;
        await new Promise((r) => setTimeout(r, 200));
      },
    });
    await queue.queue.add(REPORT_JOBS.snapshot, { date: '2024-06-14' }, { jobId: 'snap-shutdown' });
    await eventually(
      () => batches,
      (n) => n >= 1,
      20_000,
    );
    await worker.close();
    const job = await queue.queue.getJob('snap-shutdown');
    expect(await job!.getState()).toBe('completed');
    expect(job!.returnvalue).toMatchObject({ portfolios: total, written: total });
    expect(await queue.queue.getJobCounts('active', 'wait')).toEqual({ active: 0, wait: 0 });
  }, 60_000);
});
