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
 * the connection (edges, cursors, pageInfo) wrapped as the Prisma plugin's own helper wraps it
 * (wrapPage: the same page and flags, cursors encoded only when asked for).
 */
import { getConnectionPageSize, PothosValidationError, validateConnectionArguments } from '@pothos/core';
import { formatPrismaCursor, parsePrismaCursor } from '@pothos/plugin-prisma';
import type { DefaultConnectionArguments } from '@pothos/plugin-relay';
import DataLoader from 'dataloader';
import { Kind, type GraphQLResolveInfo } from 'graphql';
import type { Investment } from '../generated/prisma/client.js';
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

/**
 * One investment of a page: the fields of the Prisma record, read from the page's JSON array
 * (positional, see loadPages). What arithmetic or other code needs as objects (the two Decimals,
 * the three Dates) is built on first use only: the GraphQL fields print PostgreSQL's own text
 * (`quantityText`, `purchaseDateText`: see decimalOutput / dateOutput), so a page read for its
 * scalars builds none. The read-path profile (Q2: 1,000 nodes per request) showed the eager
 * Decimal and Date construction and the garbage it leaves (GC was ~40 % of the busy time).
 */
export class InvestmentRecord implements Investment {
  readonly id: string;
  readonly portfolioId: string;
  readonly symbol: string;
  readonly name: string;
  readonly type: Investment['type'];
  /** PostgreSQL's canonical text of the numeric (trim_scale: no trailing fraction zeros), what the Decimal scalar prints. */
  readonly quantityText: string;
  readonly purchasePriceText: string;
  /** YYYY-MM-DD, what the Date scalar prints. */
  readonly purchaseDateText: string;
  readonly sector: string | null;
  readonly notes: string | null;
  private readonly createdAtMs: number;
  private readonly updatedAtMs: number;
  #quantity: Investment['quantity'] | undefined;
  #purchasePrice: Investment['quantity'] | undefined;

  /** `portfolioId`: the page's portfolio (the page holds its investments only), not repeated per row. */
  constructor(row: InvestmentJson, portfolioId: string) {
    this.id = row[0];
    this.portfolioId = portfolioId;
    this.symbol = row[1];
    this.name = row[2];
    this.type = row[3];
    this.quantityText = row[4];
    this.purchasePriceText = row[5];
    this.purchaseDateText = row[6];
    this.sector = row[7];
    this.notes = row[8];
    this.createdAtMs = row[9];
    this.updatedAtMs = row[10];
  }

