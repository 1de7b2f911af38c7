/**
 * portfolios' door: the portfolio container (create, update, delete, its settings), roles and
 * access, shares, invitations and the activity trail. It owns `portfolios`, `portfolio_shares`,
 * `portfolio_invitations` and `portfolio_activities`; other domains read them through this door
 * (PortfolioAccess, the headings, recordActivity for their changes' rows). The ledger (a
 * portfolio's transactions, investments, valuations and files) is src/ledger's, which extends
 * PortfolioRef with its fields.
 * Outside portfolios, import from here only. Importing it registers portfolios' GraphQL types.
 */
import './portfolio.schema.js';
import './share.schema.js';
import './activity.schema.js';
import './invitation-fields.js';
import './change.schema.js';

export { PortfolioService, changes, insertPortfolio, missingAsNotFound, refuseNull } from './service.js';
export { PortfolioInvitations } from './invitations.js';
export { CostBasisMethodEnum, PortfolioRef } from './portfolio.schema.js';
export { roleOf, READ_ROLES, type PortfolioRole, type PortfolioRoleRequirement } from './roles.js';
export { roleAtLeast } from './roles.js';
export { PortfolioAccess, type AccessPair } from './access.js';
export { AccessChanges, accessChangedChannel, type AccessChange, type AccessLossHook } from './access-changes.js';
export { recordActivity, type Actor } from './activity.js';
export { PortfolioChangeFeed, type PortfolioChangeRow } from './change-feed.js';
export { PortfolioChangeRef } from './change.schema.js';
export { actorOf, onPortfolio, viewerId } from './schema-helpers.js';
export { portfolioSnapshot } from './shapes.js';
export { checkCurrency, checkName, checkOptionalText, checkPortfolioInput, NAME_MAX, type PortfolioInput } from './validation.js';
export { portfolioHeading, portfolioHeadings, portfolioPage, type PortfolioHeading, type PortfolioPageEntry } from './headings.js';
