/**
 * When something unexpected breaks (here: the database disappears), clients get
 * INTERNAL_SERVER_ERROR with a request id and no internals, the log gets the full error under
 * the same request id, secrets never reach the log, and /ready reports the outage.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, PortfoliosDocument } from '../schema/sdk/graphql.js';
import { withAdmin } from './db.js';
import { errorCode } from './harness.js';
import { useTestApp } from './use-test-app.js';
import { createTestUser, type TestUser } from './users.js';

const lines: string[] = [];
const t = useTestApp(() => ({ env: { LOG_LEVEL: 'info' }, logStream: { write: (line) => void lines.push(line) } }));
let user: TestUser;
beforeAll(async () => {
  user = await createTestUser(t);
  await withAdmin((c) => c.query(`DROP DATABASE ${t.database.name} WITH (FORCE)`));
});

describe('an unexpected failure', () => {
  it('is masked for the client and logged in full under the request id', async () => {
    const result = await t.gql(PortfoliosDocument, { first: 5 }, { token: user.token, headers: { 'x-request-id': 'req-db-down-1' } });
    expect(errorCode(result)).toBe('INTERNAL_SERVER_ERROR');
    expect(result.errors?.[0]?.message).toBe('Internal server error');
    expect(result.errors?.[0]?.extensions?.requestId).toBe('req-db-down-1');
    const body = JSON.stringify(result.errors);
    expect(body).not.toMatch(/prisma|postgres|database|\.ts:\d+|\n\s+at /i);
    const logged = lines.map((l) => JSON.parse(l) as { level: number; reqId?: string; requestId?: string; err?: { stack?: string } });
    const entry = logged.find((l) => l.level >= 50 && (l.requestId === 'req-db-down-1' || l.reqId === 'req-db-down-1') && l.err?.stack);
    expect(entry, 'an error log line with the stack and the request id').toBeDefined();
  });

  it('never writes passwords or tokens to the log', async () => {
    const password = 'a-very-secret-password-42';
    const result = await t.gql(
      LoginDocument,
      { input: { email: user.email, password } },
      { headers: { authorization: `Bearer ${user.token}`, 'x-request-id': 'req-db-down-2' } },
    );
    expect(result.errors?.length).toBeGreaterThan(0);
    const log = lines.join('\n');
    expect(log).toContain('req-db-down-2');
    expect(log).not.toContain(password);
    expect(log).not.toContain(user.token);
  });

  it('makes /ready report the database as down', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', database: 'down', redis: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
