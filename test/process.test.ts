/**
 * The real entry point as operators run it: `npm start` on an empty database creates it,
 * migrates, seeds the demo account, serves, and stops cleanly on SIGTERM; bad config exits 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { databaseUrl, testDatabaseName, withAdmin } from './db.js';

const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const children: ChildProcess[] = [];
const databases: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const name of databases) await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});

function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(TSX, ['src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  it('exits 1 with a clear message on bad configuration', async () => {
    const run = start({ PORT: 'not-a-port', NODE_ENV: 'production' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/foliograph cannot start: invalid configuration/);
    expect(run.output()).toMatch(/PORT/);
    expect(run.output()).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('creates, migrates and seeds an empty database, serves, and shuts down on SIGTERM', async () => {
    const name = testDatabaseName('start');
    databases.push(name);
    const run = start({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl(name),
      REDIS_PREFIX: `test:start:${name}:`,
      JWT_KEY_FILE: join(tmpdir(), 'foliograph-test', 'jwt-private.pem'),
      MARKET_FEED_INTERVAL_MS: '0',
      SHUTDOWN_DRAIN_MS: '1500',
    });
    const port = await waitFor(() => /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output())?.[1], 90_000);
    const base = `http://127.0.0.1:${port}`;
    expect(run.output()).toMatch(new RegExp(`created database ${name}`));
    expect(run.output()).toMatch(/applied migration \d+_init/);
    // Development logs are pretty-printed (pino-pretty), so the quotes are not JSON-escaped.
    expect(run.output()).toMatch(/seeded a demo account: sign in with the login mutation, email \\?"demo@foliograph.dev\\?"/);

    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await (await fetch(`${base}/ready`)).json()).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/graphiql`)).status).toBe(200);
    const typename = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await typename.json()).toEqual({ data: { __typename: 'Query' } });

    run.child.kill('SIGTERM');
    // Draining: still serving, but no longer ready, so the balancer takes it out first.
    await waitFor(() => (/draining/.test(run.output()) ? true : undefined), 5_000);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(503);
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/shutting down/);
  }, 120_000);
});
