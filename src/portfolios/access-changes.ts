/**
 * Access ends everything it gave (issue 21): the one path every change of who may see a
 * portfolio takes, whatever its cause — an unshare, a role change, making it private, deleting
 * it, deleting the account of its owner or of a collaborator.
 *
 *   1. Inside the transaction that makes the change, `within(tx, changes)` runs the work other
 *      domains registered for lost access (`onLoss`; the composition root registers alerts',
 *      which deactivates the alerts those users had on the portfolio). It commits with the
 *      change or not at all: an alert can no longer fire once the unshare has committed.
 *   2. After the commit, `announce(changes)` publishes the changes on Redis; every instance hears
 *      them and re-checks at once the streams that follow the portfolio (`follow`): a stream
 *      whose viewer lost access ends with NOT_FOUND, the others go on. The losses' after-commit
 *      work runs too (alerts tell the evaluators to reload). Announcing never fails the change:
 *      the streams' periodic re-check is the safety net for a message lost to a Redis outage.
 *
 * A new per-portfolio stream joins with one call: `await accessChanges.follow(portfolioId,
 * viewerId, recheck)` (its stop function is called when the stream ends), where `recheck` asks
 * the portfolio-access service again and ends the stream when the answer is no. See
 * docs/architecture.md ("Access changes").
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Prisma } from '../platform/db.js';
import type { RedisChannels } from '../platform/redis-channels.js';
import type { Redis } from '../platform/redis.js';

/** A change of who may see a portfolio. */
export interface AccessChange {
  portfolioId: string;
  /** Whose access changed: these users, or (null) anyone's. Their streams re-check it at once. */
  userIds: string[] | null;
  /** They lost every collaborator role on it (unshare, deletion): what that role let them set up ends. */
  lost: boolean;
}

/** Work another domain does when users lose access: in the change's transaction, and once it committed. */
export interface AccessLossHook {
  within(tx: Prisma.TransactionClient, lost: readonly AccessChange[]): Promise<void>;
  afterCommit?(lost: readonly AccessChange[]): Promise<void>;
}

/** The Redis channel on which access changes are announced to every instance. */
export function accessChangedChannel(prefix: string): string {
  return `${prefix}portfolio-access-changed`;
}

interface Follower {
  userId: string | null;
  recheck(): void;
}

export class AccessChanges {
  private readonly lossHooks: AccessLossHook[] = [];
  /** Streams of this instance that follow a portfolio's access, by portfolio. */
  private readonly followers = new Map<string, Set<Follower>>();
  /** The Redis listener, started with the first follower. */
  private listener: Promise<() => void> | null = null;

  constructor(
    private readonly deps: {
      redis: Redis;
      /** This instance's subscriber connection (absent where nothing follows, e.g. the worker). */
      channels?: RedisChannels;
      prefix: string;
      logger: FastifyBaseLogger;
    },
  ) {}

  /** Registers what a domain ends when access is lost (the composition root calls it). */
  onLoss(hook: AccessLossHook): void {
    this.lossHooks.push(hook);
  }

  /** In the transaction that makes the changes: the registered work for the lost ones. */
  async within(tx: Prisma.TransactionClient, changes: readonly AccessChange[]): Promise<void> {
    const lost = changes.filter((change) => change.lost);
    if (lost.length === 0) return;
    for (const hook of this.lossHooks) await hook.within(tx, lost);
  }

  /** After the commit: every instance re-checks the streams the changes concern. Never throws. */
  async announce(changes: readonly AccessChange[]): Promise<void> {
    if (changes.length === 0) return;
    const lost = changes.filter((change) => change.lost);
    for (const hook of this.lossHooks) {
      if (lost.length > 0 && hook.afterCommit)
        await hook
          .afterCommit(lost)
          .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'access loss: after-commit work failed'));
    }
    const channel = accessChangedChannel(this.deps.prefix);
    for (const change of changes) {
      try {
        await this.deps.redis.publish(channel, JSON.stringify(change));
      } catch (error) {
        this.deps.logger.warn({ err: error, portfolioId: change.portfolioId }, 'could not announce a portfolio access change');
      }
    }
  }

  /**
   * Calls `recheck` whenever a change that may concern `userId` on `portfolioId` is announced (on
   * any instance). Resolves once listening, so no change after it goes unheard; returns the
   * function that stops following.
   */
  async follow(portfolioId: string, userId: string | null, recheck: () => void): Promise<() => void> {
    await this.listen();
    const follower: Follower = { userId, recheck };
    let set = this.followers.get(portfolioId);
    if (!set) this.followers.set(portfolioId, (set = new Set()));
    set.add(follower);
    return () => {
      const current = this.followers.get(portfolioId);
      current?.delete(follower);
      if (current?.size === 0) this.followers.delete(portfolioId);
    };
  }

  /** Streams following access on this instance (tests, diagnostics). */
  followerCount(): number {
    let count = 0;
    for (const set of this.followers.values()) count += set.size;
    return count;
  }

  /** Stops listening (on app close, before the channels close). */
  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    await listener?.then(
      (stop) => stop(),
      () => {},
    );
  }

  private listen(): Promise<() => void> {
    const channels = this.deps.channels;
    if (!channels) throw new Error('AccessChanges: following needs the channels connection');
    this.listener ??= channels.listen(accessChangedChannel(this.deps.prefix), (message) => {
      let change: AccessChange;
      try {
        change = JSON.parse(message) as AccessChange;
      } catch {
        this.deps.logger.warn('ignoring a malformed portfolio access message');
        return;
      }
      const userIds = Array.isArray(change.userIds) ? new Set(change.userIds.map(String)) : null;
      for (const follower of this.followers.get(String(change.portfolioId)) ?? []) {
        if (!userIds || (follower.userId !== null && userIds.has(follower.userId))) follower.recheck();
      }
    });
    return this.listener;
  }
}
