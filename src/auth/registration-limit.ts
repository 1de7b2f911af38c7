/**
 * Sign-up limit: at most REGISTRATIONS_PER_IP_PER_HOUR accounts created from one IP address in
 * any hour (0 turns it off), shared by every API instance through Redis. It slows down scripted
 * account creation and, since an attempt on an existing address counts too (CONFLICT), probing
 * which addresses have accounts. Input that fails validation does not count: it costs nothing
 * and reveals nothing, and a person fixing a typo should not lose their budget.
 */
import { subjects } from './brute-force.js';
import type { AuthDeps, ClientInfo } from './deps.js';
import { SlidingWindowLimiter } from './rate-limit.js';

const WINDOW_MS = 60 * 60 * 1000;

export class RegistrationLimit {
  private readonly limiter: SlidingWindowLimiter | null;

  constructor(deps: Pick<AuthDeps, 'redis' | 'config'>) {
    const limit = deps.config.REGISTRATIONS_PER_IP_PER_HOUR;
    this.limiter =
      limit > 0
        ? new SlidingWindowLimiter(deps.redis, deps.config.REDIS_PREFIX, { name: 'registrations', limit, windowMs: WINDOW_MS })
        : null;
  }

  /**
   * Counts one registration attempt from the client's address, or throws RATE_LIMITED (with
   * retryAfter) when the address has used up its hour. A client without a known address is
   * not limited here, as with the other per-IP limits.
   */
  async count(client: ClientInfo): Promise<void> {
    await this.limiter?.reserve([subjects.ip(client.ip)]);
  }
}
