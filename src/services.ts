/**
 * The shared services of one app instance, built once by buildApp and reached from resolvers
 * through the GraphQL context. Domains add their service here.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './platform/db.js';
import type { Metrics } from './platform/metrics.js';
import type { RedisChannels } from './platform/pubsub.js';
import type { Redis } from './platform/redis.js';
import type { SessionRevocations } from './auth/revocation.js';
import type { TokenSigner } from './auth/tokens.js';
import type { AuthService } from './auth/service.js';
import type { PortfolioService } from './portfolios/service.js';
import type { LedgerService } from './portfolios/ledger-service.js';
import type { FxRates } from './market/fx.js';
import type { MarketService } from './market/service.js';
import type { LiveMarket } from './market/live.js';
import type { AnalyticsService } from './analytics/service.js';

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
  /** Accounts, sessions, MFA and account email (src/auth). */
  auth: AuthService;
  /** Portfolios, investments and shares, with their audit trail (src/portfolios). */
  portfolios: PortfolioService;
  /** Transactions, lots, holdings, realized gains and cash of portfolios (src/portfolios/ledger-service.ts). */
  ledger: LedgerService;
  /** Foreign-exchange rates (src/market/fx.ts). */
  fx: FxRates;
  /** Quotes, history, fundamentals, news, symbol search and valuation (src/market). */
  market: MarketService;
  /** Live quotes and valuations for subscriptions, relayed through Redis (src/market/live.ts). */
  live: LiveMarket;
  /** Performance, risk, simulation, factor exposure and rebalancing of portfolios (src/analytics). */
  analytics: AnalyticsService;
}
