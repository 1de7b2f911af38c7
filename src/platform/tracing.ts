/**
 * OpenTelemetry traces, exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set and off
 * otherwise (the SDK is not even loaded then; @opentelemetry/api's calls are no-ops).
 *
 * What is traced: HTTP requests (a server span per request, W3C `traceparent` honoured, see
 * observability.ts), GraphQL operations, Prisma (its own instrumentation), Redis commands (ioredis'
 * diagnostics channel) and BullMQ jobs (BullMQ's telemetry interface, bullmq-otel).
 * The API is ESM, so module-patching instrumentations are not used: each layer is traced where
 * we own the call.
 */
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Telemetry } from 'bullmq';
import diagnostics from 'node:diagnostics_channel';

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
export async function startTracing(
  config: { OTEL_EXPORTER_OTLP_ENDPOINT?: string; OTEL_SERVICE_NAME?: string },
  defaultServiceName: string,
): Promise<Tracing | null> {
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
    resource: resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME ?? defaultServiceName }),
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
