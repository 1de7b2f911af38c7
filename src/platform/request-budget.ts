/**
 * The API-wide request budget: each caller (a user, or an IP address when anonymous) may spend
 * `costPerMinute` per minute, a GraphQL operation costing its complexity and a plain route its
 * fixed cost. The count lives in Redis (one key per caller and minute, INCRBY in a Lua script),
 * so every replica draws on the same budget. A refused request is refunded: being refused costs
 * nothing, and Remaining stays what a caller may still spend. While Redis is unreachable each
 * process counts on its own (as the login limits do): the budget then holds per replica.
 */
import { ipLimitKey } from './ip.js';
import { LRUCache } from 'lru-cache';
import { isRedisOutage, type Redis } from './redis.js';

const WINDOW_MS = 60_000;

/** KEYS[1]: the caller's counter. ARGV: cost, limit, window (ms). Returns { allowed 0|1, spent, ms to reset }. */
const CHARGE_SCRIPT = `
local spent = redis.call('INCRBY', KEYS[1], ARGV[1])
if spent == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]); ttl = tonumber(ARGV[3]) end
if spent > tonumber(ARGV[2]) then
  spent = redis.call('DECRBY', KEYS[1], ARGV[1])
  return { 0, spent, ttl }
end
return { 1, spent, ttl }
`;

export interface BudgetDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (the Retry-After of a refusal). */
  resetSeconds: number;
}

export class RequestBudget {
  /** The per-process fallback: callers' spending in the current window, bounded in size. */
  private readonly local = new LRUCache<string, { spent: number; resetAt: number }>({ max: 10_000 });

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** 0 = no limit. */
    readonly costPerMinute: number,
  ) {}

  get enabled(): boolean {
    return this.costPerMinute > 0;
  }

  /** Spends `cost` of the caller's budget, or refuses without spending. */
  async charge(subject: string, cost: number): Promise<BudgetDecision> {
    const limit = this.costPerMinute;
    const units = Math.max(1, Math.ceil(cost));
    let answer: [number, number, number];
    try {
      answer = (await this.redis.eval(CHARGE_SCRIPT, 1, `${this.prefix}budget:${subject}`, units, limit, WINDOW_MS)) as [
        number,
        number,
        number,
      ];
    } catch (error) {
      if (!isRedisOutage(error)) throw error;
      answer = this.chargeLocally(subject, units);
    }
    const [allowed, spent, ttl] = answer;
    return { allowed: allowed === 1, limit, remaining: Math.max(0, limit - spent), resetSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
  }

  /** CHARGE_SCRIPT's answer, counted in this process. */
  private chargeLocally(subject: string, units: number): [number, number, number] {
    const now = Date.now();
    let entry = this.local.get(subject);
    if (!entry || entry.resetAt <= now) this.local.set(subject, (entry = { spent: 0, resetAt: now + WINDOW_MS }));
    const allowed = entry.spent + units <= this.costPerMinute;
    if (allowed) entry.spent += units;
    return [allowed ? 1 : 0, entry.spent, entry.resetAt - now];
  }
}

/** The standard headers of a decision (IETF RateLimit fields, as draft 7 names them). */
export function rateLimitHeaders(decision: BudgetDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
  };
  if (!decision.allowed) headers['retry-after'] = String(decision.resetSeconds);
  return headers;
}

/** Whose budget a request draws on: the signed-in user's, else its IP address's (an IPv6 /64 as one). */
export function budgetSubject(viewer: { userId: string } | null, ip: string | null): string {
  return viewer ? `user:${viewer.userId}` : `ip:${ip ? ipLimitKey(ip) : 'unknown'}`;
}
