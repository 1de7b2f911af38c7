import { describe, expect, it } from 'vitest';
import { RegisterDocument } from '../../schema/sdk/graphql.js';
import { GOOD_PASSWORD, from, uniqueEmail } from '../../test/auth.js';
import { errorCode, type TestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';

/** Two instances of one deployment, with the production default of 5 sign-ups per IP per hour. */
const env = { TRUST_PROXY: '1', REGISTRATIONS_PER_IP_PER_HOUR: '5' };
const a = useTestApp({ env });
const b = useTestApp(() => ({ database: a.database, redisPrefix: a.config.REDIS_PREFIX, env }));

let ipCounter = 0;
/** A fresh client address, so each test starts with a full budget. */
const freshIp = () => `10.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}.7`;

const register = (app: TestApp, ip: string, email = uniqueEmail('signup'), password = GOOD_PASSWORD) =>
  app.gql(RegisterDocument, { input: { email, password, name: 'Sign Up' } }, from(ip));

describe('register rate limit', () => {
  it('allows 5 accounts per IP per hour across instances, then RATE_LIMITED with retryAfter; other IPs are unaffected', async () => {
    expect(a.config.REGISTRATIONS_PER_IP_PER_HOUR).toBe(5);
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      const created = await register(i % 2 === 0 ? a : b, ip);
      expect(created.errors).toBeUndefined();
    }
    const refusedEmail = uniqueEmail('refused');
    for (const app of [a, b]) {
      const limited = await register(app, ip, refusedEmail);
      expect(errorCode(limited)).toBe('RATE_LIMITED');
      const retryAfter = limited.errors?.[0]?.extensions?.retryAfter as number;
      expect(retryAfter).toBeGreaterThan(3500);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    expect(await a.app.services.db.user.count({ where: { email: refusedEmail } })).toBe(0);

    const elsewhere = await register(b, freshIp());
    expect(elsewhere.errors).toBeUndefined();
    expect(elsewhere.data?.register.user.email).toMatch(/^signup-/);
  });

  it('counts attempts on an address that already has an account, so the limit also bounds probing', async () => {
    const ip = freshIp();
    const taken = uniqueEmail('taken');
    expect((await register(a, ip, taken)).errors).toBeUndefined();
    for (let i = 0; i < 4; i++) expect(errorCode(await register(i % 2 ? a : b, ip, taken))).toBe('CONFLICT');
    expect(errorCode(await register(a, ip, taken))).toBe('RATE_LIMITED');
    expect(errorCode(await register(b, ip))).toBe('RATE_LIMITED');
  });

  it('does not count input that fails validation', async () => {
    const ip = freshIp();
    for (let i = 0; i < 6; i++) expect(errorCode(await register(a, ip, uniqueEmail(), 'short'))).toBe('BAD_USER_INPUT');
    for (let i = 0; i < 5; i++) expect((await register(b, ip)).errors).toBeUndefined();
    expect(errorCode(await register(a, ip))).toBe('RATE_LIMITED');
  });
});
