/**
 * Invitations: sharing a portfolio with an email address. An address whose account has proven
 * it (emailVerified) gets the share at once; any other gets a pending invitation (link token
 * stored as its SHA-256, 14 days) that becomes the share only on proof of the address: someone
 * signed in accepts the link from the mail, or an account with that address verifies it.
 * Registering the address alone grants nothing (else whoever registers an invited address first
 * would take the share). invitePortfolio answers true either way, counts against the sharing
 * limit either way and does comparable work on both paths, so it does not tell which addresses
 * have accounts.
 */
import type { FastifyBaseLogger } from 'fastify';
import {
  acceptedEmail,
  existingUserContact,
  invitationLink,
  newOpaqueToken,
  normalizeEmail,
  sha256Hex,
  userByEmail,
  type EmailOutbox,
} from '../auth/index.js';
import type { Config } from '../config.js';
import type { Portfolio, PortfolioInvitation } from '../generated/prisma/client.js';
import type { Permission } from '../generated/prisma/enums.js';
import type { Db, Prisma } from '../platform/db.js';
import { AppError, badInput, notFound } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
import { recordActivity, type Actor } from './activity.js';

export const INVITATION_TTL_MS = 14 * 24 * 60 * 60 * 1000;

export class PortfolioInvitations {
  constructor(
    private readonly deps: { db: Db; config: Pick<Config, 'APP_URL'>; outbox: Pick<EmailOutbox, 'send'>; logger: FastifyBaseLogger },
    private readonly sharing: {
      /** Counts one sharing attempt against the actor's hourly limit (RATE_LIMITED past it). */
      count: (userId: string) => Promise<void>;
      /** Shares with the account behind a verified address, already counted. */
      share: (actor: Actor, portfolioId: string, email: string, permission: Permission) => Promise<unknown>;
    },
  ) {}

  async invite(actor: Actor, portfolioId: string, emailInput: string, permission: Permission): Promise<true> {
    const email = acceptedEmail(emailInput);
    if (!email) throw badInput([{ field: 'email', message: 'must be a valid email address' }]);
    // Before the address is looked up, for every address alike: once the hour's limit is
    // reached, registered and unknown addresses get the same RATE_LIMITED.
    await this.sharing.count(actor.userId);
    const { db } = this.deps;
    const existing = await userByEmail(db, email);
    if (existing?.emailVerified) {
      try {
        await this.sharing.share(actor, portfolioId, email, permission);
      } catch (error) {
        // The owner or the inviter themselves: nothing to share, and nothing to reveal.
        if (!(error instanceof AppError && error.code === 'BAD_USER_INPUT')) throw error;
      }
      return true;
    }
    const token = newOpaqueToken();
    const { portfolio, inviter } = await db.$transaction(async (tx) => {
      const portfolio = await tx.portfolio.findUnique({ where: { id: portfolioId }, select: { name: true } });
      if (!portfolio) throw notFound('Portfolio');
      const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
      const invitation = await tx.portfolioInvitation.upsert({
        where: { portfolioId_email: { portfolioId, email } },
        create: { portfolioId, email, permission, tokenHash: sha256Hex(token), invitedById: actor.userId, expiresAt },
        update: { permission, tokenHash: sha256Hex(token), invitedById: actor.userId, expiresAt, createdAt: new Date() },
      });
      await recordActivity(tx, actor, portfolioId, 'PORTFOLIO_INVITED', { invitationId: invitation.id, email, after: { permission } });
      const inviter = await existingUserContact(tx, actor.userId);
      return { portfolio, inviter };
    });
    this.deps.outbox.send({
      kind: 'portfolio-invitation',
      to: email,
      inviterName: inviter.name,
      portfolioName: portfolio.name,
      permission,
      link: invitationLink(this.deps.config, token),
    });
    return true;
  }

  /** Pending invitations of the portfolio, newest first. */
  list(portfolioId: string): Promise<PortfolioInvitation[]> {
    return this.deps.db.portfolioInvitation.findMany({
      where: { portfolioId, expiresAt: { gt: new Date() } },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    });
  }

  /** The portfolio an invitation belongs to (for the role check), or null. */
  async portfolioOf(id: string): Promise<string | null> {
    if (!isUuid(id)) return null;
    const row = await this.deps.db.portfolioInvitation.findUnique({ where: { id }, select: { portfolioId: true } });
    return row?.portfolioId ?? null;
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    await this.deps.db.$transaction(async (tx) => {
      const invitation = isUuid(id) ? await tx.portfolioInvitation.findUnique({ where: { id } }) : null;
      if (!invitation) throw notFound('Invitation');
      await tx.portfolioInvitation.delete({ where: { id } });
      await recordActivity(tx, actor, invitation.portfolioId, 'INVITATION_REVOKED', {
        invitationId: id,
        email: invitation.email,
        before: { permission: invitation.permission },
      });
    });
  }

  /** Turns every live invitation to this address into a share (called once an account has proven it). */
  async claimForVerifiedAddress(userId: string, email: string): Promise<void> {
    const { db } = this.deps;
    await db.$transaction(async (tx) => {
      const invitations = await tx.portfolioInvitation.findMany({ where: { email: normalizeEmail(email), expiresAt: { gt: new Date() } } });
      for (const invitation of invitations) await this.turnIntoShare(tx, invitation, userId);
    });
  }

  /** Accepts a link for the signed-in user: that invitation becomes their share. */
  async accept(userId: string, token: string): Promise<Portfolio> {
    const { db } = this.deps;
    return db.$transaction(async (tx) => {
      const invitation = await tx.portfolioInvitation.findUnique({ where: { tokenHash: sha256Hex(token) }, include: { portfolio: true } });
      if (!invitation || invitation.expiresAt <= new Date()) {
        throw badInput([{ field: 'token', message: 'is invalid, expired or already used' }]);
      }
      if (invitation.portfolio.ownerId === userId) {
        await tx.portfolioInvitation.delete({ where: { id: invitation.id } });
        return invitation.portfolio;
      }
      await this.turnIntoShare(tx, invitation, userId);
      return invitation.portfolio;
    });
  }

  private async turnIntoShare(tx: Prisma.TransactionClient, invitation: PortfolioInvitation, userId: string): Promise<void> {
    await tx.portfolioInvitation.delete({ where: { id: invitation.id } });
    const existing = await tx.portfolioShare.findUnique({ where: { portfolioId_userId: { portfolioId: invitation.portfolioId, userId } } });
    if (existing) return; // a share given directly since then wins
    const user = await existingUserContact(tx, userId);
    await tx.portfolioShare.create({ data: { portfolioId: invitation.portfolioId, userId, permission: invitation.permission } });
    await recordActivity(
      tx,
      { userId: invitation.invitedById ?? userId, ip: null, userAgent: null },
      invitation.portfolioId,
      'PORTFOLIO_SHARED',
      { invitationId: invitation.id, user: { id: userId, email: user.email }, before: null, after: { permission: invitation.permission } },
    );
  }
}
