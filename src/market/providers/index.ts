/**
 * Market-data providers: the interface, the three built-in sources and the chain that combines
 * them. The app builds its provider with createProviderChain(config.MARKET_PROVIDERS, {...}).
 */
export type * from './types.js';
export {
  ProviderError,
  ProviderRateLimitedError,
  ProviderHttpError,
  ProviderTimeoutError,
  ProviderResponseError,
  ProviderInvalidRequestError,
  ProviderAuthError,
  ProviderConfigError,
  AllProvidersFailedError,
} from './errors.js';
export { normalizeSymbol, uniqueSymbols, currencyForSymbol } from './symbols.js';
export { UNIVERSE, SIMULATION_BASE_DATE, findInstrument, toProviderSymbol } from './universe.js';
export type { UniverseInstrument, SimulationParameters, InstrumentFundamentals } from './universe.js';
export { SimulatedProvider, SIMULATED_SOURCE, SIMULATION_EARLIEST_DATE } from './simulated.js';
export type { SimulatedProviderOptions } from './simulated.js';
export { AlphaVantageProvider, ALPHA_VANTAGE_SOURCE } from './alphavantage.js';
export type { AlphaVantageOptions } from './alphavantage.js';
export { YahooProvider, YAHOO_SOURCE, QuoteEndpointRefusedError } from './yahoo.js';
export type { YahooOptions } from './yahoo.js';
export { ProviderChain, createProviderChain, createProvider, PROVIDER_NAMES, DEFAULT_BREAKER_OPTIONS } from './chain.js';
export type {
  BreakerOptions,
  BreakerState,
  ProviderChainConfig,
  ProviderChainEvent,
  ProviderChainListener,
  ProviderChainOptions,
  ProviderName,
  ProviderStatus,
} from './chain.js';
export type { FetchFunction } from './http.js';
