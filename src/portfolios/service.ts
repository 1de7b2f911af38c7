/**
 * Portfolio business rules: portfolios and shares (the ledger's investments, transactions, custom
 * assets and files are src/ledger's), each change to a portfolio with its activity row in the same transaction. Callers have already
 * checked the caller's role (./roles.ts, through the `portfolioRole` scope); what is checked here
 * is the input and the state of the data.
 *
 * Share changes are atomic: the scope's check ran before the transaction, so a share or unshare
 * locks the portfolio row (FOR NO KEY UPDATE: transactions can still be recorded meanwhile) and
 * checks the caller's role against the shares as they stand under that lock. Two concurrent
 * changes are then serialized; an ADMIN cannot downgrade a share that the owner has just made
 * ADMIN, nor act on a role just taken away. Every change of who may see a portfolio goes the
 * one way of ./access-changes.ts: what the lost access gave ends in the change's transaction
 * (alerts), and the streams of those who lost it end at once after it commits, on every instance.
 */
import type { FastifyBaseLogger } from 'fastify';
import { existingUserContact, normalizeEmail, userByEmail } from '../auth/index.js';
import type { Portfolio, PortfolioShare } from '../generated/prisma/client.js';
import type { Permission } from '../generated/prisma/enums.js';
import { Prisma, type Db } from '../platform/db.js';
import { badInput, forbidden, notFound, Problems } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
import type { Config } from '../config.js';
import type { Redis } from '../platform/redis.js';
import type { AccessChange, AccessChanges } from './access-changes.js';
import { recordActivity, type Actor } from './activity.js';
import { PortfolioAccess } from './access.js';
import { roleAtLeast, roleToManageShare, type PortfolioRole } from './roles.js';
import { ShareLimit } from './share-limit.js';
import { portfolioSnapshot } from './shapes.js';
import {
  checkName,
  checkOptionalText,
  checkPortfolioInput,
  DESCRIPTION_MAX,
  type PortfolioInput,
  type PortfolioPatch,
} from './validation.js';

/** Which portfolios a user lists: their own and those shared with them (not others' public ones). */
export function listedPortfoliosWhere(userId: string): Prisma.PortfolioWhereInput {
  return { OR: [{ ownerId: userId }, { shares: { some: { userId } } }] };
}

/**
 * Inserts a portfolio of `ownerId` with checked fields, in the caller's transaction (its activity
 * row is the caller's to write: creating and importing say different things).
 */
export function insertPortfolio(
  tx: Prisma.TransactionClient,
  ownerId: string,
  data: ReturnType<typeof checkPortfolioInput>,
): Promise<Portfolio> {
  return tx.portfolio.create({ data: { ...data, ownerId } });
}

/** Only the keys whose values differ, as { before, after }; null when nothing changed. */
export function changes<T extends Record<string, unknown>>(before: T, after: T): { before: Partial<T>; after: Partial<T> } | null {
  const keys = Object.keys(after).filter((k) => before[k] !== after[k]) as (keyof T)[];
  if (keys.length === 0) return null;
  const pick = (source: T) => Object.fromEntries(keys.map((k) => [k, source[k]])) as Partial<T>;
  return { before: pick(before), after: pick(after) };
}

export function refuseNull(problems: Problems, field: string, value: unknown): void {
  if (value === null) problems.add(field, 'cannot be cleared');
}

/** A change whose row vanished in the meantime (a concurrent delete) is simply not found. */
export async function missingAsNotFound<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && (error.code === 'P2025' || error.code === 'P2003')) {
      throw notFound(what);
    }
    throw error;
  }
}

/** Throws unless `role` may set the share to `permission` (null: remove it), given the share as it is. */
function assertMayManageShare(
  role: PortfolioRole | null,
  permission: Permission | null,
  existing: { permission: Permission; own: boolean } | null,
): void {
  if (!role) throw notFound('Portfolio');
  if (!roleAtLeast(role, roleToManageShare(permission, existing))) throw forbidden();
}

export class PortfolioService {
  private readonly shareLimit: ShareLimit;

  constructor(
    private readonly db: Db,
    private readonly logger: FastifyBaseLogger,
    private readonly deps: {
      redis: Redis;
      config: Pick<Config, 'REDIS_PREFIX' | 'SHARES_PER_USER_PER_HOUR'>;
      /** The one path of access changes (./access-changes.ts). */
      accessChanges: AccessChanges;
    },
  ) {
    this.shareLimit = new ShareLimit(deps);
  }

