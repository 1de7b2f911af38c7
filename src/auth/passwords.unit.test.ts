import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { PASSWORD_HASH_OPTIONS, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { isCommonPassword, passwordProblems } from './password-policy.js';

describe('password hashing', () => {
  it('uses argon2id at or above the OWASP minimum (m=19 MiB, t=2, p=1)', async () => {
    expect(PASSWORD_HASH_OPTIONS.type).toBe(argon2.argon2id);
    expect(PASSWORD_HASH_OPTIONS.memoryCost).toBeGreaterThanOrEqual(19 * 1024);
    expect(PASSWORD_HASH_OPTIONS.timeCost).toBeGreaterThanOrEqual(2);
    const hash = await hashPassword('a long enough password');
    expect(hash).toMatch(
      new RegExp(`^\\$argon2id\\$v=19\\$m=${PASSWORD_HASH_OPTIONS.memoryCost},t=${PASSWORD_HASH_OPTIONS.timeCost},p=1\\$`),
    );
    expect(await verifyPassword(hash, 'a long enough password')).toBe(true);
    expect(await verifyPassword(hash, 'a long enough passworD')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('hashes off the event loop: timers keep firing during a hash', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([hashPassword('one password here'), hashPassword('two password here')]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });

  it('flags hashes made with older parameters for an upgrade', async () => {
    const weaker = await argon2.hash('some password 123', { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 });
    expect(needsRehash(weaker)).toBe(true);
    expect(needsRehash(await hashPassword('some password 123'))).toBe(false);
  });
});

describe('password policy', () => {
  it('wants 10 to 256 characters, counted as people count them', () => {
    expect(passwordProblems('short-9ch', 'password')).toEqual([{ field: 'password', message: 'must be at least 10 characters' }]);
    expect(passwordProblems('x'.repeat(257), 'newPassword')).toEqual([{ field: 'newPassword', message: 'must be at most 256 characters' }]);
    expect(passwordProblems('🔐'.repeat(9), 'password')).toHaveLength(1); // 18 UTF-16 units, 9 characters
    expect(passwordProblems('tidy-Otter-41-lantern', 'password')).toEqual([]);
    expect(passwordProblems('x'.repeat(256), 'password')).toEqual([]);
  });

  it('refuses the most common passwords, whatever their case', () => {
    expect(isCommonPassword('1234567890')).toBe(true);
    expect(isCommonPassword('QWERTYUIOP')).toBe(true);
    expect(isCommonPassword('Password123')).toBe(true); // from the recent lists, not the 2011 one
    expect(passwordProblems('1234567890', 'password')).toEqual([
      { field: 'password', message: 'is too common; choose a password that is hard to guess' },
    ]);
    expect(isCommonPassword('tidy-Otter-41-lantern')).toBe(false);
  });
});
