/**
 * Logs as an operator reads them: migration lines are JSON like the rest, probes and scrapes do
 * not flood the info level, every line of a request carries its id under one key (`requestId`),
 * and SIGUSR2 changes the level of a running process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cycleLogLevelOnSignal } from '../src/platform/logger.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { databaseUrl, testDatabaseName, withAdmin } from './db.js';
import { LogLines } from './faults.js';
import { useTestApp } from './use-test-app.js';

const run = promisify(execFile);
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const logs = new LogLines();
const t = useTestApp({ env: { LOG_LEVEL: 'info' }, logStream: logs });
const fresh = testDatabaseName('migratelog');

afterAll(async () => {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`));
});

describe('migration logs', () => {
  it('are JSON lines (level, time, msg), from creating the database to the last migration', async () => {
    const { stdout } = await run(TSX, ['src/platform/migrate-cli.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', DATABASE_URL: databaseUrl(fresh) },
    });
    const lines = stdout.trim().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as { level: number; time: number; msg: string; component: string });
    for (const line of parsed) expect(line).toMatchObject({ level: 30, time: expect.any(Number), component: 'migrate' });
    expect(parsed[0]!.msg).toBe(`created database ${fresh}`);
    expect(parsed.some((l) => /^applied migration \d{14}_/.test(l.msg))).toBe(true);
    expect(parsed.at(-1)!.msg).toMatch(/^applied \d+ migration\(s\)$/);
  }, 60_000);

  it('report a bad configuration as one JSON line at fatal, naming the variable', async () => {
    const failed = await run(TSX, ['src/platform/migrate-cli.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', DATABASE_URL: 'mysql://nope' },
    }).catch((error: { code: number; stdout: string }) => error);
    expect((failed as { code: number }).code).toBe(1);
    const line = JSON.parse((failed as { stdout: string }).stdout.trim()) as { level: number; msg: string; problems: string[] };
    expect(line.level).toBe(60);
    expect(line.problems.join('\n')).toMatch(/DATABASE_URL/);
  }, 60_000);
});

describe('request logs', () => {
  it('keep probes and scrapes out of the info level', async () => {
    const before = logs.lines.length;
    for (const url of ['/health', '/ready', '/metrics']) expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(200);
    await t.gql('{ version }');
    const written = logs.lines.slice(before);
    // The GraphQL request is logged (incoming, completed); the probes are not.
    expect(written.filter((l) => (l.req as { url?: string } | undefined)?.url === '/graphql')).toHaveLength(1);
    expect(written.some((l) => /^\/(health|ready|metrics)/.test(String((l.req as { url?: string } | undefined)?.url)))).toBe(false);
  });

  it('carry the request id under one key, requestId, in every line of a request', async () => {
    const before = logs.lines.length;
    await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-me-42' },
      payload: '{"query":"{ version }"}',
    });
    const written = logs.lines.slice(before);
    const mine = written.filter((l) => l.requestId === 'trace-me-42');
    expect(mine.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    expect(written.some((l) => 'reqId' in l)).toBe(false);
  });
});

describe('log level at run time', () => {
  it('moves through the configured level, debug and trace on each SIGUSR2, and says so', () => {
    const log = t.app.log;
    const stop = cycleLogLevelOnSignal(log, 'info');
    try {
      const before = logs.lines.length;
      // process.emit runs the handlers as a real signal would, without signalling the test runner.
      process.emit('SIGUSR2');
      expect(log.level).toBe('debug');
      process.emit('SIGUSR2');
      expect(log.level).toBe('trace');
      process.emit('SIGUSR2');
      expect(log.level).toBe('info');
      const said = logs.lines.slice(before).filter((l) => /^log level is now/.test(l.msg));
      expect(said.map((l) => [l.level, l.msg.split(' (')[0]])).toEqual([
        [40, 'log level is now debug'],
        [40, 'log level is now trace'],
        [40, 'log level is now info'],
      ]);
    } finally {
      stop();
    }
  });

  it("applies to the requests that follow: a request's own logger logs at debug once switched", async () => {
    const stop = cycleLogLevelOnSignal(t.app.log, 'info');
    try {
      process.emit('SIGUSR2');
      let level = '';
      const response = await t.app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      t.app.log.debug({ probe: 'after-switch' }, 'debug line after the switch');
      level = t.app.log.level;
      expect(level).toBe('debug');
      expect(logs.lines.some((l) => l.level === 20 && l.msg === 'debug line after the switch')).toBe(true);
    } finally {
      process.emit('SIGUSR2');
      process.emit('SIGUSR2');
      stop();
    }
  });
});