  /**
   * In the transaction that deletes `userId`'s account (auth's hook, set by the composition
   * root): the portfolios it owns go for everyone, the shares it holds go for it. Returns what to
   * do once that transaction has committed.
   */
  async accountDeletion(tx: Prisma.TransactionClient, userId: string): Promise<() => Promise<void>> {
    const [owned, shared] = await Promise.all([
      tx.portfolio.findMany({ where: { ownerId: userId }, select: { id: true } }),
      tx.portfolioShare.findMany({ where: { userId }, select: { portfolioId: true } }),
    ]);
    const changes: AccessChange[] = [
      ...owned.map(({ id }) => ({ portfolioId: id, userIds: null, lost: true })),
      ...shared.map(({ portfolioId }) => ({ portfolioId, userIds: [userId], lost: true })),
    ];
    await this.deps.accessChanges.within(tx, changes);
    return () => this.deps.accessChanges.announce(changes);
  }

  async create(actor: Actor, input: PortfolioInput): Promise<Portfolio> {
    const problems = new Problems();
    const data = checkPortfolioInput(problems, input);
    problems.throwIfAny();
    return this.db.$transaction(async (tx) => {
      const portfolio = await insertPortfolio(tx, actor.userId, data);
      await recordActivity(tx, actor, portfolio.id, 'PORTFOLIO_CREATED', { after: portfolioSnapshot(portfolio) });
      return portfolio;
    });
  }

  async update(actor: Actor, id: string, patch: PortfolioPatch): Promise<Portfolio> {
    const problems = new Problems();
    refuseNull(problems, 'name', patch.name);
    refuseNull(problems, 'isPublic', patch.isPublic);
    const name = patch.name == null ? undefined : checkName(problems, 'name', patch.name);
    const description = checkOptionalText(problems, 'description', patch.description, DESCRIPTION_MAX);
    problems.throwIfAny();
    const updated = await missingAsNotFound('Portfolio', () =>
      this.db.$transaction(async (tx) => {
        const before = await tx.portfolio.findUniqueOrThrow({ where: { id } });
        const after = {
          ...portfolioSnapshot(before),
          ...(name !== undefined && { name }),
          ...(description !== undefined && { description }),
          ...(patch.isPublic != null && { isPublic: patch.isPublic }),
        };
        const detailsDiff = changes(portfolioSnapshot(before), after);
        const methodDiff =
          patch.costBasisMethod != null && patch.costBasisMethod !== before.costBasisMethod
            ? { before: { costBasisMethod: before.costBasisMethod }, after: { costBasisMethod: patch.costBasisMethod } }
            : null;
        if (!detailsDiff && !methodDiff) return before;
        const diff = {
          before: { ...detailsDiff?.before, ...methodDiff?.before },
          after: { ...detailsDiff?.after, ...methodDiff?.after },
        };
        const updated = await tx.portfolio.update({ where: { id }, data: diff.after });
        await recordActivity(tx, actor, id, 'PORTFOLIO_UPDATED', diff);
        return updated;
      }),
    );
    // Made private: its public readers' live valuations end (collaborators keep theirs, and their alerts).
    if (patch.isPublic === false) await this.deps.accessChanges.announce([{ portfolioId: id, userIds: null, lost: false }]);
    return updated;
  }

  /** Deletes the portfolio with its investments, shares and (so) its whole activity trail. */
  async delete(actor: Actor, id: string): Promise<void> {
    const changes = [{ portfolioId: id, userIds: null, lost: true }];
    await missingAsNotFound('Portfolio', () =>
      this.db.$transaction(async (tx) => {
        await this.deps.accessChanges.within(tx, changes);
        await tx.portfolio.delete({ where: { id } });
      }),
    );
    // The trail is gone with the portfolio; the log keeps the one record of who deleted it.
    this.logger.info({ portfolioId: id, userId: actor.userId, ip: actor.ip }, 'portfolio deleted');
    await this.deps.accessChanges.announce(changes);
  }

