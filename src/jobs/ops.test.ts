import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { eventually } from '../../test/ws.js';
import { REPORT_JOBS, startReportsWorker } from '../reports/index.js';
import { QUEUE_NAMES, openQueue, type OpenQueue } from '../platform/queues.js';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
const TOKEN = 'operator-token-for-tests-0123456789';

let queue: OpenQueue<unknown>;
const t = useTestApp({ env: { OPERATOR_TOKEN: TOKEN, QUEUE_DASHBOARD: 'true' } });
beforeAll(async () => {
  queue = openQueue(QUEUE_NAMES.reports, t.config, {});
});
afterAll(async () => {
  await queue?.close();
});

const metric = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('queue operations', () => {
  it('metrics per queue show waiting, completed and failed (dead-letter) jobs and job durations', async () => {
    const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const first = await scrape();
    expect(metric(first, 'foliograph_queue_jobs', 'queue="reports",state="failed"')).toBe(0);

    await queue.queue.add(REPORT_JOBS.cleanup, {}, { jobId: 'cleanup-1' });
    expect(metric(await scrape(), 'foliograph_queue_jobs', 'queue="reports",state="waiting"')).toBe(1);
    // A job no processor knows fails every attempt and stays in the failed set.
    await queue.queue.add('no-such-job', {}, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });

    const worker = await startReportsWorker(t.config, log, { catchUp: false });
    try {
      const text = await eventually(
        scrape,
        (body) =>
          metric(body, 'foliograph_queue_jobs', 'queue="reports",state="failed"') === 1 &&
          metric(body, 'foliograph_queue_job_duration_seconds_count', 'queue="reports"') >= 1,
        15_000,
      );
      expect(metric(text, 'foliograph_queue_jobs', 'queue="reports",state="completed"')).toBe(1);
      expect(metric(text, 'foliograph_queue_jobs', 'queue="notify-email",state="waiting"')).toBe(0);
      const [dead] = await queue.queue.getFailed();
      expect(dead).toMatchObject({ name: 'no-such-job', attemptsMade: 2, failedReason: 'unknown reports job "no-such-job"' });
    } finally {
      await worker.close();
    }
  }, 30_000);

  it('the dashboard needs the operator token and is off when QUEUE_DASHBOARD is off', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(401);
    const wrong = Buffer.from('ops:not-the-token').toString('base64');
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: `Basic ${wrong}` } })).statusCode).toBe(
      401,
    );
    const basic = Buffer.from(`ops:${TOKEN}`).toString('base64');
    const page = await t.app.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: `Basic ${basic}` } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api.statusCode).toBe(200);
    expect((api.json() as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort()).toEqual(Object.values(QUEUE_NAMES).sort());

    const off = await startTestApp({ database: t.database, env: { OPERATOR_TOKEN: TOKEN, QUEUE_DASHBOARD: 'false' } });
    try {
      expect(
        (await off.app.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode,
      ).toBe(404);
    } finally {
      await off.close();
    }
  });
});
