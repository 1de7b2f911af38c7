/**
 * Input rules for investments and the ledger's other inputs (decimals that fit their columns,
 * dates, files' cells). Each check records every problem it finds in a `Problems` list (field +
 * message) instead of throwing at the first, so a client hears about all of them at once
 * (BAD_USER_INPUT, extensions.details). The GraphQL mutations and the importer use the same checks.
 */
import { Decimal } from 'decimal.js';
import { latestDateOnEarth, parseCalendarDate } from '../platform/dates.js';
import { checkSymbol, SYMBOL_MAX } from '../platform/symbols.js';
import { parseDecimalText as parseDecimalInput } from '../platform/decimal-text.js';
import { Problems } from '../platform/errors.js';
import { canonicalCurrency, majorUnit } from '../platform/currency-units.js';
import type { Asset } from '../generated/prisma/client.js';
import type { AssetType } from '../generated/prisma/enums.js';
import { checkName, checkOptionalText } from '../portfolios/index.js';

// Symbol and date rules live in platform (market checks symbols too); re-exported for this domain's callers.
export { checkSymbol, latestDateOnEarth, SYMBOL_MAX };
export { checkCurrency, checkName, checkOptionalText, NAME_MAX } from '../portfolios/index.js';

/**
 * A currency wherever the ledger accepts one (transactions, custom assets and so their prices):
 * ISO 4217 or a minor unit (GBp, GBX, ZAc, ILA), in its canonical spelling; `GBp` stays pence.
 */
export function checkLedgerCurrency(problems: Problems, field: string, value: string): string {
  const code = canonicalCurrency(value);
  if (!code) problems.add(field, `"${value}" is neither an active ISO 4217 code nor a minor unit (GBp, GBX, ZAc, ILA)`);
  return code ?? value.trim();
}

export const SECTOR_MAX = 100;
export const NOTES_MAX = 2_000;
/** DECIMAL(18,8): at most 10 digits before the point and 8 after. */
export const DECIMAL_INTEGER_DIGITS = 10;
export const DECIMAL_FRACTION_DIGITS = 8;
const DECIMAL_LIMIT = new Decimal(10).pow(DECIMAL_INTEGER_DIGITS);

function fitsColumn(problems: Problems, field: string, value: Decimal): boolean {
  if (!value.isFinite()) {
    problems.add(field, 'must be a finite number');
    return false;
  }
  if (value.decimalPlaces() > DECIMAL_FRACTION_DIGITS) {
    problems.add(field, `must have at most ${DECIMAL_FRACTION_DIGITS} digits after the decimal point`);
    return false;
  }
  if (value.abs().gte(DECIMAL_LIMIT)) {
    problems.add(field, `must have at most ${DECIMAL_INTEGER_DIGITS} digits before the decimal point`);
    return false;
  }
  return true;
}

/** A quantity: more than zero, fits DECIMAL(18,8). Returns its exact text for storage. */
export function checkQuantity(problems: Problems, field: string, value: Decimal): string {
  if (fitsColumn(problems, field, value) && value.lte(0)) problems.add(field, 'must be greater than 0');
  return value.toFixed();
}

/** A price: zero or more, fits DECIMAL(18,8). Returns its exact text for storage. */
export function checkPrice(problems: Problems, field: string, value: Decimal): string {
  if (fitsColumn(problems, field, value) && value.isNegative()) problems.add(field, 'must not be negative');
  return value.toFixed();
}

/** A YYYY-MM-DD date that has already begun somewhere. Returns it as a UTC-midnight Date. */
export function checkPastDate(problems: Problems, field: string, value: string, now = new Date()): Date {
  if (value > latestDateOnEarth(now)) problems.add(field, 'must not be in the future');
  return utcMidnight(value);
}

/** A YYYY-MM-DD date as stored in a DATE column (Prisma: a Date at UTC midnight). */
export function utcMidnight(ymd: string): Date {
  return new Date(`${ymd}T00:00:00.000Z`);
}

/** Text from a file (import) as an exact decimal (src/platform/decimal-text.ts), or a problem. */
export function parseDecimalText(problems: Problems, field: string, value: unknown): Decimal | null {
  if (value === undefined || value === null || value === '') {
    problems.add(field, 'is required');
    return null;
  }
  const parsed = parseDecimalInput(value);
  if ('value' in parsed) return parsed.value;
  problems.add(field, parsed.problem);
  return null;
}

