/**
 * A REST caller for tests that checks every answer against the app's own OpenAPI document: the
 * body must match the response schema of that method, path and status (Ajv, JSON Schema
 * 2020-12 as OpenAPI 3.1 uses). So a route answering anything its description does not promise
 * fails the test that called it.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { expect } from 'vitest';
import type { TestApp } from './harness.js';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

export interface Envelope<T = unknown> {
  success: boolean;
  data?: T;
  error?: { code: string; message: string; details?: Array<{ field: string; message: string }>; retryAfter?: number };
  pagination?: { page: number; limit: number; total: number; totalPages: number; hasMore: boolean };
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number;
  meta: { timestamp: string; requestId: string };
}

interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json'?: { schema: object } } }> }>>;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export function restClient(t: TestApp) {
  let spec: Spec | undefined;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validators = new Map<string, ReturnType<Ajv2020['compile']>>();

  /** The response schema the document promises for this call, or undefined for a path it does not describe (`/api/...`). */
  async function schemaFor(method: Method, url: string, status: number) {
    spec ??= (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as Spec;
    const path = url.split('?')[0]!;
    const template = Object.keys(spec.paths).find((candidate) => new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
    if (!template) return undefined;
    const responses = spec.paths[template]![method.toLowerCase()]?.responses;
    expect(responses, `${method} ${template} is described`).toBeDefined();
    const response = responses![String(status)] ?? responses![`${String(status)[0]}XX`];
    expect(response, `${method} ${template} describes status ${status}`).toBeDefined();
    const key = `${method} ${template} ${status}`;
    if (!validators.has(key)) validators.set(key, ajv.compile(response!.content!['application/json']!.schema));
    return validators.get(key)!;
  }

  return async function call<T = unknown>(
    method: Method,
    url: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await t.app.inject({
      method,
      url,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
    });
    const body = response.json() as Envelope<T>;
    const validate = await schemaFor(method, url, response.statusCode);
    if (validate && !validate(body)) {
      expect.fail(
        `${method} ${url} (${response.statusCode}) does not match its OpenAPI schema: ${ajv.errorsText(validate.errors)}\n${response.body.slice(0, 500)}`,
      );
    }
    return { status: response.statusCode, body, headers: response.headers };
  };
}
