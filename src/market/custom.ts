/**
 * Users' custom assets (a flat, a private fund) as a market-data source: priced only from the
 * prices their owner stored (daily_prices rows with source "custom"), described by their asset
 * row. A custom asset is private: every lookup is scoped to one owner, so this provider is
 * created per owner (cheap: it holds no state) and never placed in the shared provider chain.
 */
import type {
  MarketDataProvider,
  ProviderCandle,
  ProviderCorporateAction,
  ProviderFundamentals,
  ProviderNewsItem,
  ProviderQuote,
  ProviderSymbol,
} from './providers/types.js';
import { latestDateOnEarth } from '../platform/dates.js';
import { normalizeSymbol, uniqueSymbols } from '../platform/symbols.js';
import { quoteFromStoredCloses } from './quotes.js';
import { ownedKey, type AssetRow, type PriceStore } from './store.js';

export const CUSTOM_SOURCE = 'custom';

/**
 * "Today" for custom prices: the latest date that has begun anywhere on Earth, the same bound
 * setCustomAssetPrices accepts, so a close stored for the owner's own today counts at once.
 */
export function customPriceDay(now: Date): string {
  return latestDateOnEarth(now);
}

/**
 * Quotes of custom assets for many owners in one query: the latest stored close on or before
 * `day` (customPriceDay), its change against the previous stored close. The answer has an entry (keyed
 * by ownedKey) for every pair that is a custom asset of that owner: null when it has no price
 * yet. Pairs that are not custom assets of their owner are absent.
 */
export async function customQuotes(
  store: PriceStore,
  pairs: ReadonlyArray<{ ownerId: string; symbol: string }>,
  day: string,
): Promise<Map<string, ProviderQuote | null>> {
  const rows = await store.latestCustomCloses(pairs, day);
  return new Map(rows.map((row) => [ownedKey(row.ownerId!, row.symbol), quoteFromStoredCloses(row, CUSTOM_SOURCE)]));
}

/** The fundamentals a custom asset has: its description; no market figures. */
export function fundamentalsFromAsset(asset: AssetRow): ProviderFundamentals {
  return {
    symbol: asset.symbol,
    name: asset.name,
    type: asset.type,
    sector: asset.sector,
    currency: asset.currency,
    marketCap: null,
    peRatio: null,
    dividendYield: null,
  };
}

export class CustomAssetProvider implements MarketDataProvider {
  readonly name = CUSTOM_SOURCE;

  constructor(
    private readonly store: PriceStore,
    private readonly ownerId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async quotes(symbols: string[]): Promise<ProviderQuote[]> {
    const wanted = uniqueSymbols(symbols);
    const found = await customQuotes(
      this.store,
      wanted.map((symbol) => ({ ownerId: this.ownerId, symbol })),
      this.today(),
    );
    return wanted.flatMap((symbol) => found.get(ownedKey(this.ownerId, symbol)) ?? []);
  }

  /** Stored prices from..to inclusive (never after today), oldest first. */
  async history(symbol: string, from: string, to: string): Promise<ProviderCandle[]> {
    const today = this.today();
    const last = to < today ? to : today;
    if (from > last) return [];
    const rows = await this.store.customDailyPrices(this.ownerId, normalizeSymbol(symbol), { from, to: last });
    return rows.map(({ date, open, high, low, close, volume }) => ({ date, open, high, low, close, volume }));
  }

  async fundamentals(symbol: string): Promise<ProviderFundamentals | null> {
    const { custom } = await this.store.resolve(normalizeSymbol(symbol), this.ownerId);
    return custom ? fundamentalsFromAsset(custom) : null;
  }

  /** Nobody writes news about a private asset. */
  async news(_symbols: string[], _limit: number): Promise<ProviderNewsItem[]> {
    return [];
  }

  /** A private asset's splits and dividends are the user's to record. */
  async corporateActions(_symbol: string, _from: string, _to: string): Promise<ProviderCorporateAction[]> {
    return [];
  }

  search(query: string, limit: number): Promise<ProviderSymbol[]> {
    return this.store.searchAssets(query, limit, { ownerId: this.ownerId, marketAssets: false });
  }

  private today(): string {
    return customPriceDay(this.now());
  }
}
