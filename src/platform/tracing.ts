/**
 * OpenTelemetry traces, exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set and off
 * otherwise (the SDK is not even loaded then; @opentelemetry/api's calls are no-ops).
 *
 * What is traced: HTTP requests (a server span per request, W3C `traceparent` honoured, see
 * observability.ts), GraphQL operations, Prisma (its own instrumentation), Redis commands (ioredis'
 * diagnostics channel) and BullMQ jobs (BullMQ's telemetry interface, bullmq-otel).
 * The API is ESM, so module-patching instrumentations are not used: each layer is traced where
 * we own the call.
 *
 * Sampling follows OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (OpenTelemetry's names); the
 * default keeps a tenth of new traces and every trace whose caller sampled it (a request makes
 * ~19 spans: tracing all of them costs more than the request). The resource names the service,
 * its version and the pod (POD_NAME, else HOSTNAME), so a slow trace leads to one process.
 */
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { Telemetry } from 'bullmq';
import diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.js';

export const TRACER_NAME = 'foliograph';

export interface Tracing {
  /** Sends the spans still buffered (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let active: Tracing | null = null;
let bullTelemetry: Telemetry | undefined;

export function tracingEnabled(): boolean {
  return active !== null;
}

/** Starts the tracer provider once per process; null when no endpoint is configured. */
export interface TracingConfig {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_SERVICE_NAME?: string;
  OTEL_TRACES_SAMPLER: SamplerName;
  OTEL_TRACES_SAMPLER_ARG: number;
}
export type SamplerName =
  'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

/** The sampler OpenTelemetry's environment variables name. */
export async function createSampler(name: SamplerName, ratio: number): Promise<Sampler> {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = await import('@opentelemetry/sdk-trace-base');
  const root = name.endsWith('always_on')
    ? new AlwaysOnSampler()
    : name.endsWith('always_off')
      ? new AlwaysOffSampler()
      : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/** What the trace resource says about this process. */
export function resourceAttributes(serviceName: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const version = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const instance = env.POD_NAME || env.HOSTNAME || hostname();
  return {
    'service.name': serviceName,
    'service.version': version,
    'service.instance.id': instance,
    'host.name': env.HOSTNAME || hostname(),
    ...(env.POD_NAME ? { 'k8s.pod.name': env.POD_NAME } : {}),
  };
}

export async function startTracing(config: TracingConfig, defaultServiceName: string): Promise<Tracing | null> {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  if (active) return active;
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { PrismaInstrumentation },
    { registerInstrumentations },
    { BullMQOtel },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@prisma/instrumentation'),
    import('@opentelemetry/instrumentation'),
    import('bullmq-otel'),
  ]);
  const exporter = new OTLPTraceExporter({ url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes(resourceAttributes(config.OTEL_SERVICE_NAME ?? defaultServiceName)),
    sampler: await createSampler(config.OTEL_TRACES_SAMPLER, config.OTEL_TRACES_SAMPLER_ARG),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new PrismaInstrumentation()] });
  bullTelemetry = new BullMQOtel({ tracerName: TRACER_NAME }) as unknown as Telemetry;
  const stopRedis = traceRedisCommands();
  active = {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      stopRedis();
      await provider.shutdown();
      active = null;
      bullTelemetry = undefined;
    },
  };
  return active;
}

/** BullMQ's `telemetry` option: spans for adding and processing jobs, when tracing is on. */
export function bullmqTelemetry(): Telemetry | undefined {
  return bullTelemetry;
}

export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** Ends a span, recording an error when there was one. */
export function endSpan(span: Span, error?: unknown): void {
  if (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * Redis commands: ioredis publishes every command on the `ioredis:command` tracing channel
 * (node:diagnostics_channel); while tracing is on, each becomes a client span.
 */
function traceRedisCommands(): () => void {
  type CommandContext = { command: string; serverAddress?: string; serverPort?: number; span?: Span; error?: unknown };
  const channel = diagnostics.tracingChannel<string, CommandContext>('ioredis:command');
  const handlers = {
    start(ctx: CommandContext) {
      ctx.span = tracer().startSpan(`redis ${ctx.command}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'redis',
          'db.operation.name': ctx.command,
          'server.address': ctx.serverAddress ?? '',
          'server.port': ctx.serverPort ?? 0,
        },
      });
    },
    end() {},
    asyncStart() {},
    asyncEnd(ctx: CommandContext) {
      if (ctx.span) endSpan(ctx.span, ctx.error);
    },
    error() {},
  };
  channel.subscribe(handlers);
  return () => channel.unsubscribe(handlers);
}
