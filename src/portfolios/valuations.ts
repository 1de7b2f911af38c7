/**
 * Portfolio valuations: a portfolio's holdings (the ledger's open lots when the app supplies the
 * ledger, else its investments) valued through market's door. Market knows quotes and FX rates,
 * not who holds what; portfolios owns the holdings.
 */
import type { HoldingInput, MarketService, PortfolioHeader, PortfolioValuation, QuoteLookup } from '../market/index.js';
import type { Db } from '../platform/db.js';

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
   * The distinct symbols held by each of these portfolios (their investments), in one statement:
   * the alert evaluator watches them for portfolio alerts.
   */
  heldSymbols(portfolioIds: readonly string[]): Promise<Array<{ portfolioId: string; symbol: string }>> {
    return this.deps.db.$queryRaw<Array<{ portfolioId: string; symbol: string }>>`
      SELECT DISTINCT portfolio_id::text AS "portfolioId", symbol FROM investments WHERE portfolio_id = ANY(${portfolioIds}::uuid[])`;
  }

  /** A portfolio's name, owner and base currency (a report's heading); throws Prisma's not-found error when there is none. */
  heading(portfolioId: string): Promise<{ name: string; baseCurrency: string; ownerId: string }> {
    return this.deps.db.portfolio.findUniqueOrThrow({
      where: { id: portfolioId },
      select: { name: true, baseCurrency: true, ownerId: true },
    });
  }

  /** True when the portfolio held an investment bought on or before `date` (the weekly report job skips it otherwise). */
  async hasHoldingsBy(portfolioId: string, date: string): Promise<boolean> {
    const where = { portfolioId, purchaseDate: { lte: new Date(`${date}T00:00:00Z`) } };
    return (await this.deps.db.investment.count({ where })) > 0;
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
