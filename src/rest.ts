/**
 * The REST facade (/api/v1), first slice. Each route is a GraphQL document run by the same
 * executor as /graphql (`app.graphql`): the same resolvers, services, authorization (sessions and
 * API tokens, READ scope), limits and request budget, so there is one set of rules and no second
 * implementation. Hand-written thin routes rather than SOFA (`sofa-api`): the seed's URLs,
 * envelope and page-based pagination do not follow from the schema, and SOFA would need as much
 * configuration as these routes are.
 *
 * Envelope: `{ success: true, data, meta: { timestamp, requestId } }`, or
 * `{ success: false, error: { code, message, details }, meta }` with the HTTP status of the code.
 */
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLError } from 'graphql';
import { resolveViewer } from './auth/index.js';
import type { Context } from './graphql/context.js';
import { formatGraphQLErrors } from './graphql/errors.js';
import type { AppServices } from './services.js';

const STATUS_OF_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  MFA_REQUIRED: 401,
  INVALID_MFA_CODE: 401,
  TOKEN_REUSED: 401,
  FORBIDDEN: 403,
  EMAIL_NOT_VERIFIED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ACCOUNT_LOCKED: 423,
  QUERY_TOO_COMPLEX: 400,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
};

const PAGE_MAX = 100;
/** When the v1 routes that v2 replaces stop (RFC 8594 Sunset, an HTTP-date). */
const V1_LIST_SUNSET = new Date(Date.UTC(2027, 5, 30)).toUTCString();

const PORTFOLIO_FIELDS = 'id name description isPublic baseCurrency myRole createdAt updatedAt';

function meta(request: FastifyRequest) {
  return { timestamp: new Date().toISOString(), requestId: request.id };
}

function sendError(request: FastifyRequest, reply: FastifyReply, code: string, message: string, details?: unknown) {
  return reply
    .status(STATUS_OF_CODE[code] ?? 500)
    .send({ success: false, error: { code, message, ...(details !== undefined ? { details } : {}) }, meta: meta(request) });
}

/** OpenAPI description of a route (read by @fastify/swagger). Strings only: the handlers check values, in the envelope's error format. */
function doc(tag: string, summary: string, extra: Record<string, unknown> = {}) {
  return { tags: [tag], summary, security: [{ bearer: [] }], ...extra };
}
const stringsObject = (names: string[], required: boolean) => ({
  type: 'object',
  properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
  ...(required ? { required: names } : {}),
});
const params = (...names: string[]) => stringsObject(names, true);
const query = (...names: string[]) => stringsObject(names, false);

