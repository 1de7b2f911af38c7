/**
 * The SDK's session helper (packages/sdk/lib/session.ts) in real Chromium: two tabs of one app
 * whose access token has expired make a request at the same moment; the helper refreshes once
 * for both (Web Locks, a pair shared in localStorage), each tab retries once and gets its answer,
 * and the session stays live (one rotation, no reuse alarm).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { ACCESS_TOKEN_TTL_SECONDS } from '../src/auth/tokens.js';
import { registerUser } from './auth.js';
import { useTestApp } from './use-test-app.js';

/** What the page's code touches (the tests' TypeScript has no DOM library). */
type BrowserGlobals = { localStorage: { setItem(key: string, value: string): void; getItem(key: string): string | null } };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// A generous Redis command timeout: on a loaded CI machine the 500 ms default can trip the breaker mid-test.
const t = useTestApp(() => ({ env: { REDIS_COMMAND_TIMEOUT_MS: '5000' } }));
let api: string;
let page: string;
let server: Server;
let browser: Browser;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the CI script installs it)`);
  // The helper as the package ships it.
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-sdk.mjs')], { stdio: 'ignore' });
  const helper = readFileSync(join(PROJECT_ROOT, 'packages', 'sdk', 'dist', 'session.js'), 'utf8');
  api = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
  // The SPA's own origin (another port: a cross-origin API, as in development).
  server = createServer((request, response) => {
    if (request.url === '/session.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(helper);
    else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  page = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  profile = mkdtempSync(join(tmpdir(), 'foliograph-chromium-'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

it('two tabs across an expiry: one refresh for both, both answered, the session lives on', async () => {
  const { auth } = await registerUser(t);
  const sessionId = decodeJwt(auth.accessToken).sid as string;
  const expired = await t.app.services.tokens.sign(auth.user.id, sessionId, new Date(Date.now() - (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000));

  const tabs = [await browser.newPage(), await browser.newPage()];
  let refreshes = 0;
  for (const tab of tabs) {
    tab.on('request', (request) => {
      if (request.method() === 'POST' && request.postData()?.includes('refreshToken(')) refreshes++;
    });
    await tab.goto(page);
  }
  await tabs[0]!.evaluate(
    (pair) => (globalThis as unknown as BrowserGlobals).localStorage.setItem('foliograph.session', JSON.stringify(pair)),
    {
      accessToken: expired,
      refreshToken: auth.refreshToken,
    },
  );
  const ask = (url: string) =>
    `(async () => {
      const { createSession } = await import('/session.js');
      const session = createSession({ url: ${JSON.stringify(url)}, refreshAheadSeconds: -${ACCESS_TOKEN_TTL_SECONDS * 4} });
      const response = await session.fetch({ query: '{ me { id } }' });
      return { status: response.status, body: await response.json() };
    })()`;
  // refreshAheadSeconds below zero: the helper sends the expired token as is, so the server's
  // 401 TOKEN_EXPIRED is what triggers the refresh (the path an SPA with a skewed clock takes).
  const answers = await Promise.all(tabs.map((tab) => tab.evaluate(ask(api)) as Promise<{ status: number; body: unknown }>));
  for (const answer of answers) expect(answer).toEqual({ status: 200, body: { data: { me: { id: auth.user.id } } } });

  // One refresh request for both tabs (the Web Lock), so one rotation.
  expect(refreshes).toBe(1);
  expect(await t.app.services.db.refreshToken.count({ where: { sessionId } })).toBe(2);
  const session = await t.app.services.db.session.findUniqueOrThrow({ where: { id: sessionId } });
  expect(session.revokedAt).toBeNull();
  const stored = JSON.parse(
    (await tabs[1]!.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.getItem('foliograph.session'))) ?? '{}',
  ) as {
    refreshToken: string;
  };
  expect(stored.refreshToken).not.toBe(auth.refreshToken);
}, 60_000);
