/**
 * The seed's response envelope: `{ success: true, data, meta: { timestamp, requestId } }` (lists
 * add `pagination` in v1, `pageInfo` and `totalCount` in v2), or
 * `{ success: false, error: { code, message, details }, meta }` with the HTTP status of the
 * contract code. Also the envelope's JSON Schemas, for the OpenAPI description.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_STATUS_BY_CODE } from '../graphql/errors.js';
import { ERROR_CODES, type FieldProblem } from '../platform/errors.js';
import type { JsonSchema } from './json-schema.js';

/** GraphQL's statuses of a refused request, plus the auth codes GraphQL answers with 200 and data. */
export const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  ...HTTP_STATUS_BY_CODE,
  MFA_REQUIRED: 401,
  INVALID_MFA_CODE: 401,
  TOKEN_REUSED: 401,
  EMAIL_NOT_VERIFIED: 403,
  ACCOUNT_LOCKED: 423,
};

export interface RestError {
  code: string;
  message: string;
  details?: unknown;
  /** UNAUTHENTICATED for a token that does not verify: TOKEN_EXPIRED, TOKEN_REVOKED or TOKEN_INVALID. */
  reason?: string;
  /** RATE_LIMITED and outages: seconds until a retry may succeed (also the Retry-After header). */
  retryAfter?: number;
}

export function meta(request: FastifyRequest) {
  return { timestamp: new Date().toISOString(), requestId: request.id };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: RestError): FastifyReply {
  if (error.retryAfter !== undefined && !reply.hasHeader('retry-after')) reply.header('retry-after', String(error.retryAfter));
  return reply.status(STATUS_OF_CODE[error.code] ?? 500).send({ success: false, error, meta: meta(request) });
}

export function badRequest(request: FastifyRequest, reply: FastifyReply, details: FieldProblem[]): FastifyReply {
  return sendError(request, reply, {
    code: 'BAD_USER_INPUT',
    message: details.map((d) => `${d.field}: ${d.message}`).join('; '),
    details,
  });
}

export function sendData(
  request: FastifyRequest,
  reply: FastifyReply,
  data: unknown,
  extra: Record<string, unknown> = {},
  status = 200,
): FastifyReply {
  return reply.status(status).send({ success: true, data, ...extra, meta: meta(request) });
}

const META_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { timestamp: { type: 'string', format: 'date-time' }, requestId: { type: 'string' } },
  required: ['timestamp', 'requestId'],
};

export const PAGINATION_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    page: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1 },
    total: { type: 'integer', minimum: 0 },
    totalPages: { type: 'integer', minimum: 0 },
    hasMore: { type: 'boolean' },
  },
  required: ['page', 'limit', 'total', 'totalPages', 'hasMore'],
  additionalProperties: false,
};

export const PAGE_INFO_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { hasNextPage: { type: 'boolean' }, endCursor: { type: ['string', 'null'] } },
  required: ['hasNextPage', 'endCursor'],
  additionalProperties: false,
};

export function successSchema(data: JsonSchema, extra: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    properties: { success: { const: true }, data, ...extra, meta: META_SCHEMA },
    required: ['success', 'data', ...Object.keys(extra), 'meta'],
    additionalProperties: false,
  };
}

export const ERROR_SCHEMA: JsonSchema = {
  description: 'An error, with the HTTP status of its code',
  type: 'object',
  properties: {
    success: { const: false },
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['field', 'message'] },
        },
        retryAfter: { type: 'integer', minimum: 0 },
        reason: { type: 'string', enum: ['TOKEN_EXPIRED', 'TOKEN_REVOKED', 'TOKEN_INVALID'] },
      },
      required: ['code', 'message'],
    },
    meta: META_SCHEMA,
  },
  required: ['success', 'error', 'meta'],
  additionalProperties: false,
};
