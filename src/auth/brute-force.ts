/**
 * Brute-force defences, shared by every API instance:
 * - failed password and MFA attempts: 5 per account and 5 per IP address in any 15 minutes,
 *   then RATE_LIMITED (with retryAfter) until the window frees a slot;
 * - 10 consecutive failed sign-in attempts (password or MFA code) lock the account for
 *   15 minutes: ACCOUNT_LOCKED, even with the right password (users.failed_login_attempts /
 *   users.locked_until);
 * - verification and reset email requests: 5 per email address and 5 per IP in 15 minutes.
 * Accounts are keyed by the normalized email for password attempts, so an unknown email is
 * limited exactly like a known one and the limit reveals nothing.
 */
import type { User } from '../generated/prisma/client.js';
import { AppError } from '../platform/errors.js';
import type { AuthDeps } from './deps.js';
import { sha256Hex } from './opaque.js';
import { SlidingWindowLimiter } from './rate-limit.js';

const WINDOW_MS = 15 * 60 * 1000;
export const FAILURES_PER_WINDOW = 5;
export const EMAIL_REQUESTS_PER_WINDOW = 5;
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_SECONDS = 15 * 60;

export const subjects = {
  /** Hashed, so Redis keys carry no email addresses. */
  email: (email: string) => `email:${sha256Hex(email).slice(0, 32)}`,
  user: (userId: string) => `user:${userId}`,
  ip: (ip: string | null) => (ip ? `ip:${ip}` : null),
};

export class BruteForceGuard {
  readonly passwordFailures: SlidingWindowLimiter;
  readonly mfaFailures: SlidingWindowLimiter;
  readonly emailRequests: SlidingWindowLimiter;

  constructor(private readonly deps: AuthDeps) {
    const limiter = (name: string, limit: number) => new SlidingWindowLimiter(deps.redis, deps.config.REDIS_PREFIX, { name, limit, windowMs: WINDOW_MS });
    this.passwordFailures = limiter('password-failures', FAILURES_PER_WINDOW);
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

  /** Throws ACCOUNT_LOCKED while the account is locked. */
  assertNotLocked(user: Pick<User, 'lockedUntil'>): void {
    if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) throw accountLocked(user.lockedUntil);
  }

  /**
   * Counts a failed sign-in attempt; the one that reaches the threshold locks the account (and
   * starts the count again for after the lock). Returns the lock's end when this one locked it.
   */
  async recordFailure(userId: string): Promise<Date | null> {
    const [row] = await this.deps.db.$queryRaw<Array<{ locked_until: Date | null; failed_login_attempts: number }>>`
      UPDATE users SET
        failed_login_attempts = CASE WHEN failed_login_attempts + 1 >= ${LOCKOUT_THRESHOLD} THEN 0 ELSE failed_login_attempts + 1 END,
        locked_until = CASE WHEN failed_login_attempts + 1 >= ${LOCKOUT_THRESHOLD}
                            THEN now() + make_interval(secs => ${LOCKOUT_SECONDS}) ELSE locked_until END,
        updated_at = now()
      WHERE id = ${userId}::uuid
      RETURNING locked_until, failed_login_attempts`;
    // The counter is back at 0 only on the attempt that locked.
    return row && row.failed_login_attempts === 0 ? row.locked_until : null;
  }
}

export function accountLocked(until: Date): AppError {
  return new AppError('ACCOUNT_LOCKED', 'This account is locked after too many failed sign-in attempts; try again later or reset your password', {
    retryAfter: Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000)),
  });
}
