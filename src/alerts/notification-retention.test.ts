/** Notifications are kept 90 days: the daily cleanup job deletes older ones, and only those. */
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/use-test-app.js';
import { ok } from '../../test/portfolios.js';
import { createTestUser } from '../../test/users.js';
import { eventually } from '../../test/ws.js';
import { QUEUE_NAMES, openQueue, type OpenQueue } from '../platform/queues.js';
import { REPORT_JOBS, startReportsWorker } from '../reports/index.js';
import { NOTIFICATION_RETENTION_DAYS } from './index.js';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
const DAY = 86_400_000;
let queue: OpenQueue<unknown>;

const t = useTestApp();
beforeAll(async () => {
  queue = openQueue(QUEUE_NAMES.reports, t.config, {});
});
afterAll(async () => {
  await queue?.close();
});

describe('notification retention', () => {
  it('the daily cleanup deletes notifications older than 90 days and keeps the rest', async () => {
    expect(NOTIFICATION_RETENTION_DAYS).toBe(90);
    const user = await createTestUser(t);
    const now = Date.now();
    for (const [title, age] of [
      ['older than 90 days', 90 * DAY + 60_000],
      ['89 days old', 89 * DAY],
      ['new', 0],
    ] as const) {
      await t.app.services.db.notification.create({
        data: { userId: user.id, kind: 'ALERT', title, body: title, createdAt: new Date(now - age) },
      });
    }
    const worker = await startReportsWorker(t.config, log, { catchUp: false });
    try {
      await queue.queue.add(REPORT_JOBS.cleanup, {}, { jobId: 'cleanup-retention' });
      const job = await eventually(
        () => queue.queue.getJob('cleanup-retention'),
        (j) => Boolean(j?.finishedOn),
        20_000,
      );
      expect(job!.returnvalue).toEqual({ deleted: 1 });
    } finally {
      await worker.close();
    }
    const listed = ok(
      await t.gql<{ notifications: { totalCount: number; edges: Array<{ node: { title: string } }> } }>(
        `{ notifications(first: 10) { totalCount edges { node { title } } } }`,
        {},
        { token: user.token },
      ),
    ).notifications;
    expect(listed.edges.map((e) => e.node.title)).toEqual(['new', '89 days old']);
    expect(listed.totalCount).toBe(2);
  }, 40_000);
});
