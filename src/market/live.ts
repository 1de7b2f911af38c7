/**
 * Live market data for subscriptions (no GraphQL here; src/market/subscriptions.ts is the thin
 * GraphQL layer): quote ticks of chosen symbols, and a portfolio's valuation recomputed after
 * the ticks of its holdings' symbols.
 *
 * - Quotes: the symbols are validated like Query.quotes (at most 100). Only market symbols
 *   somebody quotes tick: unknown symbols and the caller's custom assets are left out (the
 *   feed would otherwise ask the providers about them on every tick).
 * - Valuation: one right away, then after ticks, at most one per `throttleMs` (trailing: the
 *   last tick of a burst is always reflected). Holdings are loaded once and the latest quote of
 *   each symbol is kept in memory, so a recomputation costs no I/O. Every `resyncMs` the stream
 *   checks again that the caller may still see the portfolio (ending it with NOT_FOUND when not,
 *   e.g. after an unshare) and reloads holdings and quotes (investments added, custom prices).
 * - Access changes take effect at once: whoever changes who may see a portfolio (a share, an
 *   unshare, a role change, a deletion, making it private; src/portfolios/service.ts) publishes
 *   an AccessChange on the Redis channel `accessChangedChannel`, after the change commits. Every
 *   instance hears it and resyncs the affected subscriptions right away: those that lost access
 *   end with NOT_FOUND, the rest carry on (re-authorized). The periodic resync stays as the
 *   safety net for a message lost while Redis was unreachable.
 */
import DataLoader from 'dataloader';
import type { FastifyBaseLogger } from 'fastify';
import { BoundedQueue } from '../platform/bounded-queue.js';
import type { Db } from '../platform/db.js';
import { notFound } from '../platform/errors.js';
import type { RedisChannels } from '../platform/redis-channels.js';
import type { Redis } from '../platform/redis.js';
import { CUSTOM_SOURCE } from './custom.js';
import { checkedQuoteSymbols } from './inputs.js';
import { QuoteRelay, type LiveQuote, type QuoteRelayOptions } from './quote-relay.js';
import { PORTFOLIO_WITH_HOLDINGS, type MarketService, type PortfolioHeader, type Quote, type QuoteRequest } from './service.js';
import { ownedKey } from './store.js';
import { isCash, type HoldingInput, type PortfolioValuation } from './valuation.js';

export interface LiveMarketOptions extends QuoteRelayOptions {
  /** The least time between two valuations of one subscription (ms). */
  throttleMs: number;
  /** How often a valuation subscription re-checks access and reloads holdings (ms). */
  resyncMs: number;
}

export const DEFAULT_LIVE_MARKET_OPTIONS: Readonly<Omit<LiveMarketOptions, keyof QuoteRelayOptions>> = Object.freeze({
  throttleMs: 250,
  resyncMs: 30_000,
});

/** Whether the subscriber may still see the portfolio (asked again on every resync). */
export type AccessCheck = () => Promise<boolean>;

/** Who may have lost (or changed) access to a portfolio: these users, or (null) anyone. */
export interface AccessChange {
  portfolioId: string;
  userIds: string[] | null;
}

/** The Redis channel on which access changes are announced to every instance. */
export function accessChangedChannel(prefix: string): string {
  return `${prefix}portfolio-access-changed`;
}

/** One running valuation subscription, as access changes find it. */
interface ValuationWatcher {
  subscriberId: string | null;
  /** Re-checks access (and reloads) now. */
  recheck(): void;
}

interface LoadedPortfolio {
  header: PortfolioHeader;
  holdings: HoldingInput[];
  /** Symbols that tick: the holdings' symbols minus the owner's custom assets. */
  marketSymbols: string[];
}

/** The first retry after a failed resync (ms); each further failure doubles it, up to resyncMs. */
const RESYNC_RETRY_MS = 1000;

export class LiveMarket {
  readonly relay: QuoteRelay;
  private readonly options: Omit<LiveMarketOptions, keyof QuoteRelayOptions>;
  /** Running valuation subscriptions of this instance, by portfolio. */
  private readonly watchers = new Map<string, Set<ValuationWatcher>>();
  /** The access-change listener, started with the first valuation subscription. */
  private accessListener: Promise<() => void> | null = null;
  /**
   * Quote subscriptions' start-up lookups, batched across subscriptions: what a burst of
   * clients asks in one turn of the event loop is one lookup (one SQL statement for custom
   * assets), not one per subscriber. Not cached: each subscription sees the current data.
   */
  private readonly subscribeLookups = new DataLoader<QuoteRequest, Quote | null, string>(
    (requests) => this.deps.market.lookupQuotes(requests),
    { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 1000 },
  );

