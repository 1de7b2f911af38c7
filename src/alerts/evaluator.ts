/**
 * The alert evaluator (a worker part): evaluates every active alert on each price tick of its
 * symbols, as the ticks arrive over Redis pub/sub; it never polls prices.
 *
 * - It watches the symbols of active alerts, and every symbol held by portfolios with portfolio
 *   alerts, through the market's QuoteRelay, which advertises them in Redis: the price feed
 *   publishes watched symbols, so every alert's symbol ticks even if nobody holds it.
 * - The set of alerts is reloaded when the API announces a change (`alerts:changed`) and every
 *   few seconds besides. Portfolio alerts are only loaded while their user still has a role of
 *   VIEW or above on the portfolio.
 * - Exactly once per firing, across any number of workers: firing is one conditional UPDATE
 *   (`... SET armed = false WHERE id = $1 AND armed AND active`) in the transaction that stores
 *   the notification and records the email in the outbox; only the worker whose UPDATE changed
 *   the row goes on, and the email job id names the alert and its firing count, so a relay
 *   that runs twice cannot send it twice. A repeat alert is
 *   re-armed (`SET armed = true WHERE NOT armed`) only after a tick on which its condition no
 *   longer holds; a one-off alert becomes inactive when it fires.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Registry } from 'prom-client';
import { AnalyticsService } from '../analytics/index.js';
import type { Config } from '../config.js';
import { createFxSources, FxRates, QuoteRelay, type LiveQuote } from '../market/index.js';
import { MarketService } from '../market/index.js';
import { LedgerService, PortfolioValuations } from '../ledger/index.js';
import { PortfolioAccess, roleAtLeast } from '../portfolios/index.js';
import { createDb, type Db } from '../platform/db.js';
import { RedisChannels } from '../platform/redis-channels.js';
import { createRedis, type Redis } from '../platform/redis.js';
import type { RunningWorker } from '../platform/queues.js';
import {
  conditionHolds,
  describeFiring,
  isSymbolCondition,
  transition,
  type AlertChannel,
  type AlertCondition,
  type Measurement,
} from './conditions.js';
import { NotifyOutbox } from './mail.js';
import { insertNotification, publishNotification, type NotificationRecord } from './notifications.js';
import { alertsChangedChannel } from './service.js';

export interface LoadedAlert {
  id: string;
  userId: string;
  condition: AlertCondition;
  symbol: string | null;
  portfolioId: string | null;
  portfolioName: string | null;
  threshold: string;
  channels: AlertChannel[];
  repeat: boolean;
  armed: boolean;
  targets: Array<{ key: string; weight: number }> | null;
}

export interface AlertEvaluatorDeps {
  db: Db;
  redis: Redis;
  channels: RedisChannels;
  market: MarketService;
  valuations: Pick<PortfolioValuations, 'valuePortfolio' | 'watchedPortfolios'>;
  access: Pick<PortfolioAccess, 'rolesOfPairs'>;
  analytics: AnalyticsService;
  outbox: NotifyOutbox;
  prefix: string;
  log: FastifyBaseLogger;
}

export interface AlertEvaluatorOptions {
  /** How often the alerts are read again without a change announcement (ms). */
  reloadMs: number;
  /** Ticks arriving within this window are evaluated together (ms). */
  batchMs: number;
}

export class AlertEvaluator {
  private readonly relay: QuoteRelay;
  private readonly options: AlertEvaluatorOptions;
  private alerts = new Map<string, LoadedAlert>();
  private bySymbol = new Map<string, LoadedAlert[]>();
  /** Portfolio ids by held symbol, for the portfolios that have alerts. */
  private portfoliosBySymbol = new Map<string, Set<string>>();
  private stopWatching: (() => void) | null = null;
  private watchedKey = '';
  private stopChanges: (() => void) | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  private batchTimer: NodeJS.Timeout | null = null;
  private pendingQuotes = new Map<string, LiveQuote>();
  private pendingPortfolios = new Set<string>();
  /** Evaluation and reloads run one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Firings this evaluator performed (tests and logs). */
  fired = 0;

