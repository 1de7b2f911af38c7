/**
 * GraphQL over HTTP as the spec and real clients expect it, around Mercurius:
 * - media type: `application/graphql-response+json` when the client accepts it (Apollo Client 4,
 *   urql and graphql-request all ask for it), with the spec's status codes (400 for a document
 *   that cannot run); `application/json` otherwise. A client that explicitly asks for
 *   `application/json` gets 200 for GraphQL request errors, as the spec says for that type;
 *   one that says nothing (or `*` / `*`) keeps the stricter 400.
 * - CSRF: we authenticate by header, never cookies, so a GET query is harmless. A POST that a
 *   browser can send cross-site without a preflight (text/plain, form types) is refused unless it
 *   carries a preflight header; a mutation over GET is 405.
 * - refusals (bad JSON, missing or non-string query, body too large, unknown persisted query,
 *   subscription over HTTP, CSRF) become 4xx with a contract code and a requestId, logged at
 *   info; never INTERNAL_SERVER_ERROR.
 */
import { createHash } from 'node:crypto';
import { operationFacts } from './operation-facts.js';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, getOperationAST, parse, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Idempotency } from '../platform/idempotency.js';
import type { Viewer, ViewerAuthority } from './context.js';

export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';

/** Content types a browser cannot send cross-site without a CORS preflight. */
const NON_SIMPLE_CONTENT_TYPES = ['application/json', 'application/graphql', GRAPHQL_RESPONSE_JSON];
/** Any one of these makes a request non-simple (a browser preflights it). */
export const PREFLIGHT_HEADERS = [
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'mercurius-require-preflight',
  'x-mercurius-operation-name',
  'graphql-require-preflight',
];

/** A request the server will not run, said to the client with a status and a contract code. */
export class TransportRefusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field: string | null,
    readonly headers: Record<string, string> = {},
    /** More `extensions` for the error (e.g. UNAUTHENTICATED's `reason`). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'TransportRefusal';
  }
}

export interface MediaChoice {
  type: typeof GRAPHQL_RESPONSE_JSON | typeof JSON_TYPE;
  /** The client named application/json (and not the GraphQL media type): the spec's legacy rules. */
  legacyJson: boolean;
}

/** Which response media type the Accept header asks for. */
export function negotiateMediaType(accept: string | undefined): MediaChoice {
  if (!accept) return { type: JSON_TYPE, legacyJson: false };
  const weights = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    weights.set(range, Number.isFinite(weight) ? weight : 0);
  }
  const graphql = weights.get(GRAPHQL_RESPONSE_JSON) ?? 0;
  const json = weights.get(JSON_TYPE) ?? 0;
  if (graphql > 0 && graphql >= json) return { type: GRAPHQL_RESPONSE_JSON, legacyJson: false };
  return { type: JSON_TYPE, legacyJson: json > 0 };
}

function mediaOf(request: FastifyRequest | undefined): MediaChoice {
  return negotiateMediaType(request?.headers.accept);
}

/** Mercurius' and Fastify's own refusals, by their error codes: [status, contract code, field]. */
const KNOWN_REFUSALS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BAD_USER_INPUT', 'body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BAD_USER_INPUT', 'body'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BAD_USER_INPUT', 'body'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'BAD_USER_INPUT', 'content-type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_USER_INPUT', 'body'],
  MER_ERR_GQL_CSRF_PREVENTION: [400, 'BAD_USER_INPUT', 'content-type'],
  MER_ERR_METHOD_NOT_ALLOWED: [405, 'BAD_USER_INPUT', 'method'],
  MER_ERR_GQL_PERSISTED_QUERY_NOT_FOUND: [200, 'PERSISTED_QUERY_NOT_FOUND', 'extensions.persistedQuery'],
  MER_ERR_GQL_PERSISTED_QUERY_NOT_SUPPORTED: [400, 'PERSISTED_QUERY_NOT_SUPPORTED', 'extensions.persistedQuery'],
  MER_ERR_GQL_PERSISTED_QUERY_MISMATCH: [400, 'BAD_USER_INPUT', 'extensions.persistedQuery'],
};

interface Refusal {
  statusCode: number;
  code: string;
  message: string;
  field: string | null;
  headers: Record<string, string>;
  extensions?: Record<string, unknown>;
}

type ErrorLike = Error & { code?: unknown; statusCode?: unknown; validation?: unknown; errors?: unknown; headers?: unknown };