/** Text from a file (import) as a YYYY-MM-DD calendar date, or a problem. */
export function parseDateText(problems: Problems, field: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') {
    problems.add(field, 'is required');
    return null;
  }
  try {
    return parseCalendarDate(typeof value === 'string' ? value.trim() : value);
  } catch {
    problems.add(field, 'must be a calendar date YYYY-MM-DD');
    return null;
  }
}

export { exactProduct } from '../platform/money.js';

export interface InvestmentInput {
  symbol: string;
  name?: string | null;
  type?: AssetType | null;
  quantity: Decimal;
  purchasePrice: Decimal;
  /** YYYY-MM-DD */
  purchaseDate: string;
  sector?: string | null;
  notes?: string | null;
}

export interface InvestmentPatch {
  quantity?: Decimal | null;
  purchasePrice?: Decimal | null;
  purchaseDate?: string | null;
  sector?: string | null;
  notes?: string | null;
}

/** An investment (a BUY lot), checked and ready to store as its BUY (decimals as exact text). */
export interface CheckedInvestment {
  symbol: string;
  quantity: string;
  purchasePrice: string;
  purchaseDate: Date;
  notes: string | null;
}

/** An investment as read from a file: a field that could not even be parsed is null (and reported already). */
export type InvestmentDraft = Omit<InvestmentInput, 'quantity' | 'purchasePrice' | 'purchaseDate'> & {
  quantity: Decimal | null;
  purchasePrice: Decimal | null;
  purchaseDate: string | null;
};

type AssetDefaults = ReadonlyMap<string, Pick<Asset, 'name' | 'type' | 'sector'>>;

/**
 * Name, type and sector are the asset's, never the lot's (one write model: the BUY stores none of
 * them). A value given that differs from the asset's is refused rather than dropped unseen.
 */
export function checkAssetDetails(
  problems: Problems,
  asset: Pick<Asset, 'name' | 'type' | 'sector'> | undefined,
  given: { name?: string | null; type?: string | null; sector?: string | null },
  field = (name: string) => name,
): void {
  if (!asset) return;
  const differs = (value: string | null | undefined, own: string | null) =>
    value != null && value.trim() !== '' && value.trim() !== (own ?? '');
  if (differs(given.name, asset.name)) problems.add(field('name'), `is the asset's (${asset.name}); leave it out or change the asset`);
  if (differs(given.type, asset.type)) problems.add(field('type'), `is the asset's (${asset.type}); leave it out or change the asset`);
  if (differs(given.sector, asset.sector)) {
    problems.add(field('sector'), `is the asset's (${asset.sector ?? 'none'}); leave it out or change the asset`);
  }
}

/**
 * Field rules for one investment; its name, type and sector are the asset's (addInvestment refuses
 * others with checkAssetDetails; a file's are descriptions, read and checked but not stored).
 * `assets` holds what the symbols may name (market's resolveAssets). Also used for every row
 * of an import, where the rules still run on the fields that parsed (so a row's problems are
 * all reported) but a row with an unparsed field yields null.
 */
export function checkInvestment(problems: Problems, input: InvestmentInput, assets: AssetDefaults): CheckedInvestment;
export function checkInvestment(problems: Problems, input: InvestmentDraft, assets: AssetDefaults): CheckedInvestment | null;
export function checkInvestment(problems: Problems, input: InvestmentDraft, assets: AssetDefaults): CheckedInvestment | null {
  const problemsBefore = problems.list.length;
  const symbol = checkSymbol(problems, 'symbol', input.symbol);
  const asset = assets.get(symbol);
  if (!asset && problems.list.length === problemsBefore) {
    problems.add('symbol', `unknown symbol ${symbol}: neither a market symbol nor one of the portfolio owner's custom assets`);
  }
  if (input.name != null) checkName(problems, 'name', input.name);
  checkOptionalText(problems, 'sector', input.sector, SECTOR_MAX);
  const quantity = input.quantity && checkQuantity(problems, 'quantity', input.quantity);
  const purchasePrice = input.purchasePrice && checkPrice(problems, 'purchasePrice', input.purchasePrice);
  const purchaseDate = input.purchaseDate && checkPastDate(problems, 'purchaseDate', input.purchaseDate);
  const notes = checkOptionalText(problems, 'notes', input.notes, NOTES_MAX) ?? null;
  if (!quantity || !purchasePrice || !purchaseDate) return null;
  return { symbol, quantity, purchasePrice, purchaseDate, notes };
}

/** Units of `base` per unit of `currency` when they are the same money (a minor unit of it included), else null. */
export function sameCurrencyRate(currency: string, base: string): string | null {
  const a = majorUnit(currency);
  const b = majorUnit(base);
  return a.currency === b.currency ? a.factor.div(b.factor).toFixed() : null;
}
