/**
 * Field rules for one transaction (TransactionInput), before the ledger checks it against the
 * portfolio's other transactions (./ledger/engine.ts). Every problem is reported at once, each
 * naming its field.
 */
import { Decimal } from 'decimal.js';
import type { Asset } from '../generated/prisma/client.js';
import type { Problems } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
import { majorUnit } from '../platform/currency-units.js';
import type { TransactionType } from './core/engine.js';
import {
  checkLedgerCurrency,
  checkOptionalText,
  checkPastDate,
  checkPrice,
  checkQuantity,
  checkSymbol,
  exactProduct,
  NOTES_MAX,
} from './validation.js';

export interface TransactionInput {
  type: TransactionType;
  /** YYYY-MM-DD */
  date: string;
  symbol?: string | null;
  quantity?: Decimal | null;
  price?: Decimal | null;
  amount?: Decimal | null;
  fee?: Decimal | null;
  currency?: string | null;
  fxRate?: Decimal | null;
  splitFrom?: Decimal | null;
  splitTo?: Decimal | null;
  lotIds?: readonly string[] | null;
  /** The broker's own id (stored by the ledger service with its import key, ./transaction-import.ts). */
  externalId?: string | null;
  toAmount?: Decimal | null;
  toCurrency?: string | null;
  notes?: string | null;
}

/** A transaction's columns, checked (decimals as exact text); currency and fxRate may still be defaulted. */
export interface CheckedTransaction {
  type: TransactionType;
  date: Date;
  dateText: string;
  symbol: string | null;
  quantity: string | null;
  price: string | null;
  amount: string;
  fee: string;
  /** null: the asset's currency (or the base currency for cash). */
  currency: string | null;
  /** null: the rate of the date. */
  fxRate: string | null;
  splitFrom: string | null;
  splitTo: string | null;
  lotIds: string[];
  /** CONVERSION: what arrives, in toCurrency. */
  toAmount: string | null;
  toCurrency: string | null;
  notes: string | null;
}

const TRADES: ReadonlySet<TransactionType> = new Set(['BUY', 'SELL', 'TRANSFER_IN', 'TRANSFER_OUT']);
const NEEDS_SYMBOL: ReadonlySet<TransactionType> = new Set([...TRADES, 'DIVIDEND', 'SPLIT']);
const NO_SYMBOL: ReadonlySet<TransactionType> = new Set(['DEPOSIT', 'WITHDRAWAL', 'CONVERSION']);
const OPENS_LOT: ReadonlySet<TransactionType> = new Set(['BUY', 'TRANSFER_IN']);
const CLOSES_LOTS: ReadonlySet<TransactionType> = new Set(['SELL', 'TRANSFER_OUT']);
export const MAX_LOT_IDS = 1_000;
/** fx_rate is DECIMAL(28,14). */
const FX_FRACTION_DIGITS = 14;
const FX_LIMIT = new Decimal(10).pow(14);

/** Why a transaction without fxRate is refused when no rate of its date is known (recordTransaction and imports alike). */
export function noRateMessage(currency: string, baseCurrency: string, date: string): string {
  return `no ${currency} to ${baseCurrency} rate is known for ${date}: give fxRate`;
}

function describeType(type: TransactionType): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** A strictly positive DECIMAL(18,8). */
function checkPositive(problems: Problems, field: string, value: Decimal): string {
  return checkQuantity(problems, field, value);
}

/**
 * Checks one transaction's fields. `assets` holds the assets its symbol may name (the
 * portfolio owner's custom assets and market assets); a BUY or TRANSFER_IN must name one.
 */
