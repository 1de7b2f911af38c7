/**
 * Portfolio.investments, read with one typed SQL statement per request: the page of every
 * portfolio the request reaches, whatever their number (a per-request dataloader), each page built
 * by PostgreSQL as one JSON text and mapped to Investment records once, here.
 *
 * Why not Prisma here: a CPU profile of the read-path benchmark (Q1: one portfolio × 50
 * investments; Q2: 20 × 50) spent ~25 % of the API's busy time in Prisma's client mapping the
 * investment rows (its query interpreter converts every column of every row, Decimals and
 * timestamps included) and ~20 % in garbage collection, against 1–2 % in pg itself. Prisma offers
 * nothing cheaper for a nested page per parent: `relationJoins` still maps every row and column in
 * JS, and Pothos' select mode (only the asked-for columns) re-reads each node under graphql-jit.
 *
 * The semantics are exactly those of the Pothos `relatedConnection` this replaced (cursor `id`,
 * oldest first, ties by id): a page query as Pothos builds it ({ take, skip, cursor }), turned into
 * SQL the way Prisma runs it (rows from the cursor row's (created_at, id) on, the cursor row itself
 * skipped; a cursor whose row is gone gives an empty page; a backward page keeps the order), and
 * the connection (edges, cursors, pageInfo) wrapped by the Prisma plugin's own helper.
 */
import { getConnectionPageSize, PothosValidationError, validateConnectionArguments } from '@pothos/core';
import { parsePrismaCursor, prismaConnectionHelpers } from '@pothos/plugin-prisma';
import type { DefaultConnectionArguments } from '@pothos/plugin-relay';
import DataLoader from 'dataloader';
import { Kind, type GraphQLResolveInfo } from 'graphql';
import type { Investment } from '../generated/prisma/client.js';
import { builder } from '../graphql/builder.js';
import { checkedPageSize } from '../graphql/connection-args.js';
import { perRequest, type Context } from '../graphql/context.js';
import { Prisma } from '../platform/db.js';

/** What Pothos' page query says: how many rows (negative: backwards), how many to skip, from which cursor row. */
interface PageQuery {
  take: number;
  skip: number;
  cursorId: string | null;
  /** Whether the document asks for totalCount (else PostgreSQL need not count). */
  counted: boolean;
}

/** The builder's defaults, as the relatedConnection used them. */
const DEFAULT_PAGE_SIZE = 20;

/**
 * The page query for connection arguments, checked in the order the Prisma plugin checks them
 * (argument shapes, then combinations, then checkedPageSize's limits), so a bad request is refused
 * with the same error as before.
 */
function pageQuery(args: DefaultConnectionArguments, counted: boolean): PageQuery {
  validateConnectionArguments(args);
  const { before, after, first, last } = args;
  if (before && after) throw new PothosValidationError('Arguments "before" and "after" are not supported at the same time');
  if (before != null && first != null) throw new PothosValidationError('Arguments "before" and "first" are not supported at the same time');
  if (after != null && last != null) throw new PothosValidationError('Arguments "after" and "last" are not supported at the same time');
  const { limit } = getConnectionPageSize({ args, defaultSize: DEFAULT_PAGE_SIZE, maxSize: checkedPageSize(args) });
  const take = before != null || last != null ? -limit : limit;
  const cursor = before ?? after;
  return cursor == null
    ? { take, skip: 0, cursorId: null, counted }
    : { take, skip: 1, cursorId: parsePrismaCursor(cursor) as string, counted };
}

/** Whether the connection's selection may include totalCount: named directly, or possibly inside a fragment. */
function asksTotalCount(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.some((node) =>
    (node.selectionSet?.selections ?? []).some((selection) => selection.kind !== Kind.FIELD || selection.name.value === 'totalCount'),
  );
}