export async function restRoutes(app: FastifyInstance, { services }: { services: AppServices }): Promise<void> {
  /** Runs a document as the caller; answers the envelope, or returns the data to shape. */
  async function run<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    document: string,
    variables: Record<string, unknown> = {},
  ): Promise<T | undefined> {
    const ip = request.ip && isIP(request.ip) ? request.ip : null;
    const context: Context & { reply: FastifyReply } = {
      services,
      requestId: request.id,
      ip,
      userAgent: request.headers['user-agent'] ?? null,
      viewer: await resolveViewer(services, request.headers.authorization, ip),
      cache: new Map(),
      reply,
    };
    let result: { data?: unknown; errors?: readonly GraphQLError[] };
    try {
      result = await app.graphql(document, context as never, variables);
    } catch (error) {
      // Mercurius rejects when a hook refuses (a READ token's mutation, the request budget).
      const nested = (error as { errors?: GraphQLError[] }).errors;
      result = { errors: Array.isArray(nested) && nested.length ? nested : [error as GraphQLError] };
    }
    if (result.errors?.length) {
      const formatted = formatGraphQLErrors(result as never, context, request.log).response.errors as readonly GraphQLError[];
      const first = formatted[0]!;
      sendError(request, reply, String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR'), first.message, first.extensions?.details);
      return undefined;
    }
    return result.data as T;
  }

  const ok = (request: FastifyRequest, reply: FastifyReply, data: unknown, extra: Record<string, unknown> = {}, status = 200) =>
    reply.status(status).send({ success: true, data, ...extra, meta: meta(request) });

  /** ?page=&limit= (1-based page; limit 1..100, default 20). */
  function pageOf(request: FastifyRequest, reply: FastifyReply): { page: number; limit: number } | undefined {
    const query = request.query as Record<string, string | undefined>;
    const page = query.page === undefined ? 1 : Number(query.page);
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    const details = [];
    if (!Number.isInteger(page) || page < 1) details.push({ field: 'page', message: 'must be a whole number from 1' });
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX)
      details.push({ field: 'limit', message: `must be a whole number from 1 to ${PAGE_MAX}` });
    if (details.length) {
      sendError(request, reply, 'BAD_USER_INPUT', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
      return undefined;
    }
    return { page, limit };
  }

  const listPortfoliosV1 = async (request: FastifyRequest, reply: FastifyReply) => {
    // v2 replaces this page-based list with a cursor-based one.
    reply.header('deprecation', 'true').header('sunset', V1_LIST_SUNSET).header('link', '</api/v2/portfolios>; rel="successor-version"');
    const paging = pageOf(request, reply);
    if (!paging) return reply;
    // The connection is cursor-based; a page is the tail of the first page × limit items.
    const data = await run<{ portfolios: { totalCount: number; edges: Array<{ node: unknown }> } }>(
      request,
      reply,
      `query($first: Int!) { portfolios(first: $first) { totalCount edges { node { ${PORTFOLIO_FIELDS} } } } }`,
      { first: paging.page * paging.limit },
    );
    if (!data) return reply;
    const { totalCount, edges } = data.portfolios;
    const items = edges.slice((paging.page - 1) * paging.limit).map((e) => e.node);
    const totalPages = Math.ceil(totalCount / paging.limit);
    return ok(request, reply, items, {
      pagination: { page: paging.page, limit: paging.limit, total: totalCount, totalPages, hasMore: paging.page < totalPages },
    });
  };

  /** v2: cursor pagination (?first=&after=) with the connection's pageInfo. */
  const listPortfoliosV2 = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, string | undefined>;
    const first = query.first === undefined ? 20 : Number(query.first);
    if (!Number.isInteger(first) || first < 1 || first > PAGE_MAX) {
      return sendError(request, reply, 'BAD_USER_INPUT', `first: must be a whole number from 1 to ${PAGE_MAX}`, [
        { field: 'first', message: `must be a whole number from 1 to ${PAGE_MAX}` },
      ]);
    }
    const data = await run<{ portfolios: { totalCount: number; pageInfo: unknown; edges: Array<{ node: unknown }> } }>(
      request,
      reply,
      `query($first: Int!, $after: String) { portfolios(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${PORTFOLIO_FIELDS} } } } }`,
      { first, after: query.after ?? null },
    );
    if (!data) return reply;
    return ok(
      request,
      reply,
      data.portfolios.edges.map((e) => e.node),
      { pageInfo: data.portfolios.pageInfo, totalCount: data.portfolios.totalCount },
    );
  };

  app.get(
    '/api/v1/portfolios',
    {
      schema: doc('portfolios', 'List your portfolios and those shared with you (page-based; deprecated by v2)', {
        querystring: query('page', 'limit'),
        deprecated: true,
      }),
    },
    listPortfoliosV1,
  );
  app.get(
    '/api/v2/portfolios',
    { schema: doc('portfolios', 'List your portfolios (cursor-based)', { querystring: query('first', 'after') }) },
    listPortfoliosV2,
  );
  // Unversioned path: `Accept-Version: 1|2` picks the version (1 when absent, as the seed's clients expect).
  app.get(
    '/api/portfolios',
    {
      schema: doc('portfolios', 'List portfolios; Accept-Version: 1|2 picks the version', {
        querystring: query('page', 'limit', 'first', 'after'),
      }),
    },
    async (request, reply) => {
      const version = String(request.headers['accept-version'] ?? '1').trim();
      reply.header('vary', 'Accept-Version');
      if (version === '2') return listPortfoliosV2(request, reply.header('content-version', '2'));
      if (version === '1') return listPortfoliosV1(request, reply.header('content-version', '1'));
      return sendError(request, reply, 'BAD_USER_INPUT', 'Accept-Version: must be 1 or 2', [
        { field: 'Accept-Version', message: 'must be 1 or 2' },
      ]);
    },
  );

  app.get('/api/v1/portfolios/:id', { schema: doc('portfolios', 'One portfolio', { params: params('id') }) }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const data = await run<{ portfolio: unknown }>(request, reply, `query($id: ID!) { portfolio(id: $id) { ${PORTFOLIO_FIELDS} } }`, {
      id,
    });
    if (!data) return reply;
    if (!data.portfolio) return sendError(request, reply, 'NOT_FOUND', 'Portfolio not found');
    return ok(request, reply, data.portfolio);
  });

  app.post(
    '/api/v1/portfolios',
    { schema: doc('portfolios', 'Create a portfolio (body: name, description, isPublic, baseCurrency)') },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const input = { name: body.name, description: body.description, isPublic: body.isPublic, baseCurrency: body.baseCurrency };
      const data = await run<{ createPortfolio: unknown }>(
        request,
        reply,
        `mutation($input: PortfolioInput!) { createPortfolio(input: $input) { ${PORTFOLIO_FIELDS} } }`,
        { input: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) },
      );
      if (!data) return reply;
      return ok(request, reply, data.createPortfolio, {}, 201);
    },
  );

  /** A portfolio field with arguments from the query string, 404 when the caller cannot see it. */
  const portfolioField =
    (field: string, selection: string, args: Record<string, string>) => async (request: FastifyRequest, reply: FastifyReply) => {
      const { id } = request.params as { id: string };
      const q = request.query as Record<string, string | undefined>;
      const variables: Record<string, unknown> = { id };
      for (const name of Object.keys(args)) if (q[name] !== undefined) variables[name] = q[name];
      const declared = Object.entries(args)
        .filter(([name]) => q[name] !== undefined)
        .map(([name, type]) => `, $${name}: ${type}`)
        .join('');
      const passed = Object.keys(args)
        .filter((name) => q[name] !== undefined)
        .map((name) => `${name}: $${name}`)
        .join(', ');
      const data = await run<{ portfolio: Record<string, unknown> | null }>(
        request,
        reply,
        `query($id: ID!${declared}) { portfolio(id: $id) { ${field}${passed ? `(${passed})` : ''} ${selection} } }`,
        variables,
      );
      if (!data) return reply;
      if (!data.portfolio) return sendError(request, reply, 'NOT_FOUND', 'Portfolio not found');
      return ok(request, reply, data.portfolio[field]);
    };

  app.get(
    '/api/v1/portfolios/:id/analytics',
    {
      schema: doc('analytics', 'Performance: time- and money-weighted returns with the daily series', {
        params: params('id'),
        querystring: query('from', 'to'),
      }),
    },
    portfolioField(
      'performance',
      '{ from to timeWeightedReturn moneyWeightedReturn annualizedReturn series { date value cumulativeReturn } }',
      { from: 'Date', to: 'Date' },
    ),
  );
  app.get(
    '/api/v1/portfolios/:id/risk',
    {
      schema: doc('analytics', 'Risk figures (volatility, Sharpe, Sortino, beta, drawdown, VaR)', {
        params: params('id'),
        querystring: query('from', 'to', 'benchmark'),
      }),
    },
    portfolioField(
      'risk',
      '{ from to observations benchmark beta sharpeRatio sortinoRatio maxDrawdown conditionalValueAtRisk parametricValueAtRisk riskFreeRate confidence }',
      {
        from: 'Date',
        to: 'Date',
        benchmark: 'String',
      },
    ),
  );

  app.delete(
    '/api/v1/portfolios/:id',
    { schema: doc('portfolios', 'Delete a portfolio (owner only)', { params: params('id') }) },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const data = await run<{ deletePortfolio: boolean }>(request, reply, `mutation($id: ID!) { deletePortfolio(id: $id) }`, { id });
      if (!data) return reply;
      return ok(request, reply, { deleted: data.deletePortfolio });
    },
  );

  app.post(
    '/api/v1/portfolios/:id/share',
    { schema: doc('share', 'Share with an account by email (body: email, permission)', { params: params('id') }) },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as Record<string, unknown>;
      const data = await run<{ sharePortfolio: unknown }>(
        request,
        reply,
        `mutation($id: ID!, $email: String!, $permission: Permission!) { sharePortfolio(portfolioId: $id, email: $email, permission: $permission) { id permission user { id email } } }`,
        { id, email: body.email, permission: body.permission },
      );
      if (!data) return reply;
      return ok(request, reply, data.sharePortfolio, {}, 201);
    },
  );

  app.delete(
    '/api/v1/portfolios/:id/share/:userId',
    { schema: doc('share', 'Stop sharing with a user', { params: params('id', 'userId') }) },
    async (request, reply) => {
      const { id, userId } = request.params as { id: string; userId: string };
      const data = await run<{ unsharePortfolio: boolean }>(
        request,
        reply,
        `mutation($id: ID!, $userId: ID!) { unsharePortfolio(portfolioId: $id, userId: $userId) }`,
        { id, userId },
      );
      if (!data) return reply;
      return ok(request, reply, { deleted: data.unsharePortfolio });
    },
  );

  const INVESTMENT_FIELDS = 'id symbol name type quantity purchasePrice purchaseDate sector notes costBasis createdAt updatedAt';

  app.post(
    '/api/v1/portfolios/:id/investments',
    {
      schema: doc('investments', 'Add an investment (body: symbol, quantity, purchasePrice, purchaseDate, ...)', { params: params('id') }),
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const data = await run<{ addInvestment: unknown }>(
        request,
        reply,
        `mutation($id: ID!, $input: InvestmentInput!) { addInvestment(portfolioId: $id, input: $input) { ${INVESTMENT_FIELDS} } }`,
        { id, input: request.body ?? {} },
      );
      if (!data) return reply;
      return ok(request, reply, data.addInvestment, {}, 201);
    },
  );

  app.delete(
    '/api/v1/portfolios/:id/investments/:investmentId',
    { schema: doc('investments', 'Remove an investment', { params: params('id', 'investmentId') }) },
    async (request, reply) => {
      const { investmentId } = request.params as { investmentId: string };
      const data = await run<{ removeInvestment: boolean }>(request, reply, `mutation($id: ID!) { removeInvestment(id: $id) }`, {
        id: investmentId,
      });
      if (!data) return reply;
      return ok(request, reply, { deleted: data.removeInvestment });
    },
  );

  app.get(
    '/api/v1/portfolios/:id/allocation',
    { schema: doc('analytics', 'Allocation by SYMBOL, TYPE, SECTOR or CURRENCY', { params: params('id'), querystring: query('by') }) },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const by = String((request.query as Record<string, unknown>).by ?? 'SYMBOL').toUpperCase();
      const data = await run<{ portfolio: { allocation: unknown } | null }>(
        request,
        reply,
        `query($id: ID!, $by: AllocationDimension!) { portfolio(id: $id) { allocation(by: $by) { key value weight } } }`,
        { id, by },
      );
      if (!data) return reply;
      if (!data.portfolio) return sendError(request, reply, 'NOT_FOUND', 'Portfolio not found');
      return ok(request, reply, data.portfolio.allocation);
    },
  );

  app.get(
    '/api/v1/portfolios/:id/activity',
    {
      schema: doc('activity', 'The audit trail, newest first (page-based)', { params: params('id'), querystring: query('page', 'limit') }),
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const paging = pageOf(request, reply);
      if (!paging) return reply;
      const data = await run<{ portfolio: { activity: { totalCount: number; edges: Array<{ node: unknown }> } } | null }>(
        request,
        reply,
        `query($id: ID!, $first: Int!) { portfolio(id: $id) { activity(first: $first) { totalCount edges { node { id action details createdAt actor { id name } } } } } }`,
        { id, first: paging.page * paging.limit },
      );
      if (!data) return reply;
      if (!data.portfolio) return sendError(request, reply, 'NOT_FOUND', 'Portfolio not found');
      const { totalCount, edges } = data.portfolio.activity;
      const totalPages = Math.ceil(totalCount / paging.limit);
      return ok(
        request,
        reply,
        edges.slice((paging.page - 1) * paging.limit).map((e) => e.node),
        {
          pagination: { page: paging.page, limit: paging.limit, total: totalCount, totalPages, hasMore: paging.page < totalPages },
        },
      );
    },
  );

  app.get(
    '/api/v1/market/search',
    { schema: doc('market', 'Search symbols by ticker or name', { querystring: query('q') }) },
    async (request, reply) => {
      const query = String((request.query as Record<string, unknown>).q ?? '');
      const data = await run<{ searchSymbols: unknown }>(
        request,
        reply,
        `query($q: String!) { searchSymbols(query: $q) { symbol name type currency exchange } }`,
        { q: query },
      );
      if (!data) return reply;
      return ok(request, reply, data.searchSymbols);
    },
  );

  app.get('/api/v1/auth/sessions', { schema: doc('auth', 'Your live sessions') }, async (request, reply) => {
    const data = await run<{ sessions: unknown }>(
      request,
      reply,
      `{ sessions { id current device ipAddress createdAt lastUsedAt expiresAt } }`,
    );
    if (!data) return reply;
    return ok(request, reply, data.sessions);
  });

  app.get(
    '/api/v1/market/quote/:symbol',
    { schema: doc('market', 'The latest quote of a symbol', { params: params('symbol') }) },
    async (request, reply) => {
      const { symbol } = request.params as { symbol: string };
      const data = await run<{ quote: unknown }>(
        request,
        reply,
        `query($symbol: String!) { quote(symbol: $symbol) { symbol price currency change changePercent source timestamp } }`,
        { symbol },
      );
      if (!data) return reply;
      if (!data.quote) return sendError(request, reply, 'NOT_FOUND', 'Symbol not found');
      return ok(request, reply, data.quote);
    },
  );
}
