/** Market-data counters in the app's Prometheus registry (served at GET /metrics). */
import { Counter, type Registry } from 'prom-client';

export type CacheLayer = 'l1' | 'l2' | 'l3';
/** What was looked up: a quote, fundamentals, a news list, today's candle, a daily history range. */
export type CacheKind = 'quote' | 'fundamentals' | 'news' | 'candle' | 'history' | 'corporateActions';

export function createMarketMetrics(registry: Registry) {
  const cacheLookups = new Counter({
    name: 'foliograph_market_cache_lookups_total',
    help: 'Market-data cache lookups by layer (l1 in-process, l2 Redis, l3 PostgreSQL), kind and result',
    labelNames: ['layer', 'kind', 'result'] as const,
    registers: [registry],
  });
  const providerCalls = new Counter({
    name: 'foliograph_market_provider_calls_total',
    help: 'Calls to market-data providers, by provider, operation and outcome',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  const breakerTransitions = new Counter({
    name: 'foliograph_market_provider_breaker_transitions_total',
    help: 'Circuit-breaker transitions of market-data providers, by provider and new state',
    labelNames: ['provider', 'state'] as const,
    registers: [registry],
  });
  return {
    cacheLookups,
    providerCalls,
    breakerTransitions,
    /** Counts `hits` hits and `misses` misses of one layer and kind. */
    lookups(layer: CacheLayer, kind: CacheKind, hits: number, misses: number): void {
      if (hits > 0) cacheLookups.inc({ layer, kind, result: 'hit' }, hits);
      if (misses > 0) cacheLookups.inc({ layer, kind, result: 'miss' }, misses);
    },
  };
}

export type MarketMetrics = ReturnType<typeof createMarketMetrics>;
