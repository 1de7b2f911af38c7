/**
 * ledger's door: a portfolio's transactions (the one record of every trade, cash movement and
 * corporate action), the investments (BUY lots) read from them, lots, holdings, realized gains
 * and cash (replayed by the pure engine in ./core), custom assets, portfolio files, and the
 * valuations that depend on holdings (Portfolio's valuation fields, the live valuation stream,
 * what other domains read of holdings: PortfolioValuations, heldSymbolsExcept). It owns
 * `transactions`, `ledger_versions` and `dismissed_suggestions` (suggested corporate actions dismissed). It sits above portfolios: it extends PortfolioRef with
 * its fields and writes its changes' activity rows through portfolios' door.
 * Outside ledger, import from here only. Importing it registers the ledger's GraphQL types.
 */
import './investment.schema.js';
import './custom-asset.schema.js';
import './portfolio-file.schema.js';
import './valuation-fields.js';
import './transactions.schema.js';
import './transaction-import.schema.js';
import './change-fields.js';
import './suggestions.schema.js';

export { LedgerService } from './service.js';
export { buyOfInvestment, type LotOfInvestment } from './buys.js';
export { firstAnniversary, isLongTerm, realizedBetween, type RealizedGain } from './core/engine.js';
export { formatFixed } from './core/fixed.js';
export { parseCsv, protectCell, toCsv } from './csv.js';
export { InvestmentRef } from './investment.schema.js';
export { MoneyRef } from './transactions.schema.js';
export { PortfolioValuations, heldSymbolsExcept, type HoldingsOnDay } from './valuations.js';
export type { PortfolioPageEntry } from '../portfolios/index.js';
export { LiveValuations, type LiveValuationOptions } from './live-valuation.js';
export { decodeLedger, ledgerText, type LedgerRow } from './rows.js';
