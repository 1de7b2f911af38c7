/**
 * The reports queue's worker part: BullMQ job schedulers (one per deployment: every worker
 * upserts them under fixed ids) and their processors.
 *
 * | scheduler             | when (UTC)            | what                                                        |
 * |-----------------------|-----------------------|-------------------------------------------------------------|
 * | daily-snapshot        | 00:30 Tue–Sat         | every portfolio's value at the previous weekday's close     |
 * | weekly-reports        | 06:00 Mon             | the risk report PDF of the week before, per portfolio       |
 * | rebalancing-reminders | 07:00 daily           | owners whose drift alert's tolerance is passed, weekly most |
 * | notification-cleanup  | 03:00 daily           | notifications older than 90 days                            |
 * | tax-lot-reviews       | 08:00 on the 1st      | owners' lots worth harvesting, once per portfolio per month |
 *
 * At start a worker also queues the latest snapshot day and the latest week (job ids named by
 * the period, so several workers queue them once), so a new deployment has its first snapshot
 * and report at once. Every job is idempotent: rows are keyed by their period and inserted with
 * ON CONFLICT DO NOTHING, emails keyed by what they announce and recorded in the outbox in the
 * transaction that stores the row (the reminder, the month's tax-lot review) they announce. Jobs are retried with exponential
 * backoff; one that fails every attempt stays in the queue's failed set (the dead letters, shown
 * on the dashboard and in metrics). Long jobs keep their cursor in the job's progress, so a job
 * whose worker died (its lock lapses; BullMQ's stalled check gives it to another worker)
 * resumes after the last finished batch. Closing the worker waits for the jobs it is running.
 */
import type { Job } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import { Decimal } from 'decimal.js';
import {
  deleteOldNotifications,
  driftAlerts,
  insertNotification,
  NotifyOutbox,
  openSharedWorkerResources,
  publishNotification,
  startAlertWorker,
  startNotifyEmailWorker,
  type DriftAlert,
  type NotificationRecord,
  type SharedWorkerResources,
} from '../alerts/index.js';
import type { AnalyticsService } from '../analytics/index.js';
import type { PortfolioValuations } from '../ledger/index.js';
import type { Config } from '../config.js';
import { QUEUE_NAMES, openQueue, queuePrefix } from '../platform/queues.js';
import { addDays, isoDateOf } from '../platform/dates.js';
import type { Db, Prisma } from '../platform/db.js';
import { bullConnection, type Redis } from '../platform/redis.js';
import type { RunningWorker } from '../platform/queues.js';
import { Worker } from 'bullmq';
import { ReportService, WEEKLY_REPORT_KIND, type SnapshotProgress } from './service.js';
import { PostgresReportStore, reportAttachment } from './store.js';
import { reportDownloadUrl } from './urls.js';

export const REPORT_JOBS = {
  snapshot: 'daily-snapshot',
  weekly: 'weekly-reports',
  reminders: 'rebalancing-reminders',
  cleanup: 'notification-cleanup',
  taxLots: 'tax-lot-reviews',
} as const;

const SCHEDULES: Record<(typeof REPORT_JOBS)[keyof typeof REPORT_JOBS], string> = {
  'daily-snapshot': '30 0 * * 2-6',
  'weekly-reports': '0 6 * * 1',
  'rebalancing-reminders': '0 7 * * *',
  'notification-cleanup': '0 3 * * *',
  'tax-lot-reviews': '0 8 1 * *',
};

export const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { count: 200 },
  // The dead letters: kept for operators to look at and retry.
  removeOnFail: { count: 1000 },
} as const;

/** The weekday before `now` (the close a snapshot run records). */
export function lastTradingDay(now: Date): string {
  let day = addDays(isoDateOf(now), -1);
  while ([0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())) day = addDays(day, -1);
  return day;
}

/** The last full Monday–Sunday week before `now`. */
export function lastFullWeek(now: Date): { from: string; to: string } {
  const today = isoDateOf(now);
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  const to = addDays(today, -weekday - 1);
  return { from: addDays(to, -6), to };
}

export interface ReportJobsOptions {
  batchSize?: number;
  /** Lock lifetime of a running job (ms): how soon a dead worker's job goes to another. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Queue the latest snapshot day and week at start (default true), after catchUpDelayMs (default 10 s). */
  catchUp?: boolean;
  catchUpDelayMs?: number;
  /** Test hook: called after each snapshot batch, inside the job. */
  afterSnapshotBatch?: (progress: SnapshotProgress) => Promise<void>;
  now?: () => Date;
}

interface Deps {
  config: Config;
  db: Db;
  redis: Redis;
  reports: ReportService;
  valuations: Pick<PortfolioValuations, 'hasHoldingsBy' | 'page' | 'headings'>;
  analytics: AnalyticsService;
  outbox: NotifyOutbox;
  log: FastifyBaseLogger;
  options: ReportJobsOptions;
  now: () => Date;
}

