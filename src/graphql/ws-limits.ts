/**
 * Live WebSocket slots, counted across every API instance through Redis: connections per user
 * and per IP address, and subscriptions per user (WS_CONNECTIONS_PER_USER, WS_CONNECTIONS_PER_IP,
 * SUBSCRIPTIONS_PER_USER; 0 = no limit).
 *
 * Each slot is a member of a Redis sorted set per subject (`<prefix>ws:<kind>:<subject>`),
 * scored with its lease's expiry by Redis' own clock. A Lua script takes a slot on every subject
 * at once, or none when one is full, after dropping expired leases; so concurrent connections on
 * several instances cannot slip past a limit. The instance renews the leases it holds every
 * third of LEASE_MS and removes a slot when its connection or subscription ends; the slots of
 * an instance that died without closing expire with their lease (LEASE_MS).
 *
 * With Redis unreachable the limits are not enforced (one warning per outage): refusing every
 * live connection would be the worse failure. Hand-written for the same reasons as
 * src/auth/rate-limit.ts: a few lines of Lua, our key prefix, and leases renewed in one place.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from '../platform/redis.js';

export const LEASE_MS = 60_000;

/** KEYS: the subjects' sets. ARGV: lease (ms), member, then one limit per key. Returns 0, or the 1-based index of the full key. */
const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + lease, ARGV[2])
  redis.call('PEXPIRE', key, lease)
end
return 0
`;
/** KEYS: one set. ARGV: lease (ms), then the members to renew (only those still there). */
const RENEW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], lease)
return 0
`;

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const ACQUIRE_SHA = sha1(ACQUIRE_SCRIPT);
const RENEW_SHA = sha1(RENEW_SCRIPT);

/** One limit to respect: a subject's set and how many members it may hold (0: no limit, skipped). */
export interface SlotClaim {
  kind: 'connections:user' | 'connections:ip' | 'subscriptions:user';
  subject: string;
  limit: number;
}

export type SlotOutcome = { ok: true; slot: string } | { ok: false; refused: SlotClaim };

export class LiveSlots {
  /** This instance's name in slot members, so instances never take each other's slots. */
  private readonly instance = randomUUID();
  private sequence = 0;
  /** Slots held by this instance: member → the keys it is in. */
  private readonly held = new Map<string, string[]>();
  private readonly renewTimer: NodeJS.Timeout;
  private redisDown = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Pick<FastifyBaseLogger, 'warn' | 'info'>,
    private readonly leaseMs = LEASE_MS,
  ) {
    this.renewTimer = setInterval(() => void this.renew(), Math.max(1000, Math.floor(leaseMs / 3)));
    this.renewTimer.unref();
  }

  private key(claim: SlotClaim): string {
    return `${this.prefix}ws:${claim.kind}:${claim.subject}`;
  }

  /** Takes one slot under every claim (limit 0 claims are skipped), or none. */
  async acquire(claims: SlotClaim[]): Promise<SlotOutcome> {
    const active = claims.filter((claim) => claim.limit > 0);
    const slot = `${this.instance}:${++this.sequence}`;
    if (active.length === 0) return { ok: true, slot };
    const keys = active.map((claim) => this.key(claim));
    const args = [String(this.leaseMs), slot, ...active.map((claim) => String(claim.limit))];
    let full: number;
    try {
      full = Number(await this.evalScript(ACQUIRE_SHA, ACQUIRE_SCRIPT, keys, args));
      this.recovered();
    } catch (error) {
      this.failed(error);
      return { ok: true, slot };
    }
    if (full > 0) return { ok: false, refused: active[full - 1]! };
    this.held.set(slot, keys);
    return { ok: true, slot };
  }

  /** Gives a slot back (idempotent). */
  release(slot: string): void {
    const keys = this.held.get(slot);
    if (!keys) return;
    this.held.delete(slot);
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.zrem(key, slot);
    pipeline.exec().catch((error: unknown) => this.failed(error));
  }

  /** Releases every slot this instance holds and stops renewing (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.renewTimer);
    const pipeline = this.redis.pipeline();
    for (const [slot, keys] of this.held) for (const key of keys) pipeline.zrem(key, slot);
    this.held.clear();
    await pipeline.exec().catch(() => {});
  }

  /** How many slots this instance holds (tests, diagnostics). */
  heldCount(): number {
    return this.held.size;
  }

  private async renew(): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const [slot, keys] of this.held) {
      for (const key of keys) {
        let slots = byKey.get(key);
        if (!slots) byKey.set(key, (slots = []));
        slots.push(slot);
      }
    }
    try {
      for (const [key, slots] of byKey) await this.evalScript(RENEW_SHA, RENEW_SCRIPT, [key], [String(this.leaseMs), ...slots]);
      if (byKey.size > 0) this.recovered();
    } catch (error) {
      this.failed(error);
    }
  }

  private async evalScript(sha: string, script: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return this.redis.eval(script, keys.length, ...keys, ...args);
    }
  }

  private failed(error: unknown): void {
    if (this.redisDown) return;
    this.redisDown = true;
    this.log.warn({ err: error }, 'WebSocket limits not enforced: Redis unreachable');
  }

  private recovered(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.log.info('WebSocket limits enforced again: Redis reachable');
  }
}
