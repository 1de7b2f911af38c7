/**
 * Document limits, checked for every caller (anonymous included) before any resolver runs, each
 * answered with exactly one QUERY_TOO_COMPLEX error:
 *
 * 1. `checkSourceLimits` (Mercurius' preParsing hook): one linear pass of graphql's lexer counts
 *    tokens and bracket nesting before the recursive-descent parser sees the text, so neither a
 *    145 KiB document of 10,000 aliases nor a 5,000-deep list literal (a stack overflow in the
 *    parser) costs more than the lexing. parse() also gets `maxTokens` (src/app.ts) as a backstop.
 * 2. `checkDocumentLimits` (preValidation): aliases, directives and field selections of the parsed
 *    document, before graphql's own validation rules, some of which are quadratic in the number of
 *    same-named fields (OverlappingFieldsCanBeMerged) or report one error per duplicate directive.
 * 3. `checkComplexity` (preExecution): Pothos' validation-time complexity rule with this
 *    request's variables, so list arguments (`first`, `limit`) and date ranges given as variables
 *    count. It cannot be a Mercurius validation rule: Mercurius caches validation per document
 *    text, and the same text may come with small or huge variables.
 */
import { complexityFromQuery, createComplexityRule, type ComplexityResult, type FieldComplexityValue } from '@pothos/plugin-complexity';
import {
  GraphQLList,
  GraphQLNonNull,
  Kind,
  Lexer,
  Location,
  Source,
  TokenKind,
  getNamedType,
  validate,
  visit,
  type DocumentNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import type { Config } from '../config.js';
import { AppError, badInput } from '../platform/errors.js';
import { MAX_PAGE_SIZE } from './connection-args.js';

export interface DocumentLimits {
  maxTokens: number;
  /** Brackets ({ [ and () open at once: selections, arguments, list and object literals. */
  maxNesting: number;
  maxAliases: number;
  maxDirectives: number;
  /** Field selections: in the document, and in the operation with fragments expanded. */
  maxBreadth: number;
  maxDepth: number;
  maxComplexity: number;
}

export function documentLimits(config: Config): DocumentLimits {
  return {
    maxTokens: config.QUERY_MAX_TOKENS,
    maxNesting: 2 * config.QUERY_MAX_DEPTH + 8,
    maxAliases: config.QUERY_MAX_ALIASES,
    maxDirectives: config.QUERY_MAX_DIRECTIVES,
    maxBreadth: config.QUERY_MAX_BREADTH,
    maxDepth: config.QUERY_MAX_DEPTH,
    maxComplexity: config.QUERY_MAX_COMPLEXITY,
  };
}

/** The one error a document over a limit gets; extensions say which limit and by how much. */
export function tooComplex(limit: string, extensions: Record<string, number>): AppError {
  return new AppError('QUERY_TOO_COMPLEX', `Query too complex: ${limit} exceeds the limit`, { limit, ...extensions });
}

const OPENING: ReadonlySet<string> = new Set([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING: ReadonlySet<string> = new Set([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * Texts that passed the lexer pass, per limits: a client sends the same few documents again and
 * again, and lexing each one per request showed in the read-path profile (Mercurius then finds
 * the parsed document in its own cache by the same text). Bounded in entries and in text length,
 * so a flood of distinct or long documents costs a lexer pass each, as before, and no memory.
 */
const passedSources = new WeakMap<DocumentLimits, Set<string>>();
const MAX_REMEMBERED_SOURCES = 1024;
const MAX_REMEMBERED_SOURCE_LENGTH = 8192;

export function checkSourceLimits(source: string, limits: DocumentLimits): void {
  const remember = typeof source === 'string' && source.length <= MAX_REMEMBERED_SOURCE_LENGTH;
  let passed = passedSources.get(limits);
  if (remember && passed?.has(source)) return;
  lexSource(source, limits);
  if (!remember) return;
  if (!passed) passedSources.set(limits, (passed = new Set()));
  if (passed.size >= MAX_REMEMBERED_SOURCES) passed.clear();
  passed.add(source);
}

function lexSource(source: string, limits: DocumentLimits): void {
  const lexer = new Lexer(new Source(source));
  let tokens = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > limits.maxTokens) throw tooComplex('tokens', { maxTokens: limits.maxTokens });
      if (OPENING.has(token.kind)) {
        if (++nesting > limits.maxNesting) throw tooComplex('nesting', { maxNesting: limits.maxNesting });
      } else if (CLOSING.has(token.kind)) {
        nesting--;
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    // A syntax error: parse() reports it with its position.
  }
}

export function checkDocumentLimits(document: DocumentNode, limits: DocumentLimits): void {
  // Mercurius falls back to JSON.parse when its parse() fails, taking any JSON as an AST; only a
  // document our parser produced (it carries a Location) went through the limits above.
  if (!(document.loc instanceof Location)) {
    throw badInput([{ field: 'query', message: 'is not a GraphQL document' }]);
  }
  let aliases = 0;
  let directives = 0;
  let selections = 0;
  // visit() walks with an explicit stack; the nesting limit has bounded the depth already.
  visit(document, {
    Field(node) {
      selections++;
      if (node.alias) aliases++;
    },
    FragmentSpread() {
      selections++;
    },
    Directive() {
      directives++;
    },
  });
  if (aliases > limits.maxAliases) throw tooComplex('aliases', { aliases, maxAliases: limits.maxAliases });
  if (directives > limits.maxDirectives) throw tooComplex('directives', { directives, maxDirectives: limits.maxDirectives });
  if (selections > limits.maxBreadth) throw tooComplex('breadth', { breadth: selections, maxBreadth: limits.maxBreadth });
}

/**
 * Documents that passed the complexity check, per the limits and schema they were checked
 * against, by operation name and the values of the variables that can change the figure. A
 * validate() pass over the document (TypeInfo and the rule's visitor) per request was ~5 % of the
 * read path's Q1 profile; Mercurius hands every request of the same text the same parsed
 * document, so the second request of a document with the same sizes skips it. Only passes are
 * remembered (a refusal is checked again and answered the same way).
 */
const passedComplexity = new WeakMap<DocumentLimits, WeakMap<GraphQLSchema, WeakMap<DocumentNode, Set<string>>>>();
/** Distinct variable values remembered per document; past that the set starts again (a bounded memo, not a cache of every id). */
const MAX_PASSED_PER_DOCUMENT = 256;

/**
 * The variables of `document` whose values can change its complexity, by name: all of them
 * except those declared as a single `ID` / `ID!`. No cost reads an ID (fieldComplexity above
 * reads first, last, limit, from, to and interval; the fields with their own `complexity` read
 * no argument), so `portfolio(id: $id)` with a new id each time still counts as the same
 * document. For those, only whether a value is there counts (a missing one is an error).
 */
const costVariables = new WeakMap<DocumentNode, { name: string; id: boolean }[]>();

function variablesOfCost(document: DocumentNode): { name: string; id: boolean }[] {
  let found = costVariables.get(document);
  if (!found) {
    found = [];
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      for (const variable of definition.variableDefinitions ?? []) {
        const type = variable.type.kind === Kind.NON_NULL_TYPE ? variable.type.type : variable.type;
        found.push({ name: variable.variable.name.value, id: type.kind === Kind.NAMED_TYPE && type.name.value === 'ID' });
      }
    }
    costVariables.set(document, found);
  }
  return found;
}

/** Longer strings, objects and lists are not remembered: the document is checked each time (they are mutations' inputs, never a page size). */
const MAX_REMEMBERED_TEXT = 64;

function complexityKey(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): string | null {
  const values: unknown[] = [];
  for (const { name, id } of variablesOfCost(document)) {
    const value = variables?.[name];
    if (id) values.push(value == null ? null : typeof value);
    else if (value !== null && typeof value === 'object') return null;
    else if (typeof value === 'string' && value.length > MAX_REMEMBERED_TEXT) return null;
    else values.push(value === undefined ? '(absent)' : value);
  }
  return JSON.stringify([operationName ?? null, values]);
}

export function checkComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  context: unknown,
  limits: DocumentLimits,
): void {
  let bySchema = passedComplexity.get(limits);
  if (!bySchema) passedComplexity.set(limits, (bySchema = new WeakMap()));
  let byDocument = bySchema.get(schema);
  if (!byDocument) bySchema.set(schema, (byDocument = new WeakMap()));
  let passed = byDocument.get(document);
  if (!passed) byDocument.set(document, (passed = new Set()));
  const key = complexityKey(document, variables, operationName);
  if (key !== null && passed.has(key)) return;
  validateComplexity(schema, document, variables, operationName, context, limits);
  if (key === null) return;
  if (passed.size >= MAX_PASSED_PER_DOCUMENT) passed.clear();
  passed.add(key);
}

/**
 * The cost the request budget charges (Pothos' complexityFromQuery), remembered like the limit's
 * pass above (per schema, document and the variables a cost can read; never for long strings,
 * objects or lists): the budget hook would otherwise walk the document once more per request.
 */
const chargedComplexity = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();

export function requestComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  ctx: object,
): number {
  const key = complexityKey(document, variables, undefined);
  let byDocument = chargedComplexity.get(schema);
  if (!byDocument) chargedComplexity.set(schema, (byDocument = new WeakMap()));
  let known = byDocument.get(document);
  const remembered = key === null ? undefined : known?.get(key);
  if (remembered !== undefined) return remembered;
  const cost = complexityFromQuery(document, { schema, ctx, variables }).complexity;
  if (key === null) return cost;
  if (!known) byDocument.set(document, (known = new Map()));
  if (known.size >= MAX_PASSED_PER_DOCUMENT) known.clear();
  known.set(key, cost);
  return cost;
}

function validateComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  context: unknown,
  limits: DocumentLimits,
): void {
  let refusal: AppError | null = null;
  const rule = createComplexityRule({
    variableValues: variables ?? {},
    operationName,
    context: context as object,
    validate: (result: ComplexityResult) => {
      if (refusal) return;
      if (result.depth > limits.maxDepth) {
        refusal = tooComplex('depth', { depth: result.depth, maxDepth: limits.maxDepth });
      } else if (result.breadth > limits.maxBreadth) {
        refusal = tooComplex('breadth', { breadth: result.breadth, maxBreadth: limits.maxBreadth });
      } else if (result.complexity > limits.maxComplexity) {
        refusal = tooComplex('complexity', { complexity: result.complexity, maxComplexity: limits.maxComplexity });
      }
    },
  });
  const errors = validate(schema, document, [rule], { maxErrors: 1 });
  if (refusal) throw refusal;
  // Invalid variables (Mercurius coerces them itself, except on the run that compiles the
  // query with graphql-jit): graphql's own coercion error, shaped by src/graphql/errors.ts.
  const first = errors[0];
  if (first) throw first;
}

