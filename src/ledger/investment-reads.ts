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
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
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
 * The columns a page can carry, one bit each, in the order of the page's JSON arrays. A page
 * reads only those its document's Investment fields need (`columnsAsked`), which the read-path
 * profile called for: parsing the page JSON was ~13 % of Q2's busy time, most of it columns
 * (name, type, sector, notes, both timestamps) the benchmark's four fields never print.
 */
const enum Column {
  Id = 1 << 0,
  Symbol = 1 << 1,
  Name = 1 << 2,
  Type = 1 << 3,
  Quantity = 1 << 4,
  PurchasePrice = 1 << 5,
  PurchaseDate = 1 << 6,
  Sector = 1 << 7,
  Notes = 1 << 8,
  CreatedAt = 1 << 9,
  UpdatedAt = 1 << 10,
  All = (1 << 11) - 1,
}

/** The columns the asset gives (through the view's lookup), not the BUY. */
const ASSET_COLUMNS = Column.Name | Column.Type | Column.Sector;

/** Each column's SQL, in array order. */
const COLUMN_SQL: readonly [Column, string][] = [
  [Column.Id, 'p.id'],
  [Column.Symbol, 'p.symbol'],
  [Column.Name, 'p.name'],
  [Column.Type, 'p.type'],
  [Column.Quantity, 'trim_scale(p.quantity)::text'],
  [Column.PurchasePrice, 'trim_scale(p.purchase_price)::text'],
  [Column.PurchaseDate, 'p.purchase_date'],
  [Column.Sector, 'p.sector'],
  [Column.Notes, 'p.notes'],
  [Column.CreatedAt, 'floor(extract(epoch FROM p.created_at) * 1000)::bigint'],
  [Column.UpdatedAt, 'floor(extract(epoch FROM p.updated_at) * 1000)::bigint'],
];

/**
 * What each Investment field reads of its record. A field not named here (a new one) makes the
 * page read every column, so forgetting it costs speed, never a wrong answer; investment-paths.
 * test.ts lists the fields that are missing. The fields that load themselves through the Prisma
 * plugin (`select`: quote, marketValue, unrealizedGain; the `portfolio` relation) need the id.
 */
export const FIELD_COLUMNS: Readonly<Record<string, number>> = {
  __typename: 0,
  id: Column.Id,
  portfolio: Column.Id,
  symbol: Column.Symbol,
  name: Column.Name,
  type: Column.Type,
  quantity: Column.Quantity,
  purchasePrice: Column.PurchasePrice,
  purchaseDate: Column.PurchaseDate,
  sector: Column.Sector,
  notes: Column.Notes,
  costBasis: Column.Id,
  currency: Column.Id,
  createdAt: Column.CreatedAt,
  updatedAt: Column.UpdatedAt,
  quote: Column.Id,
  marketValue: Column.Id,
  unrealizedGain: Column.Id,
};

/** What the connection's own fields need: a cursor is the id. */
const CONNECTION_FIELD_COLUMNS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  edges: { __typename: 0, cursor: Column.Id },
  pageInfo: { __typename: 0, hasNextPage: 0, hasPreviousPage: 0, startCursor: Column.Id, endCursor: Column.Id },
};

/**
 * The columns the document's selection of this connection needs, through fragments; anything
 * not understood asks for every column.
 */
