import argon2 from 'argon2';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LoginDocument } from '../../schema/sdk/graphql.js';
import { GOOD_PASSWORD, from, lockoutOf, loginTokens, registerUser, uniqueEmail } from '../../test/auth.js';
import { lockoutKey } from './brute-force.js';
import { errorCode, type TestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { PASSWORD_HASH_OPTIONS } from './passwords.js';

/** Two instances of one deployment: one database, one Redis key space. */
let redis: Redis;
const a = useTestApp({ env: { TRUST_PROXY: '1' } });
const b = useTestApp(() => ({ database: a.database, redisPrefix: a.config.REDIS_PREFIX, env: { TRUST_PROXY: '1' } }));
beforeAll(async () => {
  redis = new Redis(a.config.REDIS_URL);
});
afterAll(async () => {
  redis?.disconnect();
});

let ipCounter = 0;
/** A fresh client address, so per-IP limits only bite where a test means them to. */
const freshIp = () => `10.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}.9`;

const login = (app: TestApp, email: string, password: string, ip: string) =>
  app.gql(LoginDocument, { input: { email, password } }, from(ip));

/** Forgets the recorded failures, as if the 15-minute window had passed. */
async function windowPasses(): Promise<void> {
  const keys = await redis.keys(`${a.config.REDIS_PREFIX}ratelimit:*`);
  if (keys.length > 0) await redis.del(...keys);
}

describe('login failures', () => {
  it('unknown email and wrong password: the same error, in about the same time', async () => {
    const { email } = await registerUser(a);
    const wrong = await login(a, email, 'Wrong-password-123', freshIp());
    const unknown = await login(a, uniqueEmail('nobody'), 'Wrong-password-123', freshIp());
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    // Same code, message and extensions. (Locations may differ between a first and a
    // JIT-compiled later run of one query in Mercurius, whatever the email.)
    const shape = (r: typeof wrong) => r.errors?.map((e) => ({ message: e.message, extensions: e.extensions, path: e.path }));
    expect(shape(unknown)).toEqual(shape(wrong));
    expect(wrong.errors?.[0]?.message).toBe('Invalid email or password');

    // Timed on a fresh account: 5 attempts stay within its 5-failure budget, so every one is
    // a plain wrong-password failure (checked), never a quick RATE_LIMITED.
    const timed = await registerUser(a);
    const time = async (email: string, password: string) => {
      const started = performance.now();
      const result = await login(a, email, password, freshIp());
      const elapsed = performance.now() - started;
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
      return elapsed;
    };
    const wrongTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrongTimes.push(await time(timed.email, `Wrong-password-${i}`));
      unknownTimes.push(await time(uniqueEmail('nobody'), `Wrong-password-${i}`));
    }
    // Both pay for one argon2 verification (tens of ms); without the dummy hash an unknown email
    // would answer in a few ms, some 20 times faster. The fastest of several alternating tries
    // is what each path costs when nothing else (other test files) gets in the way.
    const ratio = Math.min(...unknownTimes) / Math.min(...wrongTimes);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('5 failures per account from one address in 15 minutes, across instances: then RATE_LIMITED there; the owner elsewhere still signs in', async () => {
    const { email } = await registerUser(a);
    const stranger = freshIp();
    for (let i = 0; i < 5; i++) {
      const app = i % 2 === 0 ? a : b;
      expect(errorCode(await login(app, email, `Wrong-password-${i}`, stranger))).toBe('UNAUTHENTICATED');
    }
    for (const app of [a, b]) {
      const limited = await login(app, email, GOOD_PASSWORD, stranger);
      expect(errorCode(limited)).toBe('RATE_LIMITED');
      const retryAfter = limited.errors?.[0]?.extensions?.retryAfter as number;
      expect(retryAfter).toBeGreaterThan(800);
      expect(retryAfter).toBeLessThanOrEqual(900);
    }
    // The stranger's failures do not limit anyone else's address.
    await loginTokens(b, email, GOOD_PASSWORD, freshIp());
    // Unknown emails are limited exactly the same way, so the limit tells nothing.
    const nobody = uniqueEmail('nobody');
    const prober = freshIp();
    for (let i = 0; i < 5; i++) await login(b, nobody, `Wrong-password-${i}`, prober);
    expect(errorCode(await login(a, nobody, 'Wrong-password-x', prober))).toBe('RATE_LIMITED');

    await windowPasses();
    await loginTokens(a, email, GOOD_PASSWORD, stranger);
  });

  it('50 failures per address in 15 minutes over all accounts (an IPv6 /64 is one address): then RATE_LIMITED for that address only', async () => {
    const victim = await registerUser(a);
    // Rotating through the /64 does not help.
    const inBlock = (i: number) => `2001:db8:${ipCounter}:7:${(i + 1).toString(16)}::${(i * 7 + 1).toString(16)}`;
    ++ipCounter;
    for (let i = 0; i < 50; i++) {
      expect(errorCode(await login(i % 2 ? a : b, uniqueEmail('guess'), 'Wrong-password-1', inBlock(i)))).toBe('UNAUTHENTICATED');
    }
    expect(errorCode(await login(b, victim.email, GOOD_PASSWORD, inBlock(99)))).toBe('RATE_LIMITED');
    await loginTokens(a, victim.email, GOOD_PASSWORD, `2001:db8:${ipCounter}:8::1`);
    await loginTokens(a, victim.email, GOOD_PASSWORD, freshIp());
  }, 180_000);

  it('successful sign-ins do not count against the limits', async () => {
    const ip = freshIp();
    const { email } = await registerUser(a);
    for (let i = 0; i < 8; i++) await loginTokens(i % 2 ? a : b, email, GOOD_PASSWORD, ip);
  });

  it('10 consecutive failures lock the account for 15 minutes: ACCOUNT_LOCKED even with the right password', async () => {
    const { email, auth } = await registerUser(a);
    const warn = vi.spyOn(a.app.services.logger, 'warn');
    try {
      for (let i = 0; i < 10; i++) {
        if (i === 5) await windowPasses();
        const result = await login(i % 2 ? a : b, email, `Wrong-password-${i}`, freshIp());
        expect(errorCode(result)).toBe(i < 9 ? 'UNAUTHENTICATED' : 'ACCOUNT_LOCKED');
      }
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ event: 'auth.account_locked', userId: auth.user.id }),
        expect.any(String),
      );
    } finally {
      warn.mockRestore();
    }
    await windowPasses();
    const locked = await login(b, email, GOOD_PASSWORD, freshIp());
    expect(errorCode(locked)).toBe('ACCOUNT_LOCKED');
    const retryAfter = locked.errors?.[0]?.extensions?.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);

    // 15 minutes later (moved in the database rather than waited for) the lock is over.
    await a.app.services.db.signInLockout.update({
      where: { emailHash: lockoutKey(email) },
      data: { lockedUntil: new Date(Date.now() - 1000) },
    });
    await loginTokens(a, email, GOOD_PASSWORD, freshIp());
    expect(await lockoutOf(a, email)).toBeNull();
  }, 180_000);

  it('a lock does not keep the owner out: an address that signed in to the account before still may, with the right password', async () => {
    const home = freshIp();
    const { email } = await registerUser(a, { ip: home });
    // The owner's other, IPv6 address (a different host of the same /64 next time).
    await loginTokens(b, email, GOOD_PASSWORD, '2001:db8:feed:1::10');
    for (let i = 0; i < 10; i++) {
      if (i === 5) await windowPasses();
      await login(i % 2 ? a : b, email, `Wrong-password-${i}`, freshIp());
    }
    await windowPasses();
    expect(errorCode(await login(a, email, GOOD_PASSWORD, freshIp()))).toBe('ACCOUNT_LOCKED');
    // Wrong passwords from the owner's address are still wrong passwords (and count).
    expect(errorCode(await login(a, email, 'Wrong-password-home', home))).toBe('UNAUTHENTICATED');
    await loginTokens(a, email, GOOD_PASSWORD, home);
    await loginTokens(b, email, GOOD_PASSWORD, '2001:db8:feed:1:abcd::99');
  }, 180_000);

  it('the lock ends after 15 minutes', async () => {
    const { email } = await registerUser(a);
    for (let i = 0; i < 10; i++) {
      if (i === 5) await windowPasses();
      await login(i % 2 ? a : b, email, `Wrong-password-${i}`, freshIp());
    }
    await windowPasses();
    expect(errorCode(await login(b, email, GOOD_PASSWORD, freshIp()))).toBe('ACCOUNT_LOCKED');
    // 15 minutes later (moved in the database rather than waited for) the lock is over.
    await a.app.services.db.signInLockout.update({
      where: { emailHash: lockoutKey(email) },
      data: { lockedUntil: new Date(Date.now() - 1000) },
    });
    await loginTokens(a, email, GOOD_PASSWORD, freshIp());
    expect(await lockoutOf(a, email)).toBeNull();
  });

  it('a successful sign-in ends a run of failures', async () => {
    const { email } = await registerUser(a);
    for (let i = 0; i < 4; i++) await login(a, email, `Wrong-password-${i}`, freshIp());
    expect((await lockoutOf(a, email))?.failedAttempts).toBe(4);
    await loginTokens(a, email, GOOD_PASSWORD, freshIp());
    expect(await lockoutOf(a, email)).toBeNull();
  });
});

