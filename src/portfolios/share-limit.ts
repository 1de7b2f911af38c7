/**
 * Sharing limit: at most SHARES_PER_USER_PER_HOUR `sharePortfolio` and `invitePortfolio` calls per user in any hour
 * (0 turns it off), shared by every API instance through Redis. sharePortfolio answers whether
 * an address has an account (the contract's PortfolioShare names the user; invitePortfolio is
 * for addresses without one), so the limit is what keeps that from being a fast way to test
 * which addresses are customers: every call counts, found or not, and is counted before the
 * address is looked up.
 */
import { SlidingWindowLimiter } from '../auth/index.js';
import type { Config } from '../config.js';
import type { Redis } from '../platform/redis.js';

const WINDOW_MS = 60 * 60 * 1000;

export class ShareLimit {
  private readonly limiter: SlidingWindowLimiter | null;

  constructor(deps: { redis: Redis; config: Pick<Config, 'REDIS_PREFIX' | 'SHARES_PER_USER_PER_HOUR'> }) {
    const limit = deps.config.SHARES_PER_USER_PER_HOUR;
    this.limiter =
      limit > 0 ? new SlidingWindowLimiter(deps.redis, deps.config.REDIS_PREFIX, { name: 'shares', limit, windowMs: WINDOW_MS }) : null;
  }

  /** Counts one sharing attempt of the user's, or throws RATE_LIMITED (with retryAfter) once their hour is used up. */
  async count(userId: string): Promise<void> {
    await this.limiter?.reserve([`user:${userId}`]);
  }
}