/** The refusal an error stands for, or undefined for a GraphQL error (parse, validation, execution). */
export function refusalOf(error: GraphQLError): Refusal | undefined {
  const original = (error.originalError ?? undefined) as ErrorLike | undefined;
  if (!original) return undefined;
  if (original instanceof TransportRefusal) {
    return {
      statusCode: original.statusCode,
      code: original.code,
      message: original.message,
      field: original.field,
      headers: original.headers,
      extensions: original.extensions,
    };
  }
  const known = typeof original.code === 'string' ? KNOWN_REFUSALS[original.code] : undefined;
  if (known) {
    const [statusCode, code, field] = known;
    const message =
      code === 'PERSISTED_QUERY_NOT_FOUND'
        ? 'PersistedQueryNotFound'
        : code === 'PERSISTED_QUERY_NOT_SUPPORTED'
          ? 'PersistedQueryNotSupported'
          : original.code === 'MER_ERR_METHOD_NOT_ALLOWED'
            ? 'Only queries may be sent with GET; send mutations with POST'
            : original.code === 'MER_ERR_GQL_CSRF_PREVENTION'
              ? csrfMessage
              : original.message;
    return { statusCode, code, message, field, headers: original.code === 'MER_ERR_METHOD_NOT_ALLOWED' ? { allow: 'POST' } : {} };
  }
  // Mercurius' request schema (query missing or not a string, variables not an object...) and a
  // JSON parse failure of GET's variables/extensions.
  if (original.code === 'MER_ERR_GQL_VALIDATION') {
    const nested = Array.isArray(original.errors) ? (original.errors as ErrorLike[]) : [];
    const schemaError = nested.find((e) => e && typeof e === 'object' && 'validation' in e) ?? (original.validation ? original : undefined);
    if (schemaError || original instanceof SyntaxError) {
      const message = schemaError?.message ?? `Invalid JSON in a request parameter: ${original.message}`;
      const field = /(query|variables|operationName|extensions)/.exec(message)?.[1] ?? 'body';
      return { statusCode: 400, code: 'BAD_USER_INPUT', message: requestParameterMessage(message), field, headers: {} };
    }
    return undefined;
  }
  // Any other Fastify client error (4xx) reached here before GraphQL ran.
  if (
    typeof original.statusCode === 'number' &&
    original.statusCode >= 400 &&
    original.statusCode < 500 &&
    !(original instanceof GraphQLError)
  ) {
    return { statusCode: original.statusCode, code: 'BAD_USER_INPUT', message: original.message, field: 'body', headers: {} };
  }
  return undefined;
}

const csrfMessage =
  'This request was refused as a possible cross-site request forgery: send Content-Type: application/json, or a header such as graphql-require-preflight: 1';

function requestParameterMessage(message: string): string {
  if (/must have required property 'query'/.test(message) || /querystring must have required property 'query'/.test(message)) {
    return 'The request has no query: send {"query": "..."}';
  }
  if (/\/query must be string|query must be string/.test(message)) return 'query must be a string';
  return message.replace(/^(body|querystring)\/?/, '');
}

type MercuriusContextLike = { reply?: FastifyReply; requestId?: string } | undefined;

/**
 * Wraps the GraphQL error formatter: refusals get their status and contract code here; GraphQL
 * errors go to `formatGraphQLErrors` (src/graphql/errors.ts) and get the status the negotiated
 * media type calls for.
 */
export function transportErrorFormatter(
  formatGraphQLErrors: (
    execution: ExecutionResult & { errors: readonly GraphQLError[] },
    context: unknown,
    log: FastifyBaseLogger,
  ) => { statusCode: number; response: ExecutionResult },
  log: FastifyBaseLogger,
) {
  return (
    execution: ExecutionResult & { errors: readonly GraphQLError[] },
    context: unknown,
  ): { statusCode: number; response: ExecutionResult } => {
    const ctx = context as MercuriusContextLike;
    const reply = ctx?.reply;
    const request = reply?.request;
    const requestId = ctx?.requestId ?? request?.id;
    const media = mediaOf(request);
    const refusal = execution.errors.length === 1 && execution.errors[0] ? refusalOf(execution.errors[0]) : undefined;
    if (refusal) {
      (request?.log ?? log).info(
        { code: refusal.code, statusCode: refusal.statusCode, reason: refusal.message },
        'graphql request refused',
      );
      for (const [name, value] of Object.entries(refusal.headers)) reply?.header(name, value);
      let statusCode = refusal.statusCode;
      if (refusal.code === 'PERSISTED_QUERY_NOT_FOUND') {
        // Never cache "not found": the client registers the query next.
        reply?.header('cache-control', 'private, no-cache, must-revalidate');
        if (media.type === GRAPHQL_RESPONSE_JSON) statusCode = 404;
      }
      const extensions: Record<string, unknown> = { code: refusal.code, ...refusal.extensions, requestId };
      if (refusal.code === 'BAD_USER_INPUT') extensions.details = [{ field: refusal.field ?? 'request', message: refusal.message }];
      return { statusCode, response: { errors: [new GraphQLError(refusal.message, { extensions })] } };
    }
    const formatted = formatGraphQLErrors(execution, context, log);
    // application/json (asked for by name): a document that cannot run is still 200 (spec, legacy type).
    const statusCode = media.legacyJson && formatted.statusCode === 400 ? 200 : formatted.statusCode;
    return { statusCode, response: formatted.response };
  };
}