function columnsAsked(info: GraphQLResolveInfo): number {
  let columns = 0;
  const fieldsOf = (selectionSet: SelectionSetNode | undefined, visit: (field: FieldNode) => void, depth = 0): void => {
    if (!selectionSet) return;
    if (depth > 32) throw new RangeError('fragments nested too deep');
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) visit(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fieldsOf(selection.selectionSet, visit, depth + 1);
      else {
        const fragment = info.fragments[selection.name.value];
        if (!fragment) throw new RangeError(`unknown fragment ${selection.name.value}`);
        fieldsOf(fragment.selectionSet, visit, depth + 1);
      }
    }
  };
  const table = (known: Readonly<Record<string, number>>, name: string) => known[name] ?? Column.All;
  try {
    for (const connectionNode of info.fieldNodes) {
      fieldsOf(connectionNode.selectionSet, (field) => {
        const name = field.name.value;
        if (name === 'totalCount' || name === '__typename') return;
        const own = CONNECTION_FIELD_COLUMNS[name];
        if (!own) {
          columns |= Column.All;
          return;
        }
        fieldsOf(field.selectionSet, (inner) => {
          if (name === 'edges' && inner.name.value === 'node') {
            fieldsOf(inner.selectionSet, (nodeField) => (columns |= table(FIELD_COLUMNS, nodeField.name.value)));
          } else {
            columns |= table(own, inner.name.value);
          }
        });
      });
    }
  } catch {
    return Column.All;
  }
  return columns;
}

/** Reading a column the page did not load is a bug of FIELD_COLUMNS, never a silent undefined. */
function unread(field: string): never {
  throw new Error(`Investment.${field} was not read for this page (add the field to FIELD_COLUMNS in investment-reads.ts)`);
}

/**
 * One investment of a page: the fields of the Prisma record, read from the page's JSON array
 * (positional, see loadPages), those of the columns the page read. What arithmetic or other code
 * needs as objects (the two Decimals, the three Dates) is built on first use only: the GraphQL
 * fields print PostgreSQL's own text (`quantityText`, `purchaseDateText`: see decimalOutput /
 * purchaseDateOutput), so a page read for its scalars builds none. The read-path profile (Q2:
 * 1,000 nodes per request) showed the eager Decimal and Date construction and the garbage it
 * leaves (GC was ~40 % of the busy time).
 */
export class InvestmentRecord implements Investment {
  readonly portfolioId: string;
  readonly #row: InvestmentJson;
  readonly #columns: number;
  #quantity: Investment['quantity'] | undefined;
  #purchasePrice: Investment['purchasePrice'] | undefined;

  /** `portfolioId`: the page's portfolio (the page holds its investments only), not repeated per row. */
  constructor(row: InvestmentJson, portfolioId: string, columns: number) {
    this.#row = row;
    this.portfolioId = portfolioId;
    this.#columns = columns;
  }

