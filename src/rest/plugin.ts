/**
 * The REST facade: the seed's endpoints at /api/v1 (pages) and /api/v2 (cursors), and at /api
 * with `Accept-Version: 1|2` (1 when absent). Each route runs one GraphQL document through the
 * same executor as /graphql (`app.graphql`): the same resolvers, services, authorization
 * (sessions and API tokens, READ scope), document limits and errors, so there is one set of
 * rules and no second implementation. Thin Fastify routes rather than SOFA (`sofa-api`): the
 * seed's URLs, envelope and page-based pagination do not follow from the schema, and SOFA would
 * need as much configuration as the specs in this folder are.
 *
 * Request and response schemas are derived from each document (./json-schema.ts); requests are
 * validated against them (Ajv, every problem at once), responses are described by them in the
 * OpenAPI document (@fastify/swagger) and checked against them in the tests.
 *
 * The request budget: a REST route costs its fixed `cost` (./route.ts), charged once before any
 * work, however many GraphQL executions it takes (a v1 page beyond the first 100 items takes
 * several).
 */
import { isIP } from 'node:net';
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import type { Context, ContextServices, Viewer } from '../graphql/context.js';
import { formatGraphQLErrors } from '../graphql/errors.js';
import { invalidTokenRefusal } from '../graphql/transport.js';
import { MAX_PAGE_SIZE } from '../graphql/connection-args.js';
import { AppError, type FieldProblem } from '../platform/errors.js';
import type { Idempotency } from '../platform/idempotency.js';
import { budgetSubject, rateLimitHeaders, type RequestBudget } from '../platform/request-budget.js';
import { badRequest, ERROR_SCHEMA, PAGE_INFO_SCHEMA, PAGINATION_SCHEMA, sendData, sendError, successSchema } from './envelope.js';
import { type JsonSchema, operationOf, responseSchemaAt, variableSchemas } from './json-schema.js';
import { checkSort, decodeOffsetCursor, encodeOffsetCursor, sortItems, V1_MAX_ITEMS } from './lists.js';
import type { RouteSpec } from './route.js';
import { REST_ROUTES } from './routes.js';

// ajv-formats is CommonJS with a default export; under NodeNext its callable is `.default`.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

export interface RestOptions {
  services: ContextServices;
  /** The executable schema, to derive the routes' schemas from their documents. */
  schema: GraphQLSchema;
  budget: RequestBudget;
  idempotency: Idempotency;
}

/** RFC 9745 Deprecation (the day v2 replaced the v1 lists) and RFC 8594 Sunset (when they stop). */
const V1_LIST_DEPRECATED = `@${Date.UTC(2026, 11, 1) / 1000}`;
const V1_LIST_SUNSET = new Date(Date.UTC(2027, 5, 30)).toUTCString();

type Version = 1 | 2;
interface ConnectionValue {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: Record<string, unknown> }>;
}

const viewers = new WeakMap<FastifyRequest, Viewer | null>();
const clientIp = (request: FastifyRequest) => (request.ip && isIP(request.ip) ? request.ip : null);

/** Ajv's complaints as the contract's field problems (`field` a dotted path from the body, query or path). */
function problemsOf(error: FastifyError): FieldProblem[] {
  return (error.validation ?? []).map((issue) => {
    const at = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const params = issue.params as { missingProperty?: string; additionalProperty?: string };
    const name = params.missingProperty ?? params.additionalProperty;
    const field = [at, name].filter(Boolean).join('.') || (error.validationContext ?? 'request');
    const message = params.additionalProperty ? 'is not a known field' : (issue.message ?? 'is invalid');
    return { field, message };
  });
}

/** A stable, unique OpenAPI operationId (for generated clients): `v1GetPortfoliosById`, `v2PostAuthLogin`. */
export function operationIdOf(method: string, path: string, version: Version): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return `v${version}${method[0]!.toUpperCase()}${method.slice(1).toLowerCase()}${words.join('')}`;
}

