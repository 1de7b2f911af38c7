/**
 * Portfolio valuations: a portfolio's holdings (the ledger's open lots when the app supplies the
 * ledger, else its investments) valued through market's door. Market knows quotes and FX rates,
 * not who holds what; portfolios owns the holdings.
 */
import type { HoldingInput, MarketService, PortfolioHeader, PortfolioValuation, QuoteLookup, SymbolHolder } from '../market/index.js';
import type { Db } from '../platform/db.js';
import { portfolioHeading, portfolioHeadings, portfolioPage, type PortfolioHeading, type PortfolioPageEntry } from '../portfolios/index.js';

/** The investment columns a valuation reads. */
export const HOLDING_FIELDS = { id: true, symbol: true, type: true, sector: true, quantity: true, purchasePrice: true } as const;

/** The one "portfolio with its holdings" select: what a portfolio's valuation reads. */
export const PORTFOLIO_WITH_HOLDINGS = { id: true, ownerId: true, baseCurrency: true, investments: { select: HOLDING_FIELDS } } as const;

const PORTFOLIO_HEADER = { id: true, ownerId: true, baseCurrency: true } as const;

/** A portfolio's holdings from the ledger (its open lots, cost in base currency); null: no such portfolio. */
export type HoldingsSource = (portfolioId: string) => Promise<HoldingInput[] | null>;

export interface LoadedHoldings {
  header: PortfolioHeader;
  holdings: HoldingInput[];
}

/**
 * The distinct symbols held in any portfolio (its investments), in symbol order, leaving out a
 * holding whose owner and symbol are in `except`, in one statement: market's HeldSymbolsSource,
 * which the price feed asks every ~30 s (`except`: the owners' custom assets).
 */
export async function heldSymbolsExcept(db: Db, except: readonly SymbolHolder[]): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ symbol: string }>>`
    SELECT DISTINCT i.symbol
    FROM transactions i JOIN portfolios p ON p.id = i.portfolio_id
    WHERE i.type = 'BUY' AND NOT EXISTS (SELECT 1 FROM unnest(${except.map((e) => e.ownerId)}::uuid[], ${except.map((e) => e.symbol)}::text[]) AS e(owner_id, symbol)
                      WHERE e.owner_id = p.owner_id AND e.symbol = i.symbol)
    ORDER BY i.symbol`;
  return rows.map((r) => r.symbol);
}

/** A portfolio's investments bought by a day, with its ledger version then (a snapshot batch). */
export interface HoldingsOnDay {
  id: string;
  ownerId: string;
  baseCurrency: string;
  /** ledger_versions.version when read (0 without a row), as text. */
  ledgerVersion: string;
  /** Exact decimal text. */
  holdings: Array<{ symbol: string; quantity: string; purchasePrice: string }>;
}

export class PortfolioValuations {
  constructor(
    private readonly deps: {
      db: Db;
      market: Pick<MarketService, 'valueHoldings'>;
      /** The ledger's open lots; without it (the worker processes today) investments are valued. */
      ledgerHoldings?: HoldingsSource;
    },
  ) {}

  /** True when holdings come from the ledger: their costs are then in base currency, and valuations convert. */
  get costsInBaseCurrency(): boolean {
    return this.deps.ledgerHoldings !== undefined;
  }

  /** A portfolio's holdings for valuation: the ledger's open lots, or `fallback` (its investments) without a ledger. */
  async holdingsFor(portfolioId: string, fallback: readonly HoldingInput[]): Promise<HoldingInput[]> {
    return (this.deps.ledgerHoldings && (await this.deps.ledgerHoldings(portfolioId))) ?? [...fallback];
  }

  /**
   * A portfolio's header and holdings; null when there is no such portfolio. With the ledger the
   * investments are not read (the ledger supplies the holdings).
   */
  async load(portfolioId: string): Promise<LoadedHoldings | null> {
    const { db, ledgerHoldings } = this.deps;
    if (!ledgerHoldings) {
      const row = await db.portfolio.findUnique({ where: { id: portfolioId }, select: PORTFOLIO_WITH_HOLDINGS });
      return row && { header: { id: row.id, ownerId: row.ownerId, baseCurrency: row.baseCurrency }, holdings: [...row.investments] };
    }
    const [header, holdings] = await Promise.all([
      db.portfolio.findUnique({ where: { id: portfolioId }, select: PORTFOLIO_HEADER }),
      ledgerHoldings(portfolioId),
    ]);
    return header && holdings ? { header, holdings } : null;
  }

