/**
 * Shared fan-out of Subscription.quotes (src/graphql/ws-fanout.ts), over real sockets: one tick
 * is executed and serialized once per distinct operation however many viewers subscribe, every
 * subscriber gets the same bytes (only the subscription id differs), and a client that stops
 * reading is closed (1013) without delaying the others or queueing without bound.
 */
import type { Socket } from 'node:net';
import { print } from 'graphql';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveQuotesDocument } from '../../schema/sdk/graphql.js';
import { SLOW_CONSUMER_CLOSE_CODE } from '../graphql/ws-fanout.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser } from '../../test/users.js';
import { eventually, listen, RawSocket } from '../../test/ws.js';
import { Redis } from 'ioredis';
import { publishQuotes, type LiveQuote } from './quote-relay.js';

const MAX_BUFFERED_BYTES = 64 * 1024;
let url: string;
const open: RawSocket[] = [];

const t = useTestApp({ subscriptions: { maxBufferedBytes: MAX_BUFFERED_BYTES } });
beforeAll(async () => {
  url = await listen(t);
});
afterEach(async () => {
  for (const socket of open.splice(0)) socket.close();
  await eventually(
    () => t.app.services.live.relay.localSymbols(),
    (symbols) => symbols.length === 0,
  );
});

let sequence = 0;
function tick(price: string, source = 'test'): LiveQuote {
  return {
    symbol: 'AAPL',
    price,
    change: '0.5',
    changePercent: 0.4,
    previousClose: '99.5',
    currency: 'USD',
    timestamp: new Date(Date.UTC(2026, 10, 24, 15, 0, 0, ++sequence)),
    source,
  };
}

/** Executions of subscription events so far, by fan-out mode. */
async function executions(): Promise<{ shared: number; perSubscriber: number }> {
  const { values } = await t.app.services.metrics.subscriptionExecutions.get();
  const of = (fanout: string) => values.find((v) => v.labels.fanout === fanout)?.value ?? 0;
  return { shared: of('shared'), perSubscriber: of('per_subscriber') };
}

/** A socket subscribed to `query` under `id`, recording every frame it receives as sent. */
async function subscriber(token: string, id: string, query: string, variables?: Record<string, unknown>) {
  const raw = new RawSocket(url);
  open.push(raw);
  const frames: string[] = [];
  raw.socket.on('message', (data) => frames.push(String(data)));
  await raw.init(token);
  await raw.send({ id, type: 'subscribe', payload: { query, variables } });
  return { raw, frames };
}

const QUOTES = print(LiveQuotesDocument);
const NARROW = 'subscription Narrow { quotes(symbols: ["AAPL"]) { symbol price } }';
const WITH_SOURCE = 'subscription WithSource { quotes(symbols: ["AAPL"]) { price source } }';

