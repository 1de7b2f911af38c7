/**
 * market's door: symbols, providers, quotes, history, custom-asset prices, valuation and live
 * quotes. It owns the `assets`, `daily_prices`, `price_history_coverage` and `fx_series` tables:
 * other domains read and write them through MarketService, FxRates and the custom-asset functions. Outside market, import from here only. Importing it registers market's
 * GraphQL types (Quote, Valuation, ...) on the builder; other domains extend those refs.
 */
import './schema.js';
import './fx.schema.js';
import './subscriptions.js';

export { MarketService } from './service.js';
export type { CorporateAction, HeldSymbolsSource, PortfolioHeader, Quote, QuoteLookup, QuoteRequest, SymbolHolder } from './service.js';
export { LiveMarket, type LiveMarketOptions } from './live.js';
export type { MarketDataProvider } from './providers/types.js';
export { startPriceFeed } from './feed.js';
export { CUSTOM_SOURCE } from './custom.js';
export {
  customAssetId,
  customAssetsWithCloses,
  insertCustomAsset,
  resolveAssets,
  storeCustomPrices,
  symbolTakenBy,
  type NewCustomAsset,
} from './custom-asset-store.js';
export { addDays, missingRanges } from './candles.js';
export { ownedKey, type DateRange } from './store.js';
export { ALLOCATION_DIMENSIONS, KEY_OF, allocate, isCash, valueHolding } from './valuation.js';
export type { AllocationDimension, AllocationSlice, HoldingInput, PortfolioValuation } from './valuation.js';
export { quoteLoader, requestQuoteLookup } from './loaders.js';
export { AllocationDimensionEnum, AllocationSliceRef, QuoteRef, ValuationRef } from './schema.js';
export { QuoteRelay } from './quote-relay.js';
export type { LiveQuote } from './quote-relay.js';
export { FxRates, createFxSources } from './fx.js';
export { SharedFxStore } from './fx-store.js';
