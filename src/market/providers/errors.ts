/**
 * Typed failures of market-data providers, so callers (the chain, the service, logs) can tell an
 * outage from a throttled key from a request the source will never answer.
 * Messages never contain request URLs: Alpha Vantage carries its API key in the query string.
 */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** The source (or our own budget for it) refuses more calls for now. */
export class ProviderRateLimitedError extends ProviderError {
  constructor(
    provider: string,
    message: string,
    /** How long until a call may succeed again, when known. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(provider, message);
  }
}

/** The source answered with a non-success HTTP status. */
export class ProviderHttpError extends ProviderError {
  constructor(
    provider: string,
    readonly status: number,
    message: string,
    /** Parsed JSON body when there was one: some sources explain themselves there. */
    readonly body: unknown = null,
  ) {
    super(provider, message);
  }
}

/** The source did not answer within the configured time. */
export class ProviderTimeoutError extends ProviderError {
  constructor(
    provider: string,
    readonly timeoutMs: number,
  ) {
    super(provider, `no answer within ${timeoutMs} ms`);
  }
}

/** The source answered, but not in the documented shape. */
export class ProviderResponseError extends ProviderError {}

/**
 * The source rejected this particular request (unknown symbol, premium-only parameter): the source
 * itself is healthy, so the chain moves on without counting it against the provider's breaker.
 */
export class ProviderInvalidRequestError extends ProviderError {}

/** The source refuses our credentials (missing, invalid or revoked API key). */
export class ProviderAuthError extends ProviderError {}

/**
 * For calls fanned out per symbol: the successful results, unless every call failed, in which case
 * the first failure is thrown (an outage is not the same as "nothing found").
 */
export function successesOrThrow<T>(outcomes: ReadonlyArray<PromiseSettledResult<T>>): T[] {
  const successes: T[] = [];
  let firstFailure: unknown = undefined;
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') successes.push(outcome.value);
    else firstFailure ??= outcome.reason;
  }
  if (successes.length === 0 && firstFailure !== undefined) throw firstFailure;
  return successes;
}

/** Every provider in a chain failed (rather than answering "nothing found"). */
export class AllProvidersFailedError extends Error {
  constructor(
    readonly operation: string,
    readonly failures: ReadonlyArray<{ provider: string; error: Error }>,
  ) {
    super(`${operation}: every market-data provider failed (${failures.map((f) => `${f.provider}: ${f.error.message}`).join('; ')})`);
    this.name = 'AllProvidersFailedError';
  }
}

/** The provider chain was configured wrongly (unknown provider name, missing API key). */
export class ProviderConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderConfigError';
  }
}
