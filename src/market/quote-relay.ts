/**
 * The live price relay of one API instance. The price feed (one per deployment, in the worker)
 * publishes each tick on the Redis channel `${prefix}quote:${SYMBOL}` as the Quote's JSON; every
 * instance listens through its one subscriber connection (src/platform/redis-channels.ts) to the
 * channels of the symbols its own subscribers want, and fans each tick out to them.
 *
 * - A symbol's channel is subscribed when its first local subscriber arrives and unsubscribed
 *   when the last one leaves (reference counting: the set of local sinks per symbol).
 * - Each subscription reads from its own bounded queue: a slow consumer loses its oldest ticks,
 *   memory does not grow.
 * - The symbols with local subscribers are advertised in the Redis set
 *   `${prefix}watched:<instanceId>` (with a TTL this instance keeps refreshing, listed in the
 *   sorted set `${prefix}watched-instances` by expiry), so the feed also publishes symbols that
 *   nobody holds but someone watches, and stops when the watchers go (or their instance dies).
 *
 * Written over ioredis rather than graphql-redis-subscriptions: that package opens a channel
 * per trigger and parses every message once per listener, has no bounded queues and no notion
 * of the watched set; what is needed here is about as long as the glue to adapt it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { BoundedQueue } from '../platform/bounded-queue.js';
import type { RedisChannels } from '../platform/redis-channels.js';
import { type Redis, isRedisOutage } from '../platform/redis.js';
import type { ProviderQuote } from './providers/types.js';

/** A tick as published and delivered: the Quote the market service returns. */
export type LiveQuote = ProviderQuote;

export interface QuoteRelayOptions {
  /** Ticks held for one slow subscriber before the oldest are dropped. */
  queueSize: number;
  /** Lifetime of this instance's watched set without a refresh (ms). */
  watchTtlMs: number;
}

export const DEFAULT_QUOTE_RELAY_OPTIONS: Readonly<QuoteRelayOptions> = Object.freeze({
  queueSize: 100,
  watchTtlMs: 30_000,
});

type TickSink = (quote: LiveQuote) => void;

interface SymbolListeners {
  sinks: Set<TickSink>;
  /** Resolves once Redis delivers the channel, with the function that stops listening. */
  listening: Promise<() => void>;
}

/** The Redis names the feed and the relays agree on. */
export function quoteChannel(prefix: string, symbol: string): string {
  return `${prefix}quote:${symbol}`;
}
export function watchedKey(prefix: string, instanceId: string): string {
  return `${prefix}watched:${instanceId}`;
}
export function watchedInstancesKey(prefix: string): string {
  return `${prefix}watched-instances`;
}

export function encodeQuote(quote: LiveQuote): string {
  return JSON.stringify(quote);
}

export function decodeQuote(message: string): LiveQuote {
  const parsed = JSON.parse(message) as Omit<LiveQuote, 'timestamp'> & { timestamp: string };
  return { ...parsed, timestamp: new Date(parsed.timestamp) };
}

/** Publishes ticks; the feed uses it (no subscriber connection needed). */
export async function publishQuotes(redis: Redis, prefix: string, quotes: readonly LiveQuote[]): Promise<void> {
  if (quotes.length === 0) return;
  const pipeline = redis.pipeline();
  for (const quote of quotes) pipeline.publish(quoteChannel(prefix, quote.symbol), encodeQuote(quote));
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0];
}

/** Every symbol some live instance's subscribers watch. */
export async function watchedSymbols(redis: Redis, prefix: string, now = Date.now()): Promise<string[]> {
  const index = watchedInstancesKey(prefix);
  await redis.zremrangebyscore(index, '-inf', String(now));
  const instances = await redis.zrange(index, '0', '-1');
  if (instances.length === 0) return [];
  return redis.sunion(...instances.map((id) => watchedKey(prefix, id)));
}

