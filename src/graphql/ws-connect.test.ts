/**
 * What a burst of WebSocket connections costs the API in Redis (issue 11): every connection's
 * session is checked twice (at connection_init, and again once its socket is registered for
 * revocations), and the checks of one turn of the event loop share one command. A burst of
 * clients costs a few round trips, not two per client; each connection is still refused or
 * closed as before (./ws.test.ts covers revocation, expiry and logout).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { createTestUser } from '../../test/users.js';
import { listen, RawSocket } from '../../test/ws.js';

const BURST = 24;

let t: TestApp;
let url: string;
/** Session-state reads sent to Redis (GET or MGET of `…session-state:…` keys), and their keys. */
const stateReads: string[][] = [];

beforeAll(async () => {
  t = await startTestApp({ env: { WS_CONNECTIONS_PER_USER: '0', WS_CONNECTIONS_PER_IP: '0', SUBSCRIPTIONS_PER_USER: '0' } });
  url = await listen(t);
  const redis = t.app.services.redis;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<typeof send>) => {
    const command = args[0] as unknown as { name: string; args: unknown[] };
    const keys = command.args.map(String);
    if ((command.name === 'get' || command.name === 'mget') && keys.some((key) => key.includes('session-state:'))) stateReads.push(keys);
    return send(...args);
  }) as typeof redis.sendCommand;
});
afterAll(async () => {
  await t?.close();
});

/** Opens `count` sockets, then sends every connection_init at once; resolves with their first answers. */
async function burst(tokens: string[]): Promise<Array<Record<string, unknown>>> {
  const sockets = tokens.map(() => new RawSocket(url));
  try {
    await Promise.all(sockets.map((s) => s.opened));
    sockets.forEach((s, i) =>
      s.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokens[i]}` } })),
    );
    return await Promise.all(sockets.map((s) => s.message()));
  } finally {
    for (const s of sockets) s.close();
  }
}

describe('a burst of connections', () => {
  it('reads the session states of concurrent connects together, not twice per connection', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => createTestUser(t)));
    const tokens = Array.from({ length: BURST }, (_, i) => users[i % users.length]!.token);
    stateReads.length = 0;

    const answers = await burst(tokens);

    expect(answers.map((a) => a.type)).toEqual(tokens.map(() => 'connection_ack'));
    // One command per turn of the event loop that had checks to make: two checks per connection
    // (48 reads one by one before), usually two or three commands for the whole burst.
    expect(stateReads.length).toBeGreaterThan(0);
    expect(stateReads.length).toBeLessThan(BURST / 2);
    // Every session was asked about, and no key twice in one command.
    const asked = new Set(stateReads.flat());
    expect(users.every((u) => asked.has(t.app.services.revocations.key(u.sessionId)))).toBe(true);
    for (const keys of stateReads) expect(new Set(keys).size).toBe(keys.length);
  });

  it('still refuses a revoked session among the others in the same burst', async () => {
    const [live, revoked] = await Promise.all([createTestUser(t), createTestUser(t)]);
    await t.app.services.revocations.revoke([revoked.sessionId]);
    const tokens = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? revoked.token : live.token));

    const sockets = tokens.map(() => new RawSocket(url));
    await Promise.all(sockets.map((s) => s.opened));
    sockets.forEach((s, i) =>
      s.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokens[i]}` } })),
    );
    const outcomes = await Promise.all(
      sockets.map((s, i) => (i % 3 === 0 ? s.closed.then((c) => c.code) : s.message().then((m) => m.type))),
    );
    for (const s of sockets) s.close();

    expect(outcomes).toEqual(tokens.map((_, i) => (i % 3 === 0 ? 4403 : 'connection_ack')));
  });
});
