/**
 * The shared services of one app instance, built once by buildApp and reached from resolvers
 * through the GraphQL context. Domains add their service here.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './platform/db.js';
import type { Metrics } from './platform/metrics.js';
import type { Redis } from './platform/redis.js';
import type { SessionRevocations } from './auth/revocation.js';
import type { TokenSigner } from './auth/tokens.js';

export interface AppServices {
  config: Config;
  version: string;
  logger: FastifyBaseLogger;
  db: Db;
  redis: Redis;
  metrics: Metrics;
  tokens: TokenSigner;
  revocations: SessionRevocations;
}
