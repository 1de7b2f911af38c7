/**
 * Sessions and their tokens. A session is one sign-in on one device; its refresh tokens form one
 * rotation family: each refresh spends the presented token and issues the next. Presenting a
 * spent token again means two parties hold the family (a stolen token, or a replay), so the
 * whole session is revoked and the caller gets TOKEN_REUSED, except within 30 s of the token's
 * first use (./refresh-grace.ts: tabs refreshing at once), which answers the same successor.
 *
 * Revocation is immediate: the session is marked in the database (no more refreshes) and in
 * Redis (SessionRevocations: its access tokens are refused at once by resolveViewer, and open
 * subscriptions are closed by whoever listens on the revocation channel).
 */
import { UAParser } from 'ua-parser-js';
import type { Session, User } from '../generated/prisma/client.js';
import { AppError, notFound, unauthenticated } from '../platform/errors.js';
import type { Prisma } from '../platform/db.js';
import type { AuthDeps, ClientInfo } from './deps.js';
import { loginAlertEmail } from './email.js';
import type { EmailOutbox } from './email-outbox.js';
import { newOpaqueToken, sha256Hex } from './opaque.js';
import { securityEvent } from './security-log.js';
import { REFRESH_GRACE_SECONDS, RefreshGrace } from './refresh-grace.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './tokens.js';

export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type RevokeReason = 'logout' | 'logout_all' | 'revoked_by_user' | 'refresh_token_reused' | 'password_changed' | 'password_reset';

/** What register, login and refreshToken return (the contract's AuthPayload). */
export interface AuthPayloadData {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  user: User;
  /** Not part of the GraphQL type: for logs and the caller's bookkeeping. */
  sessionId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "Firefox on macOS", "Mobile Safari on iOS"; the raw user agent when it is not a browser. */
export function describeDevice(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const { browser, os } = UAParser(userAgent);
  if (browser.name && os.name) return `${browser.name} on ${os.name}`;
  if (browser.name || os.name) return (browser.name ?? os.name) as string;
  return userAgent.slice(0, 255);
}

export class SessionService {
  private readonly grace: RefreshGrace;

  constructor(
    private readonly deps: AuthDeps,
    private readonly outbox: EmailOutbox,
  ) {
    this.grace = new RefreshGrace(deps.redis, deps.config.REDIS_PREFIX);
  }

  /**
   * A new session for a user who has just proved who they are. With `alertOnNewDevice`, a
   * sign-in from a device or IP address none of the user's earlier sessions used sends an alert.
   */
  async start(user: User, client: ClientInfo, options: { alertOnNewDevice: boolean }): Promise<AuthPayloadData> {
    const { db } = this.deps;
    const device = describeDevice(client.userAgent);
    const isNew = options.alertOnNewDevice && (await this.isNewDeviceOrAddress(user.id, device, client.ip));
    const refreshToken = newOpaqueToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_MS);
    const session = await db.session.create({
      data: {
        userId: user.id,
        userAgent: client.userAgent,
        device,
        ipAddress: client.ip,
        lastUsedAt: now,
        expiresAt,
        refreshTokens: { create: { tokenHash: sha256Hex(refreshToken), expiresAt } },
      },
    });
    await this.deps.revocations.markLive(session.id, user.id);
    if (isNew) {
      // A category email: the notify-email worker honours the loginAlerts setting when it sends.
      await this.outbox.record({
        kind: 'notify',
        jobId: `login-alert-${session.id}`,
        job: loginAlertEmail(this.deps.config, user, {
          device: device ?? 'an unknown device',
          ipAddress: client.ip,
          at: now.toISOString(),
        }),
      });
    }
    return this.payload(user, session.id, refreshToken);
  }

