/**
 * GraphQL over HTTP against a real port: the `graphql-http` package's own audit (no error, no
 * warning), the media types and status codes real clients see, and every client mistake answered
 * 4xx with a contract code and a requestId, logged below warn, never INTERNAL_SERVER_ERROR.
 */
import { serverAudits } from 'graphql-http';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from './use-test-app.js';
import { createTestUser } from './users.js';

let url: string;
const logLines: Array<{ level: number; msg: string }> = [];
const t = useTestApp({
  env: { LOG_LEVEL: 'info' },
  logStream: { write: (line: string) => void logLines.push(JSON.parse(line) as { level: number; msg: string }) },
});
beforeAll(async () => {
  url = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
});

type Body = {
  data?: unknown;
  errors?: Array<{ message: string; extensions?: { code?: string; requestId?: string; details?: unknown[] } }>;
};

async function send(init: RequestInit & { query?: string } = {}): Promise<{ status: number; type: string; body: Body; headers: Headers }> {
  const target = init.query !== undefined ? `${url}?${init.query}` : url;
  const response = await fetch(target, init);
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (await response.json()) as Body,
    headers: response.headers,
  };
}
const post = (body: string, headers: Record<string, string> = {}) =>
  send({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('GraphQL over HTTP', () => {
  it('passes the graphql-http audit with no error and no warning', async () => {
    const problems: string[] = [];
    for (const audit of serverAudits({ url, fetchFn: fetch })) {
      const result = await audit.fn();
      if (result.status === 'error' || result.status === 'warn') problems.push(`${result.status} ${audit.name}: ${result.reason}`);
    }
    expect(problems).toEqual([]);
  });

  it('runs a GET query without any special header (urql, curl -G, the address bar)', async () => {
    const result = await send({ query: `query=${encodeURIComponent('{ version }')}` });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { version: expect.any(String) } });
  });

  it('answers application/graphql-response+json with that type and 400 for a document that cannot run', async () => {
    const accept = { accept: 'application/graphql-response+json, application/json;q=0.9' };
    const ok = await post(JSON.stringify({ query: '{ version }' }), accept);
    expect([ok.status, ok.type]).toEqual([200, 'application/graphql-response+json; charset=utf-8']);
    const invalid = await post(JSON.stringify({ query: '{ nope }' }), accept);
    expect(invalid.status).toBe(400);
    expect(invalid.type).toContain('application/graphql-response+json');
    expect(invalid.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missingVariable = await post(JSON.stringify({ query: 'query Q($s: String!) { quote(symbol: $s) { price } }' }), accept);
    expect(missingVariable.status).toBe(400);
    expect(missingVariable.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('keeps application/json with 200 for GraphQL request errors when a client asks for it by name', async () => {
    const invalid = await post(JSON.stringify({ query: '{ nope }' }), { accept: 'application/json' });
    expect([invalid.status, invalid.type]).toEqual([200, 'application/json; charset=utf-8']);
    expect(invalid.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a mutation over GET with 405 and Allow: POST', async () => {
    const result = await send({ query: `query=${encodeURIComponent('mutation { logoutAll }')}` });
    expect(result.status).toBe(405);
    expect(result.headers.get('allow')).toBe('POST');
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lets only GET and POST reach GraphQL: HEAD, PUT, PATCH, DELETE get 405 with Allow: GET, POST and run nothing', async () => {
    const user = await createTestUser(t);
    const auth = { authorization: `Bearer ${user.token}` };
    const count = () => t.app.services.db.portfolio.count({ where: { ownerId: user.id } });
    const mutation = 'mutation { createPortfolio(input: { name: "side door" }) { id } }';
    const query = `query=${encodeURIComponent(mutation)}`;
    for (const method of ['HEAD', 'PUT', 'PATCH', 'DELETE']) {
      const withBody = method !== 'HEAD';
      const response = await fetch(`${url}?${query}`, {
        method,
        headers: { ...auth, 'content-type': 'application/json' },
        ...(withBody && { body: JSON.stringify({ query: mutation }) }),
      });
      expect([method, response.status, response.headers.get('allow')]).toEqual([method, 405, 'GET, POST']);
      if (withBody) expect(((await response.json()) as Body).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    // A mutation over GET runs nothing either (405, Allow: POST).
    const get = await fetch(`${url}?${query}`, { headers: auth });
    expect(get.status).toBe(405);
    expect(await count()).toBe(0);
    // The doors that are meant to be open still are.
    expect((await fetch(`${url}?query=${encodeURIComponent('{ version }')}`)).status).toBe(200);
    const posted = await post(JSON.stringify({ query: mutation }), auth);
    expect(posted.status).toBe(200);
    expect(await count()).toBe(1);
  });

  it('answers every client mistake with 4xx, a contract code and the request id, logged below warn', async () => {
    logLines.length = 0;
    const mistakes: Array<[string, () => Promise<Awaited<ReturnType<typeof send>>>, number, string]> = [
      [
        'a cross-site text/plain mutation',
        () =>
          send({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: 'mutation { logoutAll }' }) }),
        400,
        'BAD_USER_INPUT',
      ],
      [
        'a form post',
        () =>
          send({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=mutation%7BlogoutAll%7D' }),
        400,
        'BAD_USER_INPUT',
      ],
      ['bad JSON', () => post('{"query": '), 400, 'BAD_USER_INPUT'],
      ['no query', () => post('{}'), 400, 'BAD_USER_INPUT'],
      ['a number as query', () => post('{"query": 1}'), 400, 'BAD_USER_INPUT'],
      ['an array body', () => post('[{"query": "{ version }"}]'), 400, 'BAD_USER_INPUT'],
      ['variables that are not an object', () => post('{"query": "{ version }", "variables": "x"}'), 400, 'BAD_USER_INPUT'],
      [
        'GET variables that are not JSON',
        () => send({ query: `query=${encodeURIComponent('{ version }')}&variables=%7Bnope` }),
        400,
        'BAD_USER_INPUT',
      ],
      [
        'a body too large',
        () => post(JSON.stringify({ query: '{ version }', padding: 'x'.repeat(6 * 1024 * 1024) })),
        413,
        'BAD_USER_INPUT',
      ],
      [
        'a subscription over HTTP',
        () => post(JSON.stringify({ query: 'subscription { quotes(symbols: ["AAPL"]) { price } }' })),
        400,
        'BAD_USER_INPUT',
      ],
      [
        'two operations and no operationName',
        () => post(JSON.stringify({ query: 'query A { version } query B { version }' })),
        400,
        'BAD_USER_INPUT',
      ],
      ['an unknown operationName', () => post(JSON.stringify({ query: 'query A { version }', operationName: 'B' })), 400, 'BAD_USER_INPUT'],
      [
        'an unknown persisted query',
        () =>
          post(JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }), {
            accept: 'application/graphql-response+json',
          }),
        404,
        'PERSISTED_QUERY_NOT_FOUND',
      ],
      [
        'an unsupported persisted query version',
        () => post(JSON.stringify({ extensions: { persistedQuery: { version: 2, sha256Hash: 'f'.repeat(64) } } })),
        400,
        'PERSISTED_QUERY_NOT_SUPPORTED',
      ],
    ];
    for (const [what, run, status, code] of mistakes) {
      const result = await run();
      expect([what, result.status], what).toEqual([what, status]);
      const error = result.body.errors?.[0];
      expect(error?.extensions?.code, what).toBe(code);
      expect(error?.extensions?.requestId, what).toEqual(expect.any(String));
      expect(JSON.stringify(result.body), what).not.toMatch(/INTERNAL_SERVER_ERROR|\bat .*\.(js|ts):\d+/);
    }
    expect(logLines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
    expect(logLines.some((l) => l.msg === 'graphql request refused')).toBe(true);
  });

  it('answers routes other than /graphql in the same GraphQL-shaped body', async () => {
    const response = await fetch(url.replace(/\/graphql$/, '/no-such-route'));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND', requestId: expect.any(String) } }] });
    const badJson = await fetch(url.replace(/\/graphql$/, '/health'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(badJson.status).toBeGreaterThanOrEqual(400);
    expect(badJson.status).toBeLessThan(500);
    expect(await badJson.json()).toMatchObject({ errors: [{ extensions: { code: expect.stringMatching(/BAD_USER_INPUT|NOT_FOUND/) } }] });
  });

  it('answers a malformed document with 400 when the client names no media type', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{' }),
    });
    expect(response.status).toBe(400);
  });
});

describe('CORS', () => {
  it('allows any local origin outside production, and APP_URL', async () => {
    for (const origin of ['http://localhost:5173', 'http://localhost:3000', 'http://127.0.0.1:8080']) {
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
      expect(preflight.headers.get('access-control-allow-origin'), origin).toBe(origin);
    }
    const foreign = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
