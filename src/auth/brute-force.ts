/**
 * Brute-force defences, shared by every API instance (per-IP counts key on ../platform/ip.ts:
 * an IPv6 /64 counts as one address):
 * - password sign-in: 5 failures per account from one address and 50 per address over all
 *   accounts in any 15 minutes, then RATE_LIMITED (with retryAfter) until the window frees a
 *   slot. Per account *and* address, so a stranger's failures never limit the owner's address;
 * - MFA codes and re-entered passwords of signed-in users: 5 per account and 5 per address;
 * - 10 consecutive failed sign-in attempts (password or MFA code) lock the email address for
 *   15 minutes (table sign_in_lockouts): ACCOUNT_LOCKED, even with the right password, for
 *   every address that has never signed in to that account. An address that has (a session of
 *   the account was started from it) may still sign in with the right password and MFA code,
 *   so a stranger cannot keep the owner out;
 * - verification and reset email requests: 5 per email address and 5 per IP in 15 minutes.
 * Everything is keyed by the normalized email address, whether or not an account uses it: an
 * unknown address is limited and locked exactly like a known one, so neither the limit nor the
 * lock reveals whether the account exists. A run of failures with none for LOCKOUT_MEMORY_SECONDS
 * is forgotten (the hourly cleanup deletes it), for unknown and known addresses alike.
 */
import { AppError } from '../platform/errors.js';
import { ipLimitKey } from '../platform/ip.js';
import type { AuthDeps } from './deps.js';
import { sha256Hex } from './opaque.js';
import { SlidingWindowLimiter } from './rate-limit.js';

const WINDOW_MS = 15 * 60 * 1000;
export const FAILURES_PER_WINDOW = 5;
/** Failed password sign-ins from one address over all accounts (the contract's 50). */
export const SIGN_IN_FAILURES_PER_IP = 50;
export const EMAIL_REQUESTS_PER_WINDOW = 5;
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_SECONDS = 15 * 60;
/** How long a run of failures (below the threshold, or after a lock ended) is remembered. */
export const LOCKOUT_MEMORY_SECONDS = 24 * 60 * 60;

/** The sign_in_lockouts key of an address: the SHA-256 (hex) of its normalized form. */
export const lockoutKey = (email: string) => sha256Hex(email);

/** A session id that matches no session: lookups for an unknown account do the same work. */
const NO_USER = '00000000-0000-0000-0000-000000000000';

export const subjects = {
  /** Hashed, so Redis keys carry no email addresses. */
  email: (email: string) => `email:${sha256Hex(email).slice(0, 32)}`,
  user: (userId: string) => `user:${userId}`,
  ip: (ip: string | null) => (ip ? `ip:${ipLimitKey(ip)}` : null),
  /** One account from one address (without a known address: the account alone). */
  emailFrom: (email: string, ip: string | null) => `email:${sha256Hex(email).slice(0, 32)}:ip:${ip ? ipLimitKey(ip) : 'unknown'}`,
};

export class BruteForceGuard {
  readonly passwordFailures: SlidingWindowLimiter;
  readonly signInIpFailures: SlidingWindowLimiter;
  readonly mfaFailures: SlidingWindowLimiter;
  readonly emailRequests: SlidingWindowLimiter;

  constructor(private readonly deps: AuthDeps) {
    const limiter = (name: string, limit: number) =>
      new SlidingWindowLimiter(deps.redis, deps.config.REDIS_PREFIX, { name, limit, windowMs: WINDOW_MS });
    this.passwordFailures = limiter('password-failures', FAILURES_PER_WINDOW);
    this.signInIpFailures = limiter('sign-in-ip-failures', SIGN_IN_FAILURES_PER_IP);
    this.mfaFailures = limiter('mfa-failures', FAILURES_PER_WINDOW);
    this.emailRequests = limiter('email-requests', EMAIL_REQUESTS_PER_WINDOW);
  }

