/**
 * OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, spans for HTTP requests, GraphQL
 * operations, Prisma queries, Redis commands and BullMQ jobs reach an OTLP/HTTP collector (an
 * in-process receiver here), joined to the caller's trace by `traceparent`; sampling follows
 * OTEL_TRACES_SAMPLER (default: a tenth of new traces, every trace the caller sampled) and the
 * resource names the version and the pod.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterDocument } from '../schema/sdk/graphql.js';
import { loadConfig } from '../src/config.js';
import { createSampler, startTracing, tracingEnabled, type Tracing } from '../src/platform/tracing.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { uniqueEmail, GOOD_PASSWORD } from './auth.js';
import { useTestApp } from './use-test-app.js';
import { eventually } from './ws.js';

interface ReceivedSpan {
  name: string;
  traceId: string;
  parentSpanId?: string;
  service: string;
  resource: Record<string, string | undefined>;
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
          const resource = Object.fromEntries(resourceSpans.resource.attributes.map((a) => [a.key, a.value.stringValue]));
          const service = resource['service.name'] ?? '';
          for (const scope of resourceSpans.scopeSpans) for (const span of scope.spans) received.push({ ...span, service, resource });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const address = collector.address() as { port: number };
  // What the Deployment's downward API sets.
  process.env.POD_NAME = 'foliograph-api-7d9f8-abcde';
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
  // The version and the pod: a slow trace leads to one process of one release.
  const version = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  expect(spans[0]!.resource).toMatchObject({
    'service.version': version,
    'service.instance.id': 'foliograph-api-7d9f8-abcde',
    'k8s.pod.name': 'foliograph-api-7d9f8-abcde',
  });
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

describe('sampling', () => {
  const decide = async (name: Parameters<typeof createSampler>[0], ratio: number, parent?: 'sampled' | 'unsampled') => {
    const sampler = await createSampler(name, ratio);
    let kept = 0;
    for (let i = 0; i < 2000; i++) {
      const traceId = randomBytes(16).toString('hex');
      const ctx = parent
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId,
            spanId: randomBytes(8).toString('hex'),
            traceFlags: parent === 'sampled' ? TraceFlags.SAMPLED : TraceFlags.NONE,
            isRemote: true,
          })
        : ROOT_CONTEXT;
      const { decision } = sampler.shouldSample(ctx, traceId, 'POST /graphql', SpanKind.SERVER, {}, []);
      if (decision === SamplingDecision.RECORD_AND_SAMPLED) kept++;
    }
    return kept / 2000;
  };

  it('defaults to a parent-based tenth of new traces', async () => {
    const config = loadConfig({});
    expect([config.OTEL_TRACES_SAMPLER, config.OTEL_TRACES_SAMPLER_ARG]).toEqual(['parentbased_traceidratio', 0.1]);
    const share = await decide(config.OTEL_TRACES_SAMPLER, config.OTEL_TRACES_SAMPLER_ARG);
    // 2000 draws at 10 %: the standard deviation is 0.7 points, so these bounds never flake.
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.15);
    // The caller's decision wins: its sampled traces are complete, its unsampled ones absent.
    expect(await decide(config.OTEL_TRACES_SAMPLER, 0.1, 'sampled')).toBe(1);
    expect(await decide(config.OTEL_TRACES_SAMPLER, 0.1, 'unsampled')).toBe(0);
  });

  it('follows OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG', async () => {
    const always = loadConfig({ OTEL_TRACES_SAMPLER: 'always_on' });
    expect(await decide(always.OTEL_TRACES_SAMPLER, always.OTEL_TRACES_SAMPLER_ARG, 'unsampled')).toBe(1);
    const off = loadConfig({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' });
    expect(await decide(off.OTEL_TRACES_SAMPLER, off.OTEL_TRACES_SAMPLER_ARG)).toBe(0);
    const half = loadConfig({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' });
    const share = await decide(half.OTEL_TRACES_SAMPLER, half.OTEL_TRACES_SAMPLER_ARG);
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
  });
});
