/**
 * The Pothos schema builder: plugins, context and scalars only. Each domain adds its types,
 * queries, mutations and subscriptions in its own `schema.ts`; `schema.ts` here imports them all.
 */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import { GraphQLScalarType } from 'graphql';
import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import { forbidden, unauthenticated } from '../platform/errors.js';
import type { Context } from './context.js';
import type { RestorableScalarExtensions } from './jit-scalars.js';
import { fieldComplexity } from './limits.js';
import { Decimal, formatDate, literalText, parseDate, parseDateTime, parseDecimal, serializeDecimal } from './scalars.js';

/**
 * Scopes a domain adds: it names the scope and its parameter here by declaration merging and
 * registers its check with defineAuthScope (portfolios adds `portfolioRole`, src/portfolios/roles.ts:
 * anonymous → UNAUTHENTICATED, no role at all → NOT_FOUND, too weak a role → FORBIDDEN). So the
 * kernel asks "may this caller?" without knowing any domain.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the domains
export interface DomainAuthScopes {}

export interface AuthScopes extends DomainAuthScopes {
  /** A valid access token of a live session. */
  authenticated: boolean;
}

type ScopeCheck = (ctx: Context, parameter: never) => boolean | Promise<boolean>;
const domainScopes = new Map<string, ScopeCheck>();

/** Registers the check behind a domain's scope; a failing domain scope answers FORBIDDEN. */
export function defineAuthScope<Name extends keyof DomainAuthScopes>(
  name: Name,
  check: (ctx: Context, parameter: DomainAuthScopes[Name]) => boolean | Promise<boolean>,
): void {
  domainScopes.set(name, check as ScopeCheck);
}

/** Names of the scopes that failed (recursing through $any / $all). */
function failedScopes(failure: AuthFailure): string[] {
  if ('failures' in failure) return failure.failures.flatMap(failedScopes);
  return 'scope' in failure ? [failure.scope] : [];
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    Date: { Input: string; Output: Date | string };
    Decimal: { Input: Decimal; Output: unknown };
  };
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ComplexityPlugin, DataloaderPlugin],
  scopeAuth: {
    authScopes: (ctx) =>
      ({
        authenticated: ctx.viewer !== null,
        ...Object.fromEntries([...domainScopes].map(([name, check]) => [name, (parameter: never) => check(ctx, parameter)])),
        // One check per DomainAuthScopes key, which Object.fromEntries cannot tell TypeScript.
      }) as never,
    // A scope that fails without throwing: `authenticated` means the caller must sign in; a
    // domain's scope (`portfolioRole`) means the caller is known but their role is too weak.
    unauthorizedError: (_parent, _ctx, _info, result) =>
      failedScopes(result.failure).some((scope) => domainScopes.has(scope)) ? forbidden() : unauthenticated(),
    treatErrorsAsUnauthorized: false,
    // Subscription fields check their scopes when the subscription starts (refusing it), not
    // on every event; src/market/live.ts re-checks portfolio access while it runs.
    authorizeOnSubscribe: true,
  },
  prisma: {
    client: (ctx) => ctx.services.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
    maxConnectionSize: 100,
    defaultConnectionSize: 20,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
  complexity: {
    // Limits are checked before execution for the whole document (src/graphql/limits.ts, run by
    // Mercurius hooks), not per root field while executing: no `limit` here.
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    fieldComplexity,
  },
});

builder.addScalarType(
  'DateTime',
  new GraphQLScalarType({
    name: 'DateTime',
    description: 'ISO-8601 instant, UTC, e.g. 2026-11-24T10:30:00.000Z',
    serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
    parseValue: parseDateTime,
    parseLiteral: (ast) => parseDateTime(literalText(ast)),
    extensions: {
      restoreParsedValue: (value) => (value instanceof Date ? value : new Date(value as string)),
    } satisfies RestorableScalarExtensions,
  }),
);

builder.addScalarType(
  'Date',
  new GraphQLScalarType({
    name: 'Date',
    description: 'Calendar date, YYYY-MM-DD',
    serialize: (value) => formatDate(value as Date | string),
    parseValue: parseDate,
    parseLiteral: (ast) => parseDate(literalText(ast)),
  }),
);

builder.addScalarType(
  'Decimal',
  new GraphQLScalarType({
    name: 'Decimal',
    description: 'Exact decimal number as a string, e.g. "1234.56780000"',
    serialize: serializeDecimal,
    parseValue: parseDecimal,
    parseLiteral: (ast) => parseDecimal(literalText(ast)),
    // JSON.stringify(Decimal) is its toString() (exponent form for tiny or huge values), exact:
    // our own parse produced it, so it need not pass the input grammar again.
    extensions: {
      restoreParsedValue: (value) => (value instanceof Decimal ? value : new Decimal(value as string)),
    } satisfies RestorableScalarExtensions,
  }),
);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
