/**
 * The rebalancing plan's report: trades toward target weights at current quotes (never cached,
 * never in a worker thread: the plan itself takes microseconds).
 */
import { planRebalance } from './core/index.js';
import { KEY_OF, type AllocationDimension, type PortfolioValuation } from '../market/index.js';
import { Money } from '../platform/money.js';
import type { Decimal } from 'decimal.js';
import type { CheckedRebalance } from './inputs.js';
import type { SnapshotAsset } from './read-model.js';

export interface RebalanceTradeReport {
  symbol: string;
  action: 'BUY' | 'SELL';
  quantity: string;
  price: string;
  value: string;
}

export interface RebalanceReport {
  dimension: AllocationDimension;
  driftTolerance: number;
  trades: RebalanceTradeReport[];
  driftBefore: number;
  driftAfter: number;
  unreachable: string[];
  netCash: string;
}

/** Types traded in whole units when listed on an exchange; everything else trades in fractions. */
const WHOLE_UNIT_TYPES = new Set(['STOCK', 'ETF', 'BOND']);

/**
 * Trades toward the targets at current prices (a holding without a quote at its purchase price,
 * as the valuation counts it). Whole units for exchange-listed stocks, ETFs and bonds; fractions
 * (8 decimals) for crypto, funds and anything not listed. Holdings worth nothing a unit cannot
 * be traded and are left out. Quantities and values are exact: value = quantity × price.
 */
export function rebalanceReport(
  valuation: PortfolioValuation,
  assets: ReadonlyMap<string, SnapshotAsset>,
  checked: CheckedRebalance,
): RebalanceReport {
  const keyOf = KEY_OF[checked.by];
  const priceOf = new Map<string, Decimal>();
  const holdings = valuation.holdings.flatMap((h) => {
    const price = new Money(h.quote?.price ?? h.holding.purchasePrice.toString());
    if (price.lte(0)) return [];
    priceOf.set(h.holding.symbol, price);
    const asset = assets.get(h.holding.symbol);
    const type = asset?.type ?? h.holding.type;
    return [
      {
        symbol: h.holding.symbol,
        key: keyOf(h),
        price: price.toNumber(),
        quantity: Number(h.holding.quantity.toString()),
        fractional: !(WHOLE_UNIT_TYPES.has(type) && asset?.exchange),
      },
    ];
  });
  const plan = planRebalance({ holdings, targets: checked.targets, driftTolerance: checked.driftTolerance });
  let netCash = new Money(0);
  const trades = plan.trades.map((trade): RebalanceTradeReport => {
    // The core rounds fractional quantities to 8 decimals; toFixed(8) reads that number back exactly.
    const quantity = new Money(trade.quantity.toFixed(8));
    const price = priceOf.get(trade.symbol)!;
    const value = quantity.times(price);
    netCash = trade.action === 'SELL' ? netCash.plus(value) : netCash.minus(value);
    return { symbol: trade.symbol, action: trade.action, quantity: quantity.toFixed(), price: price.toFixed(), value: value.toFixed() };
  });
  return {
    dimension: checked.by,
    driftTolerance: checked.driftTolerance,
    trades,
    driftBefore: plan.driftBefore,
    driftAfter: plan.driftAfter,
    unreachable: plan.unreachable,
    netCash: netCash.toFixed(),
  };
}