describe('shared fan-out of Subscription.quotes', () => {
  it('executes and serializes a tick once per distinct operation, and sends every subscriber the same bytes', async () => {
    const users = await Promise.all([createTestUser(t), createTestUser(t), createTestUser(t)]);
    const wide = await Promise.all(
      Array.from({ length: 12 }, (_, i) => subscriber(users[i % 3]!.token, `wide-${i}`, QUOTES, { symbols: ['AAPL'] })),
    );
    const narrow = await Promise.all(Array.from({ length: 4 }, (_, i) => subscriber(users[i % 3]!.token, `narrow-${i}`, NARROW)));
    const everyone = [...wide, ...narrow];
    await eventually(
      () => t.app.services.live.relay.listenerCount('AAPL'),
      (count) => count === everyone.length,
    );

    for (const price of ['187.25', '187.5']) {
      const before = await executions();
      const already = everyone.map((s) => s.frames.length);
      await t.app.services.live.relay.publish([tick(price)]);
      await eventually(() => everyone.every((s, i) => s.frames.length === already[i]! + 1), Boolean);
      // Two distinct operations: two executions, whatever the number of subscribers and viewers.
      expect(await executions()).toEqual({ shared: before.shared + 2, perSubscriber: before.perSubscriber });

      const latest = (s: (typeof everyone)[number], id: string) => s.frames.at(-1)!.replace(JSON.stringify(id), '"ID"');
      const wideFrames = new Set(wide.map((s, i) => latest(s, `wide-${i}`)));
      const narrowFrames = new Set(narrow.map((s, i) => latest(s, `narrow-${i}`)));
      expect(wideFrames.size).toBe(1);
      expect(narrowFrames.size).toBe(1);
      expect(JSON.parse(wide[5]!.frames.at(-1)!)).toEqual({
        id: 'wide-5',
        type: 'next',
        payload: {
          data: {
            quotes: {
              symbol: 'AAPL',
              price,
              change: '0.5',
              changePercent: 0.4,
              currency: 'USD',
              timestamp: new Date(Date.UTC(2026, 10, 24, 15, 0, 0, sequence)).toISOString(),
              source: 'test',
            },
          },
        },
      });
      expect(JSON.parse(narrow[2]!.frames.at(-1)!)).toEqual({
        id: 'narrow-2',
        type: 'next',
        payload: { data: { quotes: { symbol: 'AAPL', price } } },
      });
    }

    // Completing one subscription stops its frames only.
    await wide[0]!.raw.send({ id: 'wide-0', type: 'complete' });
    await eventually(
      () => t.app.services.live.relay.listenerCount('AAPL'),
      (count) => count === everyone.length - 1,
    );
    const already = everyone.map((s) => s.frames.length);
    await t.app.services.live.relay.publish([tick('188')]);
    await eventually(() => everyone.slice(1).every((s, i) => s.frames.length === already[i + 1]! + 1), Boolean);
    expect(wide[0]!.frames.length).toBe(already[0]);
  });

  it('closes a client that stops reading with 1013, while the others get every tick', async () => {
    const user = await createTestUser(t);
    const fast = await subscriber(user.token, '1', WITH_SOURCE);
    const slow = await subscriber(user.token, '1', WITH_SOURCE);
    await eventually(
      () => t.app.services.live.relay.listenerCount('AAPL'),
      (count) => count === 2,
    );
    // The slow client stops reading from its TCP socket: the kernel's buffers fill, then ws'.
    (slow.raw.socket as unknown as { _socket: Socket })._socket.pause();
    const slowBefore = (await t.app.services.metrics.slowSubscribers.get()).values[0]?.value ?? 0;
    const big = 'x'.repeat(64 * 1024);
    // Its own connection, without the app's 500 ms command timeout: a loaded machine is fine here.
    const publisher = new Redis(t.config.REDIS_URL);
    let published = 0;
    // Large ticks (a long `source`), in batches, until the server gives up on the slow client.
    for (let batch = 0; batch < 400 && t.app.services.live.relay.listenerCount('AAPL') === 2; batch++) {
      await publishQuotes(
        publisher,
        t.config.REDIS_PREFIX,
        Array.from({ length: 5 }, () => tick(`${100 + ++published}.5`, big)),
      );
      await new Promise((r) => setTimeout(r, 10));
    }
    publisher.disconnect();
    expect(t.app.services.live.relay.listenerCount('AAPL')).toBe(1);
    expect((await t.app.services.metrics.slowSubscribers.get()).values[0]?.value).toBe(slowBefore + 1);

    // The fast client got every tick, in order.
    const prices = () => fast.frames.map((f) => (JSON.parse(f) as { payload?: { data: { quotes: { price: string } } } }).payload);
    await eventually(
      () => prices().filter(Boolean).length,
      (n) => n === published,
      15_000,
    );
    expect(
      prices()
        .filter(Boolean)
        .map((p) => p!.data.quotes.price),
    ).toEqual(Array.from({ length: published }, (_, i) => `${101 + i}.5`));

    // The slow one, reading again, finds its connection closed (1013, or cut off: it read nothing).
    (slow.raw.socket as unknown as { _socket: Socket })._socket.resume();
    expect([SLOW_CONSUMER_CLOSE_CODE, 1006]).toContain((await slow.raw.closed).code);
  }, 60_000);
});
