/**
 * Immediate session revocation across every API instance.
 *
 * PostgreSQL's `sessions.revoked_at` is the record of truth (SessionService writes it first);
 * Redis remembers each checked session's state, `live` or `revoked`, so checking a token costs
 * one GET, not a database query:
 * - `revoked` is written by every revocation and kept as long as an access token of the
 *   session could still be valid;
 * - `live:<userId>` is written (SET NX, so it never overwrites a revocation that raced it) after
 *   PostgreSQL said so, and kept for SESSION_LIVE_CACHE_SECONDS. A session is live only for
 *   its own user: a token whose `sub` is not the session's user is refused, so a token minted
 *   with another user's live session id authenticates nobody;
 * - no entry (first use, expired, or Redis restarted empty) or Redis unreachable: PostgreSQL
 *   decides. A session that no longer exists (its user was deleted) counts as revoked.
 * Mutations confirm the session in PostgreSQL (`confirmedRevoked`): a session revoked while
 * Redis was unreachable, or deleted with its user, cannot write even while a `live` entry lasts.
 * A message on the revocation channel lets every instance close that session's open
 * subscriptions at once.
 *
 * The states asked for together are read in one command (GET for one session, MGET for
 * several; ../platform/serial-batches.ts: the next turn, or when the read in flight answers;
 * WebSocket connects gather for up to CONNECT_GATHER_MS): a burst of WebSocket connections,
 * each checked twice, or of concurrent requests costs a few round trips and socket writes, not
 * two per client (a profile of 10,000 connects put ~15 % of the API's time in those writes). Each read is still sent after its caller asked, so a check
 * made after registering a socket sees every revocation written before it.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../platform/db.js';
import { isRedisOutage, redisAvailable, type Redis } from '../platform/redis.js';
import { SerialBatches } from '../platform/serial-batches.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './tokens.js';

const REVOKED = 'revoked';
const liveFor = (userId: string) => `live:${userId}`;
/** PostgreSQL could not say (see liveOwnerInDatabase). */
const UNKNOWN_OWNER = Symbol('unknown owner');
type Owner = string | null | typeof UNKNOWN_OWNER;
const notOwnedBy = (owner: Owner, userId: string) => owner !== UNKNOWN_OWNER && owner !== userId;
/** A minute beyond the token lifetime covers clock skew between instances. */
const REVOKED_TTL_SECONDS = ACCESS_TOKEN_TTL_SECONDS + 60;

/**
 * How long a WebSocket connect's session check may wait for others to share its command: a
 * burst of connects then costs one read per few milliseconds, not one per turn of the
 * event loop (a few sockets each; 2 ms still left ~0.5 s of a 10,000-connect burst in them).
 * Requests never wait: their checks go out at the next turn.
 */
export const CONNECT_GATHER_MS = 5;

/** When a check is sent: at the next turn (requests), or gathered with others (WebSocket connects). */
export type CheckTiming = 'request' | 'connect';

export class SessionRevocations {
  private readonly reads: Record<CheckTiming, StateReads>;

  constructor(
    private readonly redis: Redis,
    private readonly db: Db,
    private readonly prefix: string,
    private readonly liveCacheSeconds: number,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
  ) {
    this.reads = { request: new StateReads(redis, 0), connect: new StateReads(redis, CONNECT_GATHER_MS) };
  }

  get channel(): string {
    return `${this.prefix}session-revoked`;
  }

  key(sessionId: string): string {
    return `${this.prefix}session-state:${sessionId}`;
  }

  /**
   * Tells Redis and every instance; call after `revoked_at` is written. Without Redis the
   * database record still refuses the session everywhere once cached `live` entries expire.
   */
  async revoke(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const pipeline = this.redis.multi();
    for (const id of sessionIds) pipeline.set(this.key(id), REVOKED, 'EX', REVOKED_TTL_SECONDS);
    pipeline.publish(this.channel, JSON.stringify(sessionIds));
    try {
      await pipeline.exec();
    } catch (error) {
      if (!isRedisOutage(error)) throw error;
      this.log.warn({ sessionIds }, 'session revocation recorded in PostgreSQL only (Redis unavailable)');
    }
  }