  /** The share `target` holds on the portfolio now (null: none, or no such user). */
  async shareOf(
    portfolioId: string,
    target: { email: string } | { userId: string },
  ): Promise<{ userId: string; permission: Permission } | null> {
    if (!isUuid(portfolioId) || ('userId' in target && !isUuid(target.userId))) return null;
    // Who is behind an address is auth's to say (it owns users).
    const userId = 'email' in target ? (await userByEmail(this.db, normalizeEmail(target.email)))?.id : target.userId;
    if (!userId) return null;
    return this.db.portfolioShare.findFirst({ where: { portfolioId, userId }, select: { userId: true, permission: true } });
  }

  /**
   * Shares the portfolio with the account behind `email`, or changes the permission of an
   * existing share (sharing again is how a permission is changed; the same permission again
   * changes nothing and records nothing).
   */
  async share(
    actor: Actor,
    portfolioId: string,
    emailInput: string,
    permission: Permission,
    options: { limitCounted?: boolean } = {},
  ): Promise<PortfolioShare> {
    const email = normalizeEmail(emailInput);
    if (!options.limitCounted) await this.shareLimit.count(actor.userId);
    const outcome = await missingAsNotFound('Portfolio', () =>
      this.db.$transaction(async (tx) => {
        const role = await PortfolioAccess.lockedRoleOf(tx, actor.userId, portfolioId);
        if (!role) throw notFound('Portfolio');
        const portfolio = await tx.portfolio.findUniqueOrThrow({ where: { id: portfolioId }, select: { ownerId: true } });
        const user = email ? await userByEmail(tx, email) : null;
        if (!user) throw badInput([{ field: 'email', message: 'No account uses this email address; ask them to sign up first' }]);
        // A grant keyed by an address goes only to an account that proved it (else whoever
        // registers someone's address first would get what was meant for them).
        if (!user.emailVerified)
          throw badInput([{ field: 'email', message: 'This account has not verified its email address yet; invite it instead' }]);
        if (user.id === actor.userId) throw badInput([{ field: 'email', message: 'You cannot share a portfolio with yourself' }]);
        if (user.id === portfolio.ownerId) throw badInput([{ field: 'email', message: 'This is the owner, who already has full access' }]);
        const existing = await tx.portfolioShare.findUnique({ where: { portfolioId_userId: { portfolioId, userId: user.id } } });
        // The scope checked this before the transaction; the shares may have changed since.
        assertMayManageShare(role, permission, existing && { permission: existing.permission, own: false });
        if (existing?.permission === permission) return { share: existing, changed: false };
        const share = await tx.portfolioShare.upsert({
          where: { portfolioId_userId: { portfolioId, userId: user.id } },
          create: { portfolioId, userId: user.id, permission },
          update: { permission },
        });
        await recordActivity(tx, actor, portfolioId, 'PORTFOLIO_SHARED', {
          user: { id: user.id, email: user.email },
          before: existing ? { permission: existing.permission } : null,
          after: { permission },
        });
        return { share, changed: existing !== null };
      }),
    );
    // A role change re-authorizes that user's live valuations (a new share needs nothing); every
    // permission includes VIEW, so nothing that needs a collaborator's role is lost.
    if (outcome.changed) await this.deps.accessChanges.announce([{ portfolioId, userIds: [outcome.share.userId], lost: false }]);
    return outcome.share;
  }

  /** Counts one sharing attempt of the user's against the hourly limit (invitePortfolio's). */
  countShareAttempt(userId: string): Promise<void> {
    return this.shareLimit.count(userId);
  }

  async unshare(actor: Actor, portfolioId: string, userId: string): Promise<void> {
    if (!isUuid(userId)) throw notFound('Share');
    const changes = [{ portfolioId, userIds: [userId], lost: true }];
    await this.db.$transaction(async (tx) => {
      const role = await PortfolioAccess.lockedRoleOf(tx, actor.userId, portfolioId);
      const share = await tx.portfolioShare.findUnique({ where: { portfolioId_userId: { portfolioId, userId } } });
      if (!role) throw notFound('Portfolio');
      if (!share) throw notFound('Share');
      const user = await existingUserContact(tx, userId);
      assertMayManageShare(role, null, { permission: share.permission, own: userId === actor.userId });
      await tx.portfolioShare.delete({ where: { id: share.id } });
      await recordActivity(tx, actor, portfolioId, 'PORTFOLIO_UNSHARED', {
        user: { id: userId, email: user.email },
        before: { permission: share.permission },
        after: null,
      });
      await this.deps.accessChanges.within(tx, changes);
    });
    await this.deps.accessChanges.announce(changes);
  }
}
