/**
 * Sentry error tracking (SENTRY_DSN): off without a DSN; with one, a failed background job is
 * reported to the DSN's ingest endpoint (an in-process receiver standing in for Sentry).
 */
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openQueue, openWorker } from '../src/platform/queues.js';
import { startErrorTracking, type ErrorTracker } from '../src/platform/error-tracking.js';
import { testConfig } from './harness.js';
import { eventually } from './ws.js';

const envelopes: string[] = [];
let ingest: Server;
let tracker: ErrorTracker | null;
let port: number;

beforeAll(async () => {
  ingest = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      envelopes.push(`${request.url}\n${(request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8')}`);
      response.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
  port = (ingest.address() as { port: number }).port;
});
afterAll(async () => {
  await tracker?.close();
  ingest?.close();
});

it('is off without SENTRY_DSN', async () => {
  expect(await startErrorTracking({ NODE_ENV: 'test' }, { component: 'test', release: '0' })).toBeNull();
});

it('reports a failed job to Sentry, with its queue', async () => {
  tracker = await startErrorTracking(
    { NODE_ENV: 'test', SENTRY_DSN: `http://public@127.0.0.1:${port}/42` },
    { component: 'worker', release: '0.1.0' },
  );
  expect(tracker).not.toBeNull();
  const config = testConfig('postgresql://postgres@127.0.0.1:5432/unused', `test:sentry:${randomBytes(4).toString('hex')}:`);
  const marker = `job exploded ${randomBytes(4).toString('hex')}`;
  const worker = openWorker('maintenance', config, async () => {
    throw new Error(marker);
  });
  const queue = openQueue('maintenance', config, { attempts: 1, removeOnComplete: true, removeOnFail: true });
  try {
    await queue.queue.add('boom', {});
    const envelope = await eventually(
      async () => {
        await tracker!.flush(500);
        return envelopes.find((e) => e.includes(marker));
      },
      Boolean,
      10_000,
    );
    expect(envelope).toMatch(/^\/api\/42\/envelope\//);
    expect(envelope).toContain('"queue":"maintenance"');
    expect(envelope).toContain('"environment":"test"');
  } finally {
    await queue.close();
    await worker.close();
  }
});
