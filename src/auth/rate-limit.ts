/**
 * Sliding-window limits in Redis, shared by every API instance: one sorted set per subject
 * (an account, an IP address), one member per counted event, scored by Redis' own clock so
 * instances with drifting clocks agree. A small Lua script checks and records atomically, so
 * concurrent attempts cannot slip past the limit between a read and a write.
 *
 * An attempt is *reserved* before it is evaluated (a password checked, say) and *released* when
 * it turns out not to count (the password was right). That way N concurrent guesses cannot all
 * pass a "fewer than 5 failures" check before any of them is recorded.
 *
 * Without Redis (down, frozen, or a command timed out) the same rule is applied by this process
 * alone (LocalSlidingWindow): each instance then allows the limit on its own, which keeps a
 * brute-force attempt bounded while Redis is away instead of refusing every sign-in.
 *
 * Hand-written rather than a library: this is 20 lines of Lua, it needs the reserve/release
 * pair and several subjects checked in one atomic step, and it keeps our key prefix rules.
 */
import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { rateLimited } from '../platform/errors.js';
import { isRedisOutage, redisAvailable, type Redis } from '../platform/redis.js';

/**
 * KEYS: the subjects' sorted sets. ARGV: window (ms), limit, member.
 * Returns 0 when the event was recorded on every key, else the milliseconds until it could be.
 */
const RESERVE_SCRIPT = `
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local wait = 0
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    -- The caller may go again once the (count - limit + 1) oldest events have left the window.
    local entry = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local until_free = tonumber(entry[2]) + window - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
end
return 0
`;
const RESERVE_SHA = createHash('sha1').update(RESERVE_SCRIPT).digest('hex');

export interface LimitRule {
  /** Names the counter in Redis keys: `<prefix>ratelimit:<name>:<subject>`. */
  name: string;
  limit: number;
  windowMs: number;
}

/** A recorded event; `release()` takes it back when it turned out not to count. */
export interface Reservation {
  release(): Promise<void>;
}

/**
 * The per-process stand-in while Redis is unreachable: the same sliding window over this
 * process's clock, for at most `maxSubjects` subjects (least recently used ones are forgotten).
 */
export class LocalSlidingWindow {
  private readonly events: LRUCache<string, Map<string, number>>;

  constructor(
    private readonly rule: LimitRule,
    maxSubjects = 10_000,
  ) {
    this.events = new LRUCache({ max: maxSubjects, ttl: rule.windowMs });
  }

  /** 0 when recorded on every key, else the milliseconds until it could be (nothing recorded). */
  reserve(keys: string[], member: string, now = Date.now()): number {
    let wait = 0;
    const windows = keys.map((key) => {
      const events = this.events.get(key) ?? new Map<string, number>();
      for (const [id, at] of events) if (at <= now - this.rule.windowMs) events.delete(id);
      if (events.size >= this.rule.limit) {
        const times = [...events.values()].sort((a, b) => a - b);
        const untilFree = (times[events.size - this.rule.limit] as number) + this.rule.windowMs - now;
        wait = Math.max(wait, untilFree);
      }
      return [key, events] as const;
    });
    if (wait > 0) return wait;
    for (const [key, events] of windows) {
      events.set(member, now);
      this.events.set(key, events);
    }
    return 0;
  }

  release(keys: string[], member: string): void {
    for (const key of keys) this.events.get(key)?.delete(member);
  }
}

export class SlidingWindowLimiter {
  private readonly local: LocalSlidingWindow;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly rule: LimitRule,
  ) {
    this.local = new LocalSlidingWindow(rule);
  }

  key(subject: string): string {
    return `${this.prefix}ratelimit:${this.rule.name}:${subject}`;
  }

  /**
   * Records one event against every subject, or none if any subject is at its limit, in which
   * case it throws RATE_LIMITED with `retryAfter` (seconds). Null subjects are skipped.
   */
  async reserve(subjects: Array<string | null>): Promise<Reservation> {
    const keys = subjects.filter((s): s is string => s !== null).map((s) => this.key(s));
    const member = randomBytes(12).toString('base64url');
    let inRedis = redisAvailable(this.redis);
    let waitMs = 0;
    if (inRedis) {
      try {
        waitMs = await this.evalReserve(keys, member);
      } catch (error) {
        if (!isRedisOutage(error)) throw error;
        inRedis = false;
      }
    }
    if (!inRedis) waitMs = this.local.reserve(keys, member);
    if (waitMs > 0) throw rateLimited(Math.max(1, Math.ceil(waitMs / 1000)));
    return {
      release: async () => {
        if (keys.length === 0) return;
        if (!inRedis) return this.local.release(keys, member);
        const pipeline = this.redis.pipeline();
        for (const key of keys) pipeline.zrem(key, member);
        // Not released in Redis: the event stays counted until its window ends, the safe side.
        await pipeline.exec().catch(() => {});
      },
    };
  }

  private async evalReserve(keys: string[], member: string): Promise<number> {
    if (keys.length === 0) return 0;
    const args = [String(this.rule.windowMs), String(this.rule.limit), member];
    try {
      return Number(await this.redis.evalsha(RESERVE_SHA, keys.length, ...keys, ...args));
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return Number(await this.redis.eval(RESERVE_SCRIPT, keys.length, ...keys, ...args));
    }
  }
}
