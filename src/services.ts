/**
 * The shared services of one app instance, built once by buildApp and reached from resolvers
 * through the GraphQL context. Domains add their service here.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { ViewerAuthority } from './graphql/context.js';
import type { Db } from './platform/db.js';
import type { Metrics } from './platform/metrics.js';
import type { RedisChannels } from './platform/redis-channels.js';
import type { Redis } from './platform/redis.js';
import type { SessionRevocations } from './auth/index.js';
import type { TokenSigner } from './auth/index.js';
import type { AuthService } from './auth/index.js';
import type { AccessChanges, PortfolioAccess, PortfolioChangeFeed, PortfolioService, PortfolioInvitations } from './portfolios/index.js';
import type { LedgerService, LiveValuations, PortfolioValuations } from './ledger/index.js';
import type { FxRates, MarketService } from './market/index.js';
import type { ApiTokens } from './auth/index.js';
import type { LiveMarket } from './market/index.js';
import type { AnalyticsService } from './analytics/index.js';
import type { AlertService } from './alerts/index.js';
import type { ReportService } from './reports/index.js';

/** Resolvers see every service of the app (the kernel's Context names only its own). */
declare module './graphql/context.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds AppServices' members
  interface ContextServices extends AppServices {}
}

export interface AppServices {
  config: Config;
  version: string;
  logger: FastifyBaseLogger;
  db: Db;
  redis: Redis;
  /** This instance's one Redis pub/sub subscriber connection (price ticks, revocations). */
  channels: RedisChannels;
  metrics: Metrics;
  tokens: TokenSigner;
  revocations: SessionRevocations;
  /** Personal API tokens (src/auth/api-tokens.ts); resolveViewer looks `fg_` secrets up here. */
  apiTokens: ApiTokens;
  /** Who is behind a token, for the GraphQL kernel (HTTP context and WebSocket connections). */
  viewers: ViewerAuthority;
  /** Accounts, sessions, MFA and account email (src/auth). */
  auth: AuthService;
  /** Portfolios and their shares, with their audit trail (src/portfolios). */
  portfolios: PortfolioService;
  /** Multi-device sync: each portfolio's changes in order, replayed then live (src/portfolios/change-feed.ts). */
  portfolioChanges: PortfolioChangeFeed;
  /** What role a viewer has on portfolios: the one place that answers it (src/portfolios/access.ts). */
  portfolioAccess: PortfolioAccess;
  /** Transactions, investments, lots, holdings, realized gains and cash of portfolios, custom assets and portfolio files (src/ledger/service.ts). */
  ledger: LedgerService;
  /** Foreign-exchange rates (src/market/fx.ts). */
  fx: FxRates;
  /** Invitations to share a portfolio with an email address (src/portfolios/invitations.ts). */
  invitations: PortfolioInvitations;
  /** Quotes, history, fundamentals, news, symbol search and valuation (src/market). */
  market: MarketService;
  /** Portfolios' valuations: their holdings valued through market (src/ledger/valuations.ts). */
  valuations: PortfolioValuations;
  /** Live quotes for subscriptions, relayed through Redis (src/market/live.ts). */
  live: LiveMarket;
  /**
   * Every change of who may see a portfolio, the one path (src/portfolios/access-changes.ts): a
   * per-portfolio stream follows it with `follow(portfolioId, viewerId, recheck)`.
   */
  accessChanges: AccessChanges;
  /** Live portfolio valuations for subscriptions (src/ledger/live-valuation.ts). */
  liveValuations: LiveValuations;
  /** Performance, risk, simulation, factor exposure and rebalancing of portfolios (src/analytics). */
  analytics: AnalyticsService;
  /** Alerts, notifications and email settings (src/alerts). */
  alerts: AlertService;
  /** Daily snapshots and report PDFs (src/reports). */
  reports: ReportService;
}
