/**
 * The live price relay against a real Redis: one subscriber connection per instance, channels
 * reference-counted by local subscribers, bounded per-subscription queues, the watched-symbol
 * sets the feed reads, and recovery after Redis drops the subscriber connection.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisChannels } from '../platform/redis-channels.js';
import { QuoteRelay, publishQuotes, quoteChannel, watchedSymbols, type LiveQuote } from './quote-relay.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = pino({ level: 'silent' });
const prefix = `test:${randomBytes(5).toString('hex')}:`;

let redis: Redis;
const opened: Array<{ relay: QuoteRelay; channels: RedisChannels }> = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterEach(async () => {
  for (const { relay, channels } of opened.splice(0)) {
    await relay.close();
    await channels.close();
  }
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function instance(options: ConstructorParameters<typeof QuoteRelay>[4] = {}) {
  const name = `foliograph:test-subscriber:${randomBytes(4).toString('hex')}`;
  const channels = new RedisChannels(REDIS_URL, name, log);
  const relay = new QuoteRelay(redis, channels, prefix, log, options);
  opened.push({ relay, channels });
  return { relay, channels, name };
}

let sequence = 0;
function tick(symbol: string, price = `${100 + ++sequence}.00`): LiveQuote {
  return {
    symbol,
    price,
    change: '1.00',
    changePercent: 1,
    previousClose: '99.00',
    currency: 'USD',
    timestamp: new Date(),
    source: 'simulated',
  };
}

async function subscribedChannels(): Promise<string[]> {
  return ((await redis.pubsub('CHANNELS', `${prefix}quote:*`)) as string[]).sort();
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const values: T[] = [];
  while (values.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    values.push(next.value);
  }
  return values;
}

describe('QuoteRelay', () => {
  it('subscribes a channel for its first local subscriber and unsubscribes after the last', async () => {
    const { relay } = instance();
    expect(await subscribedChannels()).toEqual([]);

    const first = await relay.subscribe(['AAPL', 'MSFT']);
    const second = await relay.subscribe(['AAPL']);
    expect(await subscribedChannels()).toEqual([quoteChannel(prefix, 'AAPL'), quoteChannel(prefix, 'MSFT')]);
    // Two local subscribers of AAPL share the instance's one Redis subscription.
    expect(await redis.pubsub('NUMSUB', quoteChannel(prefix, 'AAPL'))).toEqual([quoteChannel(prefix, 'AAPL'), 1]);

    const published = [tick('AAPL'), tick('MSFT'), tick('AAPL')];
    await publishQuotes(redis, prefix, published);
    const firstGot = await take(first, 3);
    const secondGot = await take(second, 2);
    expect(firstGot.map((q) => [q.symbol, q.price])).toEqual(published.map((q) => [q.symbol, q.price]));
    expect(secondGot.map((q) => q.price)).toEqual([published[0]!.price, published[2]!.price]);
    expect(firstGot[0]!.timestamp).toBeInstanceOf(Date);
    expect(firstGot[0]!.timestamp.toISOString()).toBe(published[0]!.timestamp.toISOString());

    await first.return();
    expect(await eventually(subscribedChannels, (c) => c.length === 1)).toEqual([quoteChannel(prefix, 'AAPL')]);
    await second.return();
    expect(await eventually(subscribedChannels, (c) => c.length === 0)).toEqual([]);
    expect(relay.localSymbols()).toEqual([]);
  });

  it('counts every watch as a registration of its own, even with the same callback', async () => {
    const { relay } = instance();
    const seen: string[] = [];
    const onTick = (quote: LiveQuote) => seen.push(quote.price);
    const first = await relay.watch(['AAPL'], onTick);
    const second = await relay.watch(['AAPL', 'MSFT'], onTick);
    first();
    const published = tick('AAPL');
    await publishQuotes(redis, prefix, [published]);
    await eventually(
      async () => seen,
      (s) => s.length > 0,
    );
    expect(seen).toEqual([published.price]);
    expect(await subscribedChannels()).toEqual([quoteChannel(prefix, 'AAPL'), quoteChannel(prefix, 'MSFT')]);
    second();
    await eventually(subscribedChannels, (c) => c.length === 0);
  });

  it('advertises the symbols its subscribers watch, for the feed', async () => {
    const a = instance();
    const b = instance();
    const onA = await a.relay.subscribe(['AAPL']);
    const onB = await b.relay.subscribe(['BTC-USD', 'AAPL']);
    expect((await watchedSymbols(redis, prefix)).sort()).toEqual(['AAPL', 'BTC-USD']);
    await onB.return();
    expect(
      await eventually(
        () => watchedSymbols(redis, prefix),
        (s) => s.length === 1,
      ),
    ).toEqual(['AAPL']);
    // An instance that stops refreshing (it died) drops out once its entry expires.
    expect(await watchedSymbols(redis, prefix, Date.now() + 60_000)).toEqual([]);
    await onA.return();
  });

  it('drops the oldest ticks for a consumer that falls behind', async () => {
    const { relay } = instance({ queueSize: 3 });
    const slow = await relay.subscribe(['AAPL']);
    // Messages of all channels arrive in publishing order: once the marker's tick is here,
    // every AAPL tick has been offered to the slow consumer.
    const marker = await relay.subscribe(['MSFT']);
    const published = Array.from({ length: 10 }, () => tick('AAPL'));
    await publishQuotes(redis, prefix, [...published, tick('MSFT')]);
    await take(marker, 1);
    await marker.return();
    expect((await take(slow, 3)).map((q) => q.price)).toEqual(published.slice(-3).map((q) => q.price));
    expect(slow.dropped).toBe(7);
    await slow.return();
  });

  it('keeps delivering after Redis kills its subscriber connection', async () => {
    const { relay, name } = instance();
    const ticks = await relay.subscribe(['AAPL']);
    await publishQuotes(redis, prefix, [tick('AAPL')]);
    expect(await take(ticks, 1)).toHaveLength(1);

    const clientIds = ((await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string)
      .split('\n')
      .filter((line) => line.includes(`name=${name} `))
      .map((line) => /id=(\d+)/.exec(line)![1]!);
    expect(clientIds).toHaveLength(1);
    // Only this test's connection: other test files share the Redis server.
    expect(await redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub', 'ID', clientIds[0]!)).toBe(1);

    // ioredis reconnects and subscribes again (autoResubscribe); ticks flow once it has.
    await eventually(
      async () => (await redis.pubsub('NUMSUB', quoteChannel(prefix, 'AAPL'))) as [string, number],
      ([, count]) => count === 1,
      10_000,
    );
    const after = tick('AAPL');
    await publishQuotes(redis, prefix, [after]);
    expect((await take(ticks, 1))[0]!.price).toBe(after.price);
    await ticks.return();
  });
});