export function checkTransaction(
  problems: Problems,
  input: TransactionInput,
  assets: ReadonlyMap<string, Pick<Asset, 'currency'>>,
  now = new Date(),
): CheckedTransaction {
  const { type } = input;
  const date = checkPastDate(problems, 'date', input.date, now);
  const notApplicable = (field: keyof TransactionInput, what = describeType(type)) => {
    const value = input[field];
    if (value != null && !(Array.isArray(value) && value.length === 0)) problems.add(field, `does not apply to ${what}`);
  };

  let symbol: string | null = null;
  if (NO_SYMBOL.has(type)) notApplicable('symbol');
  else if (input.symbol != null && input.symbol.trim() !== '') {
    symbol = checkSymbol(problems, 'symbol', input.symbol);
    if (OPENS_LOT.has(type) && !assets.has(symbol) && problems.list.every((p) => p.field !== 'symbol')) {
      problems.add('symbol', `unknown symbol ${symbol}: neither a market symbol nor one of the portfolio owner's custom assets`);
    }
  } else if (NEEDS_SYMBOL.has(type)) problems.add('symbol', `is required for ${describeType(type)}`);

  let quantity: string | null = null;
  let price: string | null = null;
  let amount = '0';
  if (TRADES.has(type)) {
    if (input.quantity == null) problems.add('quantity', `is required for ${describeType(type)}`);
    else quantity = checkQuantity(problems, 'quantity', input.quantity);
    if (input.price == null) problems.add('price', `is required for ${describeType(type)}`);
    else price = checkPrice(problems, 'price', input.price);
    if (input.quantity != null && input.price != null && quantity !== null && price !== null) {
      const product = exactProduct(input.quantity, input.price);
      if (input.amount != null && !new Decimal(input.amount).eq(product)) {
        problems.add('amount', `must be quantity × price (${product.toFixed()}) for ${describeType(type)}, or be left out`);
      }
      amount = product.toFixed();
    }
  } else if (type === 'SPLIT') {
    notApplicable('quantity');
    notApplicable('price');
    notApplicable('amount');
  } else if (type === 'CONVERSION') {
    notApplicable('quantity');
    notApplicable('price');
    if (input.amount == null) problems.add('amount', 'is required for a CONVERSION');
    else amount = checkPositive(problems, 'amount', input.amount);
  } else {
    // Cash transactions: an amount, or (a dividend per share) quantity × price.
    if (input.amount != null) {
      amount = checkPositive(problems, 'amount', input.amount);
      notApplicable('quantity', `${describeType(type)} with an amount`);
    } else if (input.quantity != null && input.price != null) {
      quantity = checkQuantity(problems, 'quantity', input.quantity);
      price = checkPrice(problems, 'price', input.price);
      amount = exactProduct(input.quantity, input.price).toFixed();
    } else {
      problems.add('amount', `is required for ${describeType(type)}`);
    }
    if (input.amount != null && input.price != null) notApplicable('price', `${describeType(type)} with an amount`);
  }

  const fee = input.fee == null ? '0' : checkPrice(problems, 'fee', input.fee);

  let splitFrom: string | null = null;
  let splitTo: string | null = null;
  if (type === 'SPLIT') {
    for (const field of ['splitFrom', 'splitTo'] as const) {
      const value = input[field];
      if (value == null) problems.add(field, 'is required for a SPLIT');
      else if (value.lte(0)) problems.add(field, 'must be greater than 0');
      else {
        const text = checkPositive(problems, field, value);
        if (field === 'splitFrom') splitFrom = text;
        else splitTo = text;
      }
    }
  } else {
    notApplicable('splitFrom');
    notApplicable('splitTo');
  }

  let currency: string | null = null;
  if (input.currency != null) {
    currency = checkLedgerCurrency(problems, 'currency', input.currency);
  }

  let toAmount: string | null = null;
  let toCurrency: string | null = null;
  if (type === 'CONVERSION') {
    if (input.toAmount == null) problems.add('toAmount', 'is required for a CONVERSION');
    else toAmount = checkPositive(problems, 'toAmount', input.toAmount);
    if (input.toCurrency == null || input.toCurrency.trim() === '') problems.add('toCurrency', 'is required for a CONVERSION');
    else {
      toCurrency = checkLedgerCurrency(problems, 'toCurrency', input.toCurrency);
      if (currency !== null && majorUnit(currency).currency === majorUnit(toCurrency).currency) {
        problems.add('toCurrency', `must be another currency than ${currency}`);
      }
    }
  } else {
    notApplicable('toAmount');
    notApplicable('toCurrency');
  }

  let fxRate: string | null = null;
  if (input.fxRate != null) {
    const rate = input.fxRate;
    if (!rate.isFinite() || rate.lte(0)) problems.add('fxRate', 'must be greater than 0');
    else if (rate.decimalPlaces() > FX_FRACTION_DIGITS)
      problems.add('fxRate', `must have at most ${FX_FRACTION_DIGITS} digits after the decimal point`);
    else if (rate.gte(FX_LIMIT)) problems.add('fxRate', 'must be less than 10^14');
    else fxRate = rate.toFixed();
  }

  const lotIds = [...(input.lotIds ?? [])];
  if (!CLOSES_LOTS.has(type)) notApplicable('lotIds');
  else if (lotIds.length > MAX_LOT_IDS) problems.add('lotIds', `at most ${MAX_LOT_IDS} lots`);
  else if (lotIds.some((id) => !isUuid(id))) problems.add('lotIds', 'must be ids of lots (Portfolio.lots)');

  const notes = checkOptionalText(problems, 'notes', input.notes, NOTES_MAX) ?? null;
  return {
    type,
    date,
    dateText: input.date,
    symbol,
    quantity,
    price,
    amount,
    fee,
    currency,
    fxRate,
    splitFrom,
    splitTo,
    lotIds: CLOSES_LOTS.has(type) ? lotIds : [],
    toAmount,
    toCurrency,
    notes,
  };
}