export async function restRoutes(app: FastifyInstance, { services, schema, budget, idempotency }: RestOptions): Promise<void> {
  const ajv = new Ajv({ allErrors: true, coerceTypes: 'array', useDefaults: true, strict: false });
  addFormats(ajv);
  app.setValidatorCompiler(({ schema: routeSchema }) => ajv.compile(routeSchema));
  // The response schemas describe the answers (OpenAPI, tests); JSON.stringify writes them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return badRequest(request, reply, problemsOf(error));
    const thrown: unknown = error;
    if (thrown instanceof AppError) {
      const details = thrown.extensions.details;
      return sendError(request, reply, { code: thrown.code, message: thrown.message, ...(details !== undefined && { details }) });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      // Fastify's own refusals (bad JSON, a body too large, a wrong content type): the client's.
      return sendError(request, reply, {
        code: 'BAD_USER_INPUT',
        message: error.message,
        details: [{ field: 'request', message: error.message }],
      });
    }
    request.log.error({ err: error }, 'REST request failed');
    return sendError(request, reply, { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  });

  // A list variable in the query string may be comma-separated (`?symbols=AAPL,MSFT`).
  app.addHook('preValidation', async (request) => {
    const listed = (request.routeOptions.config as { listQuery?: readonly string[] }).listQuery;
    const query = request.query as Record<string, unknown>;
    for (const name of listed ?? []) if (typeof query[name] === 'string') query[name] = (query[name] as string).split(',').filter(Boolean);
  });

  // Who is calling, then the route's cost from the request budget, before any work.
  app.addHook('preHandler', async (request, reply) => {
    const ip = clientIp(request);
    const outcome = await services.viewers.authenticate(request.headers.authorization, ip);
    // A header that does not verify refuses the request (RFC 6750), never runs it as anonymous.
    if ('refused' in outcome) {
      const refusal = invalidTokenRefusal(outcome.refused);
      reply.headers(refusal.headers);
      return sendError(request, reply, { code: 'UNAUTHENTICATED', message: refusal.message, reason: outcome.refused });
    }
    const { viewer } = outcome;
    viewers.set(request, viewer);
    // A signed-in write may carry an Idempotency-Key (src/platform/idempotency.ts).
    if (viewer && request.method !== 'GET' && request.method !== 'HEAD') {
      const scope = viewer.apiTokenScopes ? `token:${viewer.sessionId}` : `user:${viewer.userId}`;
      const kept = await idempotency.begin(request, reply, scope);
      if (kept.kind === 'replayed') return reply;
      if (kept.kind === 'refused') return sendError(request, reply, { code: kept.code, message: kept.message });
    }
    if (!budget.enabled) return;
    const cost = (request.routeOptions.config as { cost?: number }).cost ?? 1;
    const decision = await budget.charge(budgetSubject(viewer, ip), cost).catch((err: unknown) => {
      request.log.warn({ err }, 'request budget unavailable; not charged');
      return null;
    });
    if (!decision) return;
    reply.headers(rateLimitHeaders(decision));
    if (!decision.allowed) {
      return sendError(request, reply, {
        code: 'RATE_LIMITED',
        message: 'Request budget used up; try again later',
        retryAfter: decision.resetSeconds,
      });
    }
  });

  /** Runs a document as the caller: its data, or undefined once the error envelope is sent. */
  async function run<T>(request: FastifyRequest, reply: FastifyReply, document: string, variables: Record<string, unknown>) {
    const context: Context & { reply: FastifyReply } = {
      services,
      requestId: request.id,
      ip: clientIp(request),
      userAgent: request.headers['user-agent'] ?? null,
      viewer: viewers.get(request) ?? null,
      cache: new Map(),
      budgetCharged: true,
      reply,
    };
    let result: { data?: unknown; errors?: readonly GraphQLError[] };
    try {
      result = await app.graphql(document, context as never, variables);
    } catch (error) {
      // Mercurius rejects when a hook refuses (a READ token's mutation, a document limit).
      const nested = (error as { errors?: GraphQLError[] }).errors;
      result = { errors: Array.isArray(nested) && nested.length ? nested : [error as GraphQLError] };
    }
    if (result.errors?.length) {
      const formatted = formatGraphQLErrors(result as never, context, request.log).response.errors!;
      const first = formatted[0]!;
      const extensions = first.extensions ?? {};
      sendError(request, reply, {
        code: String(extensions.code ?? 'INTERNAL_SERVER_ERROR'),
        message: first.message,
        ...(extensions.details !== undefined && { details: extensions.details }),
        ...(typeof extensions.retryAfter === 'number' && { retryAfter: extensions.retryAfter }),
      });
      return undefined;
    }
    return result.data as T;
  }

  for (const spec of REST_ROUTES) register(spec);

  function register(spec: RouteSpec): void {
    const operation = operationOf(spec.document);
    const declared = variableSchemas(schema, operation);
    const pathParams = [...spec.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const bodyVariables = spec.body === 'input' ? ['input'] : [...(spec.body ?? [])];
    const pagingVariables = spec.list?.kind === 'connection' ? ['first', 'after'] : [];
    const queryVariables = [...declared.keys()].filter(
      (name) => !pathParams.includes(name) && !bodyVariables.includes(name) && !pagingVariables.includes(name),
    );
    const schemaOf = (name: string): JsonSchema => spec.queryText?.[name]?.schema ?? declared.get(name)?.schema ?? { type: 'string' };

    const params: JsonSchema = {
      type: 'object',
      properties: Object.fromEntries(pathParams.map((name) => [name, schemaOf(name)])),
      required: pathParams,
    };
    const queryProperties = Object.fromEntries(queryVariables.map((name) => [name, schemaOf(name)]));
    const queryRequired = queryVariables.filter((name) => declared.get(name)?.required);
    const v1Paging: Record<string, JsonSchema> = spec.list
      ? {
          page: { type: 'integer', minimum: 1, default: 1 },
          limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 },
          sort: {
            type: 'string',
            description: `Comma-separated fields, '-' for descending: ${spec.list.sort.join(', ')}`,
          },
        }
      : {};
    const v2Paging: Record<string, JsonSchema> = spec.list
      ? {
          first: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 },
          after: { type: 'string', description: 'The endCursor of the previous page' },
        }
      : {};
    const querySchema = (paging: Record<string, JsonSchema>): JsonSchema => ({
      type: 'object',
      properties: { ...queryProperties, ...paging },
      ...(queryRequired.length ? { required: queryRequired } : {}),
      additionalProperties: false,
    });
    const body: JsonSchema | undefined =
      spec.body === 'input'
        ? declared.get('input')!.schema
        : bodyVariables.length
          ? {
              type: 'object',
              properties: Object.fromEntries(bodyVariables.map((name) => [name, declared.get(name)!.schema])),
              required: bodyVariables.filter((name) => declared.get(name)?.required),
              additionalProperties: false,
            }
          : undefined;

    // The answer's schema: the value at `result` (non-null once NOT_FOUND is answered for null).
    const itemPath = spec.list?.kind === 'connection' ? [...spec.result, 'edges', 'node'] : spec.result;
    let value = responseSchemaAt(schema, operation, itemPath);
    if (spec.notFound || spec.nullIsAnonymous || spec.list) value = withoutNull(value);
    if (spec.list?.kind === 'array') value = withoutNull((value as { items: JsonSchema }).items);
    if (spec.list) {
      const properties = (value as { properties?: Record<string, unknown> }).properties ?? {};
      for (const field of spec.list.sort) if (!(field in properties)) throw new Error(`${spec.path}: sort field ${field} is not selected`);
    }
    const data: JsonSchema = spec.wrap ? { type: 'object', properties: { [spec.wrap]: value }, required: [spec.wrap] } : value;
    const status = spec.status ?? 200;
    const listArray: JsonSchema = { type: 'array', items: value };
    const responses = (version: Version) => ({
      [status]: spec.list
        ? version === 1
          ? successSchema(listArray, { pagination: PAGINATION_SCHEMA })
          : successSchema(listArray, { pageInfo: PAGE_INFO_SCHEMA, totalCount: { type: 'integer', minimum: 0 } })
        : successSchema(data),
      '4xx': ERROR_SCHEMA,
      '5xx': ERROR_SCHEMA,
    });
    const listQuery = Object.entries({ ...queryProperties })
      .filter(([, s]) => s.type === 'array')
      .map(([name]) => name);
    const description = [spec.description, `Costs ${spec.cost} of the request budget.`].filter(Boolean).join(' ');
    const docs = (version: Version) => ({
      operationId: operationIdOf(spec.method, spec.path, version),
      tags: [spec.area],
      summary: spec.summary,
      description: version === 1 && spec.list ? `${description} Deprecated: /api/v2 pages with cursors.` : description,
      security: spec.anonymous ? [] : [{ bearer: [] }],
      ...(pathParams.length ? { params } : {}),
      querystring: querySchema(version === 1 ? v1Paging : v2Paging),
      ...(body ? { body } : {}),
      response: responses(version),
      ...(version === 1 && spec.list ? { deprecated: true } : {}),
    });
    const config = { cost: spec.cost, listQuery };

    const handle = async (request: FastifyRequest, reply: FastifyReply, version: Version) => {
      reply.header('content-version', String(version));
      if (version === 1 && spec.list) {
        // v2 replaces the page-based lists with cursor-based ones.
        reply
          .header('deprecation', V1_LIST_DEPRECATED)
          .header('sunset', V1_LIST_SUNSET)
          .header('link', `</api/v2${request.url.replace(/^\/api(\/v1)?/, '').split('?')[0]}>; rel="successor-version"`);
      }
      const path = request.params as Record<string, string>;
      const query = request.query as Record<string, unknown>;
      const payload = (request.body ?? {}) as Record<string, unknown>;
      if (spec.childOf) {
        const owner = await spec.childOf.portfolioOf(services, path[spec.childOf.param]!);
        if (owner !== path.id) return sendError(request, reply, { code: 'NOT_FOUND', message: `${spec.childOf.noun} not found` });
      }
      const variables: Record<string, unknown> = {};
      for (const name of declared.keys()) {
        if (pathParams.includes(name)) variables[name] = path[name];
        else if (spec.body === 'input' && name === 'input') variables.input = payload;
        else if (bodyVariables.includes(name)) {
          if (payload[name] !== undefined) variables[name] = payload[name];
        } else if (query[name] !== undefined && !pagingVariables.includes(name)) {
          const text = spec.queryText?.[name];
          variables[name] = text ? text.toVariable(String(query[name])) : query[name];
        }
      }
      const at = (data: Record<string, unknown>): unknown =>
        spec.result.reduce<unknown>((v, key) => (v as Record<string, unknown>)?.[key], data);
      const missing = (data: Record<string, unknown>) => spec.notFound !== undefined && data[spec.result[0]!] == null;
      const notFound = () => sendError(request, reply, { code: 'NOT_FOUND', message: `${spec.notFound} not found` });

      if (!spec.list) {
        const answer = await run<Record<string, unknown>>(request, reply, spec.document, variables);
        if (!answer) return reply;
        if (missing(answer)) return notFound();
        if (spec.nullIsAnonymous && answer[spec.result[0]!] == null) {
          return sendError(request, reply, { code: 'UNAUTHENTICATED', message: 'Sign in to do this' });
        }
        const result = at(answer);
        return sendData(request, reply, spec.wrap ? { [spec.wrap]: result } : result, {}, status);
      }

      if (version === 2) {
        const first = query.first as number;
        if (spec.list.kind === 'connection') {
          const answer = await run<Record<string, unknown>>(request, reply, spec.document, {
            ...variables,
            first,
            after: query.after ?? null,
          });
          if (!answer) return reply;
          if (missing(answer)) return notFound();
          const connection = at(answer) as ConnectionValue;
          return sendData(
            request,
            reply,
            connection.edges.map((e) => e.node),
            { pageInfo: connection.pageInfo, totalCount: connection.totalCount },
            status,
          );
        }
        const offset = query.after === undefined ? 0 : decodeOffsetCursor(String(query.after));
        if (offset === null) return badRequest(request, reply, [{ field: 'after', message: 'is not a cursor from this list' }]);
        const answer = await run<Record<string, unknown>>(request, reply, spec.document, variables);
        if (!answer) return reply;
        if (missing(answer)) return notFound();
        const all = at(answer) as unknown[];
        const items = all.slice(offset, offset + first);
        const hasNextPage = offset + items.length < all.length;
        return sendData(
          request,
          reply,
          items,
          { pageInfo: { hasNextPage, endCursor: items.length ? encodeOffsetCursor(offset + items.length) : null }, totalCount: all.length },
          status,
        );
      }

      // v1: ?page=&limit=&sort= over the list (a connection is walked 100 items at a time).
      const page = query.page as number;
      const limit = query.limit as number;
      const sort = query.sort === undefined ? [] : checkSort(String(query.sort), spec.list.sort);
      if (!sort.length && page * limit > V1_MAX_ITEMS) {
        return badRequest(request, reply, [
          { field: 'page', message: `v1 pages reach the first ${V1_MAX_ITEMS} items; use /api/v2 cursors beyond` },
        ]);
      }
      let items: Array<Record<string, unknown>> = [];
      let total = 0;
      if (spec.list.kind === 'array') {
        const answer = await run<Record<string, unknown>>(request, reply, spec.document, variables);
        if (!answer) return reply;
        if (missing(answer)) return notFound();
        items = at(answer) as Array<Record<string, unknown>>;
        total = items.length;
      } else {
        const wanted = sort.length ? V1_MAX_ITEMS : page * limit;
        let after: string | null = null;
        for (;;) {
          const first = Math.min(MAX_PAGE_SIZE, wanted - items.length);
          const answer: Record<string, unknown> | undefined = await run<Record<string, unknown>>(request, reply, spec.document, {
            ...variables,
            first,
            after,
          });
          if (!answer) return reply;
          if (missing(answer)) return notFound();
          const connection = at(answer) as ConnectionValue;
          total = connection.totalCount;
          if (sort.length && total > V1_MAX_ITEMS) {
            return badRequest(request, reply, [
              { field: 'sort', message: `sorts lists of up to ${V1_MAX_ITEMS} items; this one has ${total}: use /api/v2 cursors` },
            ]);
          }
          items.push(...connection.edges.map((e) => e.node));
          if (!connection.pageInfo.hasNextPage || items.length >= wanted) break;
          after = connection.pageInfo.endCursor;
        }
      }
      if (sort.length) items = sortItems(items, sort);
      const totalPages = Math.ceil(total / limit);
      return sendData(request, reply, items.slice((page - 1) * limit, page * limit), {
        pagination: { page, limit, total, totalPages, hasMore: page < totalPages },
      });
    };

    const url = (prefix: string) => `${prefix}${spec.path}`;
    const route = (path: string, version: Version | 'negotiated', schemaFor: Version | 'both') =>
      app.route({
        method: spec.method,
        url: path,
        config,
        schema:
          schemaFor === 'both'
            ? {
                querystring: querySchema({ ...v1Paging, ...v2Paging }),
                ...(pathParams.length ? { params } : {}),
                ...(body ? { body } : {}),
              }
            : docs(schemaFor),
        handler: async (request, reply) => {
          if (version !== 'negotiated') return handle(request, reply, version);
          reply.header('vary', 'Accept-Version');
          const asked = String(request.headers['accept-version'] ?? '1')
            .trim()
            .replace(/^v/i, '');
          if (asked !== '1' && asked !== '2') {
            return badRequest(request, reply, [{ field: 'Accept-Version', message: 'must be 1 or 2' }]);
          }
          const negotiated: Version = asked === '2' ? 2 : 1;
          const query = request.query as Record<string, unknown>;
          // The other version's paging parameters (defaults aside) are a mistake, not ignored.
          const foreign = spec.list ? (negotiated === 1 ? ['after'] : ['sort']) : [];
          const given = foreign.filter((name) => query[name] !== undefined);
          if (given.length)
            return badRequest(
              request,
              reply,
              given.map((field) => ({ field, message: `is not a parameter of version ${negotiated}` })),
            );
          return handle(request, reply, negotiated);
        },
      });
    route(url('/api/v1'), 1, 1);
    route(url('/api/v2'), 2, 2);
    route(url('/api'), 'negotiated', 'both');
  }
}

/** A schema without its `null` alternative. */
function withoutNull(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.type)) {
    const types = (schema.type as string[]).filter((t) => t !== 'null');
    return { ...schema, type: types.length === 1 ? types[0] : types };
  }
  const anyOf = schema.anyOf as JsonSchema[] | undefined;
  if (anyOf?.length === 2 && anyOf.some((s) => s.type === 'null')) return anyOf.find((s) => s.type !== 'null')!;
  return schema;
}