/** One investment as the page's JSON carries it: text for decimals, epoch milliseconds for instants. */
interface InvestmentJson {
  id: string;
  portfolioId: string;
  symbol: string;
  name: string;
  type: Investment['type'];
  quantity: string;
  purchasePrice: string;
  purchaseDate: string;
  sector: string | null;
  notes: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The row mapping, once per investment: the same record Prisma would return. */
function investmentOf(row: InvestmentJson): Investment {
  return {
    id: row.id,
    portfolioId: row.portfolioId,
    symbol: row.symbol,
    name: row.name,
    type: row.type,
    quantity: new Prisma.Decimal(row.quantity),
    purchasePrice: new Prisma.Decimal(row.purchasePrice),
    // A YYYY-MM-DD text parses as UTC midnight, as Prisma reads a @db.Date.
    purchaseDate: new Date(row.purchaseDate),
    sector: row.sector,
    notes: row.notes,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  };
}

interface LoadedPage {
  rows: Investment[];
  totalCount: number;
}

/** Pages of several portfolios with the same page query, in one statement. */
async function loadPages(ctx: Context, portfolioIds: string[], page: PageQuery): Promise<Map<string, LoadedPage>> {
  const forward = page.take > 0;
  const fromCursor =
    page.cursorId === null
      ? Prisma.empty
      : forward
        ? Prisma.sql`AND (i.created_at, i.id) >= (SELECT c.created_at, c.id FROM investments c WHERE c.id = ${page.cursorId}::uuid)`
        : Prisma.sql`AND (i.created_at, i.id) <= (SELECT c.created_at, c.id FROM investments c WHERE c.id = ${page.cursorId}::uuid)`;
  const order = forward ? Prisma.sql`i.created_at ASC, i.id ASC` : Prisma.sql`i.created_at DESC, i.id DESC`;
  const rows = await ctx.services.db.$queryRaw<{ portfolio_id: string; page: string; total: number }[]>`
    SELECT ids.id::text AS portfolio_id,
      ${page.counted ? Prisma.sql`(SELECT count(*)::int FROM investments n WHERE n.portfolio_id = ids.id)` : Prisma.sql`0`} AS total,
      (SELECT coalesce(json_agg(json_build_object(
                'id', p.id, 'portfolioId', p.portfolio_id, 'symbol', p.symbol, 'name', p.name, 'type', p.type,
                'quantity', p.quantity::text, 'purchasePrice', p.purchase_price::text,
                'purchaseDate', p.purchase_date, 'sector', p.sector, 'notes', p.notes,
                'createdAt', floor(extract(epoch FROM p.created_at) * 1000)::bigint,
                'updatedAt', floor(extract(epoch FROM p.updated_at) * 1000)::bigint)
              ORDER BY p.created_at, p.id), '[]')::text
       FROM (SELECT i.* FROM investments i WHERE i.portfolio_id = ids.id ${fromCursor}
             ORDER BY ${order} OFFSET ${page.skip} LIMIT ${Math.abs(page.take)}) p) AS page
    FROM unnest(${portfolioIds}::uuid[]) AS ids(id)`;
  return new Map(
    rows.map((row) => [row.portfolio_id, { rows: (JSON.parse(row.page) as InvestmentJson[]).map(investmentOf), totalCount: row.total }]),
  );
}

const PAGE_LOADER = Symbol('portfolios.investmentPages');

/** Keyed by portfolio id and page query; a batch runs one statement per distinct page query (usually one). */
function investmentPages(ctx: Context): DataLoader<string, LoadedPage> {
  return perRequest(
    ctx,
    PAGE_LOADER,
    () =>
      new DataLoader<string, LoadedPage>(async (keys) => {
        const byQuery = new Map<string, { page: PageQuery; ids: Set<string> }>();
        for (const key of keys) {
          const [portfolioId, take, skip, cursorId, counted] = key.split(' ') as [string, string, string, string, string];
          const query = `${take} ${skip} ${cursorId} ${counted}`;
          const group = byQuery.get(query) ?? {
            page: { take: Number(take), skip: Number(skip), cursorId: cursorId === '-' ? null : cursorId, counted: counted === 'counted' },
            ids: new Set<string>(),
          };
          group.ids.add(portfolioId);
          byQuery.set(query, group);
        }
        const loaded = new Map<string, LoadedPage>();
        for (const [query, { page, ids }] of byQuery) {
          const pages = await loadPages(ctx, [...ids], page);
          for (const id of ids) loaded.set(`${id} ${query}`, pages.get(id) ?? { rows: [], totalCount: 0 });
        }
        return keys.map((key) => loaded.get(key)!);
      }),
  );
}

/** The Prisma plugin's wrapping of a page into a connection (cursors, pageInfo), as relatedConnection wraps it. */
const connectionHelpers = prismaConnectionHelpers(builder, 'Investment', { cursor: 'id', maxSize: checkedPageSize });

/** A page of a portfolio's investments as a connection, with its portfolio's total for `totalCount`. */
export async function investmentConnection(
  ctx: Context,
  portfolio: { id: string },
  args: DefaultConnectionArguments,
  info: GraphQLResolveInfo,
) {
  const page = pageQuery(args, asksTotalCount(info));
  const { rows, totalCount } = await investmentPages(ctx).load(
    `${portfolio.id} ${page.take} ${page.skip} ${page.cursorId ?? '-'} ${page.counted ? 'counted' : '-'}`,
  );
  return { ...connectionHelpers.resolve(rows, args, ctx, portfolio), totalCount };
}
