/**
 * Pure portfolio analytics: no I/O, no framework. Inputs are numbers, Float64Arrays and ISO dates
 * ('YYYY-MM-DD'); figures are number | null (null when there is not enough data, never NaN).
 * Conventions: shared/contract/README.md, "Analytics conventions".
 */
export { dayNumber, calendarDaysBetween } from './dates.js';
export type { DateRange } from './dates.js';
export { TRADING_DAYS_PER_YEAR, mean, sampleStd, sampleVariance, sampleCovariance, quantile } from './stats.js';
export { buildPriceTable, dayRange, closesOf, withDates } from './prices.js';
export type { PriceTable, PricePoint, DayRange } from './prices.js';
export { buildValuationSeries } from './valuation.js';
export type { HoldingLot, ValuationSeries } from './valuation.js';
export { buildLedgerValuationSeries, externalFlow, tracksCash } from './ledger-valuation.js';
export type { LedgerEvent, LedgerEventType, LedgerValuationInput, Positions } from './ledger-valuation.js';
export {
  portfolioReturns,
  symbolReturns,
  alignedSymbolReturns,
  timeWeightedReturn,
  cumulativeReturns,
  annualizedReturn,
  alignOnCommonDates,
} from './returns.js';
export type { ReturnSeries, AlignedReturns } from './returns.js';
export { xirr, moneyWeightedReturn } from './xirr.js';
export type { CashFlow } from './xirr.js';
export {
  MIN_RETURNS_FOR_DISPERSION,
  volatility,
  sharpeRatio,
  sortinoRatio,
  beta,
  betaOnCommonDates,
  maxDrawdown,
  historicalValueAtRisk,
  conditionalValueAtRisk,
  parametricValueAtRisk,
  riskFigures,
} from './risk.js';
export type { RiskFigures, RiskOptions } from './risk.js';
export { normalCdf, inverseNormalCdf } from './normal.js';
export { correlationMatrix, correlationAt, correlationPairs } from './correlation.js';
export type { CorrelationMatrix, CorrelationPair } from './correlation.js';
export { choleskyDecompose, solveWithCholesky, sampleCovarianceMatrix } from './linalg.js';
export { SeededRandom } from './random.js';
export { MAX_SIMULATION_CELLS, isSimulationSizeAllowed, simulatePortfolioValue } from './montecarlo.js';
export type { MonteCarloInput, MonteCarloResult, ValueBand } from './montecarlo.js';
export { factorExposure } from './regression.js';
export type { FactorExposure } from './regression.js';
export {
  DEFAULT_DRIFT_TOLERANCE,
  TARGET_SUM_TOLERANCE,
  FRACTIONAL_QUANTITY_DECIMALS,
  RebalanceInputError,
  planRebalance,
} from './rebalance.js';
export type { RebalanceHolding, TargetWeight, RebalanceInput, RebalanceTrade, RebalancePlan } from './rebalance.js';
export { splitAdjustedEvents } from './split-adjusted.js';
