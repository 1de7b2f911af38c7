/**
 * The error model of the API contract: an expected failure is an AppError whose code goes to
 * `extensions.code`; anything else is masked as INTERNAL_SERVER_ERROR with the request id.
 */
import { GraphQLError } from 'graphql';

export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'RATE_LIMITED',
  'ACCOUNT_LOCKED',
  'MFA_REQUIRED',
  'INVALID_MFA_CODE',
  'EMAIL_NOT_VERIFIED',
  'TOKEN_REUSED',
  'QUERY_TOO_COMPLEX',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
    this.code = code;
    this.name = 'AppError';
  }
}

export const unauthenticated = (message = 'Sign in to do this') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You do not have permission to do this') => new AppError('FORBIDDEN', message);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new AppError('CONFLICT', message);

/** BAD_USER_INPUT with one entry per offending field. */
export function badInput(details: FieldProblem[], message?: string): AppError {
  const first = details[0];
  return new AppError('BAD_USER_INPUT', message ?? (details.length === 1 && first ? `${first.field}: ${first.message}` : 'Invalid input'), {
    details,
  });
}

/**
 * Collects every problem of an input (field + message) instead of throwing at the first, so a
 * client hears about all of them at once; then one BAD_USER_INPUT carries them as details.
 */
export class Problems {
  readonly list: FieldProblem[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** BAD_USER_INPUT listing every problem, if there are any. */
  throwIfAny(): void {
    if (!this.empty) throw badInput(this.list);
  }
}

export function rateLimited(retryAfterSeconds: number, message = 'Too many attempts; try again later'): AppError {
  return new AppError('RATE_LIMITED', message, { retryAfter: retryAfterSeconds });
}

/**
 * A real outage of a dependency the request cannot do without (Redis for a mutation that needs
 * it): INTERNAL_SERVER_ERROR as the contract says for outages, but answered at once, with a
 * message that says so and `retryAfter` (seconds), and not logged as a bug.
 */
export function serviceUnavailable(what: string, retryAfterSeconds = 5): AppError {
  return new AppError('INTERNAL_SERVER_ERROR', `${what} is temporarily unavailable; try again shortly`, {
    unavailable: true,
    retryAfter: retryAfterSeconds,
  });
}

/** True for errors whose message may be shown to the client as is. */
export function isExpected(error: unknown): error is GraphQLError {
  if (error instanceof AppError) return true;
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions?.code;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code) && code !== 'INTERNAL_SERVER_ERROR';
}
