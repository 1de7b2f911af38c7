/**
 * Shapes every GraphQL error the API returns, one taxonomy for HTTP and WebSocket:
 * - expected failures (AppError, or a GraphQLError with a contract code) keep their message and
 *   `extensions.code`;
 * - the client's mistakes that GraphQL or the transport detect (syntax, validation, variable
 *   coercion, a refused HTTP request carrying a 4xx `statusCode`) map to a contract code;
 * - anything else is our bug: logged at error level with the request id, masked as
 *   INTERNAL_SERVER_ERROR.
 * A request that never executed answers with the HTTP status of its error's code. Client mistakes
 * are logged once per request at info level, without a stack.
 */
import { PothosValidationError } from '@pothos/core';
import type { FastifyBaseLogger } from 'fastify';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isExpected, type ErrorCode, type FieldProblem, serviceUnavailable } from '../platform/errors.js';
import { isRedisOutage } from '../platform/redis.js';

type MercuriusContextLike = { reply?: { request?: { id?: string } }; requestId?: string } | undefined;

export interface ErrorShapeOptions {
  /** Strip graphql's "Did you mean …?" hints: they reveal the schema when introspection is off. */
  hideSuggestions?: boolean;
}

/** The HTTP status of a request refused before it executed, by the code of its error. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  QUERY_TOO_COMPLEX: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
  INTERNAL_SERVER_ERROR: 500,
};

/** A transport refusal's 4xx status (e.g. a FastifyError from Mercurius), as a contract code. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  return 'BAD_USER_INPUT';
}

function requestIdOf(context: unknown): string | undefined {
  const ctx = context as MercuriusContextLike;
  return ctx?.requestId ?? ctx?.reply?.request?.id;
}

const SUGGESTION = / Did you mean .*\?$/s;
const TOKEN_LIMIT = /^Syntax Error: Document contains more th[ae]n? \d+ tokens/;
/** graphql's variable coercion message once withoutInputValues took the value out: `Variable "$input" got invalid value at "input.quantity"; …`. */
const VARIABLE_ERROR = /^Variable "\$(\w+)" got invalid value(?: at "([^"]+)")?; /;

/**
 * A graphql-js message without the input values it quotes: variable coercion prints the whole
 * variable (`got invalid value { email: "…", password: "…", remember: true }`), scalars print the
 * value they refused (`String cannot represent a non string value: …`), literals too
 * (`Expected value of type "String!", found …`). The client and the logs get the path and the
 * reason only, so a password sent with one unknown field never lands in a log line.
 */
