/**
 * WebSocket limits, counted across two instances of one deployment (one Redis): connections per
 * user and per IP address close with 4429, subscriptions per user are refused with RATE_LIMITED,
 * and freed slots can be used again. 0 turns each limit off.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { eventually, listen, RawSocket } from '../../test/ws.js';
import { LiveSlots } from './ws-limits.js';
import { TOO_MANY_IP_CONNECTIONS_REASON, TOO_MANY_USER_CONNECTIONS_REASON } from './ws.js';

const QUOTES = 'subscription { quotes(symbols: ["AAPL"]) { symbol price } }';
const LIMITS = { WS_CONNECTIONS_PER_USER: '2', WS_CONNECTIONS_PER_IP: '4', SUBSCRIPTIONS_PER_USER: '3' };

let a: TestApp;
let b: TestApp;
let urlA: string;
let urlB: string;
const open: RawSocket[] = [];

beforeAll(async () => {
  a = await startTestApp({ env: LIMITS });
  b = await startTestApp({ database: a.database, redisPrefix: a.config.REDIS_PREFIX, env: LIMITS });
  urlA = await listen(a);
  urlB = await listen(b);
});
afterEach(async () => {
  for (const socket of open.splice(0)) socket.close();
  // Every slot is given back once the sockets are gone.
  await eventually(
    () => a.app.services.redis.keys(`${a.config.REDIS_PREFIX}ws:*`),
    (keys) => keys.length === 0,
  );
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** A socket on `url`, initialised with the user's token (resolves once acknowledged). */
async function connect(url: string, user: TestUser): Promise<RawSocket> {
  const socket = new RawSocket(url);
  open.push(socket);
  await socket.init(user.token);
  return socket;
}

/** A socket whose connection_init is refused: how it closed. */
async function refusedConnection(url: string, user: TestUser) {
  const socket = new RawSocket(url);
  open.push(socket);
  await socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } });
  return socket.closed;
}

describe('connections', () => {
  it('per user, across instances: the one over the limit closes with 4429; closing one frees a slot', async () => {
    const user = await createTestUser(a);
    const first = await connect(urlA, user);
    await connect(urlB, user);
    expect(await refusedConnection(urlA, user)).toEqual({ code: 4429, reason: TOO_MANY_USER_CONNECTIONS_REASON });
    expect(await refusedConnection(urlB, user)).toEqual({ code: 4429, reason: TOO_MANY_USER_CONNECTIONS_REASON });
    // Someone else is not affected.
    await connect(urlA, await createTestUser(a));

    first.close();
    await eventually(
      async () => {
        const socket = new RawSocket(urlB);
        open.push(socket);
        await socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } });
        return (await Promise.race([socket.message(2_000).then((m) => m.type), socket.closed.then((c) => c.code)])) as unknown;
      },
      (outcome) => outcome === 'connection_ack',
    );
  });

  it('per IP address, across instances, whoever the users are', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => createTestUser(a)));
    for (const [i, user] of users.slice(0, 4).entries()) await connect(i % 2 ? urlB : urlA, user);
    expect(await refusedConnection(urlB, users[4]!)).toEqual({ code: 4429, reason: TOO_MANY_IP_CONNECTIONS_REASON });
  });
});

