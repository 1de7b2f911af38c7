/**
 * Live quotes for subscriptions (no GraphQL here; src/market/subscriptions.ts is the thin
 * GraphQL layer): quote ticks of chosen symbols, relayed through Redis. (A portfolio's live
 * valuation is the ledger's, src/ledger/live-valuation.ts, which hears ticks through `relay`.)
 *
 * Only market symbols somebody quotes tick: the symbols are validated like Query.quotes (at most
 * 100); unknown symbols are refused (BAD_USER_INPUT), the caller's custom assets left out (the
 * feed would otherwise ask the providers about them on every tick).
 */
import DataLoader from 'dataloader';
import type { FastifyBaseLogger } from 'fastify';
import type { RedisChannels } from '../platform/redis-channels.js';
import type { Redis } from '../platform/redis.js';
import { SerialBatches } from '../platform/serial-batches.js';
import { CUSTOM_SOURCE } from './custom.js';
import { checkedQuoteSymbols } from './inputs.js';
import { QuoteRelay, type QuoteRelayOptions } from './quote-relay.js';
import type { MarketService, Quote, QuoteRequest } from './service.js';

export type LiveMarketOptions = QuoteRelayOptions;

/** How long a subscription's start-up lookup may wait to share its statement with others. */
const SUBSCRIBE_GATHER_MS = 10;

export class LiveMarket {
  readonly relay: QuoteRelay;
  /**
   * Quote subscriptions' start-up lookups, batched across subscriptions: what a burst of
   * clients asks within SUBSCRIBE_GATHER_MS or while the previous lookup runs is one lookup (one
   * SQL statement for custom assets), not one per subscriber (../platform/serial-batches.ts;
   * with one batch per turn a 10,000-client burst spent ~11 % of the API's time in them). Not cached:
   * each subscription sees the current data.
   */
  private readonly lookupBatches = new SerialBatches(SUBSCRIBE_GATHER_MS);
  private readonly subscribeLookups = new DataLoader<QuoteRequest, Quote | null, string>(
    (requests) => this.lookupBatches.track(this.deps.market.lookupQuotes(requests)),
    { cache: false, batchScheduleFn: (run) => this.lookupBatches.schedule(run), maxBatchSize: 1000 },
  );

  constructor(
    private readonly deps: {
      redis: Redis;
      channels: RedisChannels;
      market: MarketService;
      prefix: string;
      logger: FastifyBaseLogger;
    },
    options: Partial<LiveMarketOptions> = {},
  ) {
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
    // A symbol nobody knows is a mistake the client should hear about (it would wait for ticks that
    // never come); the caller's custom assets are known but have no live prices: they stay quiet.
    await this.deps.market.refuseUnknown(
      wanted.filter((_symbol, i) => known[i] == null),
      ownerId,
    );
    return this.relay.subscribe(wanted.filter((_symbol, i) => isMarketQuote(known[i])));
  }

  async close(): Promise<void> {
    return this.relay.close();
  }
}

function isMarketQuote(quote: Quote | null | undefined): boolean {
  return quote != null && quote.source !== CUSTOM_SOURCE;
}
