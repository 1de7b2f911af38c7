/** The ledger's pure core: replaying transactions into lots, holdings, realized gains and cash. */
export * from './engine.js';
export { formatFixed, FIXED_PLACES } from './fixed.js';
export * from '../../platform/currency-units.js';
