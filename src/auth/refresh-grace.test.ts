/**
 * The refresh grace window across replicas (contract, "Auth rules"): two tabs refresh with the
 * same token through two app instances (one database, one Redis); the second, within 30 s, gets
 * the pair the first got, and the session stays live. Real HTTP clients against real ports.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { print } from 'graphql';
import { MeDocument, RefreshTokenDocument } from '../../schema/sdk/graphql.js';
import { registerUser } from '../../test/auth.js';
import { startTestApp, type TestApp } from '../../test/harness.js';

let a: TestApp;
let b: TestApp;
const urls: string[] = [];
beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({ database: a.database, redisPrefix: a.config.REDIS_PREFIX });
  for (const t of [a, b]) urls.push(`${await t.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

async function post(url: string, query: string, variables: object, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, any>; errors?: Array<{ extensions?: Record<string, unknown> }> };
}

it('two tabs refreshing through two replicas keep one working session', async () => {
  const { auth } = await registerUser(a);
  const refresh = (url: string, refreshToken: string) => post(url, print(RefreshTokenDocument), { refreshToken });
  const [tab1, tab2] = await Promise.all([refresh(urls[0]!, auth.refreshToken), refresh(urls[1]!, auth.refreshToken)]);
  expect(tab1.errors).toBeUndefined();
  expect(tab2.errors).toBeUndefined();
  expect(tab2.data!.refreshToken.refreshToken).toBe(tab1.data!.refreshToken.refreshToken);
  // A third tab, a moment later, on the other replica.
  const tab3 = await refresh(urls[1]!, auth.refreshToken);
  expect(tab3.data!.refreshToken.refreshToken).toBe(tab1.data!.refreshToken.refreshToken);
  for (const [url, tab] of [
    [urls[0]!, tab1],
    [urls[1]!, tab2],
    [urls[0]!, tab3],
  ] as const) {
    expect((await post(url, print(MeDocument), {}, tab.data!.refreshToken.accessToken)).data?.me?.email).toBeTruthy();
  }
  // The shared successor rotates on as usual.
  const next = await refresh(urls[0]!, tab1.data!.refreshToken.refreshToken);
  expect(next.errors).toBeUndefined();
});
