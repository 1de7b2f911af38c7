/**
 * Tax-lot review: open lots whose unrealized loss is worth harvesting (selling to realize the
 * loss), for `Portfolio.taxLotSuggestions` and the monthly review email.
 *
 * A lot is suggested when, on the review date:
 * - it has a price (a quote, converted to the base currency at today's rate) and its unrealized
 *   loss, cost in base currency (at its own transaction's FX rate) − market value, is at least
 *   `minLoss` (the argument, else TAX_LOT_MIN_LOSS, in the portfolio's base currency);
 * - no BUY of the same symbol other than the lot's own is dated within 30 days before or after
 *   the review date (the wash-sale window: a purchase that close to a sale at a loss would
 *   disallow the loss). BUYs after the review date are ones recorded ahead of their date.
 * Largest loss first. The lots come from the ledger's replay (the portfolio's cost basis method),
 * valued the way `valuation` values them.
 */
import { Decimal } from 'decimal.js';
import type { HoldingInput, MarketService, QuoteLookup } from '../market/index.js';
import { addDays, isoDateOf } from '../platform/dates.js';
import { firstAnniversary, isLongTerm, type LedgerService } from '../ledger/index.js';
import { badInput } from '../platform/errors.js';

/** Days before and after a sale in which another BUY of the symbol makes its loss a wash sale. */
export const WASH_SALE_DAYS = 30;

export interface TaxLotSuggestion {
  symbol: string;
  lotId: string;
  /** The lot's open quantity (what to sell). */
  quantity: Decimal;
  /** Positive: how much below its cost the lot is, in `currency`. */
  unrealizedLoss: Decimal;
  /** The portfolio's base currency. */
  currency: string;
  reason: string;
}

export interface ValuedLot {
  id: string;
  symbol: string;
  openedOn: string;
  quantity: Decimal;
  /** Base currency. */
  costBasis: Decimal;
  /** Base currency; null without a price. */
  marketValue: Decimal | null;
}

/** The pure rule (no I/O): which of the valued open lots to suggest, given the portfolio's BUYs. */
export function suggestTaxLots(input: {
  lots: readonly ValuedLot[];
  buys: ReadonlyArray<{ id: string; symbol: string; date: string }>;
  today: string;
  minLoss: Decimal;
  currency: string;
}): TaxLotSuggestion[] {
  const windowFrom = addDays(input.today, -WASH_SALE_DAYS);
  const windowTo = addDays(input.today, WASH_SALE_DAYS);
  const suggestions: TaxLotSuggestion[] = [];
  for (const lot of input.lots) {
    if (lot.marketValue === null || lot.quantity.isZero()) continue;
    const loss = lot.costBasis.minus(lot.marketValue);
    if (!loss.isPositive() || loss.isZero() || loss.lessThan(input.minLoss)) continue;
    const conflict = input.buys.some((b) => b.symbol === lot.symbol && b.id !== lot.id && b.date >= windowFrom && b.date <= windowTo);
    if (conflict) continue;
    // IRS Publication 550, as the ledger counts realized gains: long term only after the anniversary.
    const anniversary = firstAnniversary(lot.openedOn);
    const term = isLongTerm(lot.openedOn, input.today)
      ? 'long-term loss if sold today'
      : `short-term loss if sold today (long term only if sold after ${anniversary}, the first anniversary of its purchase)`;
    const percent = lot.costBasis.isZero() ? '' : ` (${loss.div(lot.costBasis).times(100).toFixed(1)} % of its cost)`;
    suggestions.push({
      symbol: lot.symbol,
      lotId: lot.id,
      quantity: lot.quantity,
      unrealizedLoss: loss,
      currency: input.currency,
      reason:
        `${lot.quantity.toFixed()} ${lot.symbol} bought ${lot.openedOn} are ${loss.toFixed(2)} ${input.currency} below cost${percent}, ` +
        `a ${term}; no other BUY of ${lot.symbol} from ${windowFrom} to ${windowTo}, so selling now is no wash sale as far as this portfolio shows (purchases in your other portfolios and accounts are not checked).`,
    });
  }
  return suggestions.sort((a, b) => b.unrealizedLoss.comparedTo(a.unrealizedLoss) || (a.lotId < b.lotId ? -1 : 1));
}

export class TaxLotReview {
  constructor(private readonly deps: { ledger: LedgerService; market: MarketService; defaultMinLoss: string; now: () => Date }) {}

  /** The default threshold (TAX_LOT_MIN_LOSS), in base currency. */
  get defaultMinLoss(): Decimal {
    return new Decimal(this.deps.defaultMinLoss);
  }

  /** A portfolio's suggestions now (empty for a portfolio that does not exist). */
  async suggestions(
    portfolio: { id: string; ownerId: string },
    minLoss?: Decimal | null,
    lookup?: QuoteLookup,
  ): Promise<TaxLotSuggestion[]> {
    if (minLoss != null && minLoss.isNegative()) throw badInput([{ field: 'minLoss', message: 'must not be negative' }]);
    const threshold = minLoss ?? this.defaultMinLoss;
    const view = await this.deps.ledger.view(portfolio.id);
    if (!view) return [];
    const open = view.state.lots.filter((lot) => !lot.remainingQuantity.isZero());
    if (open.length === 0) return [];
    const holdings: HoldingInput[] = open.map((lot) => ({
      id: lot.id,
      symbol: lot.symbol,
      type: 'OTHER',
      sector: null,
      quantity: lot.remainingQuantity.toFixed(),
      purchasePrice: lot.costPerShareBase.toFixed(),
    }));
    const today = isoDateOf(this.deps.now());
    const symbols = [...new Set(open.map((lot) => lot.symbol))];
    const [valuation, buys] = await Promise.all([
      this.deps.market.valueHoldings({ id: portfolio.id, ownerId: portfolio.ownerId, baseCurrency: view.baseCurrency }, holdings, lookup, {
        costsInBaseCurrency: true,
      }),
      this.deps.ledger.buysBetween(portfolio.id, symbols, addDays(today, -WASH_SALE_DAYS), addDays(today, WASH_SALE_DAYS)),
    ]);
    const lots = valuation.holdings.map((h, i): ValuedLot => ({
      id: open[i]!.id,
      symbol: open[i]!.symbol,
      openedOn: open[i]!.openedOn,
      quantity: open[i]!.remainingQuantity,
      costBasis: new Decimal(h.costBasis.toFixed()),
      marketValue: h.marketValue && new Decimal(h.marketValue.toFixed()),
    }));
    return suggestTaxLots({ lots, buys, today, minLoss: threshold, currency: view.baseCurrency });
  }
}