describe('a lock tells nothing about the account', () => {
  /** 10 wrong passwords (the limit window passing after 5), the last answering ACCOUNT_LOCKED. */
  async function lockOut(email: string): Promise<void> {
    for (let i = 0; i < 10; i++) {
      if (i === 5) await windowPasses();
      const result = await login(i % 2 ? a : b, email, `Wrong-password-${i}`, freshIp());
      expect(errorCode(result)).toBe(i < 9 ? 'UNAUTHENTICATED' : 'ACCOUNT_LOCKED');
    }
    await windowPasses();
  }

  it('an address without an account locks after 10 failures too, with the same answer', async () => {
    const known = await registerUser(a);
    const unknown = uniqueEmail('nobody');
    await lockOut(known.email);
    await lockOut(unknown);
    const answers = [await login(a, known.email, GOOD_PASSWORD, freshIp()), await login(b, unknown, GOOD_PASSWORD, freshIp())];
    for (const answer of answers) {
      expect(errorCode(answer)).toBe('ACCOUNT_LOCKED');
      expect(answer.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(800);
      expect(answer.errors?.[0]?.extensions?.retryAfter).toBeLessThanOrEqual(900);
    }
    const shape = (r: (typeof answers)[number]) => ({
      message: r.errors?.[0]?.message,
      keys: Object.keys(r.errors?.[0]?.extensions ?? {}).sort(),
    });
    expect(shape(answers[1]!)).toEqual(shape(answers[0]!));
    // Registering the address later does not undo its lock: it belongs to the address.
    const registered = await registerUser(a, { email: unknown });
    expect(registered.auth.user.email).toBe(unknown);
    expect(errorCode(await login(a, unknown, GOOD_PASSWORD, freshIp()))).toBe('ACCOUNT_LOCKED');
  });

  it('a locked answer takes as long as a wrong password (the argon2 work is done either way)', async () => {
    const locked = await registerUser(a);
    await lockOut(locked.email);
    const time = async (email: string, password: string, expected: string) => {
      const started = performance.now();
      const result = await login(a, email, password, freshIp());
      const elapsed = performance.now() - started;
      expect(errorCode(result)).toBe(expected);
      return elapsed;
    };
    const lockedTimes: number[] = [];
    const wrongTimes: number[] = [];
    for (let i = 0; i < 4; i++) {
      // Each try on a fresh account (and the locked one's window cleared) stays within the limits.
      const fresh = await registerUser(a);
      await windowPasses();
      lockedTimes.push(await time(locked.email, GOOD_PASSWORD, 'ACCOUNT_LOCKED'));
      wrongTimes.push(await time(fresh.email, `Wrong-password-${i}`, 'UNAUTHENTICATED'));
    }
    // Without the argon2 check a locked answer came back in a few ms, some 10-20 times faster.
    const ratio = Math.min(...lockedTimes) / Math.min(...wrongTimes);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('attempts on a locked address count against the limits, like any failure', async () => {
    const { email } = await registerUser(a);
    await lockOut(email);
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect(errorCode(await login(a, email, GOOD_PASSWORD, ip))).toBe('ACCOUNT_LOCKED');
    expect(errorCode(await login(b, email, GOOD_PASSWORD, ip))).toBe('RATE_LIMITED');
  });
});

describe('password hashes', () => {
  it('made with older, cheaper parameters are upgraded at the next sign-in', async () => {
    const { email } = await registerUser(a);
    const old = await argon2.hash(GOOD_PASSWORD, { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 });
    await a.app.services.db.user.update({ where: { email }, data: { passwordHash: old } });
    await loginTokens(a, email, GOOD_PASSWORD, freshIp());
    const upgraded = (await a.app.services.db.user.findUniqueOrThrow({ where: { email } })).passwordHash;
    expect(upgraded).not.toBe(old);
    expect(upgraded).toContain(`m=${PASSWORD_HASH_OPTIONS.memoryCost},t=${PASSWORD_HASH_OPTIONS.timeCost},p=1`);
    expect(await argon2.verify(upgraded, GOOD_PASSWORD)).toBe(true);
  });
});