/**
 * Hooks on the app: the CSRF rule (before Mercurius parses anything), the response media type,
 * and (a GraphQL preValidation hook) which operation a document runs.
 */
export function installGraphQLTransport(app: FastifyInstance, path: string): void {
  // Only GET (queries) and POST reach GraphQL. Fastify answers HEAD with the GET route's handler,
  // which would run the document (a mutation included); other methods have no route here and
  // get the not-found handler's 405 (see refuseOtherMethods).
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url !== path || request.method === 'GET' || request.method === 'POST') return;
    if (request.method === 'OPTIONS') return; // CORS preflight
    throw methodNotAllowed();
  });
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || request.routeOptions.url !== path) return;
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (NON_SIMPLE_CONTENT_TYPES.includes(contentType)) return;
    if (PREFLIGHT_HEADERS.some((h) => h in request.headers)) return;
    if (!contentType)
      throw new TransportRefusal(415, 'BAD_USER_INPUT', 'Send the request with Content-Type: application/json', 'content-type');
    throw new TransportRefusal(400, 'BAD_USER_INPUT', csrfMessage, 'content-type');
  });

  // Mercurius would take a missing query for an unknown persisted one, and a non-string query
  // for a parsed document (and request validation coerces numbers to strings): say what is
  // wrong instead, before validation.
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.url !== path || (request.method !== 'POST' && request.method !== 'GET')) return;
    const params = (request.method === 'GET' ? request.query : request.body) as Record<string, unknown> | null | undefined;
    if (!params || typeof params !== 'object' || Array.isArray(params)) {
      throw new TransportRefusal(400, 'BAD_USER_INPUT', 'The request body must be a JSON object: {"query": "..."}', 'body');
    }
    const { query } = params;
    if (query === undefined || query === null) {
      let extensions = params.extensions;
      if (typeof extensions === 'string') {
        try {
          extensions = JSON.parse(extensions) as unknown;
        } catch {
          throw new TransportRefusal(400, 'BAD_USER_INPUT', 'extensions must be JSON', 'extensions');
        }
      }
      const persisted = !!extensions && typeof extensions === 'object' && 'persistedQuery' in extensions;
      if (!persisted && params.documentId === undefined)
        throw new TransportRefusal(400, 'BAD_USER_INPUT', 'The request has no query: send {"query": "..."}', 'query');
    } else if (typeof query !== 'string') {
      throw new TransportRefusal(400, 'BAD_USER_INPUT', 'query must be a string', 'query');
    }
    if (typeof query === 'string') checkPersistedHash(query, params.extensions);
    const { variables } = params;
    if (
      request.method === 'POST' &&
      variables !== undefined &&
      variables !== null &&
      (typeof variables !== 'object' || Array.isArray(variables))
    ) {
      throw new TransportRefusal(400, 'BAD_USER_INPUT', 'variables must be an object', 'variables');
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== path || request.headers.upgrade) return payload;
    // The media type follows Accept: caches must key on it.
    const vary = String(reply.getHeader('vary') ?? '');
    if (!/\baccept\b/i.test(vary)) reply.header('vary', vary ? `${vary}, Accept` : 'Accept');
    const current = String(reply.getHeader('content-type') ?? '');
    if (current.startsWith(JSON_TYPE)) reply.header('content-type', `${mediaOf(request).type}; charset=utf-8`);
    return payload;
  });
}

/**
 * An APQ request that carries its query and a hash must hash to it, whoever sends it (only a
 * signed-in caller's query is then registered: ./persisted.ts).
 */
function checkPersistedHash(query: string, extensionsParam: unknown): void {
  let extensions = extensionsParam;
  if (typeof extensions === 'string') {
    try {
      extensions = JSON.parse(extensions) as unknown;
    } catch {
      throw new TransportRefusal(400, 'BAD_USER_INPUT', 'extensions must be JSON', 'extensions');
    }
  }
  const persisted = extensions && typeof extensions === 'object' ? (extensions as { persistedQuery?: unknown }).persistedQuery : undefined;
  const hash = persisted && typeof persisted === 'object' ? (persisted as { sha256Hash?: unknown }).sha256Hash : undefined;
  if (typeof hash === 'string' && createHash('sha256').update(query, 'utf8').digest('hex') !== hash) {
    throw new TransportRefusal(400, 'BAD_USER_INPUT', 'provided sha does not match query', 'extensions.persistedQuery');
  }
}

