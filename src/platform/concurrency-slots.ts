/**
 * At most `limit` pieces of work at a time per subject (a user, or an IP address when anonymous),
 * across every replica: each holder is a member of a Redis sorted set scored by when it started
 * (one Lua script takes a slot or refuses). A holder that never gives its slot back (a replica
 * that died mid-work) is dropped after `staleMs`. While Redis is unreachable each process counts
 * on its own, as the request budget does.
 */
import { randomUUID } from 'node:crypto';
import { isRedisOutage, type Redis } from './redis.js';

/** KEYS[1]: the subject's holders. ARGV: now, stale before, limit, member, key ttl (ms). 1: taken, 0: full. */
const TAKE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

export class ConcurrencySlots {
  /** Holders per subject counted in this process while Redis is out. */
  private readonly local = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    /** Key prefix, e.g. `${REDIS_PREFIX}analytics-running:`. */
    private readonly prefix: string,
    /** Slots per subject; 0 = no limit. */
    readonly limit: number,
    private readonly staleMs = 10 * 60_000,
  ) {}

  /** A slot's release function, or null when the subject already holds `limit`. */
  async take(subject: string): Promise<(() => Promise<void>) | null> {
    if (this.limit <= 0) return async () => {};
    const key = `${this.prefix}${subject}`;
    const member = randomUUID();
    const now = Date.now();
    try {
      const taken = await this.redis.eval(TAKE_SCRIPT, 1, key, now, now - this.staleMs, this.limit, member, this.staleMs);
      if (taken !== 1) return null;
      return async () => {
        await this.redis.zrem(key, member).catch(() => {});
      };
    } catch (error) {
      if (!isRedisOutage(error)) throw error;
      const held = this.local.get(subject) ?? 0;
      if (held >= this.limit) return null;
      this.local.set(subject, held + 1);
      return async () => {
        const left = (this.local.get(subject) ?? 1) - 1;
        if (left > 0) this.local.set(subject, left);
        else this.local.delete(subject);
      };
    }
  }
}