async function runSnapshot(deps: Deps, job: Job): Promise<SnapshotProgress> {
  const date = (job.data as { date?: string }).date ?? lastTradingDay(deps.now());
  const saved = job.progress as Partial<SnapshotProgress> & { date?: string };
  const resume = saved && typeof saved === 'object' && saved.date === date && saved.cursor ? (saved as SnapshotProgress) : null;
  const result = await deps.reports.snapshotDay(date, {
    batchSize: deps.options.batchSize,
    resume,
    onBatch: async (progress) => {
      await job.updateProgress({ ...progress, date });
      await deps.options.afterSnapshotBatch?.(progress);
    },
  });
  deps.log.info({ event: 'jobs.snapshot', date, ...result }, 'daily snapshots stored');
  return result;
}

async function runWeeklyReports(deps: Deps, job: Job): Promise<{ from: string; to: string; created: number }> {
  const data = job.data as { from?: string; to?: string };
  const period = data.from && data.to ? { from: data.from, to: data.to } : lastFullWeek(deps.now());
  const saved = job.progress as { cursor?: string; to?: string; created?: number };
  let cursor = saved && typeof saved === 'object' && saved.to === period.to ? (saved.cursor ?? null) : null;
  let created = saved && typeof saved === 'object' && saved.to === period.to ? (saved.created ?? 0) : 0;
  for (;;) {
    const batch = await deps.valuations.page(cursor, deps.options.batchSize ?? 50);
    if (batch.length === 0) break;
    for (const portfolio of batch) {
      // Portfolios created after the week have nothing to report for it.
      if (isoDateOf(portfolio.createdAt) > period.to && !(await deps.valuations.hasHoldingsBy(portfolio.id, period.to))) continue;
      if (await deps.reports.store.exists(portfolio.id, WEEKLY_REPORT_KIND, period.from, period.to)) continue;
      // The report and its announcement commit together: a worker dying in between cannot leave a report never announced.
      let notification: NotificationRecord | null = null;
      const report = await deps.reports.generate(portfolio.id, WEEKLY_REPORT_KIND, period, false, async (tx, meta, content) => {
        notification = await recordAnnouncement(deps, tx, portfolio, meta.id, ReportService.summary(content));
      });
      if (!report.created || !notification) continue;
      created++;
      deps.outbox.flush();
      await publishNotification(deps.redis, deps.config.REDIS_PREFIX, notification).catch(() => {});
    }
    cursor = batch[batch.length - 1]!.id;
    await job.updateProgress({ cursor, to: period.to, created });
  }
  deps.log.info({ event: 'jobs.weekly_reports', ...period, created }, 'weekly reports made');
  return { ...period, created };
}

/** An in-app notification and (if they want it) an email with the PDF to the owner, in the report's transaction. */
async function recordAnnouncement(
  deps: Deps,
  tx: Prisma.TransactionClient,
  portfolio: { ownerId: string; name: string },
  reportId: string,
  summary: string,
): Promise<NotificationRecord> {
  const notification = await insertNotification(tx, {
    userId: portfolio.ownerId,
    kind: 'REPORT',
    title: `Weekly risk report ready: ${portfolio.name}`,
    body: summary,
  });
  await deps.outbox.send(
    {
      userId: portfolio.ownerId,
      category: 'WEEKLY_REPORTS',
      subject: `Your weekly risk report: ${portfolio.name}`,
      paragraphs: [
        summary,
        `The report is attached; it is also listed with the portfolio: ${reportDownloadUrl(deps.config.PUBLIC_URL, reportId)}`,
      ],
      reportId,
    },
    `report-${reportId}`,
    tx,
  );
  return notification;
}

/**
 * Owners with a PORTFOLIO_DRIFT_ABOVE alert on their portfolio (its targets and tolerance are
 * the ones reminders use) whose drift passes the tolerance get a reminder with the trades, at
 * most once a week per portfolio: the reminder row is claimed by one conditional upsert.
 */
