/**
 * WebSocket subscriptions and report downloads draw on the request budget (issue 21), like
 * every HTTP request: over it, RATE_LIMITED.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './harness.js';
import { createTestUser } from './users.js';
import { listen, RawSocket } from './ws.js';
import { SUBSCRIBE_COST } from '../src/graphql/ws.js';
import { REPORT_DOWNLOAD_COST } from '../src/reports/routes.js';

let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await startTestApp({ env: { RATE_LIMIT_COST_PER_MINUTE: '120' } });
  url = await listen(t);
});
afterAll(async () => {
  await t?.close();
});

describe('the request budget', () => {
  it('charges each subscription started over WebSocket', async () => {
    const user = await createTestUser(t);
    const socket = new RawSocket(url);
    await socket.init(user.token);
    const allowed = Math.floor(120 / SUBSCRIBE_COST);
    for (let i = 1; i <= allowed; i++) {
      await socket.send({ id: String(i), type: 'subscribe', payload: { query: 'subscription { quotes(symbols: ["AAPL"]) { symbol } }' } });
    }
    await socket.send({ id: 'over', type: 'subscribe', payload: { query: 'subscription { quotes(symbols: ["AAPL"]) { symbol } }' } });
    for (;;) {
      const message = await socket.message();
      if (message.id !== 'over') continue;
      expect(message).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED' } }] });
      break;
    }
    socket.close();
  });

  it('charges each report download', async () => {
    const user = await createTestUser(t);
    const statuses: number[] = [];
    for (let i = 0; i <= Math.floor(120 / REPORT_DOWNLOAD_COST); i++) {
      const response = await t.app.inject({
        method: 'GET',
        url: `/reports/${randomUUID()}`,
        headers: { authorization: `Bearer ${user.token}` },
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) expect(response.json()).toMatchObject({ code: 'RATE_LIMITED' });
    }
    expect(statuses).toEqual([404, 404, 429]);
  });
});
