/**
 * The one HTTP helper the real adapters share: GET a JSON document with a timeout, mapping every
 * failure to a typed provider error. Tests inject `fetch` to serve recorded fixtures.
 */
import { z } from 'zod';
import { ProviderError, ProviderHttpError, ProviderRateLimitedError, ProviderResponseError, ProviderTimeoutError } from './errors.js';

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** The runtime's fetch, called unbound (some runtimes reject fetch invoked as another object's method). */
export const globalFetch: FetchFunction = (input, init) => fetch(input, init);

export interface JsonRequest {
  provider: string;
  fetch: FetchFunction;
  timeoutMs: number;
  /** Names the call in error messages instead of the URL, which may carry an API key. */
  label: string;
  headers?: Record<string, string>;
}

export async function fetchJson(url: string, request: JsonRequest): Promise<unknown> {
  const { provider, label, timeoutMs } = request;
  let response: Response;
  let text: string;
  try {
    response = await request.fetch(url, {
      headers: { accept: 'application/json', ...request.headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    if (isAbortOrTimeout(error)) throw new ProviderTimeoutError(provider, timeoutMs);
    throw new ProviderError(provider, `${label}: request failed`, { cause: error });
  }

  const body = parseJson(text);
  if (response.status === 429) {
    throw new ProviderRateLimitedError(provider, `${label}: HTTP 429`, retryAfterMs(response));
  }
  if (!response.ok) {
    throw new ProviderHttpError(provider, response.status, `${label}: HTTP ${response.status}`, body ?? null);
  }
  if (body === undefined) throw new ProviderResponseError(provider, `${label}: the answer is not JSON`);
  return body;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isAbortOrTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function retryAfterMs(response: Response): number | null {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

/** Checks an upstream document against its documented shape (zod schema). */
export function parseResponse<T>(schema: z.ZodType<T>, body: unknown, provider: string, label: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new ProviderResponseError(provider, `${label}: unexpected answer (${z.prettifyError(result.error)})`);
  }
  return result.data;
}
