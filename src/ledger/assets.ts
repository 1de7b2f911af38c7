/**
 * The assets a portfolio may hold, and custom assets: a user's own instruments (a house, a
 * private fund) with prices they set. Market assets have no owner; a custom asset belongs to
 * one user, is visible only to them, and may be held only in portfolios they own.
 */
import type { Decimal } from 'decimal.js';
import type { Asset } from '../generated/prisma/client.js';
import type { AssetType } from '../generated/prisma/enums.js';
import { customAssetId, insertCustomAsset, resolveAssets, storeCustomPrices, symbolTakenBy } from '../market/index.js';
import { Prisma, type Db } from '../platform/db.js';
import { conflict, notFound, Problems } from '../platform/errors.js';
import { checkLedgerCurrency, checkName, checkOptionalText, checkPastDate, checkPrice, checkSymbol, SECTOR_MAX } from './validation.js';

type Tx = Prisma.TransactionClient;

// Market owns `assets` and `daily_prices`: reads and writes are its (re-exported for this domain's callers).
export { resolveAssets, storeCustomPrices };

/** The most price points one call (or one import) may store. */
export const MAX_PRICE_POINTS = 10_000;

export interface CustomAssetInput {
  symbol: string;
  name: string;
  type: AssetType;
  currency: string;
  sector?: string | null;
}

export interface CheckedCustomAsset {
  symbol: string;
  name: string;
  type: AssetType;
  currency: string;
  sector: string | null;
}

/** Field rules for a custom asset; `field` maps an input field name to how problems name it. */
export function checkCustomAsset(problems: Problems, input: CustomAssetInput, field = (name: string) => name): CheckedCustomAsset {
  return {
    symbol: checkSymbol(problems, field('symbol'), input.symbol),
    name: checkName(problems, field('name'), input.name),
    type: input.type,
    currency: checkLedgerCurrency(problems, field('currency'), input.currency),
    sector: checkOptionalText(problems, field('sector'), input.sector, SECTOR_MAX) ?? null,
  };
}

/** CONFLICT message when `symbol` is taken by a market asset or the user's own custom asset, else null. */
export async function customSymbolConflict(db: Db | Tx, ownerId: string, symbol: string): Promise<string | null> {
  const takenBy = await symbolTakenBy(db, ownerId, symbol);
  if (!takenBy) return null;
  return takenBy === 'market'
    ? `${symbol} is a market symbol; choose another symbol for your own asset`
    : `You already have a custom asset ${symbol}`;
}

export async function createCustomAsset(db: Db, ownerId: string, input: CustomAssetInput): Promise<Asset> {
  const problems = new Problems();
  const asset = checkCustomAsset(problems, input);
  problems.throwIfAny();
  const taken = await customSymbolConflict(db, ownerId, asset.symbol);
  if (taken) throw conflict(taken);
  try {
    return await insertCustomAsset(db, ownerId, asset);
  } catch (error) {
    // A concurrent create of the same symbol by the same user lost the race to the unique index.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw conflict(`You already have a custom asset ${asset.symbol}`);
    }
    throw error;
  }
}

export interface PricePointInput {
  date: string;
  close: Decimal;
}

export interface CheckedPricePoint {
  date: string;
  close: string;
}

/** Rules for a list of daily closes: real past dates, each at most once, prices ≥ 0 that fit. */
export function checkPricePoints(problems: Problems, points: readonly PricePointInput[], field = 'prices'): CheckedPricePoint[] {
  if (points.length > MAX_PRICE_POINTS) {
    problems.add(field, `at most ${MAX_PRICE_POINTS} prices at a time`);
    return [];
  }
  const seen = new Set<string>();
  return points.map((point, i) => {
    checkPastDate(problems, `${field}[${i}].date`, point.date);
    if (seen.has(point.date)) problems.add(`${field}[${i}].date`, `${point.date} appears more than once`);
    seen.add(point.date);
    return { date: point.date, close: checkPrice(problems, `${field}[${i}].close`, point.close) };
  });
}

/** Sets prices of one of the caller's custom assets; another user's asset is simply not found. */
export async function setCustomAssetPrices(
  db: Db,
  ownerId: string,
  symbolInput: string,
  points: readonly PricePointInput[],
): Promise<number> {
  const problems = new Problems();
  const symbol = checkSymbol(problems, 'symbol', symbolInput);
  const checked = checkPricePoints(problems, points);
  problems.throwIfAny();
  const assetId = await customAssetId(db, ownerId, symbol);
  if (!assetId) throw notFound(`Custom asset ${symbol}`);
  return storeCustomPrices(db, assetId, checked);
}
