/**
 * Error tracking with Sentry's SDK when SENTRY_DSN is set (off by default; the SDK is not loaded
 * otherwise). What is reported: errors we did not expect (INTERNAL_SERVER_ERROR answers, HTTP
 * 5xx, failed background jobs, unhandled rejections), never client mistakes or refusals.
 * Sentry's own OpenTelemetry setup and auto-instrumentation stay off: tracing is ours (tracing.ts).
 */
export interface ErrorTracker {
  capture(error: unknown, context?: Record<string, unknown>): void;
  flush(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

let tracker: ErrorTracker | null = null;

export async function startErrorTracking(
  config: { SENTRY_DSN?: string; NODE_ENV: string },
  options: { component: string; release: string },
): Promise<ErrorTracker | null> {
  if (!config.SENTRY_DSN) return null;
  if (tracker) return tracker;
  const Sentry = await import('@sentry/node');
  Sentry.initWithoutDefaultIntegrations({
    dsn: config.SENTRY_DSN,
    environment: config.NODE_ENV,
    release: `foliograph@${options.release}`,
    tracesSampleRate: 0,
    integrations: [Sentry.linkedErrorsIntegration(), Sentry.dedupeIntegration(), Sentry.onUnhandledRejectionIntegration()],
    initialScope: { tags: { component: options.component } },
  });
  tracker = {
    capture: (error, context) => {
      Sentry.captureException(error, context ? { extra: context } : undefined);
    },
    flush: (timeoutMs = 2000) => Sentry.flush(timeoutMs),
    close: async () => {
      await Sentry.close(2000);
      tracker = null;
    },
  };
  return tracker;
}

/** Reports an unexpected error when error tracking is on; a no-op otherwise. */
export function reportError(error: unknown, context?: Record<string, unknown>): void {
  tracker?.capture(error, context);
}
