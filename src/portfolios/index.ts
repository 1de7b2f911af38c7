/**
 * portfolios' door: portfolios, investments, shares, roles, activity, custom assets and
 * import/export, and the valuation fields of Portfolio and Investment (valued through market's
 * door). It owns `portfolios`, `investments`, `portfolio_shares` and `portfolio_activity`.
 * Outside portfolios, import from here only. Importing it registers portfolios' GraphQL types.
 */
import './schema.js';
import './valuation-fields.js';
import './transactions.schema.js';
import './invitation-fields.js';

export { PortfolioService } from './service.js';
export { PortfolioInvitations } from './invitations.js';
export { InvestmentRef, PortfolioRef } from './schema.js';
export { MoneyRef } from './transactions.schema.js';
export { roleOf, type PortfolioRole, type PortfolioRoleRequirement } from './roles.js';
export { roleAtLeast } from './roles.js';
export { LedgerService } from './ledger-service.js';