  /** A session that has just started is live: its first requests need not ask PostgreSQL. */
  async markLive(sessionId: string, userId: string): Promise<void> {
    if (this.liveCacheSeconds === 0 || !redisAvailable(this.redis)) return;
    await this.remember(sessionId, userId).catch((error: unknown) => {
      if (!isRedisOutage(error)) throw error;
    });
  }

  /** True unless the session is live and belongs to `userId` (the token's `sub`). */
  async isRevoked(sessionId: string, userId: string, timing: CheckTiming = 'request'): Promise<boolean> {
    if (redisAvailable(this.redis)) {
      try {
        const state = await this.reads[timing].read(this.key(sessionId));
        if (state === REVOKED) return true;
        // Live, but another user's: refused, and the session stays live for its owner.
        if (state?.startsWith('live:')) return state !== liveFor(userId);
        const owner = await this.liveOwnerInDatabase(sessionId);
        await this.remember(sessionId, owner);
        return notOwnedBy(owner, userId);
      } catch (error) {
        if (!isRedisOutage(error)) throw error;
      }
    }
    return notOwnedBy(await this.liveOwnerInDatabase(sessionId), userId);
  }

  /**
   * Asks PostgreSQL, whatever Redis remembers (writes do: one primary-key lookup), and tells
   * Redis when the session turns out revoked or gone, so reads refuse it from then on too.
   */
  async confirmedRevoked(sessionId: string, userId: string): Promise<boolean> {
    const owner = await this.liveOwnerInDatabase(sessionId);
    if (owner === null && redisAvailable(this.redis)) await this.remember(sessionId, null).catch(() => {});
    return notOwnedBy(owner, userId);
  }

  /** The user whose live session this is; null when it is revoked or gone. */
  private async liveOwnerInDatabase(sessionId: string): Promise<Owner> {
    let session: { revokedAt: Date | null; userId: string } | null;
    try {
      session = await this.db.session.findUnique({ where: { id: sessionId }, select: { revokedAt: true, userId: true } });
    } catch {
      // PostgreSQL unreachable too: the state is unknown. Everything a request can read or write
      // needs PostgreSQL, so it fails with INTERNAL_SERVER_ERROR anyway; refusing the token here
      // instead would tell every client to sign out because of an outage. Writes check again.
      return UNKNOWN_OWNER;
    }
    return session && session.revokedAt === null ? session.userId : null;
  }

  /** Remembers a session as live for `owner`, or (null) as revoked. */
  private async remember(sessionId: string, owner: Owner): Promise<void> {
    if (owner === UNKNOWN_OWNER) return;
    if (owner === null) await this.redis.set(this.key(sessionId), REVOKED, 'EX', REVOKED_TTL_SECONDS);
    else if (this.liveCacheSeconds > 0) await this.redis.set(this.key(sessionId), liveFor(owner), 'EX', this.liveCacheSeconds, 'NX');
  }
}

type StateRead = { resolve: (state: string | null) => void; reject: (error: unknown) => void };

/** Session-state reads sent together: GET for one key, MGET for several (see the top of this file). */
class StateReads {
  private pending = new Map<string, StateRead[]>();
  private readonly batches: SerialBatches;

  constructor(
    private readonly redis: Redis,
    gatherMs: number,
  ) {
    this.batches = new SerialBatches(gatherMs);
  }

  read(key: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.batches.schedule(() => this.flush());
      let readers = this.pending.get(key);
      if (!readers) this.pending.set(key, (readers = []));
      readers.push({ resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    const keys = [...batch.keys()];
    const states: Promise<Array<string | null>> = this.batches.track(
      keys.length === 1 ? this.redis.get(keys[0]!).then((state) => [state]) : this.redis.mget(...keys),
    );
    states.then(
      (values) => keys.forEach((key, i) => batch.get(key)!.forEach((reader) => reader.resolve(values[i] ?? null))),
      (error: unknown) => batch.forEach((readers) => readers.forEach((reader) => reader.reject(error))),
    );
  }
}
