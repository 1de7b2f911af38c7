/**
 * The WebSocket endpoint speaks graphql-transport-ws exactly (close codes included), admits only
 * signed-in sessions, and closes a connection when its session is revoked (on any instance) or
 * its access token expires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveQuotesDocument, LogoutDocument } from '../../schema/sdk/graphql.js';
import { ACCESS_TOKEN_TTL_SECONDS } from '../auth/tokens.js';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { createTestUser } from '../../test/users.js';
import { eventually, listen, RawSocket, subscribe, wsClient, type Closed } from '../../test/ws.js';
import { SESSION_REVOKED_REASON, TOKEN_EXPIRED_REASON } from './ws.js';

const QUOTES = 'subscription { quotes(symbols: ["AAPL"]) { symbol price } }';

let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await startTestApp({ subscriptions: { connectionInitWaitTimeout: 300, maxSubscriptionsPerConnection: 2, keepAliveMs: 200 } });
  url = await listen(t);
});
afterAll(async () => {
  await t?.close();
});

function closedWithin(socket: RawSocket, ms: number): Promise<Closed> {
  return Promise.race([
    socket.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms)),
  ]);
}

describe('graphql-transport-ws close codes', () => {
  it('4403 for connection_init without a valid token of a live session', async () => {
    const anonymous = new RawSocket(url);
    await anonymous.send({ type: 'connection_init' });
    expect(await anonymous.closed).toEqual({ code: 4403, reason: 'Forbidden' });

    const forged = new RawSocket(url);
    await forged.send({ type: 'connection_init', payload: { authorization: 'Bearer not-a-token' } });
    expect((await forged.closed).code).toBe(4403);

    const user = await createTestUser(t);
    await t.app.services.revocations.revoke([user.sessionId]);
    const revoked = new RawSocket(url);
    await revoked.send({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } });
    expect((await revoked.closed).code).toBe(4403);
  });

  it('acknowledges a valid token', async () => {
    const user = await createTestUser(t);
    const socket = new RawSocket(url);
    await socket.init(user.token);
    socket.close();
  });

  it('4401 for subscribe before connection_init', async () => {
    const socket = new RawSocket(url);
    await socket.send({ id: '1', type: 'subscribe', payload: { query: QUOTES } });
    expect(await socket.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
  });

  it('4429 for a second connection_init', async () => {
    const user = await createTestUser(t);
    const socket = new RawSocket(url);
    await socket.init(user.token);
    await socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } });
    expect(await socket.closed).toEqual({ code: 4429, reason: 'Too many initialisation requests' });
  });

  it('4409 for a subscription id already in use', async () => {
    const user = await createTestUser(t);
    const socket = new RawSocket(url);
    await socket.init(user.token);
    await socket.send({ id: 'same', type: 'subscribe', payload: { query: QUOTES } });
    await socket.send({ id: 'same', type: 'subscribe', payload: { query: QUOTES } });
    expect(await socket.closed).toEqual({ code: 4409, reason: 'Subscriber for same already exists' });
  });

  it('4400 for an invalid or unknown message', async () => {
    const notJson = new RawSocket(url);
    await notJson.send('{ this is not json');
    expect((await notJson.closed).code).toBe(4400);

    const unknownType = new RawSocket(url);
    await unknownType.send({ type: 'hello' });
    expect((await unknownType.closed).code).toBe(4400);

    const user = await createTestUser(t);
    const noId = new RawSocket(url);
    await noId.init(user.token);
    await noId.send({ type: 'subscribe', payload: { query: QUOTES } });
    expect((await noId.closed).code).toBe(4400);
  });

  it('4408 when connection_init does not come in time', async () => {
    const socket = new RawSocket(url);
    await socket.opened;
    const startedAt = Date.now();
    expect(await socket.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
  });

  it('4406 for a client that asks for no subprotocol', async () => {
    const socket = new RawSocket(url, null);
    expect(await socket.closed).toEqual({ code: 4406, reason: 'Subprotocol not acceptable' });
  });
});

describe('keep-alive', () => {
  it('answers protocol pings and sends WebSocket pings, dropping a peer that never answers them', async () => {
    const user = await createTestUser(t);
    const socket = new RawSocket(url);
    await socket.init(user.token);
    await socket.send({ type: 'ping', payload: { at: 1 } });
    expect(await socket.message()).toEqual({ type: 'pong', payload: { at: 1 } });
    const pinged = new Promise<void>((resolve) => socket.socket.once('ping', () => resolve()));
    await pinged;
    // `ws` answers pings by itself; without that answer the server cuts the connection off.
    await new Promise((r) => setTimeout(r, 500));
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    socket.close();

    const silent = new RawSocket(url, 'graphql-transport-ws', { autoPong: false });
    await silent.init(user.token);
    const { code } = await closedWithin(silent, 2_000);
    expect(code).toBe(1006);
  });
});

describe('operations over WebSocket', () => {
  it('serves subscriptions only; queries and mutations go over HTTP', async () => {
    const user = await createTestUser(t);
    const client = wsClient(url, user.token);
    const query = subscribe(client, LogoutDocument, {});
    const event = await query.next();
    expect(event.type).toBe('error');
    expect(JSON.stringify(event)).toContain('BAD_USER_INPUT');
    // The session is still alive: the mutation did not run.
    expect(await t.app.services.revocations.isRevoked(user.sessionId, user.id)).toBe(false);
    await client.dispose();
  });

  it('limits the subscriptions of one connection', async () => {
    const user = await createTestUser(t);
    const socket = new RawSocket(url);
    await socket.init(user.token);
    await socket.send({ id: 'a', type: 'subscribe', payload: { query: QUOTES } });
    await socket.send({ id: 'b', type: 'subscribe', payload: { query: QUOTES } });
    await socket.send({ id: 'c', type: 'subscribe', payload: { query: QUOTES } });
    const refused = await socket.message();
    expect(refused).toMatchObject({ id: 'c', type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED', limit: 2 } }] });
    // Finishing one makes room again.
    await socket.send({ id: 'a', type: 'complete' });
    await socket.send({ id: 'd', type: 'subscribe', payload: { query: 'subscription { quotes(symbols: ["NOT A SYMBOL"]) { symbol } }' } });
    const next = await socket.message();
    expect(next).toMatchObject({ id: 'd', type: 'next', payload: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] } });
    socket.close();
  });

  it('reports validation errors as BAD_USER_INPUT', async () => {
    const user = await createTestUser(t);
    const socket = new RawSocket(url);
    await socket.init(user.token);
    await socket.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { nope }' } });
    expect(await socket.message()).toMatchObject({ id: '1', type: 'error', payload: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    await socket.send({ id: '2', type: 'subscribe', payload: { query: 'subscription {' } });
    expect(await socket.message()).toMatchObject({ id: '2', type: 'error', payload: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    socket.close();
  });
});

describe('ending connections', () => {
  it('closes a session’s sockets with 4403 when it is revoked, on every instance', async () => {
    const other = await startTestApp({ database: t.database, redisPrefix: t.config.REDIS_PREFIX });
    try {
      const otherUrl = await listen(other);
      const user = await createTestUser(t);
      const bystander = await createTestUser(t);
      const here = new RawSocket(url);
      const there = new RawSocket(otherUrl);
      const unaffected = new RawSocket(otherUrl);
      await Promise.all([here.init(user.token), there.init(user.token), unaffected.init(bystander.token)]);

      const revokedAt = Date.now();
      await t.app.services.revocations.revoke([user.sessionId]);
      expect(await closedWithin(here, 1_000)).toEqual({ code: 4403, reason: SESSION_REVOKED_REASON });
      expect(await closedWithin(there, 1_000)).toEqual({ code: 4403, reason: SESSION_REVOKED_REASON });
      expect(Date.now() - revokedAt).toBeLessThan(1_000);
      expect(unaffected.socket.readyState).toBe(unaffected.socket.OPEN);
      unaffected.close();
    } finally {
      await other.close();
    }
  });

  it('closes an open subscription when the user logs out', async () => {
    const user = await createTestUser(t);
    const closed: number[] = [];
    const client = wsClient(url, user.token, { on: { closed: (event) => closed.push((event as Closed).code) } });
    const quotes = subscribe(client, LiveQuotesDocument, { symbols: ['AAPL'] });
    await eventually(
      () => t.app.services.live.relay.localSymbols(),
      (symbols) => symbols.includes('AAPL'),
    );

    const logout = await t.gql(LogoutDocument, {}, { token: user.token });
    expect(logout.data?.logout).toBe(true);
    const event = await quotes.next(1_000);
    expect(event.type).toBe('error');
    const { code, reason } = (event as { error: Closed }).error;
    expect({ code, reason }).toEqual({ code: 4403, reason: SESSION_REVOKED_REASON });
    expect(closed).toEqual([4403]);
    await client.dispose();
  });

  it('closes the socket with 4403 when the access token expires', async () => {
    const user = await createTestUser(t);
    // Signed so that it expires about 2 s from now.
    const issuedAt = new Date(Date.now() - (ACCESS_TOKEN_TTL_SECONDS - 2) * 1_000);
    const token = await t.app.services.tokens.sign(user.id, user.sessionId, issuedAt);
    const socket = new RawSocket(url);
    await socket.init(token);
    const openedAt = Date.now();
    expect(await closedWithin(socket, 4_000)).toEqual({ code: 4403, reason: TOKEN_EXPIRED_REASON });
    expect(Date.now() - openedAt).toBeGreaterThan(500);
  });

  it('closes every socket on app.close(), so shutdown does not hang', async () => {
    const instance = await startTestApp({ database: t.database, redisPrefix: t.config.REDIS_PREFIX });
    const instanceUrl = await listen(instance);
    const user = await createTestUser(t);
    const socket = new RawSocket(instanceUrl);
    await socket.init(user.token);
    const startedAt = Date.now();
    await instance.close();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(await socket.closed).toEqual({ code: 1001, reason: 'Going away' });
  });
});