export const GRAPHQL_METHODS = 'GET, POST';

export function methodNotAllowed(): TransportRefusal {
  return new TransportRefusal(405, 'BAD_USER_INPUT', 'GraphQL is served over GET (queries) and POST only', 'method', {
    allow: GRAPHQL_METHODS,
  });
}

/** The 401 of an Authorization value that does not verify (RFC 6750; contract: Transport). */
export function invalidTokenRefusal(reason: 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'TOKEN_INVALID'): TransportRefusal {
  const message =
    reason === 'TOKEN_EXPIRED'
      ? 'The access token has expired: refresh it'
      : reason === 'TOKEN_REVOKED'
        ? 'The session of this access token has ended: sign in again'
        : 'The Authorization header does not hold a valid token';
  return new TransportRefusal(401, 'UNAUTHENTICATED', message, null, { 'www-authenticate': `Bearer error="invalid_token"` }, { reason });
}

const authenticated = new WeakMap<FastifyRequest, Viewer | null>();

/**
 * Authenticates every GraphQL request over HTTP once, before Mercurius parses it: a header that
 * does not verify refuses the request whole (401), never runs it as anonymous.
 */
export function installHttpAuthentication(
  app: FastifyInstance,
  path: string,
  viewers: ViewerAuthority,
  ipOf: (request: FastifyRequest) => string | null,
): void {
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.url !== path || request.headers.upgrade) return;
    const outcome = await viewers.authenticate(request.headers.authorization, ipOf(request));
    if ('refused' in outcome) throw invalidTokenRefusal(outcome.refused);
    authenticated.set(request, outcome.viewer);
  });
}

/**
 * Idempotency-Key on GraphQL mutations over HTTP (src/platform/idempotency.ts), per signed-in
 * user or API token; registered after installHttpAuthentication, whose viewer it scopes by.
 */
export function installGraphQLIdempotency(app: FastifyInstance, path: string, idempotency: Idempotency): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url !== path || request.method !== 'POST' || request.headers['idempotency-key'] === undefined) return;
    const viewer = authenticated.get(request);
    if (!viewer) return;
    const { query, operationName } = (request.body ?? {}) as { query?: unknown; operationName?: unknown };
    if (typeof query !== 'string') return;
    let operation: OperationDefinitionNode | null | undefined;
    try {
      operation = getOperationAST(parse(query), typeof operationName === 'string' && operationName ? operationName : undefined);
    } catch {
      return; // Mercurius reports the syntax error.
    }
    if (operation?.operation !== 'mutation') return;
    const scope = viewer.apiTokenScopes ? `token:${viewer.sessionId}` : `user:${viewer.userId}`;
    // The same request whether or not the client named its only operation.
    const { variables } = request.body as { variables?: unknown };
    const outcome = await idempotency.begin(request, reply, scope, {
      query,
      variables: variables ?? null,
      operation: operation.name?.value ?? null,
    });
    if (outcome.kind === 'refused') throw new TransportRefusal(outcome.status, outcome.code, outcome.message, 'idempotency-key');
    return outcome.kind === 'replayed' ? reply : undefined;
  });
}

/** The viewer installHttpAuthentication found for the request (null: anonymous). */
export function httpViewer(request: FastifyRequest): Viewer | null {
  return authenticated.get(request) ?? null;
}

/** Refuses what a document cannot do over HTTP: no operation to run, a subscription, a mutation over GET. */
export function checkHttpOperation(document: DocumentNode, context: unknown): void {
  const request = (context as { reply?: { request?: FastifyRequest } } | undefined)?.reply?.request;
  if (!request) return;
  // Mercurius reads a query that is JSON as a ready-made document; anything but a document is refused.
  if (!document || typeof document !== 'object' || !Array.isArray(document.definitions)) {
    throw new TransportRefusal(400, 'BAD_USER_INPUT', 'query must be a GraphQL document', 'query');
  }
  const { requestedName: operationName, operation } = operationFacts(document, context);
  if (!operation) {
    throw new TransportRefusal(
      400,
      'BAD_USER_INPUT',
      operationName
        ? `The document has no operation named "${operationName}"`
        : 'The document has several operations: say which with operationName',
      'operationName',
    );
  }
  if (operation.operation === 'subscription') {
    throw new TransportRefusal(
      400,
      'BAD_USER_INPUT',
      'Subscriptions run over WebSocket at /graphql (subprotocol graphql-transport-ws), not over HTTP',
      'query',
    );
  }
  if (operation.operation === 'mutation' && request.method !== 'POST') {
    throw new TransportRefusal(405, 'BAD_USER_INPUT', 'Only queries may be sent with GET; send mutations with POST', 'method', {
      allow: 'POST',
    });
  }
}
