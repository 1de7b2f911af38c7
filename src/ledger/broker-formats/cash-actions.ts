/**
 * The US brokers' CSVs (Schwab, Fidelity) describe every row by an action text, one amount in
 * dollars and, for trades, a quantity and a price. This maps such a row, once its action is
 * known, to a draft: the action's kind says which transaction it is; the amount's sign says which
 * way cash went where the action does not.
 */
import { Decimal } from 'decimal.js';
import { type FileBuilder, isNegative, isZero, magnitude } from './common.js';

export type ActionKind =
  | 'buy'
  | 'sell'
  | 'dividend'
  | 'interest'
  | 'withholding'
  | 'fee'
  /** Cash in or out by the amount's sign (transfers, journals). */
  | 'cash'
  /** Shares in or out by the quantity's sign, at the row's price (journaled shares). */
  | 'shares'
  /** New shares without a ratio (a split or stock dividend paid in shares). */
  | 'distribution';

/** One row's cells, numbers already parsed (signed plain decimals, null when the cell is empty). */
export interface ActionRow {
  row: number;
  date: string;
  action: string;
  symbol: string;
  description: string;
  quantity: string | null;
  price: string | null;
  fee: string | null;
  amount: string | null;
  currency: string;
}

function required(b: FileBuilder, r: ActionRow, field: 'quantity' | 'price' | 'amount', value: string | null): value is string {
  if (value !== null && !isZero(value)) return true;
  b.problem(r.row, `"${r.action}" needs ${field === 'amount' ? 'an amount' : `a ${field}`}`, field);
  return false;
}

/** The draft for a row whose action is known to be of `kind`. */
export function mapAction(b: FileBuilder, r: ActionRow, kind: ActionKind): void {
  const symbol = r.symbol === '' ? undefined : r.symbol.toUpperCase();
  const notes = r.description === '' ? r.action : `${r.action}: ${r.description}`;
  const fee = r.fee !== null && !isZero(r.fee) ? magnitude(r.fee) : undefined;
  const base = { date: r.date, currency: r.currency, notes };
  switch (kind) {
    case 'buy':
    case 'sell': {
      if (!required(b, r, 'quantity', r.quantity) || !required(b, r, 'price', r.price)) return;
      const type = kind === 'buy' ? 'BUY' : 'SELL';
      b.transaction(r.row, null, { ...base, type, symbol, quantity: magnitude(r.quantity), price: magnitude(r.price), fee });
      return;
    }
    case 'shares': {
      if (!required(b, r, 'quantity', r.quantity) || !required(b, r, 'price', r.price)) return;
      const type = isNegative(r.quantity) ? 'TRANSFER_OUT' : 'TRANSFER_IN';
      b.transaction(r.row, null, { ...base, type, symbol, quantity: magnitude(r.quantity), price: magnitude(r.price), fee });
      return;
    }
    case 'dividend':
    case 'interest': {
      if (!required(b, r, 'amount', r.amount)) return;
      if (isNegative(r.amount)) {
        b.problem(
          r.row,
          `"${r.action}" takes money out (${r.amount}): a reversal has no transaction type here, record it by hand`,
          'amount',
        );
        return;
      }
      const type = kind === 'dividend' ? 'DIVIDEND' : 'INTEREST';
      b.transaction(r.row, null, { ...base, type, symbol: kind === 'dividend' ? symbol : undefined, amount: r.amount });
      return;
    }
    case 'withholding': {
      if (!required(b, r, 'amount', r.amount)) return;
      // Paid is negative in the file; a refund is positive.
      b.add({
        kind: 'withholding',
        row: r.row,
        externalId: null,
        date: r.date,
        symbol: symbol ?? null,
        currency: r.currency,
        amount: new Decimal(r.amount).negated(),
        notes,
      });
      return;
    }
    case 'fee': {
      if (!required(b, r, 'amount', r.amount)) return;
      if (!isNegative(r.amount)) {
        b.problem(
          r.row,
          `"${r.action}" pays money in (${r.amount}): a refund of a fee has no transaction type here, record it by hand`,
          'amount',
        );
        return;
      }
      b.transaction(r.row, null, { ...base, type: 'FEE', symbol, amount: magnitude(r.amount) });
      return;
    }
    case 'cash': {
      if (!required(b, r, 'amount', r.amount)) return;
      const type = isNegative(r.amount) ? 'WITHDRAWAL' : 'DEPOSIT';
      b.transaction(r.row, null, { ...base, type, amount: magnitude(r.amount) });
      return;
    }
    case 'distribution': {
      if (!required(b, r, 'quantity', r.quantity)) return;
      if (!symbol) {
        b.problem(r.row, `"${r.action}" needs a symbol`, 'symbol');
        return;
      }
      b.add({
        kind: 'distribution',
        row: r.row,
        externalId: null,
        date: r.date,
        symbol,
        quantity: new Decimal(r.quantity),
        action: r.action,
      });
      return;
    }
  }
}