  #read<I extends number>(column: Column, index: I, field: string): InvestmentJson[I] {
    return this.#columns & column ? this.#row[index] : unread(field);
  }

  get id(): string {
    return this.#read(Column.Id, 0, 'id');
  }

  get symbol(): string {
    return this.#read(Column.Symbol, 1, 'symbol');
  }

  get name(): string {
    return this.#read(Column.Name, 2, 'name');
  }

  get type(): Investment['type'] {
    return this.#read(Column.Type, 3, 'type');
  }

  /** PostgreSQL's canonical text of the numeric (trim_scale: no trailing fraction zeros), what the Decimal scalar prints. */
  get quantityText(): string {
    return this.#read(Column.Quantity, 4, 'quantity');
  }

  get purchasePriceText(): string {
    return this.#read(Column.PurchasePrice, 5, 'purchasePrice');
  }

  /** YYYY-MM-DD, what the Date scalar prints. */
  get purchaseDateText(): string {
    return this.#read(Column.PurchaseDate, 6, 'purchaseDate');
  }

  get sector(): string | null {
    return this.#read(Column.Sector, 7, 'sector');
  }

  get notes(): string | null {
    return this.#read(Column.Notes, 8, 'notes');
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
    return new Date(this.#read(Column.CreatedAt, 9, 'createdAt'));
  }

  get updatedAt(): Date {
    return new Date(this.#read(Column.UpdatedAt, 10, 'updatedAt'));
  }
}

/** One investment as the page's JSON array carries it (loadPages' json_build_array, in COLUMN_SQL's order; null where not read). */
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
async function loadPages(ctx: Context, portfolioIds: string[], page: PageQuery, columns: number): Promise<Map<string, LoadedPage>> {
  const forward = page.take > 0;
  const fromCursor =
    page.cursorId === null
      ? Prisma.empty
      : forward
        ? Prisma.sql`AND (i.created_at, i.id) >= (SELECT c.created_at, c.id FROM transactions c WHERE c.id = ${page.cursorId}::uuid AND c.type = 'BUY')`
        : Prisma.sql`AND (i.created_at, i.id) <= (SELECT c.created_at, c.id FROM transactions c WHERE c.id = ${page.cursorId}::uuid AND c.type = 'BUY')`;
  // The view `investments` looks up each BUY's asset (name, type, sector); a page that prints
  // none of them reads the BUYs themselves, in the view's column names.
  const source =
    columns & ASSET_COLUMNS
      ? Prisma.sql`investments`
      : Prisma.sql`(SELECT id, portfolio_id, symbol, NULL AS name, NULL AS type, quantity, price AS purchase_price, date AS purchase_date,
                           NULL AS sector, notes, created_at, updated_at FROM transactions WHERE type = 'BUY')`;
  const order = forward ? Prisma.sql`i.created_at ASC, i.id ASC` : Prisma.sql`i.created_at DESC, i.id DESC`;
  // The columns' SQL is this file's own text (COLUMN_SQL), never input.
  const selected = Prisma.raw(COLUMN_SQL.map(([column, sql]) => (columns & column ? sql : 'NULL')).join(', '));
  const rows = await ctx.services.db.$queryRaw<{ portfolio_id: string; page: string; total: number }[]>`
    SELECT ids.id::text AS portfolio_id,
      ${page.counted ? Prisma.sql`(SELECT count(*)::int FROM transactions n WHERE n.portfolio_id = ids.id AND n.type = 'BUY')` : Prisma.sql`0`} AS total,
      (SELECT coalesce(json_agg(json_build_array(${selected})
              ORDER BY p.created_at, p.id), '[]')::text
       FROM (SELECT i.* FROM ${source} i WHERE i.portfolio_id = ids.id ${fromCursor}
             ORDER BY ${order} OFFSET ${page.skip} LIMIT ${Math.abs(page.take)}) p) AS page
    FROM unnest(${portfolioIds}::uuid[]) AS ids(id)`;
  return new Map(
    rows.map((row) => [
      row.portfolio_id,
      {
        rows: (JSON.parse(row.page) as InvestmentJson[]).map((json) => new InvestmentRecord(json, row.portfolio_id, columns)),
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
        // Keys of the same page query share one statement, reading the columns any of them needs.
        const byQuery = new Map<string, { page: PageQuery; ids: Set<string>; columns: number }>();
        const queryOf = new Map<string, string>();
        for (const key of keys) {
          const [portfolioId, take, skip, cursorId, counted, columns] = key.split(' ') as [string, string, string, string, string, string];
          const query = `${take} ${skip} ${cursorId} ${counted}`;
          const group = byQuery.get(query) ?? {
            page: { take: Number(take), skip: Number(skip), cursorId: cursorId === '-' ? null : cursorId, counted: counted === 'counted' },
            ids: new Set<string>(),
            columns: 0,
          };
          group.ids.add(portfolioId);
          group.columns |= Number(columns);
          byQuery.set(query, group);
          queryOf.set(key, `${portfolioId} ${query}`);
        }
        const loaded = new Map<string, LoadedPage>();
        for (const [query, { page, ids, columns }] of byQuery) {
          const pages = await loadPages(ctx, [...ids], page, columns);
          for (const id of ids) loaded.set(`${id} ${query}`, pages.get(id) ?? { rows: [], totalCount: 0 });
        }
        return keys.map((key) => loaded.get(queryOf.get(key)!)!);
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
    `${portfolio.id} ${page.take} ${page.skip} ${page.cursorId ?? '-'} ${page.counted ? 'counted' : '-'} ${columnsAsked(info)}`,
  );
  return wrapPage(portfolio, rows, args, page, totalCount);
}
