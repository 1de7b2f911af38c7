/**
 * Two-factor sign-in with TOTP (RFC 6238) and single-use backup codes.
 * setupMfa stores a pending secret (sealed, see totp.ts); verifyMfa proves the authenticator
 * holds it, turns MFA on and returns 10 backup codes; disableMfa needs a current code.
 * A TOTP code is accepted once: the step of the last accepted code is remembered and a code of
 * that step or an earlier one is refused, decided by one conditional UPDATE (race-free).
 */
import type { MfaCredential } from '../generated/prisma/client.js';
import { AppError, conflict } from '../platform/errors.js';
import { subjects, type BruteForceGuard } from './brute-force.js';
import type { AuthDeps, ClientInfo } from './deps.js';
import { securityEvent } from './security-log.js';
import { mfaKeys, type MfaKeyConfig } from '../config.js';
import type { Db } from '../platform/db.js';
import { MfaCrypto, looksLikeTotp, matchTotp, newBackupCodes, newTotpSecret, otpauthUrl } from './totp.js';

export interface MfaSetupData {
  secret: string;
  otpauthUrl: string;
}

export const invalidMfaCode = () => new AppError('INVALID_MFA_CODE', 'The code is invalid, expired or already used');

export class MfaService {
  private readonly crypto: MfaCrypto;

  constructor(
    private readonly deps: AuthDeps,
    private readonly guard: BruteForceGuard,
  ) {
    this.crypto = new MfaCrypto(mfaKeys(deps.config));
  }

  /** Starts (or restarts) enrolment with a new pending secret. */
  async setup(userId: string): Promise<MfaSetupData> {
    const { db } = this.deps;
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    if (user.mfaEnabled) throw conflict('Two-factor sign-in is already on; turn it off first to set it up again');
    const secret = newTotpSecret();
    const secretEncrypted = this.crypto.seal(secret, userId, this.crypto.newBackupKey());
    await db.mfaCredential.upsert({
      where: { userId },
      create: { userId, secretEncrypted },
      update: { secretEncrypted, enabledAt: null, lastUsedStep: null },
    });
    return { secret, otpauthUrl: otpauthUrl(secret, user.email) };
  }

  /** Finishes enrolment with a code from the authenticator; returns the new backup codes. */
  async enable(userId: string, code: string, client: ClientInfo): Promise<string[]> {
    const { db } = this.deps;
    return this.guard.attempt(this.guard.mfaFailures, [subjects.user(userId), subjects.ip(client.ip)], async (failed) => {
      const credential = await db.mfaCredential.findUnique({ where: { userId } });
      if (!credential) throw conflict('Two-factor sign-in is not set up; call setupMfa first');
      if (credential.enabledAt) throw conflict('Two-factor sign-in is already on');
      if (!(await this.spendTotp(credential, code))) {
        failed();
        securityEvent(this.deps.logger, 'auth.mfa_code_rejected', { userId, ip: client.ip, action: 'enable' });
        throw invalidMfaCode();
      }
      const codes = newBackupCodes();
      const { backupKey } = this.crypto.open(credential.secretEncrypted, userId);
      await db.$transaction([
        db.mfaCredential.update({ where: { userId }, data: { enabledAt: new Date() } }),
        db.user.update({ where: { id: userId }, data: { mfaEnabled: true } }),
        db.mfaBackupCode.deleteMany({ where: { userId } }),
        db.mfaBackupCode.createMany({ data: codes.map((c) => ({ userId, codeHash: this.crypto.backupCodeHash(c, backupKey) })) }),
      ]);
      securityEvent(this.deps.logger, 'auth.mfa_enabled', { userId, ip: client.ip });
      return codes;
    });
  }

  /** Turns MFA off; needs a current TOTP code or an unused backup code. */
  async disable(userId: string, code: string, client: ClientInfo): Promise<void> {
    const { db } = this.deps;
    await this.guard.attempt(this.guard.mfaFailures, [subjects.user(userId), subjects.ip(client.ip)], async (failed) => {
      const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
      if (!user.mfaEnabled) throw conflict('Two-factor sign-in is not on');
      if (!(await this.spendCode(userId, code))) {
        failed();
        securityEvent(this.deps.logger, 'auth.mfa_code_rejected', { userId, ip: client.ip, action: 'disable' });
        throw invalidMfaCode();
      }
      await db.$transaction([
        db.mfaCredential.deleteMany({ where: { userId } }),
        db.mfaBackupCode.deleteMany({ where: { userId } }),
        db.user.update({ where: { id: userId }, data: { mfaEnabled: false } }),
      ]);
      securityEvent(this.deps.logger, 'auth.mfa_disabled', { userId, ip: client.ip });
    });
  }

  /**
   * Checks and spends a code of an account with MFA on: a TOTP code (6 digits) or a backup
   * code. True if it was valid and had not been used; it cannot be used again either way.
   */
  async spendCode(userId: string, code: string): Promise<boolean> {
    const credential = await this.deps.db.mfaCredential.findUnique({ where: { userId } });
    if (!credential?.enabledAt) return false;
    if (looksLikeTotp(code)) return this.spendTotp(credential, code);
    const { backupKey } = this.crypto.open(credential.secretEncrypted, userId);
    const spent = await this.deps.db.mfaBackupCode.updateMany({
      where: { userId, codeHash: this.crypto.backupCodeHash(code, backupKey), usedAt: null },
      data: { usedAt: new Date() },
    });
    return spent.count === 1;
  }

  private async spendTotp(credential: MfaCredential, code: string): Promise<boolean> {
    const { secret } = this.crypto.open(credential.secretEncrypted, credential.userId);
    const match = await matchTotp(secret, code);
    if (!match) return false;
    const step = BigInt(match.timeStep);
    const accepted = await this.deps.db.mfaCredential.updateMany({
      where: { userId: credential.userId, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }] },
      data: { lastUsedStep: step },
    });
    return accepted.count === 1;
  }
}

/**
 * Re-seals every stored TOTP secret (with its backup-code key) under the current
 * MFA_ENCRYPTION_KEY, so the keys in MFA_PREVIOUS_KEYS can be dropped (`npm run keys:reseal`).
 * A row changed meanwhile (MFA set up again) keeps its new seal.
 */
export async function resealMfaSecrets(db: Db, config: MfaKeyConfig): Promise<{ resealed: number; current: number }> {
  const crypto = new MfaCrypto(mfaKeys(config));
  const result = { resealed: 0, current: 0 };
  let after: string | undefined;
  for (;;) {
    const batch = await db.mfaCredential.findMany({
      where: after ? { userId: { gt: after } } : {},
      orderBy: { userId: 'asc' },
      take: 500,
      select: { userId: true, secretEncrypted: true },
    });
    if (batch.length === 0) return result;
    for (const { userId, secretEncrypted } of batch) {
      const opened = crypto.open(secretEncrypted, userId);
      if (opened.current) {
        result.current++;
        continue;
      }
      const updated = await db.mfaCredential.updateMany({
        where: { userId, secretEncrypted },
        data: { secretEncrypted: crypto.seal(opened.secret, userId, opened.backupKey) },
      });
      result.resealed += updated.count;
    }
    after = batch.at(-1)!.userId;
  }
}