async function runReminders(deps: Deps): Promise<{ reminded: number }> {
  // Drift alerts from alerts' door, the portfolios' owners and names through the ledger's door: two
  // statements whatever the number of alerts. An owner's oldest drift alert on a portfolio counts.
  const drift = await driftAlerts(deps.db);
  const headings = drift.length ? await deps.valuations.headings([...new Set(drift.map((a) => a.portfolioId))]) : [];
  const portfolios = new Map(headings.map((p) => [p.id, p]));
  const alerts: Array<DriftAlert & { name: string }> = [];
  for (const alert of drift) {
    const portfolio = portfolios.get(alert.portfolioId);
    if (!portfolio || portfolio.ownerId !== alert.userId || alerts.at(-1)?.portfolioId === alert.portfolioId) continue;
    alerts.push({ ...alert, name: portfolio.name });
  }
  let reminded = 0;
  for (const alert of alerts) {
    const plan = await deps.analytics.rebalance(alert.portfolioId, { targets: alert.targets, driftTolerance: Number(alert.threshold) });
    if (!(plan.driftBefore > Number(alert.threshold))) continue;
    const trades = plan.trades.map((t) => `${t.action} ${t.quantity.toString()} ${t.symbol} (value ${t.value})`);
    const body = `${alert.name} has drifted ${plan.driftBefore.toFixed(4)} from its targets (tolerance ${alert.threshold}).`;
    // The claim (at most weekly), the notification and the email commit together.
    const notification = await deps.db.$transaction(async (tx) => {
      const claimed = await tx.$queryRaw<Array<{ sent_at: Date }>>`
        INSERT INTO rebalancing_reminders (portfolio_id, sent_at, drift) VALUES (${alert.portfolioId}::uuid, now(), ${plan.driftBefore})
        ON CONFLICT (portfolio_id) DO UPDATE SET sent_at = now(), drift = EXCLUDED.drift
        WHERE rebalancing_reminders.sent_at < now() - interval '7 days'
        RETURNING sent_at`;
      if (claimed.length === 0) return null;
      const notification = await insertNotification(tx, {
        userId: alert.userId,
        kind: 'REBALANCING_REMINDER',
        title: `Time to rebalance ${alert.name}`,
        body,
      });
      await deps.outbox.send(
        {
          userId: alert.userId,
          category: 'REBALANCING_REMINDERS',
          subject: `Time to rebalance ${alert.name}`,
          paragraphs: [body, ...(trades.length ? ['Suggested trades:', ...trades] : [])],
        },
        `rebalance-${alert.portfolioId}-${isoDateOf(claimed[0]!.sent_at)}`,
        tx,
      );
      return notification;
    });
    if (!notification) continue;
    reminded++;
    deps.outbox.flush();
    await publishNotification(deps.redis, deps.config.REDIS_PREFIX, notification).catch(() => {});
  }
  return { reminded };
}

/** The first day of `now`'s month (UTC): the period a tax-lot review covers. */
export function reviewMonth(now: Date): string {
  return `${isoDateOf(now).slice(0, 7)}-01`;
}