  constructor(
    private readonly deps: {
      db: Db;
      redis: Redis;
      channels: RedisChannels;
      market: MarketService;
      prefix: string;
      logger: FastifyBaseLogger;
    },
    options: Partial<LiveMarketOptions> = {},
  ) {
    this.options = {
      throttleMs: options.throttleMs ?? DEFAULT_LIVE_MARKET_OPTIONS.throttleMs,
      resyncMs: options.resyncMs ?? DEFAULT_LIVE_MARKET_OPTIONS.resyncMs,
    };
    this.relay = new QuoteRelay(
      deps.redis,
      deps.channels,
      deps.prefix,
      deps.logger,
      { queueSize: options.queueSize, watchTtlMs: options.watchTtlMs },
      // Ticks another process stored reach this replica's L1 too, so queries agree with streams.
      (quote) => {
        deps.market
          .storeTicks([quote], { shared: false })
          .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not cache a tick'));
      },
    );
  }

  /** Every tick of `symbols` (validated) as `ownerId` may see them, from now on. */
  async quotes(symbols: readonly string[], ownerId: string): Promise<AsyncIterableIterator<Quote>> {
    const wanted = checkedQuoteSymbols(symbols);
    const known = await Promise.all(wanted.map((symbol) => this.subscribeLookups.load({ symbol, ownerId })));
    return this.relay.subscribe(wanted.filter((_symbol, i) => isMarketQuote(known[i])));
  }

  /** Announces an access change to every instance (call after it has committed). */
  async announceAccessChange(change: AccessChange): Promise<void> {
    await this.deps.redis.publish(accessChangedChannel(this.deps.prefix), JSON.stringify(change));
  }

  /** Valuation subscriptions running on this instance (for tests and diagnostics). */
  valuationSubscriptionCount(): number {
    let count = 0;
    for (const set of this.watchers.values()) count += set.size;
    return count;
  }

  private listenForAccessChanges(): Promise<() => void> {
    this.accessListener ??= this.deps.channels.listen(accessChangedChannel(this.deps.prefix), (message) => {
      let change: AccessChange;
      try {
        change = JSON.parse(message) as AccessChange;
      } catch {
        this.deps.logger.warn('ignoring a malformed portfolio access message');
        return;
      }
      const userIds = Array.isArray(change.userIds) ? new Set(change.userIds.map(String)) : null;
      for (const watcher of this.watchers.get(String(change.portfolioId)) ?? []) {
        if (!userIds || (watcher.subscriberId !== null && userIds.has(watcher.subscriberId))) watcher.recheck();
      }
    });
    return this.accessListener;
  }

