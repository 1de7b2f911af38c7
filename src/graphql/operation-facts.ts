/**
 * What the request-check hooks read from a document's definitions, computed in one pass and
 * memoised per request (the Mercurius context) and document, so the HTTP operation check, the
 * write guard and the complexity limit do not each walk `document.definitions` again.
 */
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';

export interface OperationFacts {
  /** `operationName` as the HTTP request sent it (POST body or GET query string), when a string. */
  requestedName: string | undefined;
  /** The operation that runs (as graphql's getOperationAST picks it): null when none matches or several could. */
  operation: OperationDefinitionNode | null;
  /** Some operation of the document is a mutation (a hook does not see which one the executor will run). */
  hasMutation: boolean;
}

type RequestLike = { method?: string; body?: unknown; query?: unknown };

const memo = new WeakMap<object, { document: DocumentNode; facts: OperationFacts }>();

/** `operationName` as the HTTP request sent it, if a string (undefined outside HTTP). */
export function requestedOperationName(context: unknown): string | undefined {
  const request = (context as { reply?: { request?: RequestLike } } | undefined)?.reply?.request;
  const params = (request?.method === 'GET' ? request.query : request?.body) as { operationName?: unknown } | undefined;
  return typeof params?.operationName === 'string' ? params.operationName : undefined;
}

/** The facts of `document` for this request; `document` must be a parsed document (the limits check that first). */
export function operationFacts(document: DocumentNode, context: unknown): OperationFacts {
  const key = context !== null && typeof context === 'object' ? context : undefined;
  const cached = key && memo.get(key);
  if (cached && cached.document === document) return cached.facts;
  const requestedName = requestedOperationName(context);
  let operation: OperationDefinitionNode | null = null;
  let ambiguous = false;
  let named: OperationDefinitionNode | null = null;
  let hasMutation = false;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (definition.operation === 'mutation') hasMutation = true;
    if (requestedName == null) {
      if (operation) ambiguous = true;
      else operation = definition;
    } else if (!named && definition.name?.value === requestedName) {
      named = definition;
    }
  }
  const facts: OperationFacts = {
    requestedName,
    operation: requestedName == null ? (ambiguous ? null : operation) : named,
    hasMutation,
  };
  if (key) memo.set(key, { document, facts });
  return facts;
}

/** The operation name for the complexity rule: the requested one unless empty (read from the request only, not the document). */
export function complexityOperationName(context: unknown): string | undefined {
  const name = requestedOperationName(context);
  return name === '' ? undefined : name;
}
