/**
 * The analytics cache: finished reports in Redis, under keys that name everything a report
 * depends on, so an entry never needs to be invalidated: when the holdings, the stored prices
 * or the arguments change, the key changes and the old entry simply ages out (TTL).
 *
 *   key = REDIS_PREFIX + "analytics:" + portfolio id + ":" + report + ":" + SHA-256 of
 *         [CACHE_VERSION, the portfolio snapshot's fingerprint (holdings and price state, see
 *          read-model.ts), the resolved range (defaults applied: "today" is part of it), the
 *          other resolved arguments and the settings used (the risk report's risk-free rate)]
 *
 * Concurrent misses of one key in this process compute once (single flight). Redis failures
 * are logged and the report is computed anyway: the cache only saves time.
 */
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { SingleFlight } from '../platform/single-flight.js';
import { type Redis, isRedisOutage } from '../platform/redis.js';

/** Bump when a report's shape or formulas change, so no entry of the old code is served. */
// 2: Portfolio Performance's daily returns, flows on their own dates (issue 23).
const CACHE_VERSION = 2;
/** Entries are never stale (see above); the TTL only bounds how long unused ones take memory. */
const TTL_SECONDS = 24 * 3_600;

export type ReportKind = 'performance' | 'risk' | 'simulation' | 'factorExposure';

export function createAnalyticsMetrics(registry: Registry) {
  return {
    cacheLookups: new Counter({
      name: 'foliograph_analytics_cache_lookups_total',
      help: 'Analytics report cache lookups, by report and result (hit, miss)',
      labelNames: ['report', 'result'] as const,
      registers: [registry],
    }),
    computeSeconds: new Histogram({
      name: 'foliograph_analytics_compute_seconds',
      help: 'Time to load the data of an analytics report and compute it (cache misses), by report',
      labelNames: ['report'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type AnalyticsMetrics = ReturnType<typeof createAnalyticsMetrics>;

export class AnalyticsCache {
  private readonly flights = new SingleFlight<unknown>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly metrics: AnalyticsMetrics,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /** The Redis key of a report of a portfolio depending on `dependencies` (JSON-serialisable). */
  key(report: ReportKind, portfolioId: string, dependencies: unknown): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([CACHE_VERSION, dependencies]))
      .digest('base64url');
    return `${this.prefix}analytics:${portfolioId}:${report}:${digest}`;
  }

  /** The cached report under `key`, or `compute()`'s, stored for next time. */
  getOrCompute<T>(report: ReportKind, key: string, compute: () => Promise<T>): Promise<T> {
    return this.flights.run(key, async () => {
      const cached = await this.read(key);
      if (cached !== null) {
        this.metrics.cacheLookups.inc({ report, result: 'hit' });
        return JSON.parse(cached) as T;
      }
      this.metrics.cacheLookups.inc({ report, result: 'miss' });
      const stopTimer = this.metrics.computeSeconds.startTimer({ report });
      const value = await compute();
      stopTimer();
      await this.redis.set(key, JSON.stringify(value), 'EX', TTL_SECONDS).catch((error: unknown) => {
        if (!isRedisOutage(error)) this.logger.warn({ err: error, key }, 'analytics: cannot store a report in the cache');
      });
      return value;
    }) as Promise<T>;
  }

  private async read(key: string): Promise<string | null> {
    try {
      return await this.redis.get(key);
    } catch (error) {
      if (!isRedisOutage(error)) this.logger.warn({ err: error, key }, 'analytics: cache unavailable; computing the report');
      return null;
    }
  }
}
