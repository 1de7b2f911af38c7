/**
 * RFC 6750 and the contract ("Transport"): an Authorization header that does not verify refuses
 * the request whole — 401, `WWW-Authenticate: Bearer error="invalid_token"`, one UNAUTHENTICATED
 * error saying why — over GraphQL (both media types), REST and the WebSocket's connection_init.
 * No header stays anonymous.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ACCESS_TOKEN_TTL_SECONDS } from './tokens.js';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { listen } from '../../test/ws.js';

let t: TestApp;
let base: string;
let wsUrl: string;
let user: TestUser;
let expired: string;
let revoked: string;
beforeAll(async () => {
  t = await startTestApp();
  wsUrl = await listen(t);
  base = wsUrl.replace(/^ws/, 'http').replace(/\/graphql$/, '');
  user = await createTestUser(t);
  expired = await t.app.services.tokens.sign(user.id, user.sessionId, new Date(Date.now() - (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000));
  const other = await createTestUser(t);
  // As a logout does: the record of truth, then the Redis mark every replica reads.
  await t.app.services.db.session.update({ where: { id: other.sessionId }, data: { revokedAt: new Date(), revokedReason: 'logout' } });
  await t.app.services.revocations.revoke([other.sessionId]);
  revoked = other.token;
});
afterAll(async () => {
  await t?.close();
});

const cases = (): Array<[string, string, string]> => [
  ['expired', `Bearer ${expired}`, 'TOKEN_EXPIRED'],
  ['revoked', `Bearer ${revoked}`, 'TOKEN_REVOKED'],
  ['malformed', 'Bearer not-a-jwt', 'TOKEN_INVALID'],
  ['not Bearer', 'Basic dXNlcjpwYXNz', 'TOKEN_INVALID'],
  ['unknown API token', 'Bearer fg_0000000000000000000000000000000000000000', 'TOKEN_INVALID'],
];

describe('a token that does not verify is refused, never anonymous', () => {
  for (const accept of ['application/json', 'application/graphql-response+json']) {
    it(`GraphQL over HTTP (${accept})`, async () => {
      for (const [, authorization, reason] of cases()) {
        const response = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept, authorization },
          body: JSON.stringify({ query: '{ me { id } }' }),
        });
        expect(response.status, reason).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        const body = (await response.json()) as { data?: unknown; errors: Array<{ extensions: Record<string, unknown> }> };
        expect(body.data).toBeUndefined();
        expect(body.errors).toHaveLength(1);
        expect(body.errors[0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
        expect(body.errors[0]!.extensions.requestId).toBe(response.headers.get('x-request-id'));
      }
      // GET queries too.
      const get = await fetch(`${base}/graphql?query=${encodeURIComponent('{ version }')}`, {
        headers: { accept, authorization: `Bearer ${expired}` },
      });
      expect(get.status).toBe(401);
    });
  }

  it('no header is anonymous, a valid one signed in', async () => {
    const ask = (headers: Record<string, string>) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
    const anonymous = await ask({});
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ data: { me: null } });
    const signedIn = await ask({ authorization: `Bearer ${user.token}` });
    expect(await signedIn.json()).toEqual({ data: { me: { id: user.id } } });
  });

  it('REST', async () => {
    for (const [, authorization, reason] of cases()) {
      const response = await fetch(`${base}/api/v1/portfolios`, { headers: { authorization } });
      expect(response.status, reason).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      const body = (await response.json()) as { success: boolean; error: Record<string, unknown> };
      expect(body.success).toBe(false);
      expect(body.error).toMatchObject({ code: 'UNAUTHENTICATED', reason });
    }
    // Without a header: the route's own answer for anonymous callers (UNAUTHENTICATED, no reason).
    const anonymous = (await (await fetch(`${base}/api/v1/portfolios`)).json()) as { error: Record<string, unknown> };
    expect(anonymous.error.code).toBe('UNAUTHENTICATED');
    expect(anonymous.error.reason).toBeUndefined();
  });

  it('WebSocket connection_init: 4403 with the reason, as graphql-ws reports it', async () => {
    for (const [, authorization, reason] of cases()) {
      const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
        const client = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: { authorization },
          retryAttempts: 0,
          lazy: false,
          onNonLazyError: () => {},
          on: { closed: (event) => resolve(event as { code: number; reason: string }) },
        });
        setTimeout(() => void client.dispose(), 5_000).unref();
      });
      expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4403, reason });
    }
  });
});