  /**
   * The portfolio's valuation now and after each tick that moves it. The caller has checked
   * access already; `canView` is asked again on every resync, and at once when an access change
   * for this portfolio (and `subscriberId`) is announced.
   */
  async portfolioValuation(
    portfolioId: string,
    canView: AccessCheck,
    subscriberId: string | null = null,
  ): Promise<AsyncIterableIterator<PortfolioValuation>> {
    // Listening before the first access check, so no change after it can go unheard.
    await this.listenForAccessChanges();
    let portfolio: LoadedPortfolio | null = await this.load(portfolioId);
    if (!portfolio) throw notFound('Portfolio');
    const { throttleMs, resyncMs } = this.options;
    const latest = new Map<string, Quote | null>();
    let stopWatching: (() => void) | null = null;
    let watching = '';
    let lastEmitAt = 0;
    let emitTimer: NodeJS.Timeout | null = null;
    let resyncTimer: NodeJS.Timeout | null = null;

    let resyncing = false;
    let resyncAgain = false;
    const watcher: ValuationWatcher = {
      subscriberId,
      recheck: () => {
        if (output.ended) return;
        if (resyncing) {
          resyncAgain = true;
          return;
        }
        if (resyncTimer) clearTimeout(resyncTimer);
        void resync().catch(fail);
      },
    };
    const unregister = () => {
      const set = this.watchers.get(portfolioId);
      set?.delete(watcher);
      if (set?.size === 0) this.watchers.delete(portfolioId);
    };

    // Only the newest valuation matters to a slow consumer.
    const output = new BoundedQueue<PortfolioValuation>(1, () => {
      if (emitTimer) clearTimeout(emitTimer);
      if (resyncTimer) clearTimeout(resyncTimer);
      stopWatching?.();
      stopWatching = null;
      unregister();
    });

    let lastEmitted = '';
    const compute = () => {
      const { header, holdings } = portfolio!;
      return this.deps.market.valueHoldings(header, holdings, async (requests) => requests.map((r) => latest.get(r.symbol) ?? null), {
        costsInBaseCurrency: this.deps.market.ledgerHoldings,
      });
    };
    const emit = async () => {
      emitTimer = null;
      lastEmitAt = Date.now();
      const valuation = await compute();
      lastEmitted = fingerprint(valuation);
      output.push(valuation);
    };
    const scheduleEmit = () => {
      if (emitTimer || output.ended) return;
      emitTimer = setTimeout(() => void emit().catch(fail), Math.max(0, lastEmitAt + throttleMs - Date.now()));
    };
    const fail = (error: unknown) => {
      this.deps.logger.warn({ err: error, portfolioId }, 'live valuation failed');
      output.fail(error);
    };
    const onTick = (quote: LiveQuote) => {
      latest.set(quote.symbol, quote);
      scheduleEmit();
    };
    /** Listens to the symbols of the loaded holdings; a changed set replaces the old listener. */
    const watch = async () => {
      const symbols = [...portfolio!.marketSymbols].sort().join(',');
      if (symbols === watching) return;
      const previous = stopWatching;
      stopWatching = await this.relay.watch(portfolio!.marketSymbols, onTick);
      watching = symbols;
      previous?.();
      if (output.ended) stopWatching();
    };
    /** Quotes for symbols no tick has priced yet (ticks are newer than any cache). */
    const fillQuotes = async (overwrite: boolean) => {
      const symbols = [...new Set(portfolio!.holdings.filter((h) => !isCash(h)).map((h) => h.symbol))];
      const found = await this.deps.market.lookupQuotes(symbols.map((symbol) => ({ symbol, ownerId: portfolio!.header.ownerId })));
      symbols.forEach((symbol, i) => {
        if (overwrite || !latest.has(symbol)) latest.set(symbol, found[i] ?? null);
      });
    };
    const resync = async () => {
      resyncTimer = null;
      resyncing = true;
      try {
        const reloaded = (await canView()) ? await this.load(portfolioId) : null;
        if (output.ended) return;
        if (!reloaded) {
          output.fail(notFound('Portfolio'));
          return;
        }
        portfolio = reloaded;
        await watch();
        // Custom prices change without ticks; market ones only where no tick came since.
        await fillQuotes(false);
        if (fingerprint(await compute()) !== lastEmitted) scheduleEmit();
      } finally {
        resyncing = false;
      }
      // A change announced while this ran may not be reflected in it: look once more.
      if (resyncAgain) {
        resyncAgain = false;
        return resync();
      }
      scheduleResync();
    };
    // A failed resync (PostgreSQL unreachable, say) keeps the stream and its last state and
    // tries again sooner, backing off from a second up to the resync interval.
    let failedResyncs = 0;
    const retryResync = (error: unknown) => {
      if (output.ended) return;
      if (failedResyncs === 0)
        this.deps.logger.warn({ err: error, portfolioId }, 'live valuation: resync failed; keeping the last state and retrying');
      failedResyncs++;
      scheduleResync(Math.min(resyncMs, RESYNC_RETRY_MS * 2 ** (failedResyncs - 1)));
    };
    const scheduleResync = (delayMs = resyncMs) => {
      if (output.ended) return;
      resyncTimer = setTimeout(
        () =>
          void resync().then(() => {
            failedResyncs = 0;
          }, retryResync),
        delayMs,
      );
    };

    let set = this.watchers.get(portfolioId);
    if (!set) this.watchers.set(portfolioId, (set = new Set()));
    set.add(watcher);
    try {
      // Access may have changed since the caller's check, before this subscription was registered.
      if (!(await canView())) throw notFound('Portfolio');
      // Listen first, so no tick between the first valuation and the listener is lost.
      await watch();
      await fillQuotes(false);
      await emit();
    } catch (error) {
      output.return();
      throw error;
    }
    scheduleResync();
    return output;
  }

  async close(): Promise<void> {
    const listener = this.accessListener;
    this.accessListener = null;
    await listener?.then(
      (stop) => stop(),
      () => {},
    );
    return this.relay.close();
  }

  private async load(portfolioId: string): Promise<LoadedPortfolio | null> {
    const row = await this.deps.db.portfolio.findUnique({
      where: { id: portfolioId },
      select: PORTFOLIO_WITH_HOLDINGS,
    });
    if (!row) return null;
    const holdings = await this.deps.market.holdingsFor(row.id, row.investments);
    const symbols = [...new Set(holdings.filter((h) => !isCash(h)).map((h) => h.symbol))];
    const custom = await this.deps.market.store.customSymbols(symbols.map((symbol) => ({ ownerId: row.ownerId, symbol })));
    return {
      header: { id: row.id, ownerId: row.ownerId, baseCurrency: row.baseCurrency },
      holdings,
      marketSymbols: symbols.filter((symbol) => !custom.has(ownedKey(row.ownerId, symbol))),
    };
  }
}

/** What a subscriber sees of a valuation: a resync that changes none of it sends nothing. */
function fingerprint(valuation: PortfolioValuation): string {
  const { totalValue, totalCost, dayChange, asOf } = valuation;
  return [totalValue.toFixed(), totalCost.toFixed(), dayChange?.toFixed() ?? '', asOf.getTime()].join('|');
}

function isMarketQuote(quote: Quote | null | undefined): boolean {
  return quote != null && quote.source !== CUSTOM_SOURCE;
}
