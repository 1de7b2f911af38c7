/**
 * GraphiQL in a real headless Chromium (Debian's `chromium`, driven by puppeteer-core), with every
 * request that leaves our own server refused, so it must work offline: the page loads, the
 * default tab signs in, the Headers pane's `Authorization` serves a query over HTTP and a
 * subscription over graphql-ws that shows two live ticks, and the console stays clean.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PriceFeed } from '../src/market/feed.js';
import { DEMO_EMAIL, seedDemo } from '../src/seed.js';
import { useTestApp } from './use-test-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let feed: PriceFeed;
let origin: string;
let browser: Browser;
let profile: string;

afterAll(async () => {
  if (profile) rmSync(profile, { recursive: true, force: true });
});
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the CI script installs it)`);
}, 60_000);
const t = useTestApp();
beforeAll(async () => {
  await seedDemo(t.app.services.db);
  origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
  feed = new PriceFeed(
    { market: t.app.services.market, redis: t.app.services.redis, prefix: t.config.REDIS_PREFIX, log: t.app.log },
    { intervalMs: 150 },
  );
  await feed.start();
  profile = mkdtempSync(join(tmpdir(), 'foliograph-chromium-'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    // As on this machine's kind: no sandbox as root, and no background connections to Google.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await feed?.close();
});

/** The CodeMirror 5 editor inside `selector` (GraphiQL v3 uses CodeMirror 5). */
type CodeMirrorElement = { CodeMirror: { getValue(): string; setValue(s: string): void } };
/** The last match: the headers editor comes after the (hidden) variables editor. */
async function editorValue(page: Page, selector: string): Promise<string> {
  return page.$$eval(selector, (els) => (els.at(-1) as unknown as CodeMirrorElement).CodeMirror.getValue());
}
async function setEditor(page: Page, selector: string, value: string): Promise<void> {
  await page.$$eval(selector, (els, v) => (els.at(-1) as unknown as CodeMirrorElement).CodeMirror.setValue(v), value);
}
const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const HEADERS_EDITOR = '.graphiql-editor-tool .CodeMirror';
const RESULT = '.result-window .CodeMirror';

async function run(page: Page): Promise<void> {
  // As a person would: GraphiQL reads the operation from the editor after a short debounce.
  await new Promise((r) => setTimeout(r, 300));
  await page.click('.graphiql-execute-button');
}
async function resultMatching(page: Page, test: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await editorValue(page, RESULT).catch(() => '');
    if (test(text)) return text;
    if (Date.now() > deadline) throw new Error(`no matching result within ${timeoutMs} ms; last: ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GraphiQL at /graphiql', () => {
  it('works offline: signs in, queries over HTTP and streams a subscription over WebSocket', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = request.url();
      if (url.startsWith(origin) || url.startsWith('data:')) return void request.continue();
      foreign.push(url);
      void request.abort();
    });

    await page.goto(`${origin}/graphiql`, { waitUntil: 'networkidle0' });
    await page.waitForSelector(QUERY_EDITOR);
    // The default tab shows how to sign in and does it.
    const defaultTab = await editorValue(page, QUERY_EDITOR);
    expect(defaultTab).toMatch(/sign in/i);
    expect(defaultTab).toContain('mutation SignIn');
    expect(await editorValue(page, HEADERS_EDITOR)).toContain('Authorization');
    await run(page);
    const signedIn = JSON.parse(await resultMatching(page, (text) => text.includes('accessToken'))) as {
      data: { login: { accessToken: string; user: { email: string } } };
    };
    expect(signedIn.data.login.user.email).toBe(DEMO_EMAIL);

    // One sign-in signs every tab in: the Headers pane still holds the welcome placeholder.
    await setEditor(page, QUERY_EDITOR, 'query Me { me { email } }');
    await run(page);
    await resultMatching(page, (text) => text.includes(`"email": "${DEMO_EMAIL}"`));

    // A refused subscription says why (the socket's close code and reason), not {"isTrusted":true}.
    await setEditor(page, HEADERS_EDITOR, JSON.stringify({ Authorization: 'Bearer not-a-token' }));
    await setEditor(page, QUERY_EDITOR, 'subscription Refused { quotes(symbols: ["AAPL"]) { symbol } }');
    await run(page);
    const refused = await resultMatching(page, (text) => text.includes('closed the socket'));
    expect(refused).toMatch(/4403/);
    expect(refused).not.toContain('isTrusted');

    // The Headers pane's Authorization (capital A) signs HTTP and WebSocket in alike.
    await setEditor(page, HEADERS_EDITOR, JSON.stringify({ Authorization: `Bearer ${signedIn.data.login.accessToken}` }));
    await setEditor(page, QUERY_EDITOR, 'query Me { me { email } }');
    await run(page);
    await resultMatching(page, (text) => text.includes(`"email": "${DEMO_EMAIL}"`));

    await setEditor(page, QUERY_EDITOR, 'subscription Live { quotes(symbols: ["AAPL"]) { symbol price timestamp source } }');
    await run(page);
    const seen = new Set<string>();
    await resultMatching(page, (text) => {
      const timestamp = /"timestamp": "([^"]+)"/.exec(text)?.[1];
      if (timestamp && text.includes('"symbol": "AAPL"')) seen.add(timestamp);
      return seen.size >= 2;
    });
    expect(seen.size).toBeGreaterThanOrEqual(2);
    await run(page); // stops the subscription

    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