  /**
   * Each of these portfolios' name and the distinct symbols it holds (its investments), in one
   * statement: the alert evaluator names portfolio alerts with it and watches their symbols.
   * Portfolios that do not exist are left out.
   */
  watchedPortfolios(portfolioIds: readonly string[]): Promise<Array<{ portfolioId: string; name: string; symbols: string[] }>> {
    return this.deps.db.$queryRaw<Array<{ portfolioId: string; name: string; symbols: string[] }>>`
      SELECT p.id::text AS "portfolioId", p.name,
             coalesce((SELECT array_agg(DISTINCT i.symbol::text) FROM transactions i WHERE i.portfolio_id = p.id AND i.type = 'BUY'), ARRAY[]::text[]) AS symbols
      FROM portfolios p WHERE p.id = ANY(${portfolioIds}::uuid[])`;
  }

  /** A portfolio's name, owner and base currency (a report's heading); throws Prisma's not-found error when there is none. */
  heading(portfolioId: string): Promise<PortfolioHeading> {
    return portfolioHeading(this.deps.db, portfolioId);
  }

  /** The names, owners and base currencies of these portfolios (batched `heading`), in one statement; missing ones are left out. */
  headings(portfolioIds: readonly string[]): Promise<Array<PortfolioHeading & { id: string }>> {
    return portfolioHeadings(this.deps.db, portfolioIds);
  }

  /**
   * Up to `size` portfolios after `after` in id order (keyset paging; null: from the first), in
   * one statement: the reports jobs walk every portfolio with it.
   */
  page(after: string | null, size: number): Promise<PortfolioPageEntry[]> {
    return portfolioPage(this.deps.db, after, size);
  }

  /**
   * Up to `size` portfolios after `after` in id order (keyset paging; null: from the first), each
   * with its investments bought on or before `date` and its ledger version, in one statement
   * whatever the number of holdings: the daily snapshot job values a batch with them. The version
   * is read with the holdings, so a ledger fingerprint taken later at the same version describes
   * exactly these holdings (versions only rise).
   */
  holdingsOn(after: string | null, size: number, date: string, only: string | null = null): Promise<HoldingsOnDay[]> {
    return this.deps.db.$queryRaw<HoldingsOnDay[]>`
      SELECT p.id::text AS id, p.owner_id::text AS "ownerId", p.base_currency AS "baseCurrency",
             coalesce((SELECT v.version FROM ledger_versions v WHERE v.portfolio_id = p.id), 0)::text AS "ledgerVersion",
             coalesce((SELECT json_agg(json_build_object('symbol', i.symbol, 'quantity', i.quantity::text,
                                                         'purchasePrice', i.price::text) ORDER BY i.id)
                       FROM transactions i WHERE i.portfolio_id = p.id AND i.type = 'BUY' AND i.date <= ${date}::date), '[]'::json) AS holdings
      FROM portfolios p
      WHERE p.id > ${after ?? '00000000-0000-0000-0000-000000000000'}::uuid AND (${only}::uuid IS NULL OR p.id = ${only}::uuid)
      ORDER BY p.id
      LIMIT ${size}`;
  }

  /** True when the portfolio held an investment bought on or before `date` (the weekly report job skips it otherwise). */
  async hasHoldingsBy(portfolioId: string, date: string): Promise<boolean> {
    const where = { portfolioId, type: 'BUY' as const, date: { lte: new Date(`${date}T00:00:00Z`) } };
    return (await this.deps.db.transaction.count({ where })) > 0;
  }

  /** The valuation of holdings already loaded (the live stream recomputes with this per tick). */
  value(portfolio: PortfolioHeader, holdings: readonly HoldingInput[], lookup?: QuoteLookup): Promise<PortfolioValuation> {
    return this.deps.market.valueHoldings(portfolio, holdings, lookup, { costsInBaseCurrency: this.costsInBaseCurrency });
  }

  /**
   * A portfolio's valuation from its holdings and their quotes (one batched lookup, custom assets
   * of the portfolio's owner included); null when there is no such portfolio.
   * No access check: the caller decides who may see it (the alert evaluator, the report job).
   */
  async valuePortfolio(portfolioId: string): Promise<PortfolioValuation | null> {
    const loaded = await this.load(portfolioId);
    return loaded ? this.value(loaded.header, loaded.holdings) : null;
  }
}