export class QuoteRelay {
  readonly instanceId = randomUUID();
  private readonly options: QuoteRelayOptions;
  private readonly symbols = new Map<string, SymbolListeners>();
  private readonly refreshTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly channels: RedisChannels,
    private readonly prefix: string,
    private readonly log: Pick<FastifyBaseLogger, 'warn' | 'error'>,
    options: Partial<QuoteRelayOptions> = {},
    /** Sees every tick this instance receives, once (before the subscribers). */
    private readonly onTick: TickSink = () => {},
  ) {
    this.options = {
      queueSize: options.queueSize ?? DEFAULT_QUOTE_RELAY_OPTIONS.queueSize,
      watchTtlMs: options.watchTtlMs ?? DEFAULT_QUOTE_RELAY_OPTIONS.watchTtlMs,
    };
    // Refresh well within the TTL; this also restores the set after a Redis restart.
    this.refreshTimer = setInterval(() => this.advertise(), Math.max(100, Math.floor(this.options.watchTtlMs / 3)));
    this.refreshTimer.unref();
  }

  publish(quotes: readonly LiveQuote[]): Promise<void> {
    return publishQuotes(this.redis, this.prefix, quotes);
  }

  /**
   * Calls `onTick` with every tick of `symbols` (normalised, upper case) from the moment the
   * returned promise resolves (Redis has confirmed every channel) until `stop` is called.
   */
  async watch(symbols: readonly string[], onTick: TickSink): Promise<() => void> {
    if (this.closed) throw new Error('QuoteRelay is closed');
    const wanted = [...new Set(symbols)];
    // Each call is a registration of its own, even with a callback already registered.
    const sink: TickSink = (quote) => onTick(quote);
    let added = false;
    for (const symbol of wanted) {
      let listeners = this.symbols.get(symbol);
      if (!listeners) {
        const sinks = new Set<TickSink>();
        const listening = this.channels.listen(quoteChannel(this.prefix, symbol), (message) => this.deliver(symbol, sinks, message));
        listeners = { sinks, listening };
        this.symbols.set(symbol, listeners);
        added = true;
      }
      listeners.sinks.add(sink);
    }
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.leave(wanted, sink);
    };
    try {
      if (added) await this.advertise();
      await Promise.all(wanted.map((symbol) => this.symbols.get(symbol)?.listening));
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  /**
   * The ticks of `symbols` as an async iterator with its own bounded queue; ending the iterator
   * (return(), as graphql-ws does when the client completes or disconnects) stops listening.
   */
  async subscribe(symbols: readonly string[]): Promise<BoundedQueue<LiveQuote>> {
    let stop: (() => void) | null = null;
    const queue = new BoundedQueue<LiveQuote>(this.options.queueSize, () => stop?.());
    stop = await this.watch(symbols, (quote) => queue.push(quote));
    return queue;
  }

  /** How many local registrations listen to `symbol` right now. */
  listenerCount(symbol: string): number {
    return this.symbols.get(symbol)?.sinks.size ?? 0;
  }

  /** Symbols with local subscribers right now. */
  localSymbols(): string[] {
    return [...this.symbols.keys()];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refreshTimer);
    for (const listeners of this.symbols.values())
      listeners.listening.then(
        (stopListening) => stopListening(),
        () => {},
      );
    this.symbols.clear();
    await this.redis
      .multi()
      .del(watchedKey(this.prefix, this.instanceId))
      .zrem(watchedInstancesKey(this.prefix), this.instanceId)
      .exec()
      .catch(() => {});
  }

  private leave(symbols: readonly string[], onTick: TickSink): void {
    let removed = false;
    for (const symbol of symbols) {
      const listeners = this.symbols.get(symbol);
      if (!listeners?.sinks.delete(onTick) || listeners.sinks.size > 0) continue;
      this.symbols.delete(symbol);
      removed = true;
      listeners.listening.then(
        (stopListening) => stopListening(),
        () => {},
      );
    }
    if (removed && !this.closed) void this.advertise();
  }

  private deliver(symbol: string, sinks: Set<TickSink>, message: string): void {
    let quote: LiveQuote;
    try {
      quote = decodeQuote(message);
    } catch {
      this.log.warn({ symbol }, 'ignoring a malformed quote message');
      return;
    }
    this.onTick(quote);
    for (const sink of sinks) sink(quote);
  }

  /** Writes this instance's watched symbols to Redis (replacing the set) and renews its TTL. */
  private async advertise(): Promise<void> {
    if (this.closed) return;
    const key = watchedKey(this.prefix, this.instanceId);
    const symbols = this.localSymbols();
    const expiresAt = Date.now() + this.options.watchTtlMs;
    const tx = this.redis.multi().del(key);
    if (symbols.length > 0) {
      tx.sadd(key, ...symbols).pexpire(key, this.options.watchTtlMs);
      tx.zadd(watchedInstancesKey(this.prefix), expiresAt, this.instanceId);
    } else {
      tx.zrem(watchedInstancesKey(this.prefix), this.instanceId);
    }
    try {
      await tx.exec();
    } catch (error) {
      // The next refresh tries again; ticks still flow through pub/sub meanwhile.
      if (!isRedisOutage(error)) this.log.warn({ err: error }, 'could not advertise watched symbols');
    }
  }
}
