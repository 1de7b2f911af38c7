/**
 * Shapes every GraphQL error the API returns: expected failures keep their message and
 * `extensions.code`; malformed requests (syntax, validation, variable coercion) become
 * BAD_USER_INPUT; anything else is logged in full and masked as INTERNAL_SERVER_ERROR.
 */
import { PothosValidationError } from '@pothos/core';
import type { FastifyBaseLogger } from 'fastify';
import { GraphQLError, type ExecutionResult } from 'graphql';
import mercurius from 'mercurius';
import { isExpected } from '../platform/errors.js';

type MercuriusContextLike = { reply?: { request?: { id?: string } }; requestId?: string } | undefined;

function requestIdOf(context: unknown): string | undefined {
  const ctx = context as MercuriusContextLike;
  return ctx?.requestId ?? ctx?.reply?.request?.id;
}

/** One error, as a client may see it. */
export function toClientError(error: GraphQLError, requestId: string | undefined, log: FastifyBaseLogger): GraphQLError {
  const original = error.originalError;
  if (original && isExpected(original)) {
    return new GraphQLError(original.message, {
      nodes: error.nodes,
      positions: error.positions,
      path: error.path,
      extensions: { ...original.extensions },
    });
  }
  if (!original && isExpected(error)) return error;
  // Pothos refuses bad arguments while executing (e.g. a negative connection page size): the
  // caller's mistake, said in a message that is safe to show.
  if (original instanceof PothosValidationError) {
    const field = /^Argument "(\w+)"/.exec(original.message)?.[1] ?? 'arguments';
    return new GraphQLError(original.message, {
      nodes: error.nodes,
      positions: error.positions,
      path: error.path,
      extensions: { code: 'BAD_USER_INPUT', details: [{ field, message: original.message }] },
    });
  }
  // No original error and no path: the request itself was malformed (GraphQL's own
  // syntax, validation and variable errors). Its message is safe and useful.
  if ((!original || original instanceof GraphQLError) && !error.path) {
    const message = error.message;
    return new GraphQLError(message, {
      nodes: error.nodes,
      positions: error.positions,
      extensions: { code: 'BAD_USER_INPUT', details: [{ field: 'query', message }] },
    });
  }
  log.error({ err: original ?? error, path: error.path, requestId }, 'unexpected error while resolving');
  return new GraphQLError('Internal server error', {
    nodes: error.nodes,
    positions: error.positions,
    path: error.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  });
}

export function formatGraphQLErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  context: unknown,
  log: FastifyBaseLogger,
): { statusCode: number; response: ExecutionResult } {
  const base = mercurius.defaultErrorFormatter(execution as never, context as never);
  const requestId = requestIdOf(context);
  const flat = execution.errors.flatMap((e) => {
    // Mercurius wraps several validation errors in one error with an `errors` list.
    const nested = (e.originalError as { errors?: GraphQLError[] } | undefined)?.errors;
    return Array.isArray(nested) && nested.length > 0 ? nested : [e];
  });
  const errors = flat.map((e) => toClientError(e instanceof GraphQLError ? e : new GraphQLError(String(e)), requestId, log));
  const response: ExecutionResult = { data: execution.data ?? null, errors };
  if (execution.data === undefined) delete (response as { data?: unknown }).data;
  // A request that never executed (syntax or validation errors) is the client's fault: 400.
  const rejected = execution.data === undefined && errors.every((e) => !e.path && e.extensions?.code === 'BAD_USER_INPUT');
  // The request budget refused it before it ran: 429, as the contract says (headers set by the hook).
  if (execution.data === undefined && errors.some((e) => e.extensions?.code === 'RATE_LIMITED')) return { statusCode: 429, response };
  return { statusCode: rejected ? 400 : base.statusCode, response };
}
