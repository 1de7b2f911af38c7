/**
 * The request budget against a real Redis, and with Redis unreachable (a client of our own
 * pointed at a port nobody listens on): then each process keeps counting on its own.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { RequestBudget } from './request-budget.js';
import { createRedis, type Redis } from './redis.js';

const clients: Redis[] = [];
afterAll(() => clients.forEach((c) => c.disconnect()));

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('RequestBudget', () => {
  it('spends the budget in Redis across instances and refuses, without spending, past it', async () => {
    const prefix = `test:budget:${randomBytes(4).toString('hex')}:`;
    const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const [a, b] = [createRedis(url, 'budget-a'), createRedis(url, 'budget-b')];
    clients.push(a, b);
    const one = new RequestBudget(a, prefix, 10);
    const two = new RequestBudget(b, prefix, 10);
    expect(await one.charge('user:1', 6)).toMatchObject({ allowed: true, remaining: 4 });
    expect(await two.charge('user:1', 6)).toMatchObject({ allowed: false, remaining: 4 });
    expect(await two.charge('user:1', 4)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await one.charge('user:2', 1)).toMatchObject({ allowed: true, remaining: 9 });
  });

  it('keeps counting in the process while Redis is unreachable', async () => {
    const down = createRedis(`redis://127.0.0.1:${await unusedPort()}`, 'budget-down', { commandTimeoutMs: 200 });
    down.on('error', () => {});
    clients.push(down);
    const budget = new RequestBudget(down, 'test:budget-down:', 10);
    expect(await budget.charge('ip:198.51.100.7', 8)).toMatchObject({ allowed: true, remaining: 2 });
    const refused = await budget.charge('ip:198.51.100.7', 8);
    expect(refused).toMatchObject({ allowed: false, remaining: 2 });
    expect(refused.resetSeconds).toBeGreaterThan(0);
    expect(await budget.charge('ip:198.51.100.8', 8)).toMatchObject({ allowed: true });
  });
});
