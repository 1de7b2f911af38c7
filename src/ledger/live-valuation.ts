/**
 * The live valuation of a portfolio (Subscription.portfolioValuation; the GraphQL field is in
 * ./valuation-fields.ts): recomputed after the ticks of its holdings' symbols, which it hears
 * through market's quote relay, and priced through market's door.
 *
 * - One valuation right away, then after ticks, at most one per `throttleMs` (trailing: the
 *   last tick of a burst is always reflected). Holdings are loaded once and the latest quote of
 *   each symbol is kept in memory, so a recomputation costs no I/O. Every `resyncMs` the stream
 *   checks again that the caller may still see the portfolio (ending it with NOT_FOUND when not,
 *   e.g. after an unshare) and reloads holdings and quotes (transactions added, custom prices).
 * - Access changes take effect at once: whoever changes who may see a portfolio (a share, an
 *   unshare, a role change, a deletion, making it private; ./service.ts) publishes an
 *   AccessChange on the Redis channel `accessChangedChannel`, after the change commits. Every
 *   instance hears it and resyncs the affected subscriptions right away: those that lost access
 *   end with NOT_FOUND, the rest carry on (re-authorized). The periodic resync stays as the
 *   safety net for a message lost while Redis was unreachable.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { LiveQuote, MarketService, PortfolioHeader, PortfolioValuation, Quote, QuoteRelay, HoldingInput } from '../market/index.js';
import { isCash } from '../market/index.js';
import { BoundedQueue } from '../platform/bounded-queue.js';
import { notFound } from '../platform/errors.js';
import type { RedisChannels } from '../platform/redis-channels.js';
import { accessChangedChannel, type AccessChange } from '../portfolios/index.js';
import type { PortfolioValuations } from './valuations.js';

export interface LiveValuationOptions {
  /** The least time between two valuations of one subscription (ms). */
  throttleMs: number;
  /** How often a valuation subscription re-checks access and reloads holdings (ms). */
  resyncMs: number;
}

export const DEFAULT_LIVE_VALUATION_OPTIONS: Readonly<LiveValuationOptions> = Object.freeze({
  throttleMs: 250,
  resyncMs: 30_000,
});

/** Whether the subscriber may still see the portfolio (asked again on every resync). */
export type AccessCheck = () => Promise<boolean>;

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

export class LiveValuations {
  private readonly options: LiveValuationOptions;
  /** Running valuation subscriptions of this instance, by portfolio. */
  private readonly watchers = new Map<string, Set<ValuationWatcher>>();
  /** The access-change listener, started with the first valuation subscription. */
  private accessListener: Promise<() => void> | null = null;

  constructor(
    private readonly deps: {
      channels: RedisChannels;
      /** Ticks of the holdings' symbols. */
      relay: Pick<QuoteRelay, 'watch'>;
      market: Pick<MarketService, 'lookupQuotes' | 'tickingSymbols'>;
      valuations: PortfolioValuations;
      prefix: string;
      logger: FastifyBaseLogger;
    },
    options: Partial<LiveValuationOptions> = {},
  ) {
    this.options = {
      throttleMs: options.throttleMs ?? DEFAULT_LIVE_VALUATION_OPTIONS.throttleMs,
      resyncMs: options.resyncMs ?? DEFAULT_LIVE_VALUATION_OPTIONS.resyncMs,
    };
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
      return this.deps.valuations.value(header, holdings, async (requests) => requests.map((r) => latest.get(r.symbol) ?? null));
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
      stopWatching = await this.deps.relay.watch(portfolio!.marketSymbols, onTick);
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

  /** Stops hearing access changes (on app close, before the quote relay closes). */
  async close(): Promise<void> {
    const listener = this.accessListener;
    this.accessListener = null;
    await listener?.then(
      (stop) => stop(),
      () => {},
    );
  }

  private async load(portfolioId: string): Promise<LoadedPortfolio | null> {
    const loaded = await this.deps.valuations.load(portfolioId);
    if (!loaded) return null;
    const { header, holdings } = loaded;
    const symbols = [...new Set(holdings.filter((h) => !isCash(h)).map((h) => h.symbol))];
    return { header, holdings, marketSymbols: await this.deps.market.tickingSymbols(header.ownerId, symbols) };
  }
}

/** What a subscriber sees of a valuation: a resync that changes none of it sends nothing. */
function fingerprint(valuation: PortfolioValuation): string {
  const { totalValue, totalCost, dayChange, asOf } = valuation;
  return [totalValue.toFixed(), totalCost.toFixed(), dayChange?.toFixed() ?? '', asOf.getTime()].join('|');
}