// ------------------------------------------------------------------------ field costs

/** Rows a list field returns when no argument says: Pothos' default multiplier. */
const DEFAULT_LIST_SIZE = 10;
/** Candles of a date range that cost as much as one field (a 20-year daily history ≈ 210). */
const CANDLES_PER_COST_UNIT = 25;
const DAY_MS = 86_400_000;

function isList(type: GraphQLOutputType): boolean {
  return type instanceof GraphQLList || (type instanceof GraphQLNonNull && type.ofType instanceof GraphQLList);
}

function daysBetween(from: unknown, to: unknown): number | null {
  if (typeof from !== 'string' || typeof to !== 'string') return null;
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  return Number.isFinite(days) ? Math.max(days, 1) : null;
}

/** Bars a range yields at an interval (DAY counts trading days: 5 of 7). */
function barsIn(days: number, interval: unknown): number {
  if (interval === 'WEEK') return days / 7;
  if (interval === 'MONTH') return days / 30;
  return (days * 5) / 7;
}

/**
 * The cost of a field as Pothos' complexity rule counts it (field cost + multiplier of what it
 * selects), from its arguments:
 * - a connection (`first`/`last`) multiplies its selection by the page size asked for (default
 *   20); its `edges` list and each edge's `node` are plumbing and cost nothing themselves;
 * - a list with `first`/`limit` multiplies by that; a list over a date range (`from`..`to`, e.g.
 *   `history`) by the bars in the range / CANDLES_PER_COST_UNIT, so 66 aliases of a 20-year
 *   history are refused; any other list by 10.
 * Sizes count up to MAX_PAGE_SIZE: larger ones are refused by the argument rules, with a clearer
 * BAD_USER_INPUT than a cost.
 */
export function fieldComplexity<Ctx>(
  args: Record<string, unknown>,
  _ctx: Ctx,
  field: GraphQLField<unknown, Ctx, Record<string, unknown>>,
): FieldComplexityValue {
  const asked = [args.first, args.last, args.limit].find((value): value is number => typeof value === 'number');
  const size = asked === undefined ? undefined : Math.min(Math.max(asked, 1), MAX_PAGE_SIZE);
  const named = getNamedType(field.type).name;
  if (named.endsWith('Connection') && field.args.some((arg) => arg.name === 'first' || arg.name === 'last')) {
    return { field: 1, multiplier: size ?? 20 };
  }
  if (field.name === 'node' && field.args.length === 0) return { field: 0, multiplier: 1 };
  if (!isList(field.type)) return 1;
  if (field.name === 'edges' && named.endsWith('Edge')) return { field: 0, multiplier: 1 };
  if (size !== undefined) return { field: 1, multiplier: size };
  const days = daysBetween(args.from, args.to);
  if (days !== null) return { field: 1, multiplier: Math.max(Math.ceil(barsIn(days, args.interval) / CANDLES_PER_COST_UNIT), 1) };
  return { field: 1, multiplier: DEFAULT_LIST_SIZE };
}
