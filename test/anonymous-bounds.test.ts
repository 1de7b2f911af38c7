/**
 * Bounded before work, for anonymous callers (issue 21): request bodies nested too deep are
 * refused before they are parsed, sockets that flood messages before connection_init are
 * closed, and half-open or trickling HTTP connections are closed instead of held forever.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from './harness.js';
import { createTestUser } from './users.js';
import { listen, RawSocket } from './ws.js';
import { TOO_MANY_MESSAGES_BEFORE_ACK_REASON } from '../src/graphql/ws-server.js';

let t: TestApp;
let wsUrl: string;
let port: number;

beforeAll(async () => {
  t = await startTestApp({
    env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', WS_MESSAGES_BEFORE_ACK: '5' },
    // Server pings far apart: an idle subscription socket must outlive the HTTP idle timeout on its own.
    subscriptions: { keepAliveMs: 60_000, connectionInitWaitTimeout: 10_000 },
  });
  wsUrl = await listen(t);
  port = Number(new URL(wsUrl).port);
});
afterAll(async () => {
  await t?.close();
});

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

async function post(url: string, body: string) {
  const response = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body });
  return {
    status: response.statusCode,
    body: response.json() as { errors?: Array<{ extensions?: Record<string, unknown> }>; error?: unknown },
  };
}

describe('JSON request bodies', () => {
  it('refuses a 2 MB body nested a million levels with BAD_USER_INPUT naming the depth', async () => {
    const { status, body } = await post('/graphql', nested(1_000_000));
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: [{ field: 'body', message: 'The request body is nested deeper than 64 levels' }],
    });
  });

  it('refuses deep nesting hidden in variables, and on REST routes', async () => {
    const graphql = await post('/graphql', `{"query":"{ version }","variables":{"x":${nested(100_000)}}}`);
    expect(graphql.status).toBe(400);
    expect(graphql.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const rest = await post('/api/v1/portfolios', `{"name":${nested(100_000)}}`);
    expect(rest.status).toBe(400);
    // The REST facade's envelope (src/rest/envelope.ts).
    expect(rest.body).toMatchObject({ success: false, error: { code: 'BAD_USER_INPUT' } });
  });

  it('still reads ordinary bodies, brackets inside strings included, and refuses prototype poisoning', async () => {
    const ok = await post('/graphql', JSON.stringify({ query: '{ version }', variables: { x: `${'['.repeat(500)}"\\` } }));
    expect(ok.status).toBe(200);
    const poisoned = await post('/graphql', '{"query":"{ version }","__proto__":{"x":1}}');
    expect(poisoned.status).toBe(400);
  });
});

describe('WebSocket messages before connection_init', () => {
  it('closes a socket that floods pings before connection_init with 4429', async () => {
    const socket = new RawSocket(wsUrl);
    for (let i = 0; i < 50; i++) await socket.send({ type: 'ping' });
    expect(await socket.closed).toEqual({ code: 4429, reason: TOO_MANY_MESSAGES_BEFORE_ACK_REASON });
  });

  it('lets an acknowledged connection ping as it likes', async () => {
    const user = await createTestUser(t);
    const socket = new RawSocket(wsUrl);
    await socket.init(user.token);
    for (let i = 0; i < 20; i++) await socket.send({ type: 'ping' });
    for (let i = 0; i < 20; i++) expect(await socket.message()).toEqual({ type: 'pong' });
    socket.close();
  });
});

/** A raw TCP connection to the app; `closed` resolves with what the server sent before closing. */
function rawConnection(): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => {});
  // The test fails by its own timeout if the server never closes the connection.
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  return { socket, closed };
}

describe('slow and half-open HTTP connections', () => {
  it('closes a connection whose headers never finish', async () => {
    const { socket, closed } = rawConnection();
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n');
    // 408 when the headers timeout comes first, a plain close when the idle timeout does.
    expect(await closed).toMatch(/^(HTTP\/1\.1 408|)/);
  });

  it('closes a connection that trickles its headers a byte at a time', async () => {
    const { socket, closed } = rawConnection();
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    const trickle = setInterval(() => socket.writable && socket.write('a'), 200);
    try {
      expect(await closed).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(trickle);
    }
  });

  it('closes a connection that never sends anything', async () => {
    const { closed } = rawConnection();
    await closed;
  });

  it('keeps an idle subscription socket open past the HTTP timeouts', async () => {
    const user = await createTestUser(t);
    const socket = new RawSocket(wsUrl);
    await socket.init(user.token);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await socket.send({ type: 'ping' });
    expect(await socket.message()).toEqual({ type: 'pong' });
    socket.close();
  });
});

describe('WebSocket errors in the logs', () => {
  it('logs a flood of bad frames as single JSON lines, never on the console', async () => {
    const lines: string[] = [];
    const logged = await startTestApp({
      env: { LOG_LEVEL: 'debug' },
      logStream: { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) },
    });
    const consoleError = vi.spyOn(console, 'error');
    try {
      const url = await listen(logged);
      const closes = [];
      for (let i = 0; i < 5; i++) {
        // Over the 64 KiB message limit, then a text frame that is not UTF-8.
        const big = new RawSocket(url);
        await big.send('x'.repeat(70 * 1024));
        closes.push(big.closed);
        const invalid = new RawSocket(url);
        await invalid.opened;
        invalid.socket.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
        closes.push(invalid.closed);
      }
      const codes = (await Promise.all(closes)).map((c) => c.code);
      expect(new Set(codes)).toEqual(new Set([1009, 1007]));
      expect(consoleError).not.toHaveBeenCalled();
      expect(lines.some((line) => line.includes('WebSocket client error'))).toBe(true);
      for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    } finally {
      consoleError.mockRestore();
      await logged.close();
    }
  });
});
