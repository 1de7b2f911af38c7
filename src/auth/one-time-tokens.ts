/**
 * Single-use, expiring tokens for email verification (24 h), password reset (1 h) and MFA sign-in
 * challenges (5 min). The client gets the random token; the database keeps only its SHA-256.
 * Spending one is a single conditional UPDATE, so two concurrent uses cannot both succeed.
 */
import type { Db, Prisma } from '../platform/db.js';
import type { TokenPurpose } from '../generated/prisma/client.js';
import { newOpaqueToken, sha256Hex } from './opaque.js';

export const ONE_TIME_TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  EMAIL_VERIFICATION: 24 * 60 * 60 * 1000,
  PASSWORD_RESET: 60 * 60 * 1000,
  MFA_LOGIN: 5 * 60 * 1000,
};

/** The database, or a transaction on it. */
type DbClient = Db | Prisma.TransactionClient;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export class OneTimeTokens {
  constructor(private readonly db: Db) {}

  /**
   * A new token. With `replacePrevious`, the user's earlier unspent tokens of this purpose stop
   * working (a new reset link supersedes the old one).
   */
  async issue(userId: string, purpose: TokenPurpose, options: { replacePrevious: boolean; db?: DbClient }): Promise<IssuedToken> {
    const db = options.db ?? this.db;
    if (options.replacePrevious) await db.oneTimeToken.deleteMany({ where: { userId, purpose, usedAt: null } });
    const token = newOpaqueToken();
    const expiresAt = new Date(Date.now() + ONE_TIME_TOKEN_TTL_MS[purpose]);
    await db.oneTimeToken.create({ data: { userId, purpose, tokenHash: sha256Hex(token), expiresAt } });
    return { token, expiresAt };
  }

  /** The user id behind an unspent, unexpired token, without spending it. */
  async peek(token: string, purpose: TokenPurpose): Promise<string | null> {
    const row = await this.db.oneTimeToken.findFirst({
      where: { tokenHash: sha256Hex(token), purpose, usedAt: null, expiresAt: { gt: new Date() } },
      select: { userId: true },
    });
    return row?.userId ?? null;
  }

  /** Spends the token: the user id if it was unspent and unexpired, else null. */
  async consume(token: string, purpose: TokenPurpose, db: DbClient = this.db): Promise<string | null> {
    const now = new Date();
    const [spent] = await db.oneTimeToken.updateManyAndReturn({
      where: { tokenHash: sha256Hex(token), purpose, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
      select: { userId: true },
    });
    return spent?.userId ?? null;
  }
}
