/**
 * analytics' door: performance, risk, simulation, factor exposure and rebalancing of portfolios.
 * Outside analytics, import from here only. Importing it registers the analytics fields of
 * Portfolio on the builder. Its core (./core) is pure computation: no I/O, nothing outside core/.
 */
import './schema.js';

export { AnalyticsService, type StoredValue, type StoredValuesSource } from './service.js';
export { TargetWeightInputRef } from './schema.js';
export { checkedRebalance } from './inputs.js';
