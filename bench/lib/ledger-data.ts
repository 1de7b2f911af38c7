/**
 * A deterministic, valid ledger for the ledger benchmarks: buys, sells that never oversell
 * (tracked here as whole shares), dividends with withholding, fees, a few 2-for-1 splits and
 * deposits, spread evenly over the years, in USD at rate 1.
 */
import { randomUUID } from 'node:crypto';
import type { LedgerRow } from '../../src/ledger/rows.js';
import { isoDateOf } from '../../src/platform/dates.js';
import { mulberry32 } from '../../src/platform/random.js';

export function generateLedger(count: number, symbols: readonly string[], years: number): LedgerRow[] {
  const next = mulberry32(42);
  const held = new Map<string, number>();
  const start = Date.parse('2006-01-02T00:00:00Z');
  const span = years * 365 * 86_400_000;
  const rows: LedgerRow[] = [];
  const blank = {
    symbol: null,
    quantity: null,
    price: null,
    currency: 'USD',
    fxRate: '1',
    splitFrom: null,
    splitTo: null,
    lotIds: null,
  };
  for (let i = 0; i < count; i++) {
    const date = isoDateOf(new Date(start + Math.floor((span * i) / count)));
    const symbol = symbols[Math.floor(next() * symbols.length)]!;
    const price = (20 + next() * 180).toFixed(2);
    const roll = next();
    const have = held.get(symbol) ?? 0;
    const id = randomUUID();
    /** A BUY or SELL of `quantity` at the day's price, with a fee of 1. */
    const trade = (type: 'BUY' | 'SELL', quantity: number) => ({
      ...blank,
      id,
      type,
      date,
      symbol,
      quantity: String(quantity),
      price,
      amount: (quantity * Number(price)).toFixed(2),
      fee: '1',
    });
    if (i === 0 || roll < 0.01) {
      rows.push({ ...blank, id, type: 'DEPOSIT', date, amount: '10000', fee: '0' });
    } else if (roll < 0.6 || have < 2) {
      const quantity = 1 + Math.floor(next() * 20);
      held.set(symbol, have + quantity);
      rows.push(trade('BUY', quantity));
    } else if (roll < 0.85) {
      const quantity = 1 + Math.floor(next() * (have / 2));
      held.set(symbol, have - quantity);
      rows.push(trade('SELL', quantity));
    } else if (roll < 0.95) {
      rows.push({ ...blank, id, type: 'DIVIDEND', date, symbol, amount: (have * 0.1).toFixed(2), fee: (have * 0.015).toFixed(2) });
    } else if (roll < 0.9995) {
      rows.push({ ...blank, id, type: 'FEE', date, amount: '2.5', fee: '0' });
    } else {
      held.set(symbol, have * 2);
      rows.push({ ...blank, id, type: 'SPLIT', date, symbol, amount: '0', fee: '0', splitFrom: '1', splitTo: '2' });
    }
  }
  return rows;
}
