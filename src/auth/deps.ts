import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../platform/db.js';
import type { Redis } from '../platform/redis.js';
import type { SessionRevocations } from './revocation.js';
import type { TokenSigner } from './tokens.js';

/** What the auth services need, named here so auth depends on nothing above it. */
export interface AuthDeps {
  config: Config;
  db: Db;
  redis: Redis;
  logger: FastifyBaseLogger;
  tokens: TokenSigner;
  revocations: SessionRevocations;
}

/** Where a request comes from: recorded on sessions, used for per-IP limits and alerts. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}
