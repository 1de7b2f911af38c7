/**
 * portfolios' door: portfolios, investments, shares, roles, activity, custom assets and
 * import/export, and the valuation fields of Portfolio and Investment (valued through market's
 * door). It owns `portfolios`, `investments`, `transactions`, `ledger_versions`, `portfolio_shares`,
 * `portfolio_invitations` and `portfolio_activities`; other domains read them through
 * PortfolioValuations, PortfolioAccess and heldSymbolsExcept.
 * Outside portfolios, import from here only. Importing it registers portfolios' GraphQL types.
 */
import './portfolio.schema.js';
import './investment.schema.js';
import './share.schema.js';
import './activity.schema.js';
import './custom-asset.schema.js';
import './portfolio-file.schema.js';
import './valuation-fields.js';
import './transactions.schema.js';
import './invitation-fields.js';

export { PortfolioService } from './service.js';
export { PortfolioInvitations } from './invitations.js';
export { PortfolioRef } from './portfolio.schema.js';
export { InvestmentRef } from './investment.schema.js';
export { MoneyRef } from './transactions.schema.js';
export { roleOf, type PortfolioRole, type PortfolioRoleRequirement } from './roles.js';
export { roleAtLeast } from './roles.js';
export { LedgerService } from './ledger-service.js';
export { PortfolioValuations, heldSymbolsExcept, type HoldingsOnDay, type PortfolioPageEntry } from './valuations.js';
export { PortfolioAccess, type AccessPair } from './access.js';
export { LiveValuations, type LiveValuationOptions } from './live-valuation.js';
export { AccessChanges, type AccessChange, type AccessLossHook } from './access-changes.js';
export { decodeLedger, ledgerText, type LedgerRow } from './ledger-rows.js';
