import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser } from '../../test/users.js';
import { newOpaqueToken, sha256Hex } from '../auth/opaque.js';
import { AUTH_CLEANUP_EVERY_MS, AUTH_CLEANUP_JOB, startMaintenanceWorker } from './maintenance.js';
import { QUEUE_NAMES, openQueue, type OpenQueue } from '../platform/queues.js';

let inspect: OpenQueue<unknown>;
const t = useTestApp();
beforeAll(async () => {
  inspect = openQueue(QUEUE_NAMES.maintenance, t.config, {});
});
afterAll(async () => {
  await inspect?.close();
});

const DAY = 24 * 60 * 60 * 1000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs);

/** A logger that keeps what it writes. */
function recordingLogger(): { log: FastifyBaseLogger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log: log as unknown as FastifyBaseLogger, lines };
}

async function completedJobs(count: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const completed = await inspect.queue.getCompleted();
    if (completed.length >= count || Date.now() > deadline) return completed;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the maintenance worker part', () => {
  it('schedules one hourly auth cleanup however many workers start, runs it at once, logs the counts; running it again is harmless', async () => {
    const db = t.app.services.db;
    const user = await createTestUser(t);
    const longExpired = await db.session.create({ data: { userId: user.id, expiresAt: at(-40 * DAY) } });
    await db.refreshToken.create({ data: { sessionId: longExpired.id, tokenHash: sha256Hex(newOpaqueToken()), expiresAt: at(-40 * DAY) } });
    await db.oneTimeToken.create({
      data: { userId: user.id, purpose: 'EMAIL_VERIFICATION', tokenHash: sha256Hex(newOpaqueToken()), expiresAt: at(-1000) },
    });
    const liveLink = await db.oneTimeToken.create({
      data: { userId: user.id, purpose: 'PASSWORD_RESET', tokenHash: sha256Hex(newOpaqueToken()), expiresAt: at(DAY) },
    });

    const { log, lines } = recordingLogger();
    const workers = await Promise.all([startMaintenanceWorker(t.config, log), startMaintenanceWorker(t.config, log)]);
    try {
      const schedulers = await inspect.queue.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ key: AUTH_CLEANUP_JOB, name: AUTH_CLEANUP_JOB, every: AUTH_CLEANUP_EVERY_MS });

      const [first, ...others] = await completedJobs(1);
      expect(others).toHaveLength(0);
      // The first run is done and only the next one, an hour on, is pending.
      expect(await inspect.queue.getJobCounts('wait', 'active', 'delayed')).toEqual({ wait: 0, active: 0, delayed: 1 });
      const [scheduler] = await inspect.queue.getJobSchedulers();
      expect(scheduler!.next).toBeGreaterThan(Date.now() + AUTH_CLEANUP_EVERY_MS - 60_000);
      expect(first!.returnvalue).toEqual({ refreshTokens: 1, sessions: 1, oneTimeTokens: 1, signInLockouts: 0 });
      expect(lines).toContainEqual(
        expect.objectContaining({
          event: 'maintenance.auth_cleanup',
          deleted: { refreshTokens: 1, sessions: 1, oneTimeTokens: 1, signInLockouts: 0 },
        }),
      );
      expect(await db.session.findMany({ select: { id: true } })).toEqual([{ id: user.sessionId }]);
      expect(await db.oneTimeToken.findMany({ select: { id: true } })).toEqual([{ id: liveLink.id }]);

      // A run on top (another worker's, a manual one) finds nothing more and keeps the live rows.
      await inspect.queue.add(AUTH_CLEANUP_JOB, {});
      const completed = await completedJobs(2);
      expect(completed).toHaveLength(2);
      expect(completed.map((job) => job.returnvalue)).toContainEqual({
        refreshTokens: 0,
        sessions: 0,
        oneTimeTokens: 0,
        signInLockouts: 0,
      });
      expect(await db.session.count()).toBe(1);
      expect(await db.oneTimeToken.count()).toBe(1);
      expect(await inspect.queue.getJobSchedulersCount()).toBe(1);
    } finally {
      for (const worker of workers) await worker.close();
    }
  }, 30_000);
});