  constructor(
    private readonly deps: AlertEvaluatorDeps,
    options: Partial<AlertEvaluatorOptions> = {},
  ) {
    this.options = { reloadMs: options.reloadMs ?? 10_000, batchMs: options.batchMs ?? 50 };
    this.relay = new QuoteRelay(deps.redis, deps.channels, deps.prefix, deps.log, {}, (quote) => this.onTick(quote));
  }

  async start(): Promise<void> {
    this.stopChanges = await this.deps.channels.listen(
      alertsChangedChannel(this.deps.prefix),
      () => void this.enqueue(() => this.reload()),
    );
    await this.enqueue(() => this.reload());
    const scheduleReload = () => {
      this.reloadTimer = setTimeout(() => {
        void this.enqueue(() => this.reload()).finally(scheduleReload);
      }, this.options.reloadMs);
    };
    scheduleReload();
  }

  /** Resolves when everything queued so far (reloads, evaluations) has run. */
  idle(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.stopChanges?.();
    this.stopWatching?.();
    await this.chain;
    await this.relay.close();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task).catch((error: unknown) => {
      if (!this.closed) this.deps.log.warn({ err: error }, 'alerts: evaluation step failed');
    });
    this.chain = run;
    return run;
  }

  /** Reads the active alerts (and the symbols their portfolios hold) and watches their symbols. */
  async reload(): Promise<void> {
    if (this.closed) return;
    const all = await this.deps.db.$queryRaw<Array<Omit<LoadedAlert, 'portfolioName'>>>`
      SELECT a.id::text, a.user_id::text AS "userId", a.condition::text AS condition, a.symbol,
             a.portfolio_id::text AS "portfolioId",
             trim_scale(a.threshold)::text AS threshold, a.channels::text[] AS channels,
             a.repeat, a.armed, a.targets
      FROM alerts a
      WHERE a.active`;
    // A portfolio alert counts while its owner may still see the portfolio as a collaborator
    // (owner or a share; public does not count), as the portfolio-access service answers it.
    const portfolioAlerts = all.filter((r) => r.portfolioId !== null);
    const roles = await this.deps.access.rolesOfPairs(portfolioAlerts.map((r) => ({ userId: r.userId, portfolioId: r.portfolioId! })));
    const lostAccess = new Set(
      portfolioAlerts
        .filter((_alert, i) => {
          const role = roles[i];
          return !role || !roleAtLeast(role, 'VIEW');
        })
        .map((alert) => alert.id),
    );
    const rows = all.filter((r) => !lostAccess.has(r.id));
    const portfolioIds = [...new Set(rows.flatMap((r) => (r.portfolioId ? [r.portfolioId] : [])))];
    // Their names and held symbols come from the ledger's door (one statement for all of them).
    const watched = portfolioIds.length ? await this.deps.valuations.watchedPortfolios(portfolioIds) : [];
    const names = new Map(watched.map((p) => [p.portfolioId, p.name]));
    const alerts = new Map<string, LoadedAlert>();
    const bySymbol = new Map<string, LoadedAlert[]>();
    for (const row of rows) {
      const alert: LoadedAlert = { ...row, portfolioName: row.portfolioId ? (names.get(row.portfolioId) ?? null) : null };
      alerts.set(alert.id, alert);
      if (alert.symbol) bySymbol.set(alert.symbol, [...(bySymbol.get(alert.symbol) ?? []), alert]);
    }
    const portfoliosBySymbol = new Map<string, Set<string>>();
    for (const { portfolioId, symbols } of watched) {
      for (const symbol of symbols) {
        let set = portfoliosBySymbol.get(symbol);
        if (!set) portfoliosBySymbol.set(symbol, (set = new Set()));
        set.add(portfolioId);
      }
    }
    this.alerts = alerts;
    this.bySymbol = bySymbol;
    this.portfoliosBySymbol = portfoliosBySymbol;

    const symbols = [...new Set([...bySymbol.keys(), ...portfoliosBySymbol.keys()])].sort();
    const key = symbols.join(',');
    if (key === this.watchedKey) return;
    const previous = this.stopWatching;
    this.stopWatching = symbols.length > 0 ? await this.relay.watch(symbols, () => {}) : null;
    this.watchedKey = key;
    previous?.();
  }

  private onTick(quote: LiveQuote): void {
    if (this.closed) return;
    const hasSymbolAlerts = this.bySymbol.has(quote.symbol);
    const portfolios = this.portfoliosBySymbol.get(quote.symbol);
    if (!hasSymbolAlerts && !portfolios) return;
    this.pendingQuotes.set(quote.symbol, quote);
    for (const id of portfolios ?? []) this.pendingPortfolios.add(id);
    if (!this.batchTimer) {
      this.batchTimer = setTimeout(() => {
        this.batchTimer = null;
        void this.enqueue(() => this.evaluatePending());
      }, this.options.batchMs);
    }
  }

  private async evaluatePending(): Promise<void> {
    const quotes = [...this.pendingQuotes.values()];
    const portfolioIds = [...this.pendingPortfolios];
    this.pendingQuotes.clear();
    this.pendingPortfolios.clear();
    // The valuations below read quotes through the market caches: make this process's agree with the ticks.
    await this.deps.market.storeTicks(quotes, { shared: false });
    for (const quote of quotes) {
      for (const alert of this.bySymbol.get(quote.symbol) ?? [])
        await this.apply(alert, measureQuote(alert.condition, quote), quote.symbol);
    }
    for (const portfolioId of portfolioIds) {
      const alerts = [...this.alerts.values()].filter((a) => a.portfolioId === portfolioId);
      if (alerts.length === 0) continue;
      let valuation: Awaited<ReturnType<PortfolioValuations['valuePortfolio']>> | undefined;
      for (const alert of alerts) {
        let measured: Measurement = null;
        if (alert.condition === 'PORTFOLIO_VALUE_BELOW') {
          valuation ??= await this.deps.valuations.valuePortfolio(portfolioId);
          measured = valuation ? { value: valuation.totalValue.toFixed() } : null;
        } else if (alert.condition === 'PORTFOLIO_DRIFT_ABOVE' && alert.targets) {
          const plan = await this.deps.analytics.rebalance(portfolioId, {
            targets: alert.targets,
            driftTolerance: Number(alert.threshold),
          });
          measured = { value: plan.driftBefore };
        }
        await this.apply(alert, measured, alert.portfolioName ?? 'Your portfolio');
      }
    }
  }

  private async apply(alert: LoadedAlert, measured: Measurement, subject: string): Promise<void> {
    const holds = conditionHolds(alert.condition, alert.threshold, measured);
    const step = transition(alert, holds);
    if (step === 'fire' && measured) await this.fire(alert, subject, measured.value);
    else if (step === 'rearm') {
      await this.deps.db.$executeRaw`UPDATE alerts SET armed = true WHERE id = ${alert.id}::uuid AND NOT armed AND active AND repeat`;
      alert.armed = true;
    }
  }

  private async fire(alert: LoadedAlert, subject: string, measured: string | number): Promise<void> {
    const message = describeFiring(alert, subject, measured);
    const inApp = alert.channels.includes('IN_APP');
    const email = alert.channels.includes('EMAIL');
    // The firing, its notification and its email (an outbox row) commit together or not at all.
    const outcome = await this.deps.db.$transaction(async (tx) => {
      const won = await tx.$queryRaw<Array<{ firings: number }>>`
        UPDATE alerts SET armed = false, active = repeat, last_triggered_at = now(), firings = firings + 1
        WHERE id = ${alert.id}::uuid AND armed AND active
        RETURNING firings`;
      if (won.length === 0) return null;
      const firings = won[0]!.firings;
      const notification = inApp ? await insertNotification(tx, { userId: alert.userId, kind: 'ALERT', ...message }) : null;
      if (email) {
        await this.deps.outbox.send(
          { userId: alert.userId, category: 'ALERTS', subject: message.title, paragraphs: [message.body] },
          `alert-${alert.id}-${firings}`,
          tx,
        );
      }
      return { firings, notification };
    });
    // Fired now, by this worker or (outcome null) by another one first: either way not armed.
    alert.armed = false;
    if (!alert.repeat) this.forget(alert);
    if (!outcome) return;
    this.fired++;
    this.deps.log.info({ event: 'alert.fired', alertId: alert.id, condition: alert.condition, measured }, `alert fired: ${message.title}`);
    if (email) this.deps.outbox.flush();
    if (outcome.notification) await this.publish(outcome.notification);
  }

  private async publish(notification: NotificationRecord): Promise<void> {
    await publishNotification(this.deps.redis, this.deps.prefix, notification).catch((error: unknown) =>
      this.deps.log.warn({ err: error }, 'alerts: could not publish a notification (it is stored)'),
    );
  }

  private forget(alert: LoadedAlert): void {
    this.alerts.delete(alert.id);
    if (alert.symbol) {
      const left = (this.bySymbol.get(alert.symbol) ?? []).filter((a) => a.id !== alert.id);
      if (left.length) this.bySymbol.set(alert.symbol, left);
      else this.bySymbol.delete(alert.symbol);
    }
  }
}

