/**
 * Market history is split-adjusted (the simulated provider's and Yahoo's closes are quoted in
 * today's shares), so a ledger valued on it must count its shares in today's shares too:
 * otherwise a recorded 10-for-1 split multiplies the quantity on the split day while the close
 * was already divided back then, and the value jumps tenfold (the split applied twice).
 *
 * Each trade of an adjusted symbol before a recorded split is restated in post-split shares
 * (quantity × the ratio of the splits recorded after it, price ÷ the same, so its cost is
 * unchanged) and the SPLIT itself no longer multiplies (its fee still counts). Symbols not
 * listed (custom assets, priced as their owner typed them) are left as recorded.
 */
import type { LedgerEvent } from './ledger-valuation.js';

export function splitAdjustedEvents(events: readonly LedgerEvent[], adjusted: (symbol: string) => boolean): LedgerEvent[] {
  // Walk backwards: the factor of an event is the product of the splits recorded after it.
  const factor = new Map<string, number>();
  const result: LedgerEvent[] = new Array<LedgerEvent>(events.length);
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    const symbol = event.symbol;
    if (symbol === null || !adjusted(symbol)) {
      result[i] = event;
      continue;
    }
    const later = factor.get(symbol) ?? 1;
    if (event.type === 'SPLIT') {
      factor.set(symbol, later * event.splitRatio);
      result[i] = { ...event, splitRatio: 1 };
    } else {
      result[i] = later === 1 ? event : { ...event, quantity: event.quantity * later, price: event.price / later };
    }
  }
  return result;
}
