/**
 * The one exact-money type: a decimal.js build with room to spare for DECIMAL(18,8) products and
 * sums (a quantity × price has up to 36 significant digits), rounding half-even where a figure is
 * rounded at all. Quantities, prices, costs and values are computed with it, never with floats.
 */
import { Decimal } from 'decimal.js';

export const Money = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_EVEN });
export type Money = Decimal;

/** Quantity × price, exactly. */
export function exactProduct(a: { toFixed(): string }, b: { toFixed(): string }): Money {
  return new Money(a.toFixed()).times(b.toFixed());
}
