/**
 * Deletes auth rows that can no longer do anything, so the tables do not grow forever. Run by the
 * worker's maintenance job (src/jobs/maintenance.ts); safe to run at any time and any number of
 * times, also concurrently with sign-ins and refreshes.
 *
 * - Refresh tokens past their expiry: neither a refresh nor reuse detection can use them any more
 *   (a spent token that has not expired yet is kept: presenting it again must still be caught as
 *   reuse). Deleted first, so deleting a session below rarely has tokens left to cascade to.
 * - Sessions that expired or were revoked more than SESSION_RETENTION_MS ago, with whatever
 *   refresh tokens they still have (ON DELETE CASCADE). The grace period keeps ended sessions as
 *   the history that the new-device sign-in alert compares with (sessions.ts), and revoked ones
 *   visible for a while to anyone looking into an incident.
 * - One-time tokens (email verification, password reset, MFA challenges) once spent or expired:
 *   they work once and only until they expire.
 * - Runs of failed sign-ins (sign_in_lockouts) with no failure for LOCKOUT_MEMORY_SECONDS and no
 *   lock in force: an address (with or without an account) then starts from zero.
 *
 * Each statement deletes at most `batchSize` rows (short transactions, short locks) and skips
 * rows another transaction holds locked; the loop goes on until a batch comes back short.
 * Times are the database's clock, as the rows' own defaults are.
 */
import type { Db } from '../platform/db.js';
import { LOCKOUT_MEMORY_SECONDS } from './brute-force.js';

export const SESSION_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
export const CLEANUP_BATCH_SIZE = 1000;

export interface AuthCleanupCounts {
  refreshTokens: number;
  sessions: number;
  oneTimeTokens: number;
  signInLockouts: number;
}

export async function deleteStaleAuthRows(db: Db, batchSize = CLEANUP_BATCH_SIZE): Promise<AuthCleanupCounts> {
  const retentionSeconds = SESSION_RETENTION_MS / 1000;
  const refreshTokens = await inBatches(
    batchSize,
    () => db.$executeRaw`
    DELETE FROM refresh_tokens WHERE id IN (
      SELECT id FROM refresh_tokens WHERE expires_at <= now()
      LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
  );
  const sessions = await inBatches(
    batchSize,
    () => db.$executeRaw`
    DELETE FROM sessions WHERE id IN (
      SELECT id FROM sessions
      WHERE expires_at <= now() - make_interval(secs => ${retentionSeconds})
         OR revoked_at <= now() - make_interval(secs => ${retentionSeconds})
      LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
  );
  const oneTimeTokens = await inBatches(
    batchSize,
    () => db.$executeRaw`
    DELETE FROM one_time_tokens WHERE id IN (
      SELECT id FROM one_time_tokens WHERE used_at IS NOT NULL OR expires_at <= now()
      LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
  );
  const signInLockouts = await inBatches(
    batchSize,
    () => db.$executeRaw`
    DELETE FROM sign_in_lockouts WHERE email_hash IN (
      SELECT email_hash FROM sign_in_lockouts
      WHERE updated_at <= now() - make_interval(secs => ${LOCKOUT_MEMORY_SECONDS})
        AND (locked_until IS NULL OR locked_until <= now())
      LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
  );
  return { refreshTokens, sessions, oneTimeTokens, signInLockouts };
}

/** Runs a bounded delete until it deletes fewer rows than a full batch; the total deleted. */
async function inBatches(batchSize: number, deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
