/**
 * Argument rules for Relay connections over tables keyed by a UUID `id` (Pothos prisma
 * connections with `cursor: 'id'`), so a bad page request is BAD_USER_INPUT with details rather
 * than an internal error from Pothos' cursor decoder or PostgreSQL's uuid parser:
 * - `first` / `last`: 0 to MAX_PAGE_SIZE. 0 is allowed (no edges; totalCount and pageInfo still
 *   answer); more than the maximum is refused, not silently clamped. (A negative size Pothos
 *   refuses itself, before this check; src/graphql/errors.ts makes that BAD_USER_INPUT too.)
 * - `after` / `before`: a cursor this API issued. A well-formed cursor whose row has since been
 *   deleted yields an empty page.
 * - `after` with `last`, `before` with `first`, or `after` with `before`: refused.
 */
import { decodeBase64, decodeCursorChunk } from '@pothos/core';
import { badInput, type FieldProblem } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';

export const MAX_PAGE_SIZE = 100;

interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

function isIdCursor(cursor: string): boolean {
  try {
    const decoded = decodeBase64(cursor);
    if (!decoded.startsWith('GPC:')) return false;
    const value: unknown = decodeCursorChunk(decoded.slice(4));
    return typeof value === 'string' && isUuid(value);
  } catch {
    return false;
  }
}

export function connectionArgProblems(args: ConnectionArgs): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const key of ['first', 'last'] as const) {
    const size = args[key];
    if (size != null && size > MAX_PAGE_SIZE) {
      problems.push({ field: key, message: `must be between 0 and ${MAX_PAGE_SIZE}` });
    }
  }
  for (const key of ['after', 'before'] as const) {
    const cursor = args[key];
    if (cursor != null && !isIdCursor(cursor)) problems.push({ field: key, message: 'is not a cursor from this connection' });
  }
  if (args.after != null && args.before != null) problems.push({ field: 'before', message: 'cannot be combined with after' });
  if (args.after != null && args.last != null) problems.push({ field: 'last', message: 'cannot be combined with after' });
  if (args.before != null && args.first != null) problems.push({ field: 'first', message: 'cannot be combined with before' });
  return problems;
}

/**
 * Use as the `maxSize` of a prismaConnection / relatedConnection: Pothos calls it with the
 * connection's arguments before it decodes the cursor, which makes it the place to refuse bad
 * arguments first. Returns MAX_PAGE_SIZE.
 */
export function checkedPageSize(args: ConnectionArgs): number {
  const problems = connectionArgProblems(args);
  if (problems.length > 0) throw badInput(problems);
  return MAX_PAGE_SIZE;
}