/** Of these portfolios, those whose review of `month` was sent. */
async function reviewedIn(db: Db, portfolioIds: readonly string[], month: string): Promise<Set<string>> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT portfolio_id::text AS id FROM tax_lot_reviews WHERE month = ${month}::date AND portfolio_id = ANY(${portfolioIds}::uuid[])`;
  return new Set(rows.map((r) => r.id));
}

/**
 * The monthly tax-lot review: every portfolio with suggestions gets one notification and one
 * email (if its owner wants tax-lot reviews) per month. The month's row in `tax_lot_reviews` is
 * claimed in the transaction that stores the notification and records the email, so two
 * workers, a retried job or a second run of the month send it once.
 */
async function runTaxLotReviews(deps: Deps, job: Job): Promise<{ month: string; reviewed: number }> {
  const month = (job.data as { month?: string }).month ?? reviewMonth(deps.now());
  const saved = job.progress as { cursor?: string; month?: string; reviewed?: number };
  const resumed = saved && typeof saved === 'object' && saved.month === month;
  let cursor = resumed ? (saved.cursor ?? null) : null;
  let reviewed = resumed ? (saved.reviewed ?? 0) : 0;
  for (;;) {
    const page = await deps.valuations.page(cursor, deps.options.batchSize ?? 50);
    if (page.length === 0) break;
    // The month's reviews already sent (reports' own table), one statement per page.
    const reviewedAlready = await reviewedIn(
      deps.db,
      page.map((p) => p.id),
      month,
    );
    const batch = page.filter((p) => !reviewedAlready.has(p.id));
    for (const portfolio of batch) {
      const suggestions = await deps.reports.taxLots.suggestions(portfolio);
      if (suggestions.length === 0) continue;
      const total = suggestions.reduce((sum, s) => sum.plus(s.unrealizedLoss), new Decimal(0));
      const title = `Tax-lot review: ${portfolio.name}`;
      const body = `${suggestions.length} lot${suggestions.length === 1 ? '' : 's'} of ${portfolio.name} could be sold to realize ${total.toFixed(2)} ${portfolio.baseCurrency} of losses.`;
      const notification = await deps.db.$transaction(async (tx) => {
        const claimed = await tx.$executeRaw`
          INSERT INTO tax_lot_reviews (portfolio_id, month, suggestions) VALUES (${portfolio.id}::uuid, ${month}::date, ${suggestions.length})
          ON CONFLICT (portfolio_id, month) DO NOTHING`;
        if (claimed === 0) return null;
        const notification = await insertNotification(tx, { userId: portfolio.ownerId, kind: 'TAX_LOT_REVIEW', title, body });
        await deps.outbox.send(
          {
            userId: portfolio.ownerId,
            category: 'TAX_LOT_REVIEWS',
            subject: `Your monthly tax-lot review: ${portfolio.name}`,
            paragraphs: [
              body,
              ...suggestions.map((s) => s.reason),
              'This is not tax advice; wash-sale and holding-period rules differ by country.',
            ],
          },
          `tax-lots-${portfolio.id}-${month}`,
          tx,
        );
        return notification;
      });
      if (!notification) continue;
      reviewed++;
      deps.outbox.flush();
      await publishNotification(deps.redis, deps.config.REDIS_PREFIX, notification).catch(() => {});
    }
    cursor = page[page.length - 1]!.id;
    await job.updateProgress({ cursor, month, reviewed });
  }
  deps.log.info({ event: 'jobs.tax_lot_reviews', month, reviewed }, 'tax-lot reviews sent');
  return { month, reviewed };
}

export async function startReportsWorker(
  config: Config,
  log: FastifyBaseLogger,
  options: ReportJobsOptions = {},
  shared?: SharedWorkerResources,
): Promise<RunningWorker & { reports: ReportService }> {
  const now = options.now ?? (() => new Date());
  const own = shared ? null : openSharedWorkerResources(config, log, now);
  const { db, redis, market, valuations, analytics, ledger, outbox } = shared ?? own!;
  const reports = new ReportService({
    db,
    market,
    valuations,
    analytics,
    ledger,
    store: new PostgresReportStore(db),
    taxLotMinLoss: config.TAX_LOT_MIN_LOSS,
    now,
  });
  // As in the API: past days of the reports' figures read the stored snapshots.
  analytics.useStoredValues((portfolioId, range) => reports.storedValues(portfolioId, range));
  const producer = openQueue(QUEUE_NAMES.reports, config, JOB_OPTIONS);
  const deps: Deps = { config, db, redis, reports, valuations, analytics, outbox, log, options, now };

  const connection = bullConnection(config.REDIS_URL);
  const worker = new Worker(
    QUEUE_NAMES.reports,
    async (job) => {
      switch (job.name) {
        case REPORT_JOBS.snapshot:
          return runSnapshot(deps, job);
        case REPORT_JOBS.weekly:
          return runWeeklyReports(deps, job);
        case REPORT_JOBS.reminders:
          return runReminders(deps);
        case REPORT_JOBS.cleanup:
          return { deleted: await deleteOldNotifications(db, now()) };
        case REPORT_JOBS.taxLots:
          return runTaxLotReviews(deps, job);
        default:
          throw new Error(`unknown reports job "${job.name}"`);
      }
    },
    {
      connection,
      prefix: queuePrefix(config),
      concurrency: 1,
      lockDuration: options.lockDurationMs ?? 60_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, error) =>
    log.warn({ err: error, jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade }, 'reports job failed'),
  );
  worker.on('error', (error) => log.error({ err: error }, 'reports worker error'));

  const close = async () => {
    await worker.close();
    await connection.quit().catch(() => connection.disconnect());
    await producer.close();
    await own?.close();
  };
  try {
    for (const [id, pattern] of Object.entries(SCHEDULES)) {
      await producer.queue.upsertJobScheduler(id, { pattern, tz: 'UTC' }, { name: id, opts: JOB_OPTIONS });
    }
    if (options.catchUp ?? true) {
      const day = lastTradingDay(now());
      const week = lastFullWeek(now());
      // A little after start, so a process that is still starting up (or stopped at once) is not kept busy.
      const delay = options.catchUpDelayMs ?? 10_000;
      await producer.queue.add(REPORT_JOBS.snapshot, { date: day }, { jobId: `${REPORT_JOBS.snapshot}-${day}`, delay });
      await producer.queue.add(REPORT_JOBS.weekly, week, { jobId: `${REPORT_JOBS.weekly}-${week.to}`, delay });
    }
    await worker.waitUntilReady();
  } catch (error) {
    await close();
    throw error;
  }
  return { reports, close };
}

/**
 * The worker part for alerts, notification email and reports together, sharing one Prisma
 * client, Redis connection and market/analytics services (each would otherwise open its own).
 */
export async function startNotificationsAndReports(config: Config, log: FastifyBaseLogger): Promise<RunningWorker> {
  const shared = openSharedWorkerResources(config, log);
  const running: RunningWorker[] = [];
  const close = async () => {
    for (const part of running.splice(0).reverse()) await part.close();
    await shared.close();
  };
  try {
    running.push(await startNotifyEmailWorker(config, log, shared, reportAttachment));
    running.push(await startAlertWorker(config, log, {}, shared));
    running.push(await startReportsWorker(config, log, {}, shared));
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}
