/**
 * OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, spans for HTTP requests, GraphQL
 * operations, Prisma queries, Redis commands and BullMQ jobs reach an OTLP/HTTP collector (an
 * in-process receiver here), joined to the caller's trace by `traceparent`.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RegisterDocument } from '../schema/sdk/graphql.js';
import { loadConfig } from '../src/config.js';
import { startTracing, tracingEnabled, type Tracing } from '../src/platform/tracing.js';
import { uniqueEmail, GOOD_PASSWORD } from './auth.js';
import { useTestApp } from './use-test-app.js';
import { eventually } from './ws.js';

interface ReceivedSpan {
  name: string;
  traceId: string;
  parentSpanId?: string;
  service: string;
}

const received: ReceivedSpan[] = [];
let collector: Server;
let tracing: Tracing | null;

afterAll(async () => {
  await tracing?.shutdown();
  collector?.close();
});
beforeAll(async () => {
  collector = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      if (request.url === '/v1/traces' && request.headers['content-type']?.includes('json')) {
        const payload = JSON.parse(body) as {
          resourceSpans: Array<{
            resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
            scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; parentSpanId?: string }> }>;
          }>;
        };
        for (const resourceSpans of payload.resourceSpans) {
          const service = resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const scope of resourceSpans.scopeSpans) for (const span of scope.spans) received.push({ ...span, service });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const address = collector.address() as { port: number };
  tracing = await startTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${address.port}` }), 'foliograph-test');
});
const t = useTestApp();

it('is off without an endpoint', async () => {
  expect(await startTracing(loadConfig({}), 'x')).toBeNull();
  expect(tracingEnabled()).toBe(true); // the one started above
});

it("exports HTTP, GraphQL, Prisma, Redis and BullMQ spans over OTLP, in the caller's trace", async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const result = await t.gql(
    RegisterDocument,
    { input: { email: uniqueEmail('traced'), password: GOOD_PASSWORD, name: 'Traced Person' } },
    { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-forwarded-for': '203.0.113.50' } },
  );
  expect(result.errors).toBeUndefined();
  const spans = await eventually(
    async () => {
      await tracing!.flush();
      return received.filter((s) => s.traceId === traceId);
    },
    (found) =>
      ['POST /graphql', 'graphql.mutation Register'].every((n) => found.some((s) => s.name === n)) &&
      found.some((s) => s.name.startsWith('prisma:')) &&
      found.some((s) => s.name.startsWith('redis ')),
    10_000,
  );
  const names = new Set(spans.map((s) => s.name));
  expect(names).toContain('POST /graphql');
  expect(names).toContain('graphql.mutation Register');
  expect([...names].some((n) => n.startsWith('prisma:client:'))).toBe(true);
  expect([...names].some((n) => n.startsWith('redis '))).toBe(true);
  // The request span continues the caller's span.
  expect(spans.find((s) => s.name === 'POST /graphql')?.parentSpanId).toBe('00f067aa0ba902b7');
  expect(spans.every((s) => s.service === 'foliograph-test')).toBe(true);
  // Registering queues the verification email: BullMQ's producer span is part of the trace.
  const all = await eventually(
    async () => {
      await tracing!.flush();
      return received.map((s) => s.name);
    },
    (list) => list.some((n) => /email/.test(n)),
    10_000,
  );
  expect(all.filter((n) => /email/.test(n)).length).toBeGreaterThan(0);
});