describe('subscriptions per user', () => {
  it('across connections and instances: the one over the limit gets RATE_LIMITED, the socket stays open; a finished one frees a slot', async () => {
    const user = await createTestUser(a);
    const onA = await connect(urlA, user);
    const onB = await connect(urlB, user);
    await onA.send({ id: '1', type: 'subscribe', payload: { query: QUOTES } });
    await onA.send({ id: '2', type: 'subscribe', payload: { query: QUOTES } });
    await onB.send({ id: '3', type: 'subscribe', payload: { query: QUOTES } });
    await eventually(
      () => a.app.services.redis.zcard(`${a.config.REDIS_PREFIX}ws:subscriptions:user:${user.id}`),
      (n) => n === 3,
    );
    await onB.send({ id: '4', type: 'subscribe', payload: { query: QUOTES } });
    expect(await onB.message()).toMatchObject({ id: '4', type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED', limit: 3 } }] });

    await onA.send({ id: '1', type: 'complete' });
    await eventually(
      () => a.app.services.redis.zcard(`${a.config.REDIS_PREFIX}ws:subscriptions:user:${user.id}`),
      (n) => n === 2,
    );
    // An operation that fails at once (bad symbol) takes a slot and gives it back.
    await onB.send({ id: '5', type: 'subscribe', payload: { query: 'subscription { quotes(symbols: ["NOT A SYMBOL"]) { symbol } }' } });
    expect(await onB.message()).toMatchObject({ id: '5', type: 'next', payload: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] } });
    expect(await onB.message()).toMatchObject({ id: '5', type: 'complete' });
    await eventually(
      () => a.app.services.redis.zcard(`${a.config.REDIS_PREFIX}ws:subscriptions:user:${user.id}`),
      (n) => n === 2,
    );
    await onB.send({ id: '6', type: 'subscribe', payload: { query: QUOTES } });
    await eventually(
      () => a.app.services.redis.zcard(`${a.config.REDIS_PREFIX}ws:subscriptions:user:${user.id}`),
      (n) => n === 3,
    );
    await onB.send({ id: '7', type: 'subscribe', payload: { query: QUOTES } });
    expect(await onB.message()).toMatchObject({ id: '7', type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED' } }] });

    // Closing a socket gives back its subscriptions' slots too: B's two (3 and 6) remain.
    onA.close();
    const key = `${a.config.REDIS_PREFIX}ws:subscriptions:user:${user.id}`;
    await eventually(
      () => a.app.services.redis.zcard(key),
      (n) => n === 2,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.app.services.redis.zcard(key)).toBe(2);
  });
});

describe('0 = no limit', () => {
  it('lets one user open more connections and subscriptions than any default', async () => {
    const app = await startTestApp({ env: { WS_CONNECTIONS_PER_USER: '0', WS_CONNECTIONS_PER_IP: '0', SUBSCRIPTIONS_PER_USER: '0' } });
    const sockets: RawSocket[] = [];
    try {
      const url = await listen(app);
      const user = await createTestUser(app);
      for (let i = 0; i < 12; i++) {
        const socket = new RawSocket(url);
        sockets.push(socket);
        await socket.init(user.token);
        await socket.send({ id: 'q', type: 'subscribe', payload: { query: QUOTES } });
      }
      expect(await app.app.services.redis.keys(`${app.config.REDIS_PREFIX}ws:*`)).toEqual([]);
      for (const socket of sockets) expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    } finally {
      for (const socket of sockets) socket.close();
      await app.close();
    }
  });
});

describe('leases', () => {
  it('a live instance renews its slots; slots nobody renews expire with their lease', async () => {
    const redis = new Redis(a.config.REDIS_URL);
    const prefix = `${a.config.REDIS_PREFIX}lease-test:`;
    const quiet = { warn: () => {}, info: () => {} };
    const alive = new LiveSlots(redis, prefix, quiet, 1_200);
    const other = new LiveSlots(redis, prefix, quiet, 1_200);
    try {
      const claim = { kind: 'connections:user', subject: 'u1', limit: 1 } as const;
      expect((await alive.acquire([claim])).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 2_500));
      // Two leases later, still held: renewed.
      expect(await other.acquire([claim])).toMatchObject({ ok: false });
      // A slot of an instance that died (no renewal, no release) goes when its lease ends.
      const ghost = { kind: 'connections:user', subject: 'u2', limit: 1 } as const;
      await redis.zadd(`${prefix}ws:connections:user:u2`, Date.now() + 800, 'dead-instance:1');
      expect(await other.acquire([ghost])).toMatchObject({ ok: false });
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await other.acquire([ghost])).ok).toBe(true);
    } finally {
      await alive.close();
      await other.close();
      redis.disconnect();
    }
  });
});
