/**
 * The shared layers of FX rates, under each process's memory (./fx.ts), like quotes' L2/L3
 * (./cache.ts, ./store.ts): a pair's fetched series in Redis (L2: an hour while it reaches today,
 * a day once it is history) and in PostgreSQL (L3, `fx_series`: permanent, so a restart or a new
 * replica does not fetch the ECB's history again). A read that misses Redis and finds the series
 * in PostgreSQL puts it back in Redis. Redis or PostgreSQL trouble reads as a miss and never fails
 * a rate: the sources are asked instead.
 */
import { isoDateOf } from '../platform/dates.js';
import type { FastifyBaseLogger } from 'fastify';
import { Decimal } from 'decimal.js';
import type { Db } from '../platform/db.js';
import { isRedisOutage, type Redis } from '../platform/redis.js';
import type { CachedSeries, FxSeriesStore } from './fx.js';

const TODAY_TTL_SECONDS = 3_600;
const HISTORY_TTL_SECONDS = 86_400;

interface StoredJson {
  source: string;
  from: string;
  to: string;
  coveredFrom: string;
  fetchedAt: number;
  points: Array<[string, string]>;
}

const toJson = (series: CachedSeries): StoredJson => ({
  source: series.source,
  from: series.from,
  to: series.to,
  coveredFrom: series.coveredFrom,
  fetchedAt: series.fetchedAt,
  points: series.points.map((p) => [p.date, p.rate.toFixed()]),
});
const fromJson = (json: StoredJson): CachedSeries => ({
  ...json,
  points: json.points.map(([date, rate]) => ({ date, rate: new Decimal(rate) })),
});

export class SharedFxStore implements FxSeriesStore {
  constructor(private readonly deps: { redis: Redis; db: Db; prefix: string; logger: FastifyBaseLogger; now?: () => Date }) {}

  private key(pair: string): string {
    return `${this.deps.prefix}market:fx:${pair}`;
  }

  async read(pair: string): Promise<CachedSeries | null> {
    try {
      const text = await this.deps.redis.get(this.key(pair));
      if (text) return fromJson(JSON.parse(text) as StoredJson);
    } catch (error) {
      if (!isRedisOutage(error)) this.deps.logger.warn({ err: error, pair }, 'fx store: reading from Redis failed');
    }
    try {
      const row = await this.deps.db.fxSeries.findUnique({ where: { pair } });
      if (!row) return null;
      const series = fromJson({
        source: row.source,
        from: isoDateOf(row.fromDate),
        to: isoDateOf(row.toDate),
        coveredFrom: isoDateOf(row.coveredFrom),
        fetchedAt: row.fetchedAt.getTime(),
        points: row.points as Array<[string, string]>,
      });
      await this.writeRedis(pair, series);
      return series;
    } catch (error) {
      this.deps.logger.warn({ err: error, pair }, 'fx store: reading from PostgreSQL failed');
      return null;
    }
  }

  async write(pair: string, series: CachedSeries): Promise<void> {
    await this.writeRedis(pair, series);
    const json = toJson(series);
    const data = {
      source: json.source,
      fromDate: new Date(`${json.from}T00:00:00Z`),
      toDate: new Date(`${json.to}T00:00:00Z`),
      coveredFrom: new Date(`${json.coveredFrom}T00:00:00Z`),
      points: json.points,
      fetchedAt: new Date(json.fetchedAt),
    };
    try {
      await this.deps.db.fxSeries.upsert({ where: { pair }, create: { pair, ...data }, update: data });
    } catch (error) {
      this.deps.logger.warn({ err: error, pair }, 'fx store: writing to PostgreSQL failed');
    }
  }

  private async writeRedis(pair: string, series: CachedSeries): Promise<void> {
    const today = isoDateOf((this.deps.now ?? (() => new Date()))());
    try {
      await this.deps.redis.set(
        this.key(pair),
        JSON.stringify(toJson(series)),
        'EX',
        series.to < today ? HISTORY_TTL_SECONDS : TODAY_TTL_SECONDS,
      );
    } catch (error) {
      if (!isRedisOutage(error)) this.deps.logger.warn({ err: error, pair }, 'fx store: writing to Redis failed');
    }
  }
}