  get quantity(): Investment['quantity'] {
    return (this.#quantity ??= new Prisma.Decimal(this.quantityText));
  }

  get purchasePrice(): Investment['purchasePrice'] {
    return (this.#purchasePrice ??= new Prisma.Decimal(this.purchasePriceText));
  }

  /** A YYYY-MM-DD text parses as UTC midnight, as Prisma reads a @db.Date. */
  get purchaseDate(): Date {
    return new Date(this.purchaseDateText);
  }

  get createdAt(): Date {
    return new Date(this.createdAtMs);
  }

  get updatedAt(): Date {
    return new Date(this.updatedAtMs);
  }
}

/** One investment as the page's JSON array carries it (loadPages' json_build_array, in this order). */
type InvestmentJson = [
  id: string,
  symbol: string,
  name: string,
  type: Investment['type'],
  quantity: string,
  purchasePrice: string,
  purchaseDate: string,
  sector: string | null,
  notes: string | null,
  createdAt: number,
  updatedAt: number,
];

/** What the Decimal scalar prints for an investment's decimal field: the record's text when it carries one. */
export function decimalOutput(investment: Investment, field: 'quantity' | 'purchasePrice'): Investment['quantity'] | string {
  if (!(investment instanceof InvestmentRecord)) return investment[field];
  return field === 'quantity' ? investment.quantityText : investment.purchasePriceText;
}

/** What the Date scalar prints for purchaseDate: the record's YYYY-MM-DD text when it carries one. */
export function purchaseDateOutput(investment: Investment): Date | string {
  return investment instanceof InvestmentRecord ? investment.purchaseDateText : investment.purchaseDate;
}

interface LoadedPage {
  rows: InvestmentRecord[];
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
      (SELECT coalesce(json_agg(json_build_array(
                p.id, p.symbol, p.name, p.type,
                trim_scale(p.quantity)::text, trim_scale(p.purchase_price)::text,
                p.purchase_date, p.sector, p.notes,
                floor(extract(epoch FROM p.created_at) * 1000)::bigint,
                floor(extract(epoch FROM p.updated_at) * 1000)::bigint)
              ORDER BY p.created_at, p.id), '[]')::text
       FROM (SELECT i.* FROM investments i WHERE i.portfolio_id = ids.id ${fromCursor}
             ORDER BY ${order} OFFSET ${page.skip} LIMIT ${Math.abs(page.take)}) p) AS page
    FROM unnest(${portfolioIds}::uuid[]) AS ids(id)`;
  return new Map(
    rows.map((row) => [
      row.portfolio_id,
      {
        rows: (JSON.parse(row.page) as InvestmentJson[]).map((json) => new InvestmentRecord(json, row.portfolio_id)),
        totalCount: row.total,
      },
    ]),
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

/**
 * An edge of a page: its cursor (the Prisma plugin's own encoding, `formatPrismaCursor` on `id`,
 * so cursors read back through parsePrismaCursor as before) is encoded when a client asks for it,
 * not for every edge (base64 through a Buffer per edge was ~2 % of the read path's profile).
 */
class InvestmentEdgeRecord {
  constructor(
    readonly connection: InvestmentConnectionRecord,
    readonly node: InvestmentRecord,
  ) {}

  get cursor(): string {
    return cursorOf(this.node);
  }
}

function cursorOf(node: InvestmentRecord): string {
  return formatPrismaCursor({ id: node.id }, 'id');
}

/** The connection's pageInfo; start and end cursors encoded when asked for, like the edges'. */
class InvestmentPageInfo {
  constructor(
    private readonly nodes: readonly InvestmentRecord[],
    readonly hasPreviousPage: boolean,
    readonly hasNextPage: boolean,
  ) {}

  get startCursor(): string | null {
    const first = this.nodes[0];
    return first ? cursorOf(first) : null;
  }

  get endCursor(): string | null {
    const last = this.nodes[this.nodes.length - 1];
    return last ? cursorOf(last) : null;
  }
}

interface InvestmentConnectionRecord {
  parent: { id: string };
  args: DefaultConnectionArguments;
  totalCount: number;
  edges: InvestmentEdgeRecord[];
  pageInfo: InvestmentPageInfo;
}

/**
 * A page wrapped into a connection exactly as the Prisma plugin's helper (`wrapConnectionResult`,
 * which relatedConnection used) wraps it: `rows` has one row beyond the page when there is more,
 * which is dropped (the first row of a backward page, the last of a forward one) and decides
 * hasNextPage / hasPreviousPage. Only its cursors are lazy (above).
 */
function wrapPage(parent: { id: string }, rows: InvestmentRecord[], args: DefaultConnectionArguments, page: PageQuery, totalCount: number) {
  const take = page.take;
  const gotFullResults = rows.length === Math.abs(take);
  // Compared against null rather than truthiness: `last: 0` is a backward page of zero rows.
  const backward = args.before != null || args.last != null;
  const hasNextPage = args.before != null ? true : args.last != null ? false : gotFullResults;
  const hasPreviousPage = args.after != null ? true : backward ? gotFullResults : false;
  const nodes = gotFullResults ? rows.slice(take < 0 ? 1 : 0, take < 0 ? rows.length : -1) : rows;
  const connection: InvestmentConnectionRecord = {
    parent,
    args,
    totalCount,
    edges: [],
    pageInfo: new InvestmentPageInfo(nodes, hasPreviousPage, hasNextPage),
  };
  connection.edges = nodes.map((node) => new InvestmentEdgeRecord(connection, node));
  return connection;
}

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
  return wrapPage(portfolio, rows, args, page, totalCount);
}
