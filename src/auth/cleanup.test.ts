import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser } from '../../test/users.js';
import { SESSION_RETENTION_MS, deleteStaleAuthRows } from './cleanup.js';
import { newOpaqueToken, sha256Hex } from './opaque.js';

const t = useTestApp();

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs);

async function session(userId: string, fields: { expiresAt: Date; revokedAt?: Date }) {
  return t.app.services.db.session.create({ data: { userId, ...fields } });
}

async function refreshToken(sessionId: string, fields: { expiresAt: Date; usedAt?: Date }) {
  return t.app.services.db.refreshToken.create({ data: { sessionId, tokenHash: sha256Hex(newOpaqueToken()), ...fields } });
}

async function oneTimeToken(userId: string, fields: { expiresAt: Date; usedAt?: Date }) {
  return t.app.services.db.oneTimeToken.create({
    data: { userId, purpose: 'PASSWORD_RESET', tokenHash: sha256Hex(newOpaqueToken()), ...fields },
  });
}

describe('deleteStaleAuthRows', () => {
  it('deletes expired refresh tokens, long-ended sessions and spent or expired one-time tokens; keeps everything still in use', async () => {
    const db = t.app.services.db;
    const user = await createTestUser(t);
    const beyondRetention = -(SESSION_RETENTION_MS + DAY);

    const live = await session(user.id, { expiresAt: at(7 * DAY) });
    const current = await refreshToken(live.id, { expiresAt: at(7 * DAY) });
    // Spent but unexpired: presenting it again must still be detected as reuse.
    const spent = await refreshToken(live.id, { expiresAt: at(6 * DAY), usedAt: at(-HOUR) });
    // Expired: goes, though its session lives on.
    await refreshToken(live.id, { expiresAt: at(-DAY), usedAt: at(-8 * DAY) });
    const recentlyRevoked = await session(user.id, { expiresAt: at(6 * DAY), revokedAt: at(-DAY) });
    const recentlyExpired = await session(user.id, { expiresAt: at(-DAY) });
    const longExpired = await session(user.id, { expiresAt: at(beyondRetention) });
    await refreshToken(longExpired.id, { expiresAt: at(beyondRetention) });
    // Its expiry alone would keep it; the revocation long ago does not. Its unexpired token goes by cascade.
    const longRevoked = await session(user.id, { expiresAt: at(DAY), revokedAt: at(beyondRetention) });
    await refreshToken(longRevoked.id, { expiresAt: at(DAY) });

    const unspentLink = await oneTimeToken(user.id, { expiresAt: at(HOUR) });
    // Spent, and expired: both go.
    await oneTimeToken(user.id, { expiresAt: at(HOUR), usedAt: at(-1000) });
    await oneTimeToken(user.id, { expiresAt: at(-1000) });

    // Runs of failed sign-ins: a stale one goes; a recent one and a stale one still locked stay.
    const lockout = (emailHash: string, updatedAt: Date, lockedUntil: Date | null) =>
      db.signInLockout.create({ data: { emailHash, failedAttempts: 3, updatedAt, lockedUntil } });
    await lockout('a'.repeat(64), at(-2 * DAY), null);
    await lockout('b'.repeat(64), at(-HOUR), null);
    await lockout('c'.repeat(64), at(-2 * DAY), at(HOUR));

    expect(await deleteStaleAuthRows(db)).toEqual({ refreshTokens: 2, sessions: 2, oneTimeTokens: 2, signInLockouts: 1 });
    expect((await db.signInLockout.findMany({ select: { emailHash: true } })).map((l) => l.emailHash[0]).sort()).toEqual(['b', 'c']);

    const sessionIds = (await db.session.findMany({ select: { id: true } })).map((s) => s.id);
    expect(sessionIds.sort()).toEqual([user.sessionId, live.id, recentlyRevoked.id, recentlyExpired.id].sort());
    const tokenIds = (await db.refreshToken.findMany({ select: { id: true } })).map((r) => r.id);
    expect(tokenIds.sort()).toEqual([current.id, spent.id].sort());
    const linkIds = (await db.oneTimeToken.findMany({ select: { id: true } })).map((o) => o.id);
    expect(linkIds).toEqual([unspentLink.id]);
    // The account itself is untouched.
    expect(await db.user.count({ where: { id: user.id } })).toBe(1);

    // A second run finds nothing more to delete and keeps the live rows.
    expect(await deleteStaleAuthRows(db)).toEqual({ refreshTokens: 0, sessions: 0, oneTimeTokens: 0, signInLockouts: 0 });
    expect(await db.session.count()).toBe(4);
    expect(await db.refreshToken.count()).toBe(2);
    expect(await db.oneTimeToken.count()).toBe(1);
  });

  it('works through more rows than one batch holds', async () => {
    const db = t.app.services.db;
    const user = await createTestUser(t);
    for (let i = 0; i < 5; i++) await oneTimeToken(user.id, { expiresAt: at(-1000 * (i + 1)) });
    const kept = await oneTimeToken(user.id, { expiresAt: at(HOUR) });

    expect(await deleteStaleAuthRows(db, 2)).toEqual({ refreshTokens: 0, sessions: 0, oneTimeTokens: 5, signInLockouts: 0 });
    expect((await db.oneTimeToken.findMany({ where: { userId: user.id }, select: { id: true } })).map((o) => o.id)).toEqual([kept.id]);
  });
});