  /**
   * Runs one guessing attempt under a failure limit: a slot is reserved before the attempt
   * (RATE_LIMITED if none is free) and kept only if the attempt calls `failed()`.
   */
  async attempt<T>(limiter: SlidingWindowLimiter, keys: Array<string | null>, run: (failed: () => void) => Promise<T>): Promise<T> {
    const reservation = await limiter.reserve(keys);
    let counted = false;
    try {
      return await run(() => {
        counted = true;
      });
    } finally {
      if (!counted) await reservation.release();
    }
  }

  /**
   * One password sign-in under its limits: 5 failures for this account from this address, 50
   * from this address over all accounts (see `attempt`).
   */
  signInAttempt<T>(email: string, ip: string | null, run: (failed: () => void) => Promise<T>): Promise<T> {
    return this.attempt(this.signInIpFailures, [subjects.ip(ip)], (failedFromIp) =>
      this.attempt(this.passwordFailures, [subjects.emailFrom(email, ip)], (failedForAccount) =>
        run(() => {
          failedFromIp();
          failedForAccount();
        }),
      ),
    );
  }

  /**
   * Whether `ip` (by its limit key: an IPv6 /64) started a session of the account before: such an
   * address is not held by the account's lock. One query either way (an unknown account, or no
   * address, asks for a user that does not exist), so the answer's timing tells nothing.
   */
  async signedInFrom(userId: string | null, ip: string | null): Promise<boolean> {
    const rows = await this.deps.db.session.findMany({
      where: { userId: userId ?? NO_USER, ipAddress: { not: null } },
      select: { ipAddress: true },
      distinct: ['ipAddress'],
      take: 500,
    });
    if (!ip) return false;
    const key = ipLimitKey(ip);
    return rows.some((row) => row.ipAddress !== null && ipLimitKey(row.ipAddress) === key);
  }

  /** The end of the lock on this (normalized) address, or null when it is not locked now. */
  async lockedUntil(email: string): Promise<Date | null> {
    const [row] = await this.deps.db.$queryRaw<Array<{ locked_until: Date }>>`
      SELECT locked_until FROM sign_in_lockouts WHERE email_hash = ${lockoutKey(email)} AND locked_until > now()`;
    return row?.locked_until ?? null;
  }

  /**
   * Counts a failed sign-in attempt on an address (known or not); the one that reaches the
   * threshold locks it (and starts the count again for after the lock). Returns the lock's end
   * when this one locked it.
   */
  async recordFailure(email: string): Promise<Date | null> {
    const [row] = await this.deps.db.$queryRaw<Array<{ locked_until: Date | null; failed_attempts: number }>>`
      INSERT INTO sign_in_lockouts AS l (email_hash, failed_attempts, updated_at)
      VALUES (${lockoutKey(email)}, 1, now())
      ON CONFLICT (email_hash) DO UPDATE SET
        failed_attempts = CASE WHEN l.failed_attempts + 1 >= ${LOCKOUT_THRESHOLD} THEN 0 ELSE l.failed_attempts + 1 END,
        locked_until = CASE WHEN l.failed_attempts + 1 >= ${LOCKOUT_THRESHOLD}
                            THEN now() + make_interval(secs => ${LOCKOUT_SECONDS}) ELSE l.locked_until END,
        updated_at = now()
      RETURNING locked_until, failed_attempts`;
    // The counter is back at 0 only on the attempt that locked.
    return row && row.failed_attempts === 0 ? row.locked_until : null;
  }

  /** Ends the run of failures and any lock on the address (a sign-in succeeded, a reset link was used). */
  async clearFailures(email: string, db: Pick<AuthDeps['db'], '$executeRaw'> = this.deps.db): Promise<void> {
    await db.$executeRaw`DELETE FROM sign_in_lockouts WHERE email_hash = ${lockoutKey(email)}`;
  }
}

export function accountLocked(until: Date): AppError {
  return new AppError(
    'ACCOUNT_LOCKED',
    'This account is locked after too many failed sign-in attempts; try again later or reset your password',
    {
      retryAfter: Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000)),
    },
  );
}