  /** Rotates a refresh token: spends it and returns a new access token and refresh token. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<AuthPayloadData> {
    const { db } = this.deps;
    const tokenHash = sha256Hex(refreshToken);
    const presented = await db.refreshToken.findUnique({ where: { tokenHash }, include: { session: { include: { user: true } } } });
    if (!presented) throw unauthenticated('Invalid refresh token');
    const { session } = presented;
    if (presented.usedAt) return this.withinGrace(refreshToken, tokenHash, presented.usedAt, session, client);
    const now = new Date();
    if (session.revokedAt || presented.expiresAt <= now || session.expiresAt <= now) {
      // Prisma reads the token and its session in separate statements: a concurrent refresh may
      // have spent the token, and a third one ended the session as a reuse, in between. A spent
      // token is a reuse whatever its session's state, so look once more before calling it ended.
      const again = session.revokedAt ? await db.refreshToken.findUnique({ where: { tokenHash }, select: { usedAt: true } }) : null;
      if (again?.usedAt) return this.withinGrace(refreshToken, tokenHash, again.usedAt, session, client);
      throw unauthenticated('This session has ended; sign in again');
    }

    const next = newOpaqueToken();
    const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_MS);
    const rotated = await db.$transaction(async (tx) => {
      // The conditional UPDATE is the arbiter: of two concurrent refreshes with one token,
      // exactly one sees used_at IS NULL; the other is a reuse.
      const spent = await tx.$executeRaw`UPDATE refresh_tokens SET used_at = now() WHERE token_hash = ${tokenHash} AND used_at IS NULL`;
      if (spent !== 1) return false;
      const live = await tx.session.updateMany({ where: { id: session.id, revokedAt: null }, data: { lastUsedAt: now, expiresAt } });
      if (live.count !== 1) throw unauthenticated('This session has ended; sign in again');
      await tx.refreshToken.create({ data: { sessionId: session.id, tokenHash: sha256Hex(next), expiresAt } });
      // Before the commit: a concurrent refresh with this token waits on the row lock above
      // and, once it finds the token spent, must find the successor already remembered.
      // Without Redis the rotation still stands; only the tabs' grace is lost.
      await this.grace.remember(refreshToken, tokenHash, next).catch((err: unknown) => {
        this.deps.logger.warn({ err }, 'refresh grace window unavailable (Redis)');
      });
      return true;
    });
    if (!rotated) {
      const spent = await db.refreshToken.findUnique({ where: { tokenHash }, select: { usedAt: true } });
      return this.withinGrace(refreshToken, tokenHash, spent?.usedAt ?? now, session, client);
    }
    return this.payload(session.user, session.id, next);
  }

  /** The user's live sessions, most recently used first. */
  listActive(userId: string): Promise<Session[]> {
    return this.deps.db.session.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
      orderBy: [{ lastUsedAt: { sort: 'desc', nulls: 'last' } }, { createdAt: 'desc' }],
    });
  }

  /** Ends one of the user's own live sessions; NOT_FOUND for anyone else's. */
  async revokeOwn(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    if (!UUID.test(sessionId)) throw notFound('Session');
    const revoked = await this.revokeWhere({ id: sessionId, userId, expiresAt: { gt: new Date() } }, 'revoked_by_user', client);
    if (revoked.length === 0) throw notFound('Session');
  }

  /** logout: the session a refresh token belongs to (proof of possession is enough). */
  async revokeByRefreshToken(refreshToken: string, client: ClientInfo): Promise<void> {
    const presented = await this.deps.db.refreshToken.findUnique({
      where: { tokenHash: sha256Hex(refreshToken) },
      select: { sessionId: true },
    });
    if (!presented) throw unauthenticated('Invalid refresh token');
    await this.revokeWhere({ id: presented.sessionId }, 'logout', client);
  }

  async revokeSession(sessionId: string, reason: RevokeReason, client: ClientInfo): Promise<void> {
    await this.revokeWhere({ id: sessionId }, reason, client);
  }

  /** Every session of the user, except `keepSessionId` when given; returns how many ended. */
  async revokeAll(userId: string, reason: RevokeReason, client: ClientInfo, keepSessionId?: string): Promise<number> {
    const where: Prisma.SessionWhereInput = keepSessionId ? { userId, id: { not: keepSessionId } } : { userId };
    return (await this.revokeWhere(where, reason, client)).length;
  }

  private async revokeWhere(
    where: Prisma.SessionWhereInput,
    reason: RevokeReason,
    client: ClientInfo,
  ): Promise<Array<{ id: string; userId: string }>> {
    const revoked = await this.deps.db.session.updateManyAndReturn({
      where: { ...where, revokedAt: null },
      data: { revokedAt: new Date(), revokedReason: reason },
      select: { id: true, userId: true },
    });
    if (revoked.length === 0) return revoked;
    await this.deps.revocations.revoke(revoked.map((s) => s.id));
    securityEvent(this.deps.logger, 'auth.sessions_revoked', {
      userId: revoked[0]?.userId,
      sessionIds: revoked.map((s) => s.id),
      reason,
      ip: client.ip,
    });
    return revoked;
  }

  /**
   * A spent token presented again: within the grace window of its first use (tabs refreshing
   * at once), the same successor and a fresh access token of the same live session; otherwise
   * (or when the successor is not known, e.g. Redis lost it) reuse.
   */
  private async withinGrace(presented: string, tokenHash: string, usedAt: Date, session: Session & { user: User }, client: ClientInfo) {
    if (Date.now() - usedAt.getTime() <= REFRESH_GRACE_SECONDS * 1000 && !session.revokedAt) {
      const successor = await this.grace.successor(presented, tokenHash).catch(() => null);
      const live = successor
        ? await this.deps.db.session.count({ where: { id: session.id, revokedAt: null, expiresAt: { gt: new Date() } } })
        : 0;
      if (successor && live === 1) return this.payload(session.user, session.id, successor);
    }
    return this.reuseDetected(session, client);
  }

  private async reuseDetected(session: Session, client: ClientInfo): Promise<never> {
    await this.revokeWhere({ id: session.id }, 'refresh_token_reused', client);
    securityEvent(this.deps.logger, 'auth.refresh_token_reused', {
      userId: session.userId,
      sessionId: session.id,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    throw new AppError('TOKEN_REUSED', 'This refresh token was already used; the session has been ended for safety. Sign in again.');
  }

  private async isNewDeviceOrAddress(userId: string, device: string | null, ip: string | null): Promise<boolean> {
    const [seen] = await this.deps.db.$queryRaw<Array<{ sessions: bigint; known_device: boolean; known_ip: boolean }>>`
      SELECT count(*) AS sessions,
             coalesce(bool_or(device IS NOT DISTINCT FROM ${device}), false) AS known_device,
             coalesce(bool_or(ip_address IS NOT DISTINCT FROM ${ip}::inet), false) AS known_ip
      FROM sessions WHERE user_id = ${userId}::uuid`;
    // A first session has nothing to compare with: that sign-in is the account's baseline.
    return !!seen && seen.sessions > 0n && !(seen.known_device && seen.known_ip);
  }

  private async payload(user: User, sessionId: string, refreshToken: string): Promise<AuthPayloadData> {
    return {
      accessToken: await this.deps.tokens.sign(user.id, sessionId),
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      refreshToken,
      user,
      sessionId,
    };
  }
}