function measureQuote(condition: AlertCondition, quote: LiveQuote): Measurement {
  if (!isSymbolCondition(condition)) return null;
  if (condition === 'PRICE_ABOVE' || condition === 'PRICE_BELOW') return { value: quote.price };
  return quote.changePercent == null ? null : { value: quote.changePercent };
}

/** Connections and services several worker parts can share (one Prisma client instead of one each). */
export interface SharedWorkerResources {
  db: Db;
  redis: Redis;
  market: MarketService;
  /** Portfolios valued as the API values them (the ledger's open lots). */
  valuations: PortfolioValuations;
  access: PortfolioAccess;
  analytics: AnalyticsService;
  ledger: LedgerService;
  /** Category email, through the outbox. */
  outbox: NotifyOutbox;
}

/** Opens the shared resources; `close` ends them (after the parts using them have closed). */
export function openSharedWorkerResources(
  config: Config,
  log: FastifyBaseLogger,
  now?: () => Date,
): SharedWorkerResources & { close(): Promise<void> } {
  const db = createDb({ url: config.DATABASE_URL, poolSize: 4 });
  const redis = createRedis(config.REDIS_URL, 'foliograph:jobs');
  const registry = new Registry();
  const fx = new FxRates(now, createFxSources(config.FX_PROVIDERS), (source, error) =>
    log.warn({ source, err: error instanceof Error ? error.message : String(error) }, 'fx: source failed; using the next'),
  );
  const market = new MarketService({ config, db, redis, registry, logger: log, fx, now });
  const ledger = new LedgerService(db, fx);
  // Valued as the API values them: the ledger's open lots, in base currency.
  const valuations = new PortfolioValuations({ db, market, ledgerHoldings: (portfolioId) => ledger.valuationHoldings(portfolioId) });
  const analytics = new AnalyticsService({ config, db, redis, market, valuations, fx, registry, logger: log, now });
  const outbox = NotifyOutbox.open(config, db, log);
  return {
    db,
    redis,
    market,
    valuations,
    access: new PortfolioAccess(db),
    analytics,
    ledger,
    outbox,
    async close() {
      await outbox.close();
      market.close();
      await db.$disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The worker part: the evaluator, with its own connections unless `shared` ones are given. */
export async function startAlertWorker(
  config: Config,
  log: FastifyBaseLogger,
  options: Partial<AlertEvaluatorOptions> = {},
  shared?: SharedWorkerResources,
): Promise<RunningWorker & { evaluator: AlertEvaluator }> {
  const own = shared ? null : openSharedWorkerResources(config, log);
  const { db, redis, market, valuations, access, analytics, outbox } = shared ?? own!;
  const channels = new RedisChannels(config.REDIS_URL, 'foliograph:alerts:subscriber', log);
  const evaluator = new AlertEvaluator(
    { db, redis, channels, market, valuations, access, analytics, outbox, prefix: config.REDIS_PREFIX, log },
    options,
  );
  const close = async () => {
    await evaluator.close();
    await channels.close();
    await own?.close();
  };
  try {
    await evaluator.start();
  } catch (error) {
    await close();
    throw error;
  }
  return { evaluator, close };
}