export function withoutInputValues(message: string): string {
  let out = message;
  const head = /^Variable "\$\w+" got invalid value /.exec(out);
  if (head) {
    // Skip graphql's printed value (strings JSON-quoted, objects and lists bracketed) to where
    // the path (` at "input.x"`) or the reason (`; …`) starts.
    let i = head[0].length;
    let depth = 0;
    let inString = false;
    for (; i < out.length; i++) {
      const c = out[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      else if (depth <= 0 && (out.startsWith('; ', i) || out.startsWith(' at "', i))) break;
    }
    out = head[0].trimEnd() + out.slice(i);
  }
  return out
    .replace(/(cannot represent[^:;]*): .*?(\.?)$/s, '$1$2')
    .replace(/(Expected value of type "[^"]+"), found .*?(\.?)$/s, '$1$2')
    .replace(/\bValue .*? does not exist in ("\w+" enum)/s, 'Value does not exist in $1');
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null | undefined)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** One error, as a client may see it. */
export function toClientError(
  error: GraphQLError,
  requestId: string | undefined,
  log: FastifyBaseLogger,
  options: ErrorShapeOptions = {},
): GraphQLError {
  const original = error.originalError;
  const location = { nodes: error.nodes, positions: error.positions, path: error.path };
  const said = withoutInputValues(error.message);
  const message = options.hideSuggestions ? said.replace(SUGGESTION, '') : said;
  const variable = VARIABLE_ERROR.exec(said);
  if (original && isExpected(original)) {
    // A scalar's refusal inside a variable: name the variable's field, not the scalar.
    if (variable && original.extensions.code === 'BAD_USER_INPUT') {
      const field = variable[2] ?? variable[1]!;
      const details = (original.extensions.details as FieldProblem[] | undefined)?.map((d) => ({ field, message: d.message }));
      return new GraphQLError(message, { ...location, extensions: { ...original.extensions, details } });
    }
    return new GraphQLError(original.message, { ...location, extensions: { ...original.extensions } });
  }
  if (!original && isExpected(error)) return error;
  // Pothos refuses bad arguments while executing (e.g. a negative connection page size): the
  // caller's mistake, said in a message that is safe to show.
  if (original instanceof PothosValidationError) {
    const field = /^Argument "(\w+)"/.exec(original.message)?.[1] ?? 'arguments';
    return new GraphQLError(original.message, {
      ...location,
      extensions: { code: 'BAD_USER_INPUT', details: [{ field, message: original.message }] },
    });
  }
  // A refusal by the transport (Mercurius, Fastify): its 4xx status says it is the client's.
  const status = statusOf(original) ?? statusOf(error);
  if (status !== undefined) {
    const code = codeForStatus(status);
    return new GraphQLError(message, {
      ...location,
      extensions: { code, ...(code === 'BAD_USER_INPUT' && { details: [{ field: 'request', message }] }), httpStatus: status },
    });
  }
  // No original error and no path: the request itself was malformed (GraphQL's own
  // syntax, validation and variable errors). Its message is safe and useful.
  if ((!original || original instanceof GraphQLError) && !error.path) {
    if (TOKEN_LIMIT.test(error.message)) {
      return new GraphQLError('Query too complex: tokens exceeds the limit', {
        ...location,
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'tokens' },
      });
    }
    const field = variable ? (variable[2] ?? variable[1]!) : 'query';
    return new GraphQLError(message, { ...location, extensions: { code: 'BAD_USER_INPUT', details: [{ field, message }] } });
  }
  // Redis unreachable where there is no fallback: an outage, said so at once, not a bug of ours.
  if (original && isRedisOutage(original)) {
    const unavailable = serviceUnavailable('This operation');
    log.warn({ path: error.path, requestId, reason: original.message }, 'operation refused: Redis unavailable');
    return new GraphQLError(unavailable.message, {
      nodes: error.nodes,
      positions: error.positions,
      path: error.path,
      extensions: { ...unavailable.extensions, requestId },
    });
  }
  log.error({ err: original ?? error, path: error.path, requestId }, 'unexpected error while resolving');
  return new GraphQLError('Internal server error', {
    ...location,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  });
}

export function formatGraphQLErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  context: unknown,
  log: FastifyBaseLogger,
  options: ErrorShapeOptions = {},
): { statusCode: number; response: ExecutionResult } {
  const requestId = requestIdOf(context);
  const flat = execution.errors.flatMap((e) => {
    // Mercurius wraps several validation errors in one error with an `errors` list.
    const nested = (e.originalError as { errors?: GraphQLError[] } | undefined)?.errors;
    return Array.isArray(nested) && nested.length > 0
      ? nested.map((n) => (n instanceof GraphQLError ? n : new GraphQLError(String(n), { originalError: n })))
      : [e];
  });
  const errors = flat.map((e) => toClientError(e instanceof GraphQLError ? e : new GraphQLError(String(e)), requestId, log, options));
  // A request that could not run (syntax, validation): its requestId in the body too, not only
  // in the x-request-id header, so a client that logs the body can quote it.
  if (requestId) {
    for (const error of errors) {
      if (!error.path && error.extensions.requestId === undefined) (error.extensions as Record<string, unknown>).requestId = requestId;
    }
  }
  const response: ExecutionResult = { data: execution.data ?? null, errors };
  if (execution.data === undefined) delete (response as { data?: unknown }).data;
  const codes = [...new Set(errors.map((e) => String(e.extensions?.code)))];
  const clientCodes = codes.filter((code) => code !== 'INTERNAL_SERVER_ERROR');
  if (clientCodes.length > 0) {
    // Once per request, no stack: a client's mistake is not ours.
    log.info(
      { requestId, codes: clientCodes, errors: errors.length, message: errors[0]?.message.slice(0, 200) },
      'request answered with client errors',
    );
  }
  // A request that never executed: the status of its (first) error's code. One that ran: 200.
  if (execution.data !== undefined) return { statusCode: 200, response };
  const first = errors[0];
  const explicit = first?.extensions?.httpStatus;
  if (first && explicit !== undefined) delete (first.extensions as Record<string, unknown>).httpStatus;
  const statusCode = typeof explicit === 'number' ? explicit : (HTTP_STATUS_BY_CODE[String(first?.extensions?.code)] ?? 200);
  for (const error of errors) delete (error.extensions as Record<string, unknown>).httpStatus;
  return { statusCode, response };
}
